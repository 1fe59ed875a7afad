"""Webhooks after verification: record each delivery once, then hand it to its topic's handler. May import: store, shopify, policy, orders, the queue port."""
