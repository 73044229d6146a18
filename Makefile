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

.PHONY: install demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -f $(AI_ANALYTICS_DUCKDB_PATH)
	$(BIN)/ai-analytics demo-data --events $(DEMO_EVENTS) --out $(AI_ANALYTICS_DUCKDB_PATH)
	$(BIN)/dbt build --quiet --fail-fast
	$(BIN)/ai-analytics summary --database $(AI_ANALYTICS_DUCKDB_PATH)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf target logs dbt_packages $(AI_ANALYTICS_DUCKDB_PATH)
