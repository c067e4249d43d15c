# Introducer Portal: `make run` serves everything; `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# Services for `make test-services` (the addresses .ci/run starts them on).
PG_URL ?= postgres://postgres@127.0.0.1:5432/portal
REDIS_BROKER_URL ?= redis://127.0.0.1:6379/1
REDIS_CACHE_URL ?= redis://127.0.0.1:6379/2
AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672//

.PHONY: run test test-services lint sandbox bench chaos setup setup-dev browser clean help
.PHONY: dev  # issue 10 (5)

help:
	@echo "make run            set up and serve the portal, worker, beat and sandbox on :8000"
	@echo "make dev            the same with DEBUG on (Django's debug pages): your machine only"
	@echo "make test           set up and run ruff and the whole test suite (embedded default)"
	@echo "make test-services  the suite on PostgreSQL + Redis, broker tests also on RabbitMQ"
	@echo "make sandbox        the SieSmart sandbox alone on :8765"
	@echo "make bench          benchmarks; make chaos: the fault storm"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

setup: $(VENV)/.runtime-installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput -v0

setup-dev: $(VENV)/.dev-installed browser

# Debian's chromium for the browser journeys and poppler-utils (pdftoppm, pdftotext) to render
# the PDFs the tests check; installed where apt is available.
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null)) ; } || \
		echo "chromium is not installed and apt-get is not available: browser tests will fail"
	@command -v pdftoppm >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
		(apt-get install -y -qq poppler-utils >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq poppler-utils >/dev/null)) ; } || \
		echo "poppler-utils is not installed and apt-get is not available: PDF tests will fail"

run: setup
	$(PY) scripts/run_portal.py

# issue 10 (5): `make run` serves with DEBUG off; this is the same with Django's debug pages.
dev: setup
	DJANGO_DEBUG=1 $(PY) scripts/run_portal.py

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup-dev lint
	$(VENV)/bin/pytest

test-services: setup-dev
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_BROKER_URL) REDIS_URL=$(REDIS_CACHE_URL) \
		$(VENV)/bin/pytest
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(AMQP_URL) REDIS_URL=$(REDIS_CACHE_URL) \
		$(VENV)/bin/pytest -m broker

sandbox: $(VENV)/.runtime-installed
	$(PY) -m sandbox --host 127.0.0.1 --port 8765

bench: setup-dev
	$(PY) -m bench.run

chaos: setup-dev
	$(VENV)/bin/pytest -m long tests/sandbox
	$(VENV)/bin/pytest tests/chaos -m chaos -s -p no:logging

clean:
	rm -rf var/test-runs var/broker var/staticfiles
