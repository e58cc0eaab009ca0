# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/klimaalliancen
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Two test processes (this machine has two cores). worksteal: an idle process takes tests
# from the busy one, so a file of slow browser tests does not keep one process busy alone.
PYTEST_ARGS ?= -n 2 --dist worksteal --durations=25

.PHONY: run test test-fast lint lock format messages install install-dev clean backup restore

PIP := $(PY) -m pip install --quiet --disable-pip-version-check

# Installs come from the lock files (exact versions with hashes), never from a fresh resolution;
# `make lock` writes them again from pyproject.toml after a dependency changes there.
$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11, python3.12 or python3.13)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements.txt
	touch $@

# The runtime and the dev tools from their lock (requirements-dev.txt holds both, with hashes).
$(VENV)/.installed-dev: requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11, python3.12 or python3.13)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements-dev.txt
	touch $(VENV)/.installed $@

## make lock: pin pyproject.toml's dependencies with hashes (requirements.txt, requirements-dev.txt)
lock: $(VENV)/.installed-dev
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: the portal with demo data on SQLite, a real Celery worker and beat, at http://127.0.0.1:8000
# The links in the demo's e-mails point at the address it runs on (PORT=8123 make run too).
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Klimaalliancen kører på http://$(HOST):$(PORT)/   (stop med Ctrl+C)"
	@echo "  Log ind med en af demo-brugerne ovenfor; adgangskoden er klima2030."
	@echo "  Baggrundsjob kører i en rigtig Celery-worker ved siden af (køen ligger i .celery/)."
	@echo ""
	$(PY) manage.py rundemo $(HOST):$(PORT)

# The Nu Html Checker (vnu.jar, tests/test_html_validity.py) from its npm lock; it needs Java 11+.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

## make test: lint, then the whole suite against PostgreSQL and Redis
test: $(VENV)/.installed-dev node_modules/.package-lock.json lint
	DJANGO_ENV=test DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

## make test-fast: the quick lane for development — the suite without the tests that drive a
## browser, start a Celery worker or inject a fault (markers browser, worker, fault; see
## tests/conftest.py). Not a substitute: `make test` and CI always run the whole suite.
FAST_MARKERS ?= not browser and not worker and not fault
test-fast: $(VENV)/.installed-dev
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(VENV)/bin/pytest $(PYTEST_ARGS) -m "$(FAST_MARKERS)"

## make lint: ruff, and the import contracts of README's "Architecture" (import-linter)
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make messages: extract new strings into the .po files and compile them (needs gettext)
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l da -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

## make backup / make restore BACKUP=backups/<stamp>: PostgreSQL (pg_dump custom format) + media
backup: $(VENV)/.installed
	$(PY) manage.py backup --output backups

restore: $(VENV)/.installed
	@test -n "$(BACKUP)" || { echo "Say which: make restore BACKUP=backups/<stamp>"; exit 1; }
	$(PY) manage.py restore $(BACKUP)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
