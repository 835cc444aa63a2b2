# Two entry points for a fresh machine (Python >= 3.11):
#   make run   - install into .venv, index the shipped corpus and open the chat
#   make test  - install into .venv with test tools and run ruff, mypy and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-test run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The package is installed editable, so pip does not byte-compile it as it does the libraries;
# compileall does, so no launch pays for compiling it (PYTHONDONTWRITEBYTECODE, set on some
# machines, would otherwise make every launch compile it again).
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q assistant

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q assistant

run: install
	$(BIN)/assistant index
	$(BIN)/assistant chat

lint: install-test
	$(BIN)/ruff check assistant tests
	$(BIN)/ruff format --check assistant tests
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q -n auto

clean:
	rm -rf $(VENV) index/chroma index/.build.lock
