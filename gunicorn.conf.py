"""gunicorn settings for Fineprint (read by `flask --app app serve` and bench/pipeline.py).

Measured with webhook ingest (bench/pipeline.py --ingest, SQLite, wrk, load < 1) on the 2-core development
machine: 2x8 gthread 348 acks/s p99 128 ms; sync x4 371, p99 143; 2x2 556, p99 48; 4x2 645, p99 54.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", 4))  # 2 x cores: a worker waiting on the database leaves its core
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 2))  # more threads per process only queue on the GIL (p99)
keepalive = 5
loglevel = "warning"

# The access log names the path, never the query string or the referer: Shopify puts session tokens
# (`id_token`), OAuth codes, HMACs and app-proxy signatures in query strings, and a page loaded with them
# sends them on as its Referer. %(U)s is the path without the query (gunicorn's access-log atoms).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
