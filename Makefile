# The two commands a new user needs: `make run` (set up and serve the site) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint serve index check messages install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# The interface's translations, compiled from the .po catalogues kept in git (the .mo files are
# build products, not committed).
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $* -D messages

install: $(VENV)/.installed $(COMPILED)
install-test: $(VENV)/.installed-test $(COMPILED)

## run: set up, build the index and serve the site on http://$(HOST):$(PORT) (development server)
run: install
	$(BIN)/flask --app app index
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

## serve: production serving with gunicorn (no debug), see README
# Sync workers, 2 per core: search is CPU-bound, and threads would only wait for the GIL
# (scripts/load.py measured a worse tail with 2 workers × 4 threads; docs/benchmarks.md).
serve: install
	$(BIN)/flask --app app index
	$(BIN)/gunicorn --workers 4 --threads 1 --bind $(HOST):$(PORT) "app:create_app()"

# Said after the tests when there is no Chromium: its tests were skipped, and how to enable them.
CHROMIUM_NOTE = $(BIN)/python -c "from tests.live import ENABLE_HINT, chromium_path; \
	chromium_path() or print('\nNOTE: Chromium was not found, so the browser and accessibility tests' \
	' (tests/test_browser.py, tests/test_a11y.py) were SKIPPED.\nTo run them, ' + ENABLE_HINT + '.')"

## lint: ruff (lint and import order) and mypy (strict on kb/ and search/)
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

## test: set up with the test extras, lint and type-check, and run the whole test suite
## (browser tests need Chromium)
test: lint
	@$(BIN)/python -m pytest; status=$$?; $(CHROMIUM_NOTE); exit $$status

## messages: extract the interface's messages and update translations/*/messages.po
messages: install-test
	$(BIN)/python scripts/messages.py

index: install
	$(BIN)/flask --app app index

check: install
	$(BIN)/flask --app app check

clean:
	rm -rf $(VENV) instance/index .pytest_cache
