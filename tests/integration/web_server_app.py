"""A WSGI app for tests/integration/test_web_server.py: /slow?<file> creates <file> once the request is inside the
app, then answers 1.5 s later (a request in flight when the server is told to stop); everything else at once. Not Fineprint's app: the test is about the server's behaviour."""
import time
from pathlib import Path


def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        Path(environ["QUERY_STRING"]).touch()
        time.sleep(1.5)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
