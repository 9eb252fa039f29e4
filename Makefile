# utlatande: `make` sets up .venv (first run) and builds every answer in answers/ to build/;
# `make test` runs the tests.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTHON  ?= python3

.PHONY: all build test lint golden bench agenda clean distclean
all: build

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/utlatande build

test: $(STAMP)
	bash scripts/setup-system.sh --test
	$(BIN)/ruff check src tests
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

golden: $(STAMP)
	$(BIN)/python tests/golden.py --update

bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/serve_latency.py
	$(BIN)/python bench/agenda_bench.py

# make agenda: every meeting file in $(MOTEN) (make agenda MOTEN=mapp for another folder) to
# build/<möte>/ and its public version build/<möte>-offentlig/. index.html is written last,
# so it stands for the agenda; build/.agenda/*.d (from --depfile) add the meeting's answer
# files, appendices and templates, so an agenda is rebuilt only when one of them changed.
MOTEN   ?= moten
AGENDOR := $(patsubst $(MOTEN)/%.yaml,build/%/index.html,$(wildcard $(MOTEN)/*.yaml)) \
           $(patsubst $(MOTEN)/%.yaml,build/%-offentlig/index.html,$(wildcard $(MOTEN)/*.yaml))

agenda: $(AGENDOR)

build/%-offentlig/index.html: $(MOTEN)/%.yaml | $(STAMP)
	$(BIN)/utlatande agenda $< --offentlig --depfile build/.agenda/$*-offentlig.d

build/%/index.html: $(MOTEN)/%.yaml | $(STAMP)
	$(BIN)/utlatande agenda $< --depfile build/.agenda/$*.d

-include $(wildcard build/.agenda/*.d)

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)
