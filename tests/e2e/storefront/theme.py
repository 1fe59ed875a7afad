"""Renders the theme app extension's blocks the way Online Store 2.0 does, with python-liquid.

Implements the few Shopify pieces the blocks use: the `t` and `asset_url`
filters, `{% schema %}` (read for setting defaults and the block's assets,
then removed), `block.settings`, `block.shopify_attributes`, `routes`, `template`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from liquid import Environment

SCHEMA = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.S)
ROUTES = {"root_url": "/", "cart_url": "/cart", "cart_add_url": "/cart/add", "cart_change_url": "/cart/change"}


@dataclass
class Rendered:
    html: str
    schema: dict

    def assets(self) -> str:
        tags = []
        if css := self.schema.get("stylesheet"):
            tags.append(f'<link rel="stylesheet" href="/assets/{css}">')
        if js := self.schema.get("javascript"):
            tags.append(f'<script src="/assets/{js}" defer></script>')
        return "\n".join(tags)


class Theme:
    def __init__(self, extension_dir: Path, locale: str = "en"):
        self.dir = Path(extension_dir)
        name = "en.default.json" if locale == "en" else f"{locale}.json"
        self.strings = json.loads((self.dir / "locales" / name).read_text(encoding="utf-8"))
        self.env = Environment()
        self.env.add_filter("t", self._translate)
        self.env.add_filter("asset_url", lambda name: f"/assets/{name}")

    def _translate(self, key: str, **values) -> str:
        node = self.strings
        for part in key.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node = node.get("one" if values.get("count") == 1 else "other", f"translation missing: {key}")
        return re.sub(r"{{\s*(\w+)\s*}}", lambda m: str(values.get(m.group(1), "")), str(node))

    def block(self, name: str, settings: dict | None = None, **context) -> Rendered:
        source = (self.dir / "blocks" / f"{name}.liquid").read_text(encoding="utf-8")
        match = SCHEMA.search(source)
        schema = json.loads(match.group(1)) if match else {}
        values = {s["id"]: s.get("default") for s in schema.get("settings", []) if "id" in s}
        values.update(settings or {})
        template = self.env.from_string(SCHEMA.sub("", source))
        html = template.render(block={"settings": values, "shopify_attributes": ""}, routes=ROUTES, **context)
        return Rendered(html, schema)
