"""pytest plugin: the `simulator` fixture (a started devshop.Simulator with one shop).

    def test_install(simulator, app_config):
        app_config.update(simulator.app_overrides)    # admin_origin, api_key, api_secret
        token = simulator.install(SHOP)               # or follow the OAuth redirects
        simulator.add_order(SHOP, line_items=[...])
        assert simulator.calls("graphql", operation="ApplyDecision")
"""
from __future__ import annotations

import pytest

from backend.config import DEV_API_KEY, DEV_API_SECRET
from devshop import Simulator

SHOP = "fineprint-dev.myshopify.com"
OTHER_SHOP = "other-dev.myshopify.com"


@pytest.fixture
def simulator():
    """A fresh simulator per test (cheap: the schema is parsed once per process).
    Knows SHOP (America/New_York, USD); add more with `simulator.add_shop(...)`."""
    sim = Simulator(api_key=DEV_API_KEY, api_secret=DEV_API_SECRET).start()
    sim.add_shop(SHOP, timezone="America/New_York", currency="USD")
    sim.app_overrides = {"admin_origin": sim.origin_template, "api_key": DEV_API_KEY,
                         "api_secret": DEV_API_SECRET}
    yield sim
    sim.stop()
