"""The Shopify adapter: the only package that knows Shopify's wire formats (request verification, OAuth and
token grants, the Admin GraphQL client and its pacing, payload parsing). May import: config, errors; no
service, no store."""
