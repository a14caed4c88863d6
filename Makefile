# Everyday verbs of the district report archive. `make run` and `make test` work from a clean
# clone: they create the virtualenv, install, migrate and load the seed documents themselves.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv install install-runtime install-opensearch lock migrate seed setup run test test-sqlite test-postgres test-opensearch bench bench-quick bench-load bench-faults lint system-deps clean

help:
	@echo "make run    - set up (venv, requirements, migrations, corpus and seed documents, index) and serve on http://$(HOST):$(PORT)/"
	@echo "make test   - set up and run the whole test suite (SQLite, PostgreSQL, then the OpenSearch tests)"
	@echo "make bench  - benchmarks: ingest, search, load, faults, long fuzzing; prints figures"
	@echo "make bench-quick - the same with small sizes (a few minutes)"
	@echo "make bench-load  - gunicorn load test only (FULL=1: 3 minutes, 50 clients)"
	@echo "make lint   - ruff and the layers' import rules (scripts/check_layers.py)"

# Three layers of packages, all pinned by constraints.txt (pip-compile output, `make lock`):
# requirements.txt is what the archive runs with (`make run` installs it alone);
# requirements-dev.txt adds tests, lint and benchmark tools (`make install`);
# requirements-elasticsearch.txt is the OpenSearch engine's client, installed only when
# ARCHIVE_SEARCH_ENGINE names that engine or for the tests of it (`make install-opensearch`).
$(VENV)/.runtime: requirements.txt constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -c constraints.txt pip
	$(PIP) install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# --no-deps: see requirements-elasticsearch.txt (its urllib3 < 2 pin is stale); the two
# packages it does need are listed there and pinned by constraints.txt like the rest.
$(VENV)/.opensearch: $(VENV)/.runtime requirements-elasticsearch.txt
	$(PIP) install --quiet --no-deps -r requirements-elasticsearch.txt -c constraints.txt
	touch $@

venv install: $(VENV)/.installed

install-runtime: $(VENV)/.runtime

install-opensearch: $(VENV)/.opensearch

# The client comes along for `make run` only when the settings will ask for it.
ENGINE_CLIENT := $(if $(findstring opensearch,$(ARCHIVE_SEARCH_ENGINE)),install-opensearch)

# Regenerates constraints.txt from requirements-dev.txt (which includes requirements.txt):
# every package either file brings in, pinned. Run it after changing a requirement.
lock: install
	$(VENV)/bin/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-find-links \
	  --no-emit-index-url --output-file constraints.txt requirements-dev.txt

migrate: install-runtime $(ENGINE_CLIENT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_indicators

# The archive's first content: the real corpus (100 official documents, 1954-2026, with their
# provenance in fixtures/corpus/MANIFEST.tsv) and the five seed documents. Importing them
# twice is harmless (the same bytes never make a second report).
seed: migrate
	$(PY) manage.py import_reports fixtures/corpus fixtures/seeds

setup: seed
	$(PY) manage.py collectstatic --noinput --verbosity 0

# gunicorn's master also runs the background worker (the single index writer) and restarts it
# if it dies (config/background.py); Ctrl-C or SIGTERM stops both.
run: setup
	$(VENV)/bin/gunicorn --config config/gunicorn.conf.py --bind $(HOST):$(PORT) config.wsgi

# Debian packages the tests need (headless Chromium and its driver for browser tests, the
# PostgreSQL server for the second run). Installed only where missing; needs root.
system-deps:
	@scripts/install-system-deps

test: install install-opensearch system-deps test-sqlite test-postgres test-opensearch

test-sqlite: install install-opensearch
	$(VENV)/bin/pytest -q -p no:cacheprovider

test-postgres: install install-opensearch
	scripts/with-postgres $(VENV)/bin/pytest -q -p no:cacheprovider

# The tests marked `opensearch`, against a live OpenSearch node that the script fetches (once,
# with Maven) and starts; the other runs leave them out.
test-opensearch: install install-opensearch
	scripts/with-opensearch $(VENV)/bin/pytest -q -p no:cacheprovider -m opensearch

# BENCH=1: also nginx, which the load test starts in front of gunicorn as a caching proxy.
bench: install
	BENCH=1 scripts/install-system-deps
	$(PY) bench/run_all.py

bench-quick: install
	$(PY) bench/run_all.py --quick

# The load test serves a prepared archive with gunicorn on 127.0.0.1 (SQLite; run it under
# scripts/with-postgres for PostgreSQL). FULL=1 is the full run: 3 minutes, 50 clients.
bench-load: install
	$(PY) bench/load_test.py $(if $(FULL),--full)

bench-faults: install system-deps
	scripts/with-postgres $(PY) bench/faults.py

# ruff, then the import rules of the layers (docs/architecture.md, "Layers").
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_layers.py

clean:
	rm -rf var staticfiles .pytest_cache
