"""Shopify returns: the returns/* webhooks' record of each return, and deciding them by the written policy. May import: store, shopify, policy, decisions."""
