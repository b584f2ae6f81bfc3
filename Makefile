# Two commands on a fresh machine:   make run   (serve with demo data)   make test   (all tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint demo worker migrate clean services fonts bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

## Serve on the embedded default (SQLite under ./data, tasks in-process) with demo data.
run: $(STAMP) fonts
	$(BIN)/tuoyu serve --demo

## The whole test suite against real PostgreSQL, Redis and a Celery worker.
test: $(STAMP) services fonts
	$(BIN)/pytest -q

services:
	@bash scripts/services.sh

## The certificate fonts (Debian packages fonts-babelstone-han, fonts-hanazono, fonts-dejavu-core).
fonts:
	@bash scripts/fonts.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy talent_pool training certification service worker bench
	$(BIN)/lint-imports

demo: $(STAMP) fonts
	$(BIN)/tuoyu demo --out demo-out

worker: $(STAMP)
	$(BIN)/tuoyu worker

bench: $(STAMP) services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data demo-out .pytest_cache .mypy_cache .ruff_cache
