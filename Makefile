# Everything a fresh machine needs is python3 and make.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
REPORTER ?= NLD
YEAR ?= 2022

.PHONY: run test bench embedded clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## run: set up and screen the Netherlands on the embedded real data
run: $(STAMP)
	$(BIN)/geomon screen --reporter $(REPORTER) --year $(YEAR)

## test: set up and run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

## bench: full-scale benchmarks (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -c "import polars" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py

## embedded: rebuild the embedded data from ../shared/data
embedded: $(STAMP)
	$(BIN)/python scripts/build_embedded.py ../shared/data

clean:
	rm -rf $(VENV) build *.egg-info
