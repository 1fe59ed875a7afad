"""`flask --app app ...` commands. Each group lives in its own module here."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from backend.cli import compliance, db, demo, flow, jobs, orders, policy, serve, shops

    for module in (db, serve, policy, jobs, orders, shops, demo, compliance, flow):
        module.register(app)
