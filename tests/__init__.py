"""Tests by layer: unit/ (engine, Shopify adapter, config), integration/ (Flask + simulator + SQLite and
PostgreSQL, Redis), e2e/ (browser, processes), policy/ (golden cases). May import anything, devshop included."""
