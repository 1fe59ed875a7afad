"""Shopify's order, product and fulfillment shapes → the domain's plain dicts.

Only this package knows the wire formats of webhook payloads (REST JSON) and of
the GraphQL order/product nodes (single queries and bulk-operation JSONL). Out
come:

* an order: a contract §5 ``order`` dict (line ids, variant and product ids as
  numeric strings) plus the metadata the pipeline needs to order events;
* a catalog entry: ``{"product": {...}, "variants": [...]}``;
* fulfillment facts: per fulfillment, which lines shipped and when, and when
  they were delivered.

Identity comes from ``admin_graphql_api_id`` when present: the numeric ``id``
of large objects is rounded in some published examples (2^53), the GID is not.
"""
from backend.shopify.payloads.common import CARRIER_CODES, gid, numeric_id, split_tags
from backend.shopify.payloads.graphql import (BULK_ORDER_FIELDS, FULFILLMENT_ORDER_QUERY, ORDER_FIELDS, PRODUCT_COST,
                                              PRODUCTS_BY_ID_QUERY, VARIANT_PRODUCT_COST, VARIANT_PRODUCTS_QUERY,
                                              assemble_bulk_orders, bulk_orders_query, fulfillments_from_graphql,
                                              order_from_graphql, product_from_graphql)
from backend.shopify.payloads.rest import (deleted_product_id, fulfillment_event_from_rest, fulfillment_from_rest,
                                           order_from_rest, product_from_rest)

__all__ = ["CARRIER_CODES", "gid", "numeric_id", "split_tags", "BULK_ORDER_FIELDS", "FULFILLMENT_ORDER_QUERY",
           "fulfillments_from_graphql", "ORDER_FIELDS",
           "PRODUCT_COST", "PRODUCTS_BY_ID_QUERY", "VARIANT_PRODUCT_COST", "VARIANT_PRODUCTS_QUERY",
           "assemble_bulk_orders", "bulk_orders_query", "order_from_graphql", "product_from_graphql",
           "deleted_product_id", "fulfillment_event_from_rest", "fulfillment_from_rest", "order_from_rest",
           "product_from_rest"]
