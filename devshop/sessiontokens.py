"""Signing helpers the simulator shares with tests: session tokens and OAuth query HMACs."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import jwt

LEEWAY = 10


def mint_session_token(shop: str, api_key: str, api_secret: str, *, sub: str = "1",
                       ttl: int = 60, now: float | None = None, **overrides) -> str:
    """An App Bridge session token (id token) as Shopify issues it for `shop`: the claim set of shopify.dev's
    "Session tokens" payload and of shopify_python_api's tests (`iss` https://{shop}/admin, `dest`
    https://{shop}, `aud`, `sub` = staff user id, `exp` one minute on, `nbf`, `iat`, `jti`, `sid`);
    tests/unit/test_sessions.py holds it to that documented shape. `overrides` exist to forge refusals."""
    t = int(time.time() if now is None else now)
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": sub,
        "exp": t + ttl,
        "nbf": t,
        "iat": t,
        "jti": uuid.uuid4().hex,
        "sid": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return jwt.encode(claims, api_secret, algorithm="HS256")


def decode_session_token(token: str, shop: str, api_key: str, api_secret: str) -> dict:
    """Verify like Shopify's token endpoint does; raises jwt.PyJWTError (or ValueError)."""
    claims = jwt.decode(token, api_secret, algorithms=["HS256"], audience=api_key, leeway=LEEWAY,
                        options={"require": ["exp", "nbf", "iss", "dest", "aud", "sub"]})
    if claims["dest"].removeprefix("https://") != shop:
        raise ValueError("dest does not name this shop")
    if not claims["iss"].startswith(claims["dest"]):
        raise ValueError("iss and dest do not match")
    return claims


def oauth_query_hmac(params: dict, secret: str) -> str:
    """Hex HMAC-SHA256 over the sorted `k=v&k=v` query without `hmac` (and `signature`)."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def admin_host_param(shop: str) -> str:
    """The base64url `host` parameter Shopify adds: admin.shopify.com/store/<name>."""
    name = shop.removesuffix(".myshopify.com")
    return base64.urlsafe_b64encode(f"admin.shopify.com/store/{name}".encode()).decode().rstrip("=")
