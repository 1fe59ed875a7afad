"""The Shopify admin's side of an embedded app, for the demo: opening the app, and handing it session tokens.

    GET /<shop>/admin/apps/<client_id>            -> 302 to the app's URL with Shopify's signed launch query,
                                                     id_token included, as the admin loads an embedded app
    GET /<shop>/admin/apps/<client_id>/id-token   -> {"id_token": ...}, a fresh session token

The launch query is the one Shopify documents for embedded apps (`embedded`, `hmac`, `host`, `id_token`,
`locale`, `session`, `shop`, `timestamp`), signed like the OAuth query. Shopify publishes no HTTP endpoint for
session tokens: inside the admin, App Bridge's `shopify.idToken()` asks the parent frame. The `id-token`
endpoint is the simulator's stand-in for that (made up, for the demo page outside Shopify's iframe); the tokens
it issues are the ones Shopify would, so the app verifies them exactly as in production.
"""
from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from devshop.calls import Call
from devshop.sessiontokens import admin_host_param, mint_session_token, oauth_query_hmac

STAFF_USER = "1"  # the demo's one staff member (`sub`), as Shopify numbers staff accounts
TOKEN_TTL = 60  # seconds, as Shopify's session tokens


def is_embed_path(rest: list[str]) -> bool:
    return len(rest) in (3, 4) and rest[:2] == ["admin", "apps"] and rest[3:] in ([], ["id-token"])


def answer(sim, shop: str, rest: list[str], request) -> Response:
    client_id, wants_token = rest[2], rest[3:] == ["id-token"]
    call = sim.log.add(Call("admin_embed", shop, request.method, request.path))
    if client_id != sim.api_key:
        call.status = 404
        return Response("no such app", 404, mimetype="text/plain")
    token = mint_session_token(shop, sim.api_key, sim.api_secret, sub=STAFF_USER, ttl=TOKEN_TTL)
    call.status = 200 if wants_token else 302
    if wants_token:
        # the app's page (another origin: the app's own server) reads it with fetch()
        return Response(json.dumps({"id_token": token}), 200, mimetype="application/json",
                        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"})
    if not sim.app_url:
        call.status = 409
        return Response("the simulator does not know the app's URL (Simulator.app_url)", 409, mimetype="text/plain")
    query = {"embedded": "1", "host": admin_host_param(shop), "id_token": token, "locale": "en",
             "session": uuid.uuid4().hex, "shop": shop, "timestamp": str(int(time.time()))}
    query["hmac"] = oauth_query_hmac(query, sim.api_secret)
    return Response("", 302, headers={"Location": f"{sim.app_url.rstrip('/')}/app?{urlencode(query)}"})
