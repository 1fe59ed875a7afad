"""Fineprint: the app factory. config → extensions → blueprints → errors → cli."""
from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

from backend.config import Config

if TYPE_CHECKING:  # Flask is imported when an app is built, so `fineprint policy ...` never loads it
    from flask import Flask


def create_app(test_config: dict | Config | None = None, warm_up: bool = False) -> Flask:
    """The app. `warm_up`: the web server's entry (app.py) asks for it, so each web worker imports, loads and
    compiles what a decision needs before its first request (services/decisions/warmup.py); tests, the CLI
    and the benches' seeding leave it off."""
    from flask import Flask

    from backend.json_provider import OrjsonProvider

    config = _load_config(test_config).check()
    app = Flask(__name__, instance_relative_config=False)
    app.json = OrjsonProvider(app)  # every JSON answer (decisions above all) encoded by orjson
    app.config.update(TESTING=config.testing, JSON_SORT_KEYS=False, FINEPRINT=config)
    _init_extensions(app, config)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    if warm_up:
        from backend.services.decisions.warmup import warm_up as warm

        warm(app)
    return app


def _load_config(test_config) -> Config:
    if isinstance(test_config, Config):
        return test_config.completed()
    base = Config.from_env()
    return base.with_overrides(test_config) if test_config else base


def _init_extensions(app: Flask, config: Config) -> None:
    from backend import jobs
    from backend.store.db import Database
    from backend.store.secrets import TokenCipher
    from backend.tasks.queue import HueyQueue

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if not config.production:
        # The contract's development secret is 14 bytes; PyJWT warns on every token signed with it.
        # Real Shopify secrets are longer, so production keeps the warning.
        from jwt.warnings import InsecureKeyLengthWarning

        warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)
    app.extensions["fineprint.db"] = Database(config.database_url)
    app.extensions["fineprint.cipher"] = TokenCipher(config.token_key)
    jobs.configure(config)
    jobs.bind_app(app)
    app.extensions["fineprint.queue"] = HueyQueue()  # the queue port services enqueue through


def _register_blueprints(app: Flask) -> None:
    from backend.routes import register_blueprints

    register_blueprints(app)


def _register_errors(app: Flask) -> None:
    from backend.errors import register_error_handlers

    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from backend.cli import register_cli

    register_cli(app)
