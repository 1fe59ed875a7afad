"""Persistence: SQLModel tables (models.py), repositories with the SQL (one module per aggregate: jobs,
webhook_events, order_states, decision_log, ...), the database handle, token encryption, Alembic migrations.
May import: config; nothing of services, routes, Shopify or the engine."""
