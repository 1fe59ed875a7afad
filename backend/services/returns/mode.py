"""A shop's returns mode: `enforce` (approve what the policy allows, decline what it refuses, in Shopify),
`recommend` (the default: a verdict tag and note on the order, nothing approved or declined) or `off`.
The admin page's Returns settings and `fineprint shops set-returns-mode` both call `set_mode`."""
from __future__ import annotations

from backend.errors import NotFound, ValidationError
from backend.store import returns as repo

MODES = repo.MODES


def get(db, shop: str) -> dict:
    with db.session() as s:
        row = repo.settings(s, shop)
        return {"mode": row.mode}


def set_mode(db, shop: str, mode: str, user: str | None = None) -> dict:
    mode = (mode or "").strip().lower()
    if mode not in MODES:
        raise ValidationError(f"returns mode is one of {', '.join(MODES)}, not {mode!r}",
                              details=[{"field": "mode", "message": f"one of {', '.join(MODES)}"}])
    with db.session() as s:
        if not repo.shop_known(s, shop):
            raise NotFound(f"unknown shop {shop}", code="unknown_shop")
        repo.save_settings(s, shop, mode=mode, user=user)
    return get(db, shop)
