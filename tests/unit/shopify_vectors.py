"""Loading Shopify's test vectors and freezing the clocks the verifiers read."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "shopify"


def vectors(name: str) -> dict:
    return json.loads((DATA / "test-vectors" / f"{name}.json").read_text())


def freeze_clocks(monkeypatch, unix: float) -> None:
    """Freeze the clocks of PyJWT (session tokens), shopify_app's app-proxy check and ours."""
    import jwt.api_jwt
    import shopify_app.verify.app_proxy as app_proxy

    from backend.shopify import verify

    class _Time:
        @staticmethod
        def time() -> float:
            return unix

    class _Datetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(unix, tz or timezone.utc)

    monkeypatch.setattr(jwt.api_jwt, "datetime", _Datetime)
    monkeypatch.setattr(app_proxy, "time", _Time)
    monkeypatch.setattr(verify, "time", _Time)
