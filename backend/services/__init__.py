"""Use cases, in subpackages: install/ webhooks/ orders/ decisions/ admin/ compliance/ flow/ returns/, plus the
queue port (queue.py) they enqueue background work through. May import: policy, store, shopify, config, errors;
never routes, the CLI or the worker (backend.tasks, backend.jobs)."""
