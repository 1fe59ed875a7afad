"""The simulator's HTTP surface: routes `/<shop>/admin/...` (or `/admin/...` for one shop).

Endpoints: OAuth authorize, the token endpoint, Admin GraphQL, the bulk
operation result files, and the admin opening the embedded app (admin_embed.py). Faults queued for a shop are applied here, before
the endpoint runs, and every request lands in the call log.
"""
from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from devshop import admin_embed
from devshop.calls import Call
from devshop.oauth import OAuthError

if TYPE_CHECKING:
    from devshop.simulator import Simulator

log = logging.getLogger("devshop")
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {}, mimetype="application/json")


class SimulatorApp:
    def __init__(self, sim: "Simulator"):
        self.sim = sim

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception as exc:  # a simulator bug: say so loudly, answer like a 500
            log.exception("devshop failed on %s %s", request.method, request.path)
            response = json_response({"errors": f"devshop internal error: {type(exc).__name__}: {exc}"}, 500)
        return response(environ, start_response)

    def _split(self, request: Request) -> tuple[str | None, list[str]]:
        parts = [p for p in request.path.split("/") if p]
        if parts and parts[0] in self.sim.shops:
            return parts[0], parts[1:]
        host = (request.host or "").split(":")[0]
        if host in self.sim.shops:
            return host, parts
        if len(self.sim.shops) == 1 and parts[:1] == ["admin"]:
            return next(iter(self.sim.shops)), parts
        return None, parts

    def dispatch(self, request: Request) -> Response:
        shop, rest = self._split(request)
        if shop is None:
            return json_response({"errors": "Not Found"}, 404)
        if rest[:3] == ["admin", "oauth", "authorize"] and request.method == "GET":
            return self.authorize(shop, request)
        if rest[:3] == ["admin", "oauth", "access_token"] and request.method == "POST":
            return self.access_token(shop, request)
        if len(rest) == 4 and rest[:2] == ["admin", "api"] and rest[3] == "graphql.json":
            if request.method != "POST":
                return json_response({"errors": "Method Not Allowed"}, 405)
            return self.graphql(shop, rest[2], request)
        if request.method == "GET" and admin_embed.is_embed_path(rest):
            return admin_embed.answer(self.sim, shop, rest, request)
        if len(rest) == 2 and rest[0] == "bulk" and rest[1].endswith(".jsonl"):
            return self.bulk_file(shop, rest[1].removesuffix(".jsonl"), request)
        return json_response({"errors": "Not Found"}, 404)

    # -- endpoints ----------------------------------------------------------
    def authorize(self, shop: str, request: Request) -> Response:
        call = self.sim.log.add(Call("authorize", shop, "GET", request.path))
        try:
            url = self.sim.oauth.authorize(shop, self.sim.shops[shop].granted_scopes, request.args.to_dict())
        except OAuthError as exc:
            call.status, call.error = exc.status, exc.error
            return Response(f"<h1>Oauth error</h1><p>{exc.description}</p>", exc.status, mimetype="text/html")
        call.status = 302
        return Response("", 302, headers={"Location": url})

    def access_token(self, shop: str, request: Request) -> Response:
        body = _form_or_json(request)
        call = self.sim.log.add(Call("token", shop, "POST", request.path, grant_type=_grant_name(body)))
        faulted = self._fault(shop, "token", call)
        if faulted is not None:
            return faulted
        state = self.sim.shops[shop]
        managed = state.granted_scopes if state.granted_scopes is not None else self.sim.scopes
        try:
            answer = self.sim.oauth.token(shop, body, managed)
        except OAuthError as exc:
            call.status, call.error = exc.status, exc.error
            return json_response(exc.body(), exc.status)
        call.status = 200
        return json_response(answer)

    def graphql(self, shop: str, version: str, request: Request) -> Response:
        call = self.sim.log.add(Call("graphql", shop, "POST", request.path))
        faulted = self._fault(shop, "graphql", call)
        if faulted is not None:
            return faulted
        token = self.sim.oauth.valid_token(shop, request.headers.get("X-Shopify-Access-Token"))
        if token is None:
            call.status, call.error = 401, "invalid_token"
            return json_response({"errors": INVALID_TOKEN}, 401)
        try:
            payload = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            call.status, call.error = 400, "bad_json"
            return json_response({"errors": {"query": ["Required parameter missing or invalid"]}}, 400)
        from devshop.graphql_api import run_graphql

        status, body = run_graphql(self.sim, self.sim.shops[shop], token, payload, call)
        call.status = status
        return json_response(body, status)

    def bulk_file(self, shop: str, op_id: str, request: Request) -> Response:
        call = self.sim.log.add(Call("bulk_download", shop, "GET", request.path))
        op = self.sim.shops[shop].bulk_operations.get(int(op_id)) if op_id.isdigit() else None
        if op is None or op.jsonl is None:
            call.status = 404
            return Response("Not Found", 404)
        call.status = 200
        return Response(op.jsonl, 200, mimetype="application/jsonl")

    # -- faults ---------------------------------------------------------------
    def _fault(self, shop: str, kind: str, call: Call) -> Response | None:
        fault = self.sim.faults.pop(shop, kind)
        if fault is None:
            return None
        call.fault = fault.kind
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return None
        if fault.kind == "429":
            call.status = 429
            return json_response({"errors": "Exceeded 2 calls per second for api client. Reduce request rates "
                                  "to resume uninterrupted service."}, 429,
                                 {"Retry-After": f"{fault.retry_after:g}"})
        if fault.kind in ("500", "502", "503"):
            call.status = int(fault.kind)
            return json_response({"errors": "Internal Server Error" if fault.kind == "500"
                                  else "Service Unavailable"}, call.status)
        if fault.kind == "revoked":
            call.status = 401
            return json_response({"errors": INVALID_TOKEN}, 401)
        if fault.kind == "throttled":
            call.status = 200
            return json_response({"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": self.sim.cost_extension(shop, requested=0, actual=None)}})
        return None


def _form_or_json(request: Request) -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


def _grant_name(body: dict) -> str:
    grant = body.get("grant_type") or ("authorization_code" if "code" in body else "unknown")
    if grant.endswith("token-exchange"):
        return "token_migration" if str(body.get("subject_token_type", "")).endswith("offline-access-token") \
            else "token_exchange"
    return grant
