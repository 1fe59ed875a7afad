"""Installing the app and keeping its access: the authorization-code grant, token exchange, offline tokens, order-access scope. May import: store, shopify, policy."""
