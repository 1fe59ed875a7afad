"""A web worker warms itself as it loads the app (issue 19: the first decision in a fresh worker cost ~30 ms of CPU
and 190-330 ms of wall time under load): the presets and the installed shops' active policies are loaded and
compiled before it serves, and nothing it warmed can answer for a policy the merchant changes afterwards."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from backend import create_app
from backend.cli import webserver
from backend.policy import preset_names
from backend.services.decisions import policies
from backend.services.orders.apply_decision import policy_for
from devshop.net import free_port
from tests.integration.api_helpers import SHOP, bearer, checkout_token, seed_product, seed_shop

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

ROOT = Path(__file__).resolve().parents[2]
CART = {"order": {"currency": "USD", "shipping_address": {"country_code": "US", "province_code": "CA"},
                  "line_items": [{"variant_id": "gid://shopify/ProductVariant/1001", "quantity": 1, "price": "40.00"}]}}


@pytest.fixture
def stored_policy(app):
    """The shop decides with a stored version of aallyn (as after the merchant saved it in the admin)."""
    seed_shop(app)
    seed_product(app, 100, tags=["final-sale"], variants=[(1001, "40.00", None, "TEE-1")])
    text = (ROOT / "policy_rules" / "aallyn.toml").read_text()
    row = policies.activate_text(app, SHOP, text, user="staff")
    return policies.ref(row), text


@pytest.fixture
def warmed(app_config, stored_policy):
    app = create_app(app_config, warm_up=True)
    yield app
    app.extensions["fineprint.db"].dispose()


def decide(app) -> dict:
    response = app.test_client().post("/api/v1/decisions", data=json.dumps(CART),
                                      headers={**bearer(checkout_token(app)), "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_warmed_worker_has_compiled_the_presets_and_the_shops_policy(warmed, stored_policy):
    ref, _ = stored_policy
    assert set(warmed.extensions["fineprint.warmed"]) == {*preset_names(), ref}
    assert all("compiled" in policy_for(name, warmed).__dict__ for name in warmed.extensions["fineprint.warmed"])


def test_an_app_built_for_tests_or_the_cli_is_not_warmed(app):
    assert "fineprint.warmed" not in app.extensions


def test_a_policy_edited_after_the_warm_up_decides_the_next_cart(warmed, stored_policy):
    _, text = stored_policy
    assert decide(warmed)["lines"][0]["class"] == "final_sale"
    edited = text.replace('product_tag = ["final-sale"]', 'product_tag = ["final-sale-2026"]', 1)
    assert edited != text
    policies.activate_text(warmed, SHOP, edited, user="staff")  # what the admin's Save and activate does
    assert decide(warmed)["lines"][0]["class"] == "standard"


def test_a_preset_switched_to_after_the_warm_up_decides_the_next_cart(warmed, stored_policy):
    assert decide(warmed)["policy"] == "aallyn"
    policies.set_policy(warmed, SHOP, "novus", user="staff", redecide=False)
    assert decide(warmed)["policy"] == "novus"


def test_a_worker_whose_database_is_not_up_yet_still_starts(app_config):
    down = f"postgresql+psycopg://fineprint@127.0.0.1:{free_port()}/nothing"  # nothing listens there
    app = create_app({**app_config, "database_url": down}, warm_up=True)
    assert set(app.extensions["fineprint.warmed"]) == set(preset_names())
    app.extensions["fineprint.db"].dispose()


def test_each_granian_worker_warms_before_it_answers(tmp_path, _sqlite_url):
    """The production entry (app:app) under the default server, two workers: each logs its warm-up once, then
    freezes its warmed heap (gc.freeze: full collections no longer walk it)."""
    port = free_port()
    argv = webserver.granian_argv("127.0.0.1", port, workers=2, threads=1)
    env = {**os.environ, "DATABASE_URL": _sqlite_url}
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while sum("web worker heap frozen" in line for line in lines) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)
        assert _health(port, deadline) == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(timeout=30)
    assert sum("web worker warmed" in line for line in lines) == 2, "".join(lines)
    assert sum("web worker heap frozen" in line for line in lines) == 2, "".join(lines)


def _health(port: int, deadline: float) -> int:
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            return conn.getresponse().status
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
