"""A fake Shopify storefront for the theme app extension's browser test."""
