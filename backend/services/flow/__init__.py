"""Shopify Flow: triggers armed from decisions and fired when due (plan, schedule, triggers, payloads), the shop's
reminder days (settings), the 'check order' action (action). May import: store, shopify, policy, decisions."""
