"""Mutations the simulator applies to stored state: tagsAdd, tagsRemove, metafieldsSet, metafieldsDelete,
bulkOperationRunQuery, flowTriggerReceive."""
from __future__ import annotations

import json
from datetime import date

from devshop.ids import parse_gid, require, resolve_namespace
from devshop.models import Metafield, now_iso
from devshop.order_views import MetafieldView, digest
from devshop.returns_graphql import ReturnMutations

MAX_METAFIELDS = 25
TAGGABLE = {"Order": ("orders", "write_orders"), "Product": ("products", "write_products")}


def split_tags(tags: list[str]) -> list[str]:
    """Shopify splits on commas, trims, drops blanks."""
    return [t.strip() for tag in tags for t in str(tag).split(",") if t.strip()]


class MutationRoot(ReturnMutations):
    def __init__(self, ctx):
        self.ctx = ctx

    def _taggable(self, info, id):
        kind, num = parse_gid(id)
        if kind not in TAGGABLE:
            return None, [{"field": ["id"], "message": f"Resource type {kind} is not taggable"}]
        attr, scope = TAGGABLE[kind]
        require(info, scope)
        obj = getattr(self.ctx.state, attr).get(num)
        if obj is None:
            return None, [{"field": ["id"], "message": f"{kind} does not exist"}]
        return obj, []

    def tagsAdd(self, info, id, tags):
        obj, errors = self._taggable(info, id)
        if obj is not None:
            have = {t.lower() for t in obj.tags}
            new = [t for t in dict.fromkeys(split_tags(tags)) if t.lower() not in have]
            if new:
                obj.tags.extend(new)
                obj.updated_at = now_iso()
        return {"node": self.ctx.lookup(None, id) if obj else None, "userErrors": errors}

    def tagsRemove(self, info, id, tags):
        obj, errors = self._taggable(info, id)
        if obj is not None:
            gone = {t.lower() for t in split_tags(tags)}
            kept = [t for t in obj.tags if t.lower() not in gone]
            if kept != obj.tags:
                obj.tags[:] = kept
                obj.updated_at = now_iso()
        return {"node": self.ctx.lookup(None, id) if obj else None, "userErrors": errors}

    def metafieldsSet(self, info, metafields):
        """Atomic like Shopify's: every input is checked before any is written."""
        require(info, "write_orders")
        if len(metafields) > MAX_METAFIELDS:
            return {"metafields": None, "userErrors": [_err(None, "metafields", "LESS_THAN_OR_EQUAL_TO",
                                                            f"Exceeded the maximum metafields input limit of {MAX_METAFIELDS}.")]}
        plans, errors = [], []
        for index, spec in enumerate(metafields):
            plan = self._plan(index, spec, errors)
            if plan:
                plans.append(plan)
        if errors:
            return {"metafields": None, "userErrors": errors}
        written = [self._write(*plan) for plan in plans]
        return {"metafields": [MetafieldView(m, self.ctx) for m in written], "userErrors": []}

    def _plan(self, index: int, spec: dict, errors: list):
        kind, num = parse_gid(spec["ownerId"])
        owner = self.ctx.state.orders.get(num) if kind == "Order" else None
        if owner is None:
            errors.append(_err(index, "ownerId", "INVALID", "Owner does not exist." if kind == "Order"
                               else f"devshop stores metafields on orders only, not {kind}."))
            return None
        ns = resolve_namespace(spec.get("namespace"), self.ctx.sim.app_id)
        current = owner.metafields.get((ns, spec["key"]))
        mtype = spec.get("type") or (current.type if current else None)
        if mtype is None:
            errors.append(_err(index, "type", "BLANK", "Type can't be blank."))
            return None
        if current and current.type != mtype:
            errors.append(_err(index, "type", "INVALID_TYPE", f"Type must be {current.type}."))
            return None
        problem = value_problem(mtype, spec["value"])
        if problem:
            errors.append(_err(index, "value", "INVALID_VALUE", problem))
            return None
        wanted = spec.get("compareDigest")
        if "compareDigest" in spec and wanted != (digest(current.value) if current else None):
            errors.append(_err(index, "compareDigest", "STALE_OBJECT",
                               "The resource has been updated since it was loaded."))
            return None
        return owner, ns, spec["key"], mtype, spec["value"]

    def _write(self, owner, ns, key, mtype, value) -> Metafield:
        current = owner.metafields.get((ns, key))
        if current is None:
            current = Metafield(id=self.ctx.sim.next_id(), namespace=ns, key=key, type=mtype, value=value)
            owner.metafields[(ns, key)] = current
        elif current.value != value:
            current.value, current.updated_at = value, now_iso()
        owner.updated_at = now_iso()
        return current

    def flowTriggerReceive(self, info, handle=None, payload=None, body=None):
        from devshop.flow import receive  # no access scope: the schema gives it no requiredAccess
        return receive(self.ctx.state, handle, payload, body)

    def metafieldsDelete(self, info, metafields):
        """As the 2026-10 schema documents it: every identifier names an owner, a namespace and a key; one
        that matches no metafield still succeeds, with `null` in its place in `deletedMetafields`. At least
        one identifier is required (the argument's description); devshop stores metafields on orders only,
        so other owners are refused before anything is deleted."""
        require(info, "write_orders")
        if not metafields:
            return {"deletedMetafields": None,
                    "userErrors": [{"field": ["metafields"], "message": "At least one identifier must be specified."}]}
        errors = [{"field": ["metafields", str(i), "ownerId"],
                   "message": f"devshop stores metafields on orders only, not {parse_gid(spec['ownerId'])[0]}."}
                  for i, spec in enumerate(metafields) if parse_gid(spec["ownerId"])[0] != "Order"]
        if errors:
            return {"deletedMetafields": None, "userErrors": errors}
        return {"deletedMetafields": [self._delete(spec) for spec in metafields], "userErrors": []}

    def _delete(self, spec: dict) -> dict | None:
        owner = self.ctx.state.orders.get(parse_gid(spec["ownerId"])[1])
        ns = resolve_namespace(spec["namespace"], self.ctx.sim.app_id)
        if owner is None or owner.metafields.pop((ns, spec["key"]), None) is None:
            return None
        owner.updated_at = now_iso()
        return {"ownerId": spec["ownerId"], "namespace": ns, "key": spec["key"]}

    def bulkOperationRunQuery(self, info, query, groupObjects=True):
        from devshop.bulk import start_bulk_query
        return start_bulk_query(self.ctx, query)


def value_problem(mtype: str, value: str) -> str | None:
    if mtype == "date":
        try:
            date.fromisoformat(value)
            return None if len(value) == 10 else "Value must be in YYYY-MM-DD format."
        except ValueError:
            return "Value must be in YYYY-MM-DD format."
    if mtype == "json":
        try:
            json.loads(value)
        except ValueError as exc:
            return f"Value is invalid JSON: {exc}."
    if mtype == "number_integer" and not value.lstrip("-").isdigit():
        return "Value must be an integer."
    if mtype == "boolean" and value not in ("true", "false"):
        return "Value must be true or false."
    if mtype == "single_line_text_field" and "\n" in value:
        return "Value must be a single line."
    return None


def _err(index, field, code, message):
    path = ["metafields", str(index), field] if index is not None else [field]
    return {"field": path, "code": code, "message": message, "elementIndex": index}
