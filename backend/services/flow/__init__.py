"""Shopify Flow: triggers armed from decisions and fired when due, the 'check order' action. May import: store, shopify, policy, decisions."""
