# Two commands on a fresh machine:   make run   (serve with demo data)   make test   (all tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint demo worker migrate clean services browser fonts bench constraints

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

## Serve on the embedded default (SQLite under ./data, tasks in-process) with demo data.
run: $(STAMP) fonts
	$(BIN)/tuoyu serve --demo

## The whole test suite against real PostgreSQL, Redis and a Celery worker.
test: $(STAMP) services browser fonts
	$(BIN)/pytest -q -n 2 --dist loadgroup

services:
	@bash scripts/services.sh

browser:
	@bash scripts/browser.sh

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

## Benchmarks (ratios against side-by-side baselines; never part of the tests). Subsets:
## make bench BENCH_ARGS="--only http,targets --scales 1,10"   (see: .venv/bin/python -m bench --help)
bench: $(STAMP) services fonts
	bash scripts/bench-tools.sh
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data demo-out .pytest_cache .mypy_cache .ruff_cache

## Re-pin constraints.txt from a fresh resolve of pyproject.toml (after changing dependencies).
constraints:
	rm -rf /tmp/tuoyu-constraints && $(PYTHON) -m venv /tmp/tuoyu-constraints
	/tmp/tuoyu-constraints/bin/pip install -q -e '.[dev]'
	{ sed -n 1,2p constraints.txt; /tmp/tuoyu-constraints/bin/pip freeze --exclude-editable | grep -vi '^tuoyu'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
