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
