# KMV developer commands. The two that matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-pyproject
MANAGE := $(PY) manage.py
# Translations: skip virtualenv and npm packages when compiling .po files.
COMPILEMESSAGES := $(MANAGE) compilemessages -v 0 -i .venv -i node_modules

.PHONY: help venv run test e2e fuzz lint format messages check-system npm clean bench bench-load chaos

help:
	@echo "make run    install everything locally and serve KMV on http://127.0.0.1:8000"
	@echo "            (SQLite, Celery worker + beat on an embedded broker, demo data)"
	@echo "make test   lint, format check, layer contracts, migration check and the test suite"
	@echo "make lint   ruff check;  make format  ruff format + fixes"
	@echo "make e2e    browser journeys only (headless Chromium, axe-core, screenshots in artifacts/)"
	@echo "make fuzz   API + hostile-input fuzzing, nightly profile (>=100 cases per operation)"
	@echo "make chaos  fault tests: worker kills, Redis/PostgreSQL outages, two beats (~3 min;"
	@echo "            private redis-server + PostgreSQL cluster on free ports, never the shared ones)"
	@echo "make bench  benchmarks (round scheduler vs greedy; minutes PDF rendering)"
	@echo "make bench-load  load test: 20 users, gunicorn + PostgreSQL, 25,000 participants"
	@echo "            (DATABASE_URL=postgres://... of its own; LOAD_ARGS=\"--run-time 2m\")"

# --- Python environment -------------------------------------------------------------
# Created from the newest Python >= 3.12 that runs (scripts/find_python.sh); a venv made
# from another interpreter that is too old is replaced. Re-installs only when
# pyproject.toml changes.
$(PY):
	@set -e; \
	py="$$(scripts/find_python.sh)"; \
	echo "Creating $(VENV) with $$py"; \
	rm -rf $(VENV); "$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null || { \
		echo "$(VENV) uses Python < 3.12: recreating it"; rm -rf $(VENV); $(MAKE) --no-print-directory $(PY); }
	$(PY) -m pip install --disable-pip-version-check -q -e ".[dev]"
	@touch $@

venv: $(STAMP)

# --- Front-end packages (Designsystemet), served under /static/vendor/ -----------------
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ (e.g. sudo apt-get install -y nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

npm: node_modules/.installed

# --- Steps ---------------------------------------------------------------------------
check-system: venv
	@$(PY) scripts/check_system.py

# .mo files are not committed; compiled from the .po files on every run (fast).
messages: venv
	@if find . -name '*.po' -not -path './.venv/*' -not -path './node_modules/*' | grep -q .; then \
		$(COMPILEMESSAGES); fi

# --- The two commands -----------------------------------------------------------------
run: export DEBUG = 1
run: export KMV_REQUIRE_2FA = 0
run: venv npm check-system messages
	@mkdir -p .local
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo
	$(PY) scripts/run_dev.py

# pytest-xdist: ~20% faster than one process on 2 cores (757 tests on PostgreSQL: 89 s vs 108 s).
test: export DEBUG = 1
test: venv npm messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run -v 1
	$(VENV)/bin/pytest -n auto --ignore=tests/chaos $(PYTEST_ARGS)

e2e: export DEBUG = 1
e2e: venv npm messages
	$(VENV)/bin/pytest -m e2e tests/e2e $(PYTEST_ARGS)

fuzz: export DEBUG = 1
fuzz: export KMV_FUZZ_PROFILE = nightly
fuzz: venv messages
	$(VENV)/bin/pytest -n auto -m fuzz tests/fuzz $(PYTEST_ARGS)

# Serial: the tests start and kill their own redis-server, PostgreSQL cluster, gunicorn and
# Celery processes (tests/chaos/conftest.py). Not part of `make test`; .ci/run runs it after.
chaos: export DEBUG = 1
chaos: venv messages
	$(VENV)/bin/pytest -m chaos tests/chaos $(PYTEST_ARGS)

bench: export DEBUG = 1
bench: venv
	$(PY) bench/scheduler.py
	$(PY) bench/render_minutes.py --runs 5

# Overwrites the database in DATABASE_URL (seeded once, then re-used); see bench/README.md.
bench-load: venv messages
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to a PostgreSQL database of its own."; exit 2; }
	$(PY) bench/load.py $(LOAD_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf .local node_modules $(VENV) staticfiles
