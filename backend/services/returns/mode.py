"""A shop's returns mode: `enforce` (approve what the policy allows, decline what it refuses, in Shopify),
`recommend` (the default: a verdict tag and note on the order, nothing approved or declined) or `off`.
Beside it, `process_on_receipt`: Fineprint processes an approved return (the refund split as decided: original
payment and store credit) once its items are received (services/returns/apply.py `process_on_receipt`).
The admin page's Returns settings and `fineprint shops set-returns-mode` both call `set_mode`."""
from __future__ import annotations

from backend.errors import NotFound, ValidationError
from backend.store import returns as repo

MODES = repo.MODES


def get(db, shop: str) -> dict:
    with db.session() as s:
        row = repo.settings(s, shop)
        return {"mode": row.mode, "process_on_receipt": bool(row.process_on_receipt)}


def set_mode(db, shop: str, mode: str | None, user: str | None = None, process_on_receipt: bool | None = None) -> dict:
    """`mode` None (or empty) with `process_on_receipt` given keeps the mode and changes only that setting."""
    mode = (mode or "").strip().lower() or (None if process_on_receipt is not None else "")
    if mode is not None and mode not in MODES:
        raise ValidationError(f"returns mode is one of {', '.join(MODES)}, not {mode!r}",
                              details=[{"field": "mode", "message": f"one of {', '.join(MODES)}"}])
    with db.session() as s:
        if not repo.shop_known(s, shop):
            raise NotFound(f"unknown shop {shop}", code="unknown_shop")
        repo.save_settings(s, shop, mode=mode, process_on_receipt=process_on_receipt, user=user)
    return get(db, shop)
