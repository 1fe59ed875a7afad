"""GIDs, money bags and the app-reserved metafield namespace, as Shopify writes them."""
from __future__ import annotations

from graphql import GraphQLError


def gid(kind: str, num: int) -> str:
    return f"gid://shopify/{kind}/{num}"


def parse_gid(value: str) -> tuple[str, int]:
    try:
        kind, num = str(value).removeprefix("gid://shopify/").split("/", 1)
        return kind, int(num.split("?", 1)[0])
    except ValueError as exc:
        raise GraphQLError(f"Invalid global id '{value}'", extensions={"code": "argumentLiteralsIncompatible"}) from exc


def money(amount, currency: str) -> dict:
    return {"amount": f"{float(amount or 0):.2f}" if not isinstance(amount, str) else amount,
            "currencyCode": currency}


def money_bag(amount, currency: str) -> dict:
    return {"shopMoney": money(amount, currency), "presentmentMoney": money(amount, currency)}


def resolve_namespace(namespace: str | None, app_id: int) -> str:
    """`$app` / `$app:returns` -> `app--<id>` / `app--<id>--returns` (Shopify's reserved prefix)."""
    if namespace is None or namespace == "$app":
        return f"app--{app_id}"
    if namespace.startswith("$app:"):
        return f"app--{app_id}--{namespace.removeprefix('$app:')}"
    return namespace


def require(info, scope: str) -> None:
    """ACCESS_DENIED like Shopify when the token lacks `scope` (write_x implies read_x)."""
    granted = set(info.context.token.scope.split(","))
    if scope in granted or scope.replace("read_", "write_") in granted:
        return
    raise GraphQLError(f"Access denied for {info.field_name} field. Required access: `{scope}` access scope.",
                       extensions={"code": "ACCESS_DENIED",
                                   "documentation": "https://shopify.dev/api/usage/access-scopes",
                                   "requiredAccess": f"`{scope}` access scope."})
