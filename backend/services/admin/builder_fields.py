"""What the builder shows of each kind of rule: sections, fields, and how a typed value becomes TOML data.

    section_of(table_name, data)      -> the builder section a rule belongs to
    fields_for(table_name, section, data, words) -> [Field] shown for that rule
(What a typed value becomes is builder_values.)

A field's `path` is a key path inside its rule table: ("amount",), ("when", "product_tag"),
("windows", "refund", "days"). A field is shown when the rule has it or the section always offers it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from backend.policy.model import ANCHORS, BUNDLE_OUTCOMES, CLASSES, FEE_KINDS, RESOLUTIONS

SECTIONS = (
    ("store", "Store", "Your store's name, time zone and currency."),
    ("windows", "Return windows", "How long shoppers have, per resolution, region and season."),
    ("final_sale", "What cannot be returned", "Final-sale items: tags, product types, gift cards, discounts."),
    ("credit_only", "Store credit only", "Items that can only come back for store credit (or store credit or an "
                                         "exchange, never a refund)."),
    ("conditions", "Condition rules", "What happens to items that come back worn, opened or damaged."),
    ("fees", "Fees", "Restocking, handling and label fees, waivers and lateness tiers."),
    ("bonus", "Bonus credit", "Extra store credit for shoppers who choose it."),
    ("bundles", "Free gifts and bundles", "Gifts with purchase, BOGO and bundles: what a return must bring back."),
    ("protection", "Return protection", "What shoppers pay at checkout and what it waives."),
    ("shipping", "Signature and shipping", "Signatures on delivery, shipping rates, when orders ship."),
    ("regions", "Regions", "Where you ship and where you collect sales tax."),
    ("other", "Other rules", "Price adjustments, the delivery fallback, recorded contradictions."),
)
TITLES = {key: title for key, title, _ in SECTIONS}
CLASS_SECTION = {"final_sale": "final_sale", "credit_only": "credit_only", "exchange_or_credit": "credit_only"}
TABLE_SECTION = {
    "policy": "store", "return_rules": "conditions", "fees": "fees", "bonus_credit": "bonus",
    "bundles": "bundles", "protection": "protection", "signature": "shipping", "shipping": "shipping", "shipping.rates": "shipping",
    "shipping.ship_by": "shipping", "shipping.ship_by.seasons": "shipping", "blocks": "regions",
    "sales_tax": "regions", "price_adjustments": "other", "policy.delivery_fallback": "other",
    "contradictions": "other",
}
CHOICE_LABELS = {"deduct": "deduct its value", "store_credit": "store credit", "request": "once per request",
                 "item": "per item returned", "return_shipping": "return shipping"}
RESOLUTION_LABELS = {"refund": "Refund", "store_credit": "Store credit", "exchange": "Exchange"}
CLASS_LABELS = {"": "(not set by this rule)", "standard": "returnable as usual", "credit_only": "store credit only",
                "final_sale": "final sale", "exchange_or_credit": "exchange or store credit only",
                "trial": "try-at-home box", "external": "sold through another channel",
                "protection": "the return-protection item"}


@dataclass(frozen=True)
class Field:
    path: tuple
    label: str
    kind: str  # text, days, money, percent, choice, list, countries, multi, flag,
    # tristate (yes / no / not a condition), date, monthday, until, window
    choices: tuple = ()
    default: object = None
    always: frozenset = field(default_factory=frozenset)  # sections that offer it even when absent
    hint: str = ""


def _when(key, label, kind, *sections, **kw):
    return Field(("when", key), label, kind, always=frozenset(sections), **kw)


def _f(path, label, kind, *sections, **kw):
    return Field(tuple(path.split(".")), label, kind, always=frozenset(sections), **kw)


_ITEMS = ("final_sale", "credit_only")
_WINDOW_FIELDS = tuple(
    f for res in RESOLUTIONS for f in (
        Field(("windows", res), RESOLUTION_LABELS[res], "window", always=frozenset({"windows"})),
        Field(("windows", res, "days"), "days", "days"),
        Field(("windows", res, "from"), "from", "choice", ANCHORS),
        Field(("windows", res, "until"), "or until", "until", hint="YYYY-MM-DD, or MM-DD every year"),
    ))
_REGION = (_when("ship_to_country", "Only orders shipped to", "countries", "windows"),
           _when("ship_to_country_not", "Only orders shipped outside", "countries"))

FIELDS = {
    "policy": (_f("title", "Store name", "text", "store"), _f("timezone", "Time zone", "text", "store"),
               _f("currency", "Currency", "code", "store"),
               _f("conditions", "Your own words for an item's condition", "list")),
    "rules": (
        _f("class", "Items are", "choice", *_ITEMS, "windows", choices=tuple(CLASSES)),
        _when("product_tag", "Products tagged", "list", *_ITEMS),
        _when("product_type", "Product types", "list", *_ITEMS),
        _when("gift_card", "Gift cards", "flag", *_ITEMS),
        _when("discount_percent_at_least", "Discounted by at least (%)", "percent", *_ITEMS),
        _when("marked_down", "Marked down (compare-at price above the price)", "tristate"),
        _when("discounted", "Bought at a discount", "tristate"),
        _when("sku", "SKUs", "list"), _when("order_tag", "Orders tagged", "list"),
        _when("discount_code_prefix", "Discount codes starting with", "list"),
        _when("sales_channel", "Sales channels", "list"),
        *_REGION,
        _when("order_date_from", "Orders placed from", "date", "windows"),
        _when("order_date_to", "Orders placed through", "date", "windows"),
        Field(("when", "order_season", "from"), "Orders placed every year from", "monthday",
              always=frozenset({"windows"}), hint="MM-DD"),
        Field(("when", "order_season", "to"), "through", "monthday", always=frozenset({"windows"}), hint="MM-DD"),
        *_WINDOW_FIELDS,
    ),
    "return_rules": (
        _when("item_condition", "Items returned", "multi", "conditions"),
        _f("refuse", "Refuse the return", "flag", "conditions", default=False),
        _f("allow_only", "Allow only", "multi", "conditions", choices=RESOLUTIONS),
        _f("lifted_by_merchant_fault", "Not when it is our mistake", "flag", "conditions", default=True),
        _when("days_elapsed_at_least", "From day", "days"), _when("days_elapsed_at_most", "To day", "days"),
        _when("exchanges_before_at_least", "After exchanges already made: at least", "days"),
        _when("exchanges_before_at_most", "at most", "days"),
        *_REGION,
    ),
    "fees": (
        _f("kind", "Kind", "choice", "fees", choices=FEE_KINDS),
        _f("amount", "Amount", "money", "fees"), _f("percent", "or percentage of the item", "percent", "fees"),
        _f("per", "Charged", "choice", "fees", choices=("request", "item"), default="request"),
        _f("resolutions", "On", "multi", "fees", choices=RESOLUTIONS, default=RESOLUTIONS),
        _f("waived_for_merchant_fault", "Waived when it is our mistake", "flag", "fees", default=True),
        _f("waived_by_protection", "Waived with return protection", "flag", "fees", default=False),
        _when("days_elapsed_at_least", "Lateness tier: from day", "days", "fees"),
        _when("days_elapsed_at_most", "to day", "days", "fees"),
        _when("exchanges_before_at_least", "After exchanges already made: at least", "days", "fees"),
        _when("exchanges_before_at_most", "at most", "days", "fees"),
        _when("item_condition", "Items returned", "multi"),
        *_REGION,
    ),
    "bonus_credit": (_f("percent", "Extra credit (%)", "percent", "bonus"),
                     _f("amount", "or a flat amount", "money", "bonus"), _f("cap", "At most", "money", "bonus"),
                     _when("days_elapsed_at_least", "From day", "days"), _when("days_elapsed_at_most", "To day", "days"),
                     _when("exchanges_before_at_least", "After exchanges already made: at least", "days"),
                     _when("exchanges_before_at_most", "at most", "days")),
    "bundles": (_f("outcome", "When the gift is kept", "choice", "bundles", choices=BUNDLE_OUTCOMES),
                Field(("gift_when", "product_tag"), "Gift products tagged", "list", always=frozenset({"bundles"})),
                Field(("members_when", "product_tag"), "Earned by products tagged", "list",
                      always=frozenset({"bundles"}), hint="empty: every other item"),
                _f("threshold", "Earned from an order worth", "money", "bundles"),
                _f("threshold_items", "or from items bought", "days", "bundles"),
                _f("gift_value", "Gift value deducted", "money", "bundles", hint="empty: its price"),
                _f("resolutions", "On", "multi", "bundles", choices=RESOLUTIONS, default=("refund", "store_credit"))),
    "protection": (_f("price", "Price", "money", "protection"),
                   Field(("offered_when", "ship_to_country"), "Offered on orders shipped to", "countries",
                         always=frozenset({"protection"}))),
    "signature": (_when("merchandise_value_above", "Orders worth more than", "money", "shipping"),
                  _when("carrier", "Shipped with", "list", "shipping")),
    "shipping": (_f("currency", "Rates in", "code", "shipping"),),
    "shipping.rates": (_f("rate", "Rate", "money", "shipping"),
                       _when("ship_to_country", "Orders shipped to", "countries", "shipping"),
                       _when("merchandise_value_at_least", "Orders worth at least", "money", "shipping"),
                       _when("currency", "Paid in", "list")),
    "shipping.ship_by": (_f("business_days", "Ships within (business days)", "days", "shipping"),
                         _f("weekend", "Days off", "list", "shipping"), _f("holidays", "Holidays", "list", "shipping"),
                         _f("country", "Holidays of", "code")),
    "shipping.ship_by.seasons": (_f("from", "From", "text", "shipping"), _f("to", "To", "text", "shipping"),
                                 _f("business_days", "Business days", "days", "shipping")),
    "blocks": (_f("message", "Message at checkout", "text", "regions"),
               _when("ship_to_country_not", "Block orders shipped outside", "countries", "regions"),
               _when("ship_to_country", "Block orders shipped to", "countries"),
               _when("po_box", "Block P.O. box addresses", "flag")),
    "sales_tax": (_f("country", "Country", "code", "regions"),),
    "price_adjustments": (_f("resolution", "Adjusted as", "choice", "other", choices=("refund", "store_credit", "none")),
                          _f("days", "Within (days)", "days", "other"),
                          _f("from", "from", "choice", "other", choices=ANCHORS, default="order"),
                          _when("discounted", "Bought at a discount", "tristate")),
    "policy.delivery_fallback": (_f("days", "Delivery taken as shipment + (days)", "days", "other"),),
    "contradictions": (_f("conflicts_with", "Conflicts with", "text", "other"), _f("note", "Note", "text", "other")),
}
INFO_KEYS = ("id", "title", "text")
TITLED = frozenset(FIELDS) - {"policy"}


def section_of(name: str, data: dict) -> str:
    if name == "rules":
        return CLASS_SECTION.get(data.get("class"), "windows")
    return TABLE_SECTION[name]


def fields_for(name: str, section: str, data: dict, words: tuple) -> list[Field]:
    """The fields of one rule, in order: those the rule has and those its section always offers."""
    out = []
    for f in FIELDS.get(name, ()):
        if f.path[0] == "windows" and len(f.path) == 3:
            continue  # drawn with its resolution's window field
        if section in f.always or _has(data, f.path):
            out.append(_with_choices(f, words))
    return out


def _with_choices(f: Field, words: tuple) -> Field:
    if f.path[-1] == "item_condition":
        return Field(f.path, f.label, f.kind, tuple(words), f.default, f.always, f.hint)
    return f


def _has(data, path) -> bool:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def covered(name: str, data: dict) -> set[tuple]:
    """Key paths (top key, or ("when", key)) the builder's fields show for this rule."""
    paths = set()
    for f in FIELDS.get(name, ()):
        paths.add(f.path[:2] if f.path[0].endswith("when") and len(f.path) > 1 else f.path[:1])
    if name == "rules":
        paths.add(("windows",))
    return paths
