# Two commands for a fresh clone: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2024
DEMO := workbook/demo.xlsm

.PHONY: install dev demo test clean template windows-bundle

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

# The December path on the template's demo workbook; everything goes to build/, the input is
# untouched: made-up 金保 exports → imported into a copy of the workbook (--into: 业务量 replaced
# as the plan says, 导入记录/替换记录 written) → the 12333 callback list, drawn and recorded →
# filled in as 12333 would → read back into that workbook without personal data (--into) → the
# allocation of that workbook, from its imported volumes, whose 回访汇总 shows every drawn case.
EXPORTS := build/金保导出-$(YEAR)
SEED := 241220
LIST := build/demo-回访清单-$(YEAR)
IMPORTED := build/demo-导入后.xlsm
WORKBOOK := build/demo-工作簿.xlsm
demo: install
	rm -rf $(EXPORTS) $(IMPORTED) $(WORKBOOK)
	$(BIN)/python -m jbsys_xl.jinbao.sample_exports --year $(YEAR) -o $(EXPORTS)
	$(BIN)/jbsys-xl import $(DEMO) $(EXPORTS) --year $(YEAR) --json build/demo-import.json \
		--into $(IMPORTED)
	$(BIN)/jbsys-xl callbacks $(IMPORTED) $(EXPORTS) --year $(YEAR) --seed $(SEED) --operator 示例抽取人 \
		--json build/demo-callbacks.json -o $(LIST).xlsx
	$(BIN)/python -m jbsys_xl.jinbao.sample_callbacks fill $(LIST).xlsx -o $(LIST)-已回访.xlsx
	$(BIN)/jbsys-xl callback-results $(IMPORTED) $(LIST)-已回访.xlsx --year $(YEAR) \
		--json build/demo-回访结果.json --into $(WORKBOOK)
	$(BIN)/jbsys-xl allocate $(WORKBOOK) --year $(YEAR) --json build/demo-result.json \
		-o build/demo-分配结果-$(YEAR).xlsx

test: dev
	$(BIN)/python -m pytest -q

clean:
	rm -rf build dist $(VENV)

# workbook/template.xlsm and workbook/demo.xlsm from workbook/vba, workbook/customUI and the UDFs.
template: install
	$(BIN)/jbsys-xl build-template --out-dir workbook

# dist/jbsys-xl-windows-<version>.zip: install.bat, its Chinese messages and 安装说明, the two
# workbooks and every wheel for 64-bit Windows CPython 3.11–3.13, for PCs without internet
# (packaging/windows/build_bundle.py; needs PyPI here, about half a minute with pip's cache).
# PYTHON_INSTALLER=path/to/python-3.12.x-amd64.exe (from python.org, by hand) puts it in the zip.
windows-bundle: install
	$(BIN)/python packaging/windows/build_bundle.py $(if $(PYTHON_INSTALLER),--python-installer "$(PYTHON_INSTALLER)")

# Benchmark: generates the workbooks once into build/bench/, then times `jbsys-xl allocate`
# against the fastest bare read (fastexcel) plus an unformatted write of the same result cells,
# python-calamine, pandas+openpyxl and a LibreOffice formula model (bench/run.py; about half an
# hour at all three sizes), then the 金保 import of 2,000,000 case rows in 10 files
# (bench/import_bench.py), then import --into the large workbook, all 1,044,000 rows re-imported
# (bench/into_bench.py). Narrow it with e.g. BENCH_ARGS="--sizes demo,medium --skip import,into".
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
