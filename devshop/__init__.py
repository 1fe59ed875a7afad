"""devshop: a Shopify simulator (OAuth, token endpoint, Admin GraphQL) for tests and demos."""
from devshop.sessiontokens import mint_session_token, oauth_query_hmac
from devshop.simulator import Simulator

__all__ = ["Simulator", "mint_session_token", "oauth_query_hmac"]
