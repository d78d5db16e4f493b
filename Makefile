# claimwatch: `make demo` runs the pipeline end to end on embedded defaults; `make test` runs the tests.
# Both install everything from the lock file first (uv, into .venv), on a machine with only python3.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test test-fast lint airflow bench clean warehouse-stop

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	touch $@

install: $(VENV)/.synced

demo: install
	$(BIN)/claimwatch demo

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check claimwatch spiders dags tests bench
	$(BIN)/mypy

airflow: install
	$(BIN)/claimwatch airflow

# The scale benchmark's channel size: `make bench BENCH_POSTS=1000000` for the 1M run (hours on 2 cores).
BENCH_POSTS ?= 100000

bench: install
	$(BIN)/python bench/bench_landing.py
	$(BIN)/python bench/bench_scale.py --posts $(BENCH_POSTS)
	$(BIN)/python bench/eval_claims.py
	$(BIN)/python bench/learning_curve.py
	$(BIN)/python bench/bench_extract_throughput.py
	$(BIN)/python bench/eval_links.py
	$(BIN)/python bench/bench_events.py
	$(BIN)/python bench/eval_gazetteer.py
	$(BIN)/python bench/eval_articles.py

warehouse-stop:
	-$(BIN)/claimwatch warehouse stop

clean: warehouse-stop
	rm -rf .claimwatch $(VENV) $(TOOLS)
