"""HTTP ends here, one blueprint per inbound channel (auth, webhooks, api, proxy, admin, flow, health): parse,
authenticate, call one service, serialize. May import: services, config, errors (never the worker, the store or
Shopify's wire formats directly). Add a channel by adding it here."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from backend.routes import (admin, admin_builder, admin_returns, api, auth, flow, health, limits, proxy,
                                shopper_returns, webhooks)

    for module in (limits, health, auth, webhooks, api, shopper_returns, proxy, admin, admin_builder, admin_returns,
                   flow):  # limits first: before any body is read
        app.register_blueprint(module.bp)
