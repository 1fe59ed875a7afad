"""The Shopify adapter: the only package that knows Shopify's wire formats."""
