# utlatande: `make` sets up .venv (first run) and builds every answer in answers/ to build/;
# `make test` runs the tests.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTHON  ?= python3

.PHONY: all build test lint golden bench clean distclean
all: build

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/utlatande build

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

golden: $(STAMP)
	$(BIN)/python tests/golden.py --update

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)
