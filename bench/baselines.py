"""What ``jbsys-xl allocate`` is compared with, each run as its own process by ``run.py`` so
wall time and peak RSS are measured the same way (interpreter start included).

    python bench/baselines.py calamine BOOK.xlsx  # python-calamine: the sheets' values, nothing else
    python bench/baselines.py openpyxl BOOK.xlsx  # pandas.read_excel(engine="openpyxl"), every sheet
    python bench/baselines.py engine BOOK.xlsx J  # jbsys-xl's pipeline and JSON, no result workbook

The two readers read every sheet of the input workbook (all of them are contract sheets) into
Python values, the least any tool has to do before it can compute anything, and print the number
of cells read so the two can be seen to read the same thing. ``engine`` is allocate without its
result workbook: read, validate, allocate, write the --json file; it splits allocate's time
between the engine and the workbook writer.
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
    print({"calamine": calamine, "openpyxl": openpyxl, "engine": engine}[tool](*args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
