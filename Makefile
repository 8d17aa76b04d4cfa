# Two commands on a fresh machine with Python 3.11+:
#   make run    install into .venv and open the app on the default database
#   make test   install the test dependencies into .venv and run every check and test
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "rca-tui needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.app

run: $(VENV)/.app
	$(BIN)/rca

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	TEXTUAL_ANIMATIONS=none $(BIN)/python -m pytest -q

bench: $(VENV)/.test
	$(BIN)/python bench/bench_store.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_fishbone.py
	$(BIN)/python bench/bench_exports.py
	$(BIN)/python bench/bench_strength.py
	$(BIN)/python bench/bench_server.py
	$(BIN)/python bench/bench_terminal.py
	$(BIN)/python bench/bench_learning.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_cli.py

clean:
	rm -rf $(VENV) build *.egg-info
