"""`flowTriggerReceive` in the simulator: checked against the app's Flow trigger extensions, then recorded.

Shopify runs the workflows that start with the trigger `handle` (an extension of the calling app) with the
`payload`. The simulator cannot run workflows; it records every accepted call on the shop
(`ShopState.flow_runs`) so stories can assert what Flow was told, and refuses a call real Flow could not
route: no handle (the deprecated `body` alone), a handle the app's `extensions/*/shopify.extension.toml` does
not declare as a `flow_trigger`, a payload that is not an object or lacks a declared field. Those
`userErrors` messages are the simulator's own wording (Shopify documents only the `{field, message}` shape).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from devshop.models import now_iso

EXTENSIONS = Path(__file__).resolve().parents[1] / "extensions"


@dataclass
class FlowRun:
    handle: str
    payload: dict
    received_at: str = field(default_factory=now_iso)


def _payload_key(spec: dict) -> str:
    """An `order_reference` field travels as `order_id`; any other field under its `key`."""
    kind = spec.get("type", "")
    return f"{kind[:-len('_reference')]}_id" if kind.endswith("_reference") else spec.get("key", "")


@lru_cache(maxsize=1)
def declared_triggers(root: Path = EXTENSIONS) -> dict[str, tuple[str, ...]]:
    """handle -> payload keys, for every flow_trigger extension of the app."""
    out = {}
    for toml in sorted(root.glob("*/shopify.extension.toml")):
        config = tomllib.loads(toml.read_text())
        for ext in config.get("extensions") or []:
            if ext.get("type") == "flow_trigger":
                fields = (config.get("settings") or {}).get("fields") or []
                out[ext["handle"]] = tuple(_payload_key(f) for f in fields)
    return out


def receive(state, handle, payload, body) -> dict:
    errors = problems(handle, payload, body)
    if not errors:
        state.flow_runs.append(FlowRun(handle, dict(payload)))
    return {"userErrors": errors}


def problems(handle, payload, body) -> list[dict]:
    if not handle:
        return [{"field": ["handle"], "message": "A trigger handle is required (body is deprecated)."}]
    keys = declared_triggers().get(handle)
    if keys is None:
        return [{"field": ["handle"], "message": f"No Flow trigger with handle '{handle}' is defined for this app."}]
    if not isinstance(payload, dict):
        return [{"field": ["payload"], "message": "The payload must be a JSON object."}]
    missing = [k for k in keys if k not in payload]
    unknown = [k for k in payload if k not in keys]
    if missing or unknown:
        return [{"field": ["payload"], "message": f"Payload does not match the trigger's fields "
                                                  f"(missing: {missing}, undeclared: {unknown})."}]
    return []
