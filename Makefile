# Two commands for a fresh machine with Python 3.11:  make run  |  make test
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
API_PORT ?= 8000
UI_PORT  ?= 8501

.PHONY: run test install install-dev demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: set up, load the demo data if the store is empty, build indexes, serve API + UI
run: install
	$(BIN)/matcher demo
	$(BIN)/matcher serve --api-port $(API_PORT) --ui-port $(UI_PORT)

## make test: set up with dev extras, lint, run the whole suite
test: install-dev
	$(BIN)/ruff check matcher ui scripts tests
	$(BIN)/python -m pytest -n 2

bench: install-dev
	$(BIN)/python scripts/benchmark_quality.py
	$(BIN)/python scripts/benchmark_speed.py

clean:
	rm -rf $(VENV) data/matcher.db data/index data/models data/demo
