"""One exception tree for the Shopify adapter (tokens and the Admin API)."""
from __future__ import annotations


class ShopifyError(Exception):
    """Anything that went wrong talking to Shopify."""


class TokenRequestError(ShopifyError):
    """The token endpoint refused a grant (`code` is Shopify's or shopifyapp's error code)."""

    def __init__(self, shop: str, code: str, message: str, status: int | None = None):
        super().__init__(f"{shop}: token request failed ({code}): {message}")
        self.shop, self.code, self.message, self.status = shop, code, message, status

    @property
    def needs_reauthorization(self) -> bool:
        """The grant can never succeed again: the merchant must authorize the app anew."""
        return self.code in {"invalid_grant", "invalid_subject_token", "invalid_request",
                             "refresh_token_expired", "invalid_client"}


class AdminApiError(ShopifyError):
    """An Admin GraphQL call that did not succeed; `last_error` says what happened last."""

    def __init__(self, shop: str, message: str, *, last_error=None, attempts: int = 1, status: int | None = None):
        super().__init__(f"{shop}: {message}")
        self.shop, self.message, self.last_error = shop, message, last_error
        self.attempts, self.status = attempts, status


class TokenRevoked(AdminApiError):
    """401 even after one refresh: the token is gone (uninstall or revocation); reauthorize."""


class RetriesExhausted(AdminApiError):
    """Throttling, 429, 5xx or timeouts outlasted the bounded retries."""


class WriteOutcomeUnknown(AdminApiError):
    """A write that may or may not have been applied (timeout, network error or 5xx) and that the caller
    asked not to send again blindly (`resend=False`): read the target back before writing again."""


class GraphQLError(AdminApiError):
    """The document was refused (validation, access denied, bad input): retrying will not help.
    `errors` holds Shopify's error list; `data` any partial data."""

    def __init__(self, shop: str, errors: list, data=None, **kw):
        first = errors[0].get("message") if errors and isinstance(errors[0], dict) else str(errors)
        super().__init__(shop, f"GraphQL errors: {first}", last_error=errors, **kw)
        self.errors, self.data = errors, data


class QueryCostExceeded(GraphQLError):
    """A single query costs more than the whole bucket holds: split it or lower `first`."""
