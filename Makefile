# Two commands for a fresh clone: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2024
DEMO := workbook/demo.xlsm

.PHONY: install dev demo test clean template

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

# The main job on the template's demo workbook; results go to build/, the input is untouched.
demo: install
	$(BIN)/jbsys-xl allocate $(DEMO) --year $(YEAR) --json build/demo-result.json \
		-o build/demo-分配结果-$(YEAR).xlsx

test: dev
	$(BIN)/python -m pytest -q

clean:
	rm -rf build $(VENV)

# workbook/template.xlsm and workbook/demo.xlsm from workbook/vba, workbook/customUI and the UDFs.
template: install
	$(BIN)/jbsys-xl build-template --out-dir workbook

# Benchmark: generates the workbooks once into build/bench/, then times `jbsys-xl allocate`
# against the fastest bare read (fastexcel, from the bench extra) plus an unformatted write of
# the same result cells, python-calamine, pandas+openpyxl and a LibreOffice formula model
# (bench/run.py; about half an hour at all three sizes). Narrow it with e.g. BENCH_ARGS="--sizes demo,medium".
$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[bench]'
	touch $@

.PHONY: bench
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py $(BENCH_ARGS)
