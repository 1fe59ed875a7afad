"""One blueprint per inbound channel. Add a channel by adding it here."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from backend.routes import admin, api, auth, flow, health, proxy, webhooks

    for module in (health, auth, webhooks, api, proxy, admin, flow):
        app.register_blueprint(module.bp)
