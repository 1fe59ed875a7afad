"""Decisions for every surface through one recipe (context.py): shopper API, storefront, admin preview and backtest, policy versions. May import: store, shopify, policy, the queue port."""
