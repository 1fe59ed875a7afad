"""One blueprint per inbound channel. Add a channel by adding it here."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from backend.routes import admin, api, auth, flow, health, limits, proxy, shopper_returns, webhooks

    for module in (limits, health, auth, webhooks, api, shopper_returns, proxy, admin, flow):  # limits first: before any body is read
        app.register_blueprint(module.bp)
