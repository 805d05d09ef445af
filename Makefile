# The two commands a new user needs: `make run` (set up and serve the site) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test serve index check install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: set up, build the index and serve the site on http://$(HOST):$(PORT) (development server)
run: install
	$(BIN)/flask --app app index
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

## serve: production serving with gunicorn (no debug), see README
serve: install
	$(BIN)/flask --app app index
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) "app:create_app()"

## test: set up with the test extras and run the whole test suite
test: install-test
	$(BIN)/python -m pytest

index: install
	$(BIN)/flask --app app index

check: install
	$(BIN)/flask --app app check

clean:
	rm -rf $(VENV) instance/index .pytest_cache
