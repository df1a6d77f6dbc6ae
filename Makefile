# HongQing (红擎) — developer and CI entry points. GNU make; `make help` lists the targets.
#
# Stamps keep repeated runs fast: .venv/.installed (newer than pyproject.toml and constraints.txt)
# and hongqing/static/vendor/.stamp (newer than package.json and package-lock.json).
# CI=true (set by .ci/run) turns every "skip" below into a failure.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV         := .venv
PY           := $(VENV)/bin/python
RUFF         := $(VENV)/bin/ruff
VENV_STAMP   := $(VENV)/.installed
VENDOR       := hongqing/static/vendor
VENDOR_STAMP := $(VENDOR)/.stamp
SYS_PACKAGES := chromium fonts-noto-cjk gettext postgresql

# Extra pytest arguments, e.g. `make test-sqlite PYTEST_ARGS="-k scoping -x"`.
PYTEST_ARGS    ?=
RUNSERVER_ADDR ?= 127.0.0.1:8000

# true when CI is true/1/yes (as in scripts/*.sh and e2e/conftest.py)
IN_CI := [[ "$${CI:-}" =~ ^([Tt]rue|TRUE|1|yes)$$ ]]
step = @printf '\n\033[1;34m==> %s\033[0m\n' "$(1)"

# The test steps, shared by `test` and the single-step targets.
# SQLite: DATABASE_URL is dropped so the settings' SQLite default is used whatever the shell has.
define run_sqlite
env -u DATABASE_URL scripts/pytest.sh -q hongqing $(PYTEST_ARGS)
endef
# PostgreSQL: scripts/with_postgres.sh exits 125 when it cannot provide a server.
define run_pg
@echo "scripts/with_postgres.sh scripts/pytest.sh -q hongqing $(PYTEST_ARGS)"; \
rc=0; scripts/with_postgres.sh scripts/pytest.sh -q hongqing $(PYTEST_ARGS) || rc=$$?; \
if [[ $$rc -eq 125 ]]; then \
  if $(IN_CI); then echo "ERROR: PostgreSQL tests are required under CI but no server could be started" >&2; exit 1; fi; \
  printf '\n\033[1;31m!!! SKIPPED: PostgreSQL tests (no PostgreSQL server available; as root: apt-get install -y postgresql) !!!\033[0m\n\n' >&2; \
  exit 0; \
fi; exit $$rc
endef
# Browser: e2e/conftest.py fails (CI) or skips (otherwise) when /usr/bin/chromium is missing.
define run_e2e
$(PY) -m pytest -q -rfEs e2e $(PYTEST_ARGS)
endef

.PHONY: help venv static messages run sysdeps test lint fmt test-sqlite test-pg test-e2e bench clean distclean

help: ## list the targets
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# ---------------------------------------------------------------------------------------------
# Environment

venv: $(VENV_STAMP) ## Python 3.11 virtualenv in .venv, deps from constraints.txt (via uv)
	@:

$(VENV_STAMP): pyproject.toml constraints.txt
	@py=""; for c in python3.11 python3; do \
	  if $$c -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' 2>/dev/null; then py=$$c; break; fi; \
	done; \
	if [[ -z $$py ]]; then echo "venv: need Python 3.11 (or python3 being 3.11/3.12)" >&2; exit 1; fi; \
	if [[ -e $(PY) ]] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then \
	  echo "venv: $(VENV) is broken or too old, recreating"; rm -rf $(VENV); \
	fi; \
	if [[ ! -e $(PY) ]]; then echo "venv: creating $(VENV) with $$($$py --version)"; $$py -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt uv
	$(VENV)/bin/uv pip install -q -p $(PY) -c constraints.txt -e '.[test]'
	@touch $@

static: $(VENDOR_STAMP) ## npm ci (when needed) + copy the front-end files into hongqing/static/vendor/
	@:

$(VENDOR_STAMP): package.json package-lock.json scripts/vendor_static.sh
	@scripts/vendor_static.sh
	@touch $@

messages: venv ## compile hongqing/locale/*/LC_MESSAGES/django.po (needs msgfmt from Debian gettext)
	@command -v msgfmt >/dev/null || scripts/sysdeps.sh --optional gettext
	@if ! command -v msgfmt >/dev/null; then \
	  echo "messages: WARNING: msgfmt missing (Debian package gettext): translations NOT compiled" >&2; \
	elif ! find hongqing -path '*/LC_MESSAGES/*.po' -print -quit | grep -q .; then \
	  echo "messages: no .po catalogue yet, nothing to compile"; \
	else \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules; \
	fi

sysdeps: ## install missing Debian packages for the tests (chromium fonts-noto-cjk gettext postgresql)
	@scripts/sysdeps.sh $(SYS_PACKAGES)

# ---------------------------------------------------------------------------------------------
# Run

run: venv static messages ## migrate, seed the demo hospital if the DB is empty, serve on 127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver $(RUNSERVER_ADDR)

bench: venv ## run the benchmarks (bench/run.py)
	$(PY) bench/run.py

# ---------------------------------------------------------------------------------------------
# Quality

test: sysdeps ## everything CI runs: lint, checks, pytest on SQLite and PostgreSQL, browser tests
	@$(MAKE) venv static messages
	$(call step,ruff check)
	$(RUFF) check .
	$(call step,ruff format --check)
	$(RUFF) format --check .
	$(call step,zh_Hans catalogue covers every msgid)
	scripts/check_messages.sh
	$(call step,manage.py check)
	$(PY) manage.py check
	$(call step,manage.py makemigrations --check)
	$(PY) manage.py makemigrations --check --dry-run
	$(call step,pytest on SQLite and on PostgreSQL (side by side))
	scripts/run_suites.sh $(PYTEST_ARGS)
	$(call step,browser tests (Playwright + Debian chromium))
	$(run_e2e)
	$(call step,all steps passed)

lint: venv ## ruff check + ruff format --check
	$(RUFF) check .
	$(RUFF) format --check .

fmt: venv ## ruff format + ruff check --fix
	$(RUFF) format .
	$(RUFF) check --fix .

test-sqlite: venv static messages ## unit tests on SQLite
	$(run_sqlite)

test-pg: venv static messages ## unit tests on a throwaway PostgreSQL (or DATABASE_URL if it is postgres)
	$(run_pg)

test-e2e: sysdeps venv static messages ## browser tests in e2e/
	$(run_e2e)

# ---------------------------------------------------------------------------------------------

clean: ## remove node_modules, vendored static files and caches (keeps .venv and db.sqlite3)
	rm -rf node_modules $(VENDOR) staticfiles test-results .ruff_cache .pytest_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
