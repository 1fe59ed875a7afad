"""devshop: a Shopify simulator (OAuth, token endpoint, Admin GraphQL, webhooks, session tokens) for tests,
`make demo` and benches. A dev package: not in the production wheel, and no backend module imports it.
May import: backend (config, the app factory, tables: to run a demo app), shopify_app; Shopify's published
schema lives in schema/."""
from devshop.sessiontokens import mint_session_token, oauth_query_hmac
from devshop.simulator import Simulator

__all__ = ["Simulator", "mint_session_token", "oauth_query_hmac"]
