"""`flask --app app ...` commands. Each group lives in its own module here."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from backend.cli import db, serve, policy

    for module in (db, serve, policy):
        module.register(app)
