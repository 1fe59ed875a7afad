"""gunicorn settings for Fineprint (read by `flask --app app serve` and bench/pipeline.py).

Measured with webhook ingest (bench/pipeline.py --ingest) on the 2-core development machine.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 8))
keepalive = 5
loglevel = "warning"
