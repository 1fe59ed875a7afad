# Fineprint — two commands: `make run` and `make test`. Everything else installs itself.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test test-python test-js build build-dev deploy admin-assets bench demo install install-py install-js install-native migrate clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall Python packages whenever pyproject.toml changes.
$(VENV)/.stamp-py: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,native]"
	touch $@

install-py: $(VENV)/.stamp-py

# npm workspaces (extensions/*); reinstall when package manifests change.
node_modules/.stamp-js: package.json $(wildcard package-lock.json) $(wildcard extensions/*/package.json)
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install-js: node_modules/.stamp-js

# The policy engine's modules compiled with Cython into build/native/ (never beside the sources); only changed
# modules are rebuilt, a stale build is ignored at import (backend/policy/native.py), FINEPRINT_NATIVE=0 turns it off.
NATIVE := build/native/manifest.json
$(NATIVE): $(VENV)/.stamp-py scripts/build-native $(wildcard backend/policy/*.py)
	$(BIN)/python scripts/build-native

install-native: $(NATIVE)

install: install-py install-js install-native

# The admin page's charts (Chart.js, bundled by esbuild); rebuilt when their sources change.
ADMIN_JS := backend/static/admin/build/charts.js
$(ADMIN_JS): node_modules/.stamp-js $(wildcard backend/static/admin/src/*)
	npm run build:admin --silent

admin-assets: $(ADMIN_JS)

migrate: install-py
	$(BIN)/fineprint db upgrade

run: migrate admin-assets
	$(BIN)/fineprint serve

# lint-imports checks the layering (pyproject.toml [tool.importlinter]) before any test runs.
# The extensions must build with Shopify's own CLI, offline, as a deployable build: without
# the shell's APP_URL (often a local one), so the URL baked in is shopify.app.toml's application_url.
test: install
	bash scripts/ensure-test-deps
	env -u APP_URL npm run build --silent
	npm test --silent
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

# Deployable build: APP_URL (or shopify.app.toml's application_url), never a local URL.
build: install-js
	npm run build --silent

# Build that may call a local backend (APP_URL=http://127.0.0.1:8000); never deploy it.
build-dev: install-js
	npm run build:dev --silent

# `shopify app deploy` with the same URL checks as `make build` (needs a linked app and a login).
deploy: install-js
	npm run deploy --silent

# wrk (Debian package) generates the webhook-ingest load; scripts/ensure-bench-deps installs it when missing.
bench: install
	bash scripts/ensure-bench-deps
	$(BIN)/python -m bench

demo: migrate admin-assets
	$(BIN)/fineprint demo

clean:
	rm -rf $(VENV) node_modules instance extensions/*/dist backend/static/admin/build build/native
