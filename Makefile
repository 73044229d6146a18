# Two commands for a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export AI_ANALYTICS_DUCKDB_PATH ?= $(CURDIR)/ai_analytics.duckdb
DEMO_EVENTS ?= 100000
DEMO_SPEC ?= mixed
DASHBOARD ?= $(CURDIR)/target/ai_dashboard.html

.PHONY: install browser demo dashboard semantic snowflake-check test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the dashboard's browser test (Playwright drives it; no browser download).
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium chromium-driver; }

demo: $(STAMP)
	rm -f $(AI_ANALYTICS_DUCKDB_PATH)
	$(BIN)/ai-analytics demo-data --events $(DEMO_EVENTS) --spec $(DEMO_SPEC) --out $(AI_ANALYTICS_DUCKDB_PATH)
	$(BIN)/dbt build --quiet --fail-fast
	$(BIN)/ai-analytics summary --database $(AI_ANALYTICS_DUCKDB_PATH)
	$(BIN)/ai-analytics dashboard --database $(AI_ANALYTICS_DUCKDB_PATH) --out $(DASHBOARD)

dashboard: $(STAMP)
	$(BIN)/ai-analytics dashboard --database $(AI_ANALYTICS_DUCKDB_PATH) --out $(DASHBOARD)

# The semantic layer against the demo database (after `make demo`).
semantic: $(STAMP)
	$(BIN)/dbt parse --quiet
	$(BIN)/mf validate-configs
	$(BIN)/mf query --metrics prompts,active_users,error_rate,p95_latency_ms,cost_usd --group-by metric_time__day --order metric_time__day --quiet

# The snowflake target against fakesnow (Snowflake emulated on DuckDB); pytest runs it too.
snowflake-check: $(STAMP)
	timeout 900 $(BIN)/python scripts/snowflake_emulator_check.py

# sqlfluff compiles every model with dbt against a small demo database of its own
# (scripts/sqlfluff_lint.py), so it needs no database and ignores yours.
SQLFLUFF := $(BIN)/python scripts/sqlfluff_lint.py
SQL_PATHS := models analyses data_tests

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(SQLFLUFF) lint --processes 2 $(SQL_PATHS)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(SQLFLUFF) lint --processes 2 $(SQL_PATHS)

BENCH_SIZES ?= 1000000,10000000
BENCH_REPEAT ?= 1

# Scale benchmark, not part of `make test` (~40 min at the default sizes on 2 cores): writes benchmarks/results.md.
bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py --sizes $(BENCH_SIZES) --repeat $(BENCH_REPEAT) --check-floor

clean:
	rm -rf target logs dbt_packages $(AI_ANALYTICS_DUCKDB_PATH)
