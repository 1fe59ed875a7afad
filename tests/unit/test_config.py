"""Configuration from the environment (contract §2) and the production guard."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend import create_app
from backend.config import DEV_API_SECRET, DEV_TOKEN_KEY, Config, ConfigError

ROOT = Path(__file__).resolve().parents[2]
PROD_KEY = "q6v4bN2b3Yl2Oa6q8H5r3uWb0yYwJx3v4Qp1mZs9kEo="


def test_defaults_follow_the_contract():
    cfg = Config.from_env({})
    assert cfg.api_key == "dev-api-key" and cfg.api_secret == DEV_API_SECRET
    assert cfg.scope_list == ["read_orders", "write_orders", "read_products", "read_fulfillments", "write_app_proxy",
                              "read_returns", "write_returns"]
    assert cfg.app_url == "http://127.0.0.1:8000"
    assert cfg.database_url.endswith("instance/app.db") and cfg.database_url.startswith("sqlite:///")
    assert cfg.redis_url is None and cfg.default_policy is None
    assert cfg.origin_for("a.myshopify.com") == "https://a.myshopify.com"


def test_port_app_url_and_admin_origin_come_from_the_environment():
    cfg = Config.from_env({"PORT": "9123", "SHOPIFY_ADMIN_ORIGIN": "http://127.0.0.1:7000/{shop}/",
                           "SHOPIFY_API_VERSION": "2026-01", "DEFAULT_POLICY": "ally"})
    assert cfg.app_url == "http://127.0.0.1:9123"
    assert cfg.origin_for("s.myshopify.com") == "http://127.0.0.1:7000/s.myshopify.com"
    assert cfg.api_version == "2026-01" and cfg.default_policy == "ally"


@pytest.mark.parametrize("missing", ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "TOKEN_ENCRYPTION_KEY"])
def test_production_refuses_each_development_setting_by_name(missing):
    env = {"APP_ENV": "production", "SHOPIFY_API_KEY": "live-key", "SHOPIFY_API_SECRET": "live-secret",
           "TOKEN_ENCRYPTION_KEY": PROD_KEY}
    del env[missing]
    with pytest.raises(ConfigError, match=missing):
        Config.from_env(env).check()


LIVE = {"SHOPIFY_API_KEY": "live-key", "SHOPIFY_API_SECRET": "live-secret", "TOKEN_ENCRYPTION_KEY": PROD_KEY}


@pytest.mark.parametrize("variable,value", [
    ("SHOPIFY_OLD_API_SECRET", DEV_API_SECRET),                      # an old secret still accepted for rotation
    ("SHOPIFY_OLD_API_SECRET", f"older-secret,{DEV_API_SECRET}"),
    ("TOKEN_ENCRYPTION_KEY", f"{DEV_TOKEN_KEY},{PROD_KEY}"),          # first key: encrypts new tokens
    ("TOKEN_ENCRYPTION_KEY", f"{PROD_KEY},{DEV_TOKEN_KEY}"),          # a later key: still decrypts forged ones
    ("SHOPIFY_API_SECRET", f" {DEV_API_SECRET} "),
])
def test_production_refuses_a_development_value_anywhere_and_names_it(variable, value):
    with pytest.raises(ConfigError, match=variable):
        Config.from_env({"APP_ENV": "production", **LIVE, variable: value}).check()


@pytest.mark.parametrize("env", ["prod", "staging", "live", "Production", "productoin"])
def test_any_setting_but_development_is_production(env):
    with pytest.raises(ConfigError, match="SHOPIFY_API_SECRET"):
        Config.from_env({"APP_ENV": env}).check()
    assert Config.from_env({"APP_ENV": env, **LIVE}).check().production


@pytest.mark.parametrize("env", ["development", "test", "demo", ""])
def test_development_settings_run_on_development_values(env):
    assert not Config.from_env({"APP_ENV": env}).check().production


def test_production_starts_with_real_settings():
    env = {"APP_ENV": "production", "SHOPIFY_API_KEY": "live-key", "SHOPIFY_API_SECRET": "live-secret",
           "TOKEN_ENCRYPTION_KEY": PROD_KEY}
    assert Config.from_env(env).check().production


def test_a_production_start_with_development_secrets_exits_non_zero_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "TOKEN_"))}
    env.update(APP_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "refusing to start in production" in result.stderr
    assert "SHOPIFY_API_SECRET" in result.stderr


def test_the_app_factory_takes_overrides_for_tests(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'x.db'}", "testing": True, "huey_immediate": True})
    assert app.config["FINEPRINT"].database_url.endswith("x.db")
    assert app.testing


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1", "80.5"])
def test_a_port_that_is_not_a_port_number_is_refused_by_name(port):
    with pytest.raises(ConfigError, match="PORT must be a TCP port number"):
        Config.from_env({"PORT": port})


def test_every_setting_is_typed_and_read_from_its_own_variable():
    cfg = Config.from_env({"QUEUE_NAME": "fp-blue", "HUEY_PATH": "/tmp/q.db", "SHOPIFY_ADMIN_TIMEOUT": "7.5",
                           "ORDER_LOCK_TTL": "12", "APPLY_LEASE": "40", "PIPELINE_MAX_ATTEMPTS": "3",
                           "PIPELINE_RETRY_BASE": "0.5", "BACKFILL_DIR": "/tmp/bf", "BACKFILL_CONCURRENCY": "2",
                           "BACKFILL_POLL_INTERVAL": "0.2", "MAX_BODY_BYTES": "2048",
                           "WEBHOOK_MAX_BODY_BYTES": "4096", "DEMO_SHOP": "demo.myshopify.com"})
    assert (cfg.huey_name, cfg.huey_path, cfg.admin_timeout, cfg.order_lock_ttl, cfg.apply_lease) == \
        ("fp-blue", "/tmp/q.db", 7.5, 12.0, 40.0)
    assert (cfg.pipeline_max_attempts, cfg.pipeline_retry_base) == (3, 0.5)
    assert (cfg.backfill_dir, cfg.backfill_concurrency, cfg.backfill_poll_interval) == ("/tmp/bf", 2, 0.2)
    assert (cfg.max_body, cfg.webhook_max_body, cfg.demo_shop) == (2048, 4096, "demo.myshopify.com")
    assert not hasattr(cfg, "extra")


@pytest.mark.parametrize("variable,value", [("PIPELINE_MAX_ATTEMPTS", "2.5"), ("BACKFILL_CONCURRENCY", "0"),
                                            ("SHOPIFY_ADMIN_TIMEOUT", "soon"), ("MAX_BODY_BYTES", "-1")])
def test_a_number_that_is_not_one_is_refused_by_name(variable, value):
    with pytest.raises(ConfigError, match=f"^{variable} must be a positive"):
        Config.from_env({variable: value})


def test_an_unknown_setting_is_an_error_not_silently_kept():
    with pytest.raises(ConfigError, match="unknown setting.*pipline_max_attempts"):
        Config().with_overrides({"pipline_max_attempts": 2})
