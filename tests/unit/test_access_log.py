"""No access log line holds a token, code, HMAC or signature (gunicorn.conf.py's access_log_format).

The line is rendered by gunicorn's own logger from the settings `make run` uses, for requests as Shopify
sends them: the embedded admin page with its `id_token`, the OAuth callback with `code` and `hmac`, an
app-proxy call with its `signature`, and a request whose Referer carries a token.
"""
from __future__ import annotations

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "0907a61c0c8d55e99db179b68161bc00",
           "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20", "shpat_example_token")
QUERIES = [
    f"/app?embedded=1&host=YWRtaW4&id_token={SECRETS[0]}&shop=s.myshopify.com",
    f"/auth/callback?code={SECRETS[1]}&hmac={SECRETS[2]}&shop=s.myshopify.com&state=n&timestamp=1",
    f"/proxy/returns?path_prefix=%2Fapps%2Fr&shop=s.myshopify.com&signature={SECRETS[2]}&timestamp=1",
]


def _line(path_and_query: str, referer: str = "") -> str:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", settings["access_log_format"])
    cfg.set("accesslog", "-")
    logger = Logger(cfg)
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.access_log.handlers = [handler]
    path, _, query = path_and_query.partition("?")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path_and_query, "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": referer,
               "HTTP_USER_AGENT": "Shopify-Captain-Hook"}
    request = SimpleNamespace(headers=[("REFERER", referer)], method="GET", path=path, query=query,
                              uri=path_and_query, version=(1, 1))
    response = SimpleNamespace(status="200 OK", status_code=200, response_length=2, sent=2, headers=[])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
    return records[0]


@pytest.mark.parametrize("url", QUERIES)
def test_the_access_log_keeps_the_path_and_drops_the_query(url):
    line = _line(url)
    assert url.split("?")[0] in line
    assert not any(secret in line for secret in SECRETS), line


def test_a_referer_carrying_a_session_token_is_not_logged():
    line = _line("/app/api/sections/activity", referer=f"https://admin.shopify.com/store/s/apps/x{QUERIES[0]}")
    assert "/app/api/sections/activity" in line and SECRETS[0] not in line
