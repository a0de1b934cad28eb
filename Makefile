# Two commands for a fresh clone: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2024
SAMPLE := build/sample/示例-常州市本级-$(YEAR).xlsx

.PHONY: install dev demo test sample clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Idempotent: re-running only reinstalls when pyproject.toml changed.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed-test

sample: install
	$(BIN)/python -m jbsys_xl.sample --year $(YEAR) -o $(SAMPLE)

demo: sample
	$(BIN)/jbsys-xl allocate $(SAMPLE) --year $(YEAR) --json build/demo-result.json

test: dev
	$(BIN)/python -m pytest -q

clean:
	rm -rf build $(VENV)
