"""Every GraphQL document the app sends stays under Shopify's 1,000-point single-query limit, computed
statically against the 2026-10 Admin schema by Shopify's published rules (shopify.dev/docs/apps/build/apis/
graphql-admin/rate-limits, "Cost calculation"): the simulator's cost model, which these tables also pin."""
from __future__ import annotations

import importlib
import pkgutil

import graphql
import pytest

import backend.shopify
from devshop.cost import MAX_QUERY_COST, query_cost
from devshop.schema import admin_schema
from backend.shopify import bulk, cost, flow, order_writes, payloads
from backend.shopify import returns as shopify_returns
from backend.shopify import shopper_returns


def _cost(document: str, variables: dict | None = None) -> int:
    parsed = graphql.parse(document)
    assert graphql.validate(admin_schema(), parsed) == [], document
    operations = [d for d in parsed.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, graphql.FragmentDefinitionNode)}
    return query_cost(admin_schema(), operations[0], fragments, variables or {})


# -- the published rules themselves ---------------------------------------------------------------------------

RULES = [
    ("scalars are free, an object costs 1", "{ shop { id name ianaTimezone currencyCode } }", 1),
    ("a connection costs 2 plus one per node asked for", "{ products(first: 5) { edges { node { id title } } } }", 7),
    ("nested connections multiply", "{ products(first: 10) { nodes { id variants(first: 5) { nodes { id } } } } }",
     2 + 10 * (1 + 2 + 5)),
    ("an interface costs its costliest possible selection",
     '{ node(id: "gid://shopify/Order/1") { id ... on Product { variants(first: 10) { nodes { id } } } '
     '... on Order { lineItems(first: 50) { nodes { id } } } } }', 1 + 2 + 50),
    ("a mutation costs 10 per root field, whatever it selects",
     'mutation { a: tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { node { id } userErrors { message } } '
     'b: tagsRemove(id: "gid://shopify/Order/1", tags: ["y"]) { userErrors { message } } }', 20),
]


@pytest.mark.parametrize("rule,document,expected", RULES, ids=[r[0] for r in RULES])
def test_the_cost_model_follows_shopifys_published_rules(rule, document, expected):
    assert _cost(document) == expected


# -- every document the app sends -----------------------------------------------------------------------------

def _documents_in_the_adapter() -> dict[str, str]:
    """Every module-level GraphQL operation in backend.shopify: a new one fails below until it is priced."""
    found = {}
    for info in pkgutil.walk_packages(backend.shopify.__path__, "backend.shopify."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, str) and value.lstrip().startswith(("query ", "mutation ")):
                found[graphql.parse(value).definitions[0].name.value] = value
    return found


def _worst_case(unit_cost: int) -> list[str]:
    """The biggest batch `cost.batches` ever sends."""
    return [f"gid://shopify/Product/{i}" for i in range(len(next(cost.batches(list(range(1000)), unit_cost))))]


def _write_with_every_field() -> str:
    return order_writes.apply_decision_request("gid://shopify/Order/1", ["final-sale", "return-protection"],
                                               ["sale-credit-only"], "2026-12-24", {"tags": ["final-sale"]},
                                               delete_deadline=True)[0]


WORST_CASES = {  # operation name → (document, worst-case variables)
    "FineprintProducts": lambda: (payloads.PRODUCTS_BY_ID_QUERY, {"ids": _worst_case(payloads.PRODUCT_COST)}),
    "FineprintVariantProducts": lambda: (payloads.VARIANT_PRODUCTS_QUERY,
                                         {"ids": _worst_case(payloads.VARIANT_PRODUCT_COST)}),
    "FineprintFulfillmentOrder": lambda: (payloads.FULFILLMENT_ORDER_QUERY, {"id": "gid://shopify/Fulfillment/1"}),
    "FineprintOrderWriteState": lambda: (order_writes.ORDER_WRITE_STATE_QUERY, {"id": "gid://shopify/Order/1"}),
    "FineprintBulkRun": lambda: (bulk.RUN_QUERY, {"query": payloads.bulk_orders_query("2026-01-01")}),
    "FineprintBulkPoll": lambda: (bulk.POLL_QUERY, {"id": "gid://shopify/BulkOperation/1"}),
    "FineprintApplyDecision": lambda: (_write_with_every_field(), {}),
    "FineprintReturn": lambda: (shopify_returns.RETURN_QUERY, {"id": "gid://shopify/Return/1"}),
    "FineprintReturnApprove": lambda: shopify_returns.approve_request("gid://shopify/Return/1"),
    "FineprintReturnDecline": lambda: shopify_returns.decline_request("gid://shopify/Return/1", "FINAL_SALE",
                                                                      "x" * 500),
    "FineprintReturnProcess": lambda: shopify_returns.process_request(
        "gid://shopify/Return/1", [(f"gid://shopify/ReturnLineItem/{i}", 1) for i in range(50)], "USD",
        to_payment="10.00", payment_gid="gid://shopify/OrderTransaction/1", to_store_credit="5.00",
        allow_over_refunding=True),
    "FineprintReturnRemoveLines": lambda: shopify_returns.remove_lines(
        "gid://shopify/Return/1", [(f"gid://shopify/ReturnLineItem/{i}", 1) for i in range(50)]),
    "FineprintReturnCreate": lambda: shopify_returns.create_return(
        "gid://shopify/Order/1", [{"fulfillment_line_item_id": f"gid://shopify/FulfillmentLineItem/{i}",
                                   "quantity": 1, "key": i} for i in range(50)], "USD",
        restocking={i: 12.5 for i in range(50)}, shipping_fee="7.50"),
    "FineprintReturnReceipt": lambda: (shopify_returns.RECEIPT_QUERY, {"id": "gid://shopify/Return/1"}),
    "FineprintOrderNote": lambda: (shopify_returns.ORDER_NOTE_QUERY, {"id": "gid://shopify/Order/1"}),
    "FineprintReturnRecommend": lambda: shopify_returns.recommend_request("gid://shopify/Order/1", "return-decline",
                                                                          "x" * 5000),
    "FineprintShopPolicies": lambda: (shopify_returns.SHOP_POLICIES_QUERY, {}),
    "FineprintShopperReturnSetup": lambda: (shopper_returns.SETUP_QUERY, {"orderId": "gid://shopify/Order/1"}),
    "FineprintShopperReturnReasons": lambda: (shopper_returns.REASONS_QUERY, {"orderId": "gid://shopify/Order/1"}),
    "FineprintShopperReturnable": lambda: (shopper_returns.RETURNABLE_QUERY, {"orderId": "gid://shopify/Order/1"}),
    "FineprintShopperExchangeVariants": lambda: (shopper_returns.VARIANTS_QUERY, {
        "ids": [f"gid://shopify/Product/{i}" for i in range(shopper_returns.MAX_PRODUCTS)]}),
    "FineprintShopperReturnRequest": lambda: (shopper_returns.REQUEST_MUTATION, {}),
    "FineprintFlowTrigger": lambda: (flow.TRIGGER_MUTATION, {}),
    "FineprintFlowScheduled": lambda: (flow.SCHEDULED_MUTATION, {}),
    "FineprintFlowReceipt": lambda: (flow.RECEIPT_QUERY, {"id": "gid://shopify/Order/1", "namespace": "$app:flow",
                                                          "key": "return-window-closing-2026-12-10"}),
    "FineprintTrialEnded": lambda: (flow.TRIAL_ENDED_MUTATION, {}),
    "FineprintTrialLines": lambda: (flow.ORDER_LINES_QUERY, {"id": "gid://shopify/Order/1"}),
}


def test_every_document_in_the_adapter_has_a_worst_case_here():
    assert set(_documents_in_the_adapter()) <= set(WORST_CASES)


@pytest.mark.parametrize("operation", sorted(WORST_CASES))
def test_the_worst_case_of_every_document_the_app_sends_costs_at_most_1000_points(operation):
    document, variables = WORST_CASES[operation]()
    assert _cost(document, variables) <= MAX_QUERY_COST == cost.MAX_QUERY_COST


@pytest.mark.parametrize("document,unit", [(payloads.PRODUCTS_BY_ID_QUERY, payloads.PRODUCT_COST),
                                           (payloads.VARIANT_PRODUCTS_QUERY, payloads.VARIANT_PRODUCT_COST)],
                         ids=["products", "variant products"])
def test_product_reads_batch_by_the_cost_the_rules_compute(document, unit):
    """The adapter's per-node costs are the schema's: batches are as big as the limit allows, no bigger."""
    for n in (1, 2, 7):
        assert _cost(document, {"ids": [f"gid://shopify/Product/{i}" for i in range(n)]}) == n * unit
    batch = len(_worst_case(unit))
    assert batch * unit <= MAX_QUERY_COST < (batch + 1) * unit


def test_the_bulk_operations_inner_query_is_valid_on_2026_10():
    """Shopify validates a bulk query when the operation starts; its cost is not limited."""
    for since in (None, "2026-01-01"):
        assert graphql.validate(admin_schema(), graphql.parse(payloads.bulk_orders_query(since))) == []
