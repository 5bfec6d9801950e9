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

.PHONY: setup system-packages demo test test-slow dev clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The pinned set (requirements.lock), then the project itself without re-resolving.
# sqlglotc (compiled sqlglot) is not in the lock but dagster-dbt's `sqlglot[rs]` extra
# pulls it back in; it breaks splink's SparkAPI, whose dialect subclasses sqlglot's
# compiled Spark generator ("interpreted classes cannot inherit from compiled",
# sqlglot issue #7923), so it is removed again. Plain sqlglot does the same work.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip uninstall --quiet -y sqlglotc
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The dbt manifest the Dagster definitions are built from (dbt parse needs a warehouse
# path in the profile; :memory: is never written).
$(MANIFEST): $(VENV)/.installed $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f) dbt_project/dbt_project.yml
	BACKTOSCHOOL_WAREHOUSE=:memory: $(BIN)/dagster-dbt project prepare-and-package \
		--file orchestration/transformation/project.py
	touch $(MANIFEST)

# The Dagster instance's settings (one run at a time: orchestration/dagster.yaml says why).
$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp $< $@

# Debian packages the bulletins need: Pango (WeasyPrint's text layout, for the PDFs) and
# Chromium (the browser test renders the bulletins in it); and a Java 17 runtime, which
# Spark (BACKTOSCHOOL_ENGINE=spark: dbt-spark and splink's SparkAPI) runs on. Installed
# with apt-get when missing and running as root; otherwise the command to run is printed.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	for lib in libpango-1.0-0 libpangoft2-1.0-0; do \
	  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep -q "$${lib%-*}.so.$${lib##*-}" || missing="$$missing $$lib"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing (apt-get)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "Missing system packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

setup: system-packages $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml

demo: setup
	$(BIN)/backtoschool demo --out $(DEMO_DIR)

# The default tests in one process per core, a module at a time (tests/conftest.py keeps
# the modules reading one flow run together, so each run is made once).
test: setup
	$(BIN)/pytest --numprocesses=auto --dist=loadscope

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
