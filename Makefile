# Tuoyu — the two commands: `make demo` (set up and run on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SCALE ?= province
DEMO_SEED ?= 1
DEMO_PASSWORD ?= tuoyu-demo
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/tuoyu
PYTEST_ARGS ?=
# pytest-xdist processes, one per core (TEST_WORKERS=0 runs in this process): the suite's two halves took
# 18 and 26 minutes one test at a time on the 2-core machine.
TEST_WORKERS ?= auto

.PHONY: demo test install setup serve lint typecheck messages bench bench-checkin clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Translations are compiled with polib, so no GNU gettext is needed to run the project.
messages: install
	$(PY) manage.py compile_translations

setup: install messages
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_regions
	$(PY) manage.py demo_data --scale $(DEMO_SCALE) --seed $(DEMO_SEED) --password $(DEMO_PASSWORD) --if-empty
	$(PY) manage.py demo_filings --seed $(DEMO_SEED)
	$(PY) manage.py demo_staff --seed $(DEMO_SEED)
	$(PY) manage.py demo_training --seed $(DEMO_SEED)
	$(PY) manage.py demo_children --seed $(DEMO_SEED)
	$(PY) manage.py demo_attendance --seed $(DEMO_SEED)
	$(PY) manage.py demo_growth --seed $(DEMO_SEED)
	$(PY) manage.py demo_health --seed $(DEMO_SEED)
	$(PY) manage.py demo_care --seed $(DEMO_SEED)
	$(PY) manage.py demo_parents --seed $(DEMO_SEED)
	$(PY) manage.py demo_planning --seed $(DEMO_SEED)
	$(PY) manage.py demo_reports --seed $(DEMO_SEED)
	$(PY) manage.py demo_spotchecks --seed $(DEMO_SEED)
	$(PY) manage.py demo_supervision --seed $(DEMO_SEED)
	$(PY) manage.py demo_complaints --seed $(DEMO_SEED)
	$(PY) manage.py demo_quality --seed $(DEMO_SEED)
	$(PY) manage.py demo_enforcement --seed $(DEMO_SEED)
	$(PY) manage.py demo_credit --seed $(DEMO_SEED)
	$(PY) manage.py recompute_indicators
	$(PY) manage.py collectstatic --no-input -v 0

serve:
	@echo "Tuoyu is running at http://$(HOST):$(PORT)/  (demo password: $(DEMO_PASSWORD); Ctrl-C stops it)"
	$(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 2 --log-level warning config.wsgi:application

demo: setup
	$(PY) manage.py demo_logins --password $(DEMO_PASSWORD)
	$(MAKE) --no-print-directory serve

# The whole suite on SQLite, then again on PostgreSQL. Without PostgreSQL the second half is
# skipped with a message; TUOYU_REQUIRE_ALL=1 (CI) turns that skip into a failure.
test: install messages
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)
	@if $(PY) -m tuoyu.devtools.pg_available "$(TEST_POSTGRES_URL)"; then \
		echo "== the same suite on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS); \
	else \
		echo "SKIPPED: the PostgreSQL run of the suite (no server at $(TEST_POSTGRES_URL))"; \
		if [ -n "$$TUOYU_REQUIRE_ALL" ]; then echo "TUOYU_REQUIRE_ALL is set: failing"; exit 1; fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

typecheck: install
	$(VENV)/bin/mypy tuoyu config

bench: install
	$(PY) bench/bench_demo_data.py
	$(PY) bench/bench_indicators.py
	$(PY) bench/bench_scenarios.py
	$(PY) bench/bench_dashboard.py

# The check-in endpoint under load: needs PostgreSQL on 127.0.0.1 and wrk (apt-get install wrk).
bench-checkin: install
	$(PY) bench/bench_checkin.py

clean:
	rm -rf $(VENV) var
