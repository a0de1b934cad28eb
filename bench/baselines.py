"""What ``jbsys-xl allocate`` is compared with, each run as its own process by ``run.py`` so
wall time and peak RSS are measured the same way (interpreter start included).

    python bench/baselines.py calamine BOOK.xlsx  # python-calamine: the sheets' values, nothing else
    python bench/baselines.py fastexcel BOOK.xlsx # fastexcel: every sheet into Arrow, no Python cells
    python bench/baselines.py openpyxl BOOK.xlsx  # pandas.read_excel(engine="openpyxl"), every sheet
    python bench/baselines.py engine BOOK.xlsx J  # jbsys-xl's pipeline and JSON, no result workbook
    python bench/baselines.py writefloor RESULT.xlsx  # write RESULT's cells, unformatted (see below)

The readers read every sheet of the input workbook (all of them are contract sheets), the least
any tool has to do before it can compute anything, and print the number of cells read so they
can be seen to read the same thing: calamine and openpyxl into Python values, fastexcel into
Arrow arrays (calamine's parser without a Python object per cell: the fastest bare read; every
sheet from its first row, so title lines make the columns text). ``engine`` is allocate without
its result workbook: read, validate, allocate, write the --json file; it splits allocate's time
between the engine and the workbook writer.

``writefloor`` is the least a writer of our result workbook must do: the same cells (read back
from a result workbook allocate wrote, before the clock starts), sheet by sheet, with XlsxWriter
in ``constant_memory`` mode and no formatting. It prints the seconds of the writing alone (no
interpreter start, no reading) as JSON; ``floor`` = fastexcel read + this.
"""
from __future__ import annotations

import sys


def calamine(path: str) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(path)
    cells = 0
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        cells += sum(len(row) for row in rows)
    return cells


def fastexcel(path: str) -> int:
    import fastexcel as fx

    reader = fx.read_excel(path)
    cells = 0
    for name in reader.sheet_names:
        sheet = reader.load_sheet_by_name(name, header_row=None)
        # The Arrow C data interface: builds the record batch in Rust. to_arrow() would also
        # import pyarrow, which the bench extra leaves out: pandas imports it whenever it is
        # installed (0.15 s more at every start), and jbsys-xl's own runs must not pay for that.
        sheet.__arrow_c_array__()
        cells += sheet.height * sheet.width
    return cells


def writefloor(result_path: str) -> str:
    import json
    import tempfile
    import time
    from pathlib import Path

    import python_calamine
    import xlsxwriter

    book = python_calamine.CalamineWorkbook.from_path(result_path)
    sheets = [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
    cells = sum(1 for _, rows in sheets for row in rows for value in row if value != "")
    with tempfile.TemporaryDirectory(prefix="jbsys-floor-") as folder:
        start = time.perf_counter()
        out = xlsxwriter.Workbook(str(Path(folder) / "floor.xlsx"), {"constant_memory": True})
        for name, rows in sheets:
            sheet = out.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value != "":  # calamine's empty cell
                        sheet.write(r, c, value)
        out.close()
        seconds = time.perf_counter() - start
    return json.dumps({"seconds": seconds, "cells": cells})


def openpyxl(path: str) -> int:
    import pandas as pd

    frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    return sum(frame.size for frame in frames.values())


def engine(path: str, json_path: str) -> int:
    from jbsys_xl.io.atomic import write_atomic
    from jbsys_xl.pipeline import run
    from jbsys_xl.report.json_result import to_json

    outcome = run(path, 2024)
    write_atomic(json_path, to_json(outcome).encode("utf-8"))
    if not outcome.ok:
        raise SystemExit(f"{path}: {len(outcome.errors)} errors")
    return len(outcome.allocation.centers)


def main(argv: list[str]) -> int:
    tool, *args = argv
    print({"calamine": calamine, "fastexcel": fastexcel, "openpyxl": openpyxl, "engine": engine,
           "writefloor": writefloor}[tool](*args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
