# Two commands: `make demo` (set up + run the whole flow on a generated landing set)
# and `make test`. `make dev` opens the Dagster UI over the same definitions.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_HOME := $(CURDIR)/.dagster_home
DEMO_DIR ?= $(CURDIR)/demo
MANIFEST := dbt_project/target/manifest.json

.PHONY: setup demo test test-slow dev clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The pinned set (requirements.lock), then the project itself without re-resolving.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The dbt manifest the Dagster definitions are built from (dbt parse needs a warehouse
# path in the profile; :memory: is never written).
$(MANIFEST): $(VENV)/.installed $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f) dbt_project/dbt_project.yml
	BACKTOSCHOOL_WAREHOUSE=:memory: $(BIN)/dagster-dbt project prepare-and-package \
		--file orchestration/transformation/project.py
	mkdir -p $(DAGSTER_HOME)
	touch $(MANIFEST)

setup: $(MANIFEST)

demo: setup
	$(BIN)/backtoschool demo --out $(DEMO_DIR)

test: setup
	$(BIN)/pytest

test-slow: setup
	$(BIN)/pytest -m slow

# dbt re-parses the project when the UI loads it (prepare_if_dev): the profile needs the
# warehouse path, the same absolute one the runs use.
dev: setup
	@mkdir -p $(DEMO_DIR)/landing
	export BACKTOSCHOOL_LANDING=$${BACKTOSCHOOL_LANDING:-$(DEMO_DIR)/landing}; \
	export BACKTOSCHOOL_OUT=$${BACKTOSCHOOL_OUT:-$(DEMO_DIR)/output}; \
	export BACKTOSCHOOL_REPORT_DATES=$${BACKTOSCHOOL_REPORT_DATES:-2022-05-31,2022-07-27}; \
	export BACKTOSCHOOL_WAREHOUSE=$$(realpath -m $$BACKTOSCHOOL_OUT)/warehouse.duckdb; \
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m orchestration.definitions

clean:
	rm -rf $(VENV) dbt_project/target .dagster_home demo .pytest_cache
