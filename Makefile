# The few commands a developer needs. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHIPML_HOME ?= $(CURDIR)/.shipml
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1

.PHONY: system-deps demo test check lint types contracts format clean bench bench-env bench-quality

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Debian's chromium (browser tests) and wrk (serve benchmark); tests that need them skip without.
system-deps:
	bash .ci/system-deps

demo: $(STAMP)
	SHIPML_HOME=$(SHIPML_HOME) $(BIN)/python examples/adult/run_demo.py

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

types: $(STAMP)
	$(BIN)/mypy src

contracts: $(STAMP)
	$(BIN)/lint-imports

check: test lint types contracts

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks examples
	$(BIN)/ruff check --fix src tests benchmarks examples

bench: $(STAMP)
	$(BIN)/python benchmarks/train_scale.py

# The peers of benchmarks/quality.py (FLAML, AutoGluon) in their own environment.
BENCH_VENV := benchmarks/.peers-venv

$(BENCH_VENV)/.installed: benchmarks/peers/requirements.txt benchmarks/peers/setup_env.sh
	bash benchmarks/peers/setup_env.sh $(PYTHON)
	touch $@

bench-env: $(BENCH_VENV)/.installed

bench-quality: $(STAMP) $(BENCH_VENV)/.installed
	$(BIN)/python benchmarks/quality.py --budget 60 --seeds 3 --write-readme \
	  --datasets adult_census_income,telco_churn,diamonds_cut,digits,diamonds_price,cps1988_wages

clean:
	rm -rf $(VENV) .shipml .pytest_cache .mypy_cache .ruff_cache
