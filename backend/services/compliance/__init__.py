"""Shopify's mandatory compliance topics: the personal-data registry, redaction, customer data reports. May import: store."""
