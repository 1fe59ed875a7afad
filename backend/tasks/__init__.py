"""The worker: huey tasks (thin wrappers over services) and the queue port's adapter (queue.py); the huey
instance itself is backend/jobs.py. May import: services, store, config. Nothing below imports it."""
