"""`Simulator`: a real HTTP server on 127.0.0.1 that plays `{origin}` for several shops.

    sim = Simulator(api_key="k", api_secret="s").start()
    sim.add_shop("a.myshopify.com", timezone="Europe/Paris", currency="EUR")
    os.environ["SHOPIFY_ADMIN_ORIGIN"] = sim.origin_template   # http://127.0.0.1:PORT/{shop}
    ...
    sim.stop()

Catalog and order helpers live in `catalog.py` (mixed in), faults and the call
log in `calls.py`; the GraphQL engine in `graphql_api.py`.
"""
from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from backend.config import DEFAULT_SCOPES  # a managed install grants what the app configures
from devshop.bucket import LeakyBucket
from devshop.calls import CallLog, Fault, FaultQueue
from devshop.catalog import CatalogMixin
from devshop.cost import MAX_QUERY_COST
from devshop.models import ShopState
from devshop.oauth import OAuthServer
from devshop.returns_customer import ReturnsMixin
from devshop.schema import admin_schema
from devshop.sessiontokens import mint_session_token
from devshop.wsgi import SimulatorApp



class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the call log is the record
        pass


class Simulator(CatalogMixin, ReturnsMixin):
    def __init__(self, api_key: str = "dev-api-key", api_secret: str = "dev-api-secret", *,
                 scopes: str = DEFAULT_SCOPES, bucket_size: float = 1000, restore_rate: float = 50,
                 token_ttl: int = 3600, refresh_ttl: int = 90 * 86400, app_id: int = 1234567,
                 bulk_delay: float = 0.0, host: str = "127.0.0.1", port: int = 0):
        self.api_key, self.api_secret, self.scopes, self.app_id = api_key, api_secret, scopes, app_id
        self.bucket_size, self.restore_rate, self.bulk_delay = bucket_size, restore_rate, bulk_delay
        self.max_query_cost = MAX_QUERY_COST  # Shopify's single-query limit; a story may lower it
        self.oauth = OAuthServer(api_key, api_secret, token_ttl=token_ttl, refresh_ttl=refresh_ttl)
        self.shops: dict[str, ShopState] = {}
        self.buckets: dict[str, LeakyBucket] = {}
        self.log = CallLog()
        self.faults = FaultQueue()
        self.app_url: str | None = None  # where the admin opens the embedded app (devshop/admin_embed.py)
        self._ids = 1000
        self._id_lock = threading.Lock()
        self._host, self._port = host, port
        self._server = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------
    def start(self) -> "Simulator":
        admin_schema()  # built once per process (about a second), before the first request can time out
        self._server = make_server(self._host, self._port, SimulatorApp(self), threaded=True,
                                   request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="devshop", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "Simulator":
        return self.start() if self._server is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def origin_template(self) -> str:
        """The value for SHOPIFY_ADMIN_ORIGIN."""
        return f"{self.base_url}/{{shop}}"

    def origin(self, shop: str) -> str:
        return f"{self.base_url}/{shop}"

    # -- shops --------------------------------------------------------------------
    def add_shop(self, domain: str, *, name: str | None = None, timezone: str = "America/New_York",
                 currency: str = "USD", granted_scopes: str | None = None,
                 bucket_size: float | None = None, restore_rate: float | None = None) -> ShopState:
        state = ShopState(domain=domain, name=name or domain.split(".")[0].replace("-", " ").title(),
                          timezone=timezone, currency=currency, granted_scopes=granted_scopes)
        self.shops[domain] = state
        self.buckets[domain] = LeakyBucket(bucket_size or self.bucket_size, restore_rate or self.restore_rate)
        return state

    def shop(self, domain: str) -> ShopState:
        return self.shops[domain]

    def next_id(self) -> int:
        with self._id_lock:
            self._ids += 1
            return self._ids

    # -- tokens -------------------------------------------------------------------
    def install(self, shop: str, *, expiring: bool = False, scope: str | None = None) -> dict:
        """A token-endpoint answer as if `shop` had installed the app (skips the OAuth dance)."""
        return self.oauth.issue_token(shop, scope or self.shops[shop].granted_scopes or self.scopes,
                                      expiring=expiring)

    def admin_app_url(self, shop: str) -> str:
        """The app as a merchant opens it from the shop's admin: a redirect to `app_url` with a session token."""
        return f"{self.origin(shop)}/admin/apps/{self.api_key}"

    def session_token(self, shop: str, **claims) -> str:
        return mint_session_token(shop, self.api_key, self.api_secret, **claims)

    def revoke_tokens(self, shop: str) -> int:
        """Every token of the shop stops working (as after an uninstall)."""
        return self.oauth.revoke_all(shop)

    # -- faults and the call log ----------------------------------------------------
    def inject(self, shop: str, fault: str, times: int = 1, *, endpoint: str = "graphql",
               retry_after: float = 1.0, delay: float = 0.5) -> None:
        """The next `times` requests of `shop` to `endpoint` ("graphql" or "token") answer `fault`:
        "429" (with Retry-After), "500", "502", "503", "throttled", "slow" (delay, then normal)
        or "revoked" (401)."""
        self.faults.push(shop, endpoint, Fault(str(fault), retry_after, delay), times)

    def calls(self, kind: str | None = None, shop: str | None = None, **match):
        return self.log.select(kind, shop, **match)

    def clear_calls(self) -> None:
        self.log.clear()

    def throttle_status(self, shop: str) -> dict:
        return self.buckets[shop].status()

    def cost_extension(self, shop: str, requested: int, actual: int | None) -> dict:
        return {"requestedQueryCost": requested, "actualQueryCost": actual,
                "throttleStatus": self.buckets[shop].status()}
