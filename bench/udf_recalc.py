"""What an edit costs with 300 JB* cells, and what 生成分配 costs around them.

Excel recalculates every volatile UDF cell after any edit. This opens a macro workbook in the
xlwings stand-in (tests/support/fake_xlwings.py, with the template's VBA behaviour from
tests/support/excel_books.py), types 300 JB* formulas and then: recalculates without an edit,
edits a 业务量 cell (Excel recalculates, raises the change event, the VBA counts the edit and
recalculates once more), edits a cell outside the inputs, runs 生成分配, and edits with
Excel's events off (then every cell reads afresh: correct, and slow). Reads of the input tables are counted per sheet as calls to ``used_range``, the
only way the layer reads. Times are the stand-in's Python work (no COM), so they bound the
Python side only; verify_on_windows.py --medium times the same steps in Excel.

    .venv/bin/python bench/udf_recalc.py [--medium]

``--medium`` builds build/bench/medium.xlsm (the template with bench/generate.py's medium
data: 200 centers, 129,600 业务量 rows) once and measures that instead of demo.xlsm.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jbsys_xl import contract  # noqa: E402
from jbsys_xl.excel import macros, udf_service  # noqa: E402
from jbsys_xl.io.atomic import write_atomic  # noqa: E402
from tests.support import fake_xlwings as fake  # noqa: E402
from tests.support.excel_books import open_book, udf_cell  # noqa: E402
import udfs.jbsys_udfs as U  # noqa: E402

CELLS = 300
YEAR = 2024
INPUTS = {spec.name for spec in contract.INPUT_SHEETS}
reads: Counter = Counter()
_used_range = fake.Sheet.used_range


def counting_used_range(self):
    if self.name in INPUTS:
        reads[self.name] += 1
    return _used_range.fget(self)


fake.Sheet.used_range = property(counting_used_range)
transfer = [0.0]  # seconds the stand-in spent handing ranges over (Excel: the COM transfer)
_range_value = fake.Range.value


def timed_value(self):
    start = time.perf_counter()
    try:
        return _range_value.fget(self)
    finally:
        transfer[0] += time.perf_counter() - start


fake.Range.value = property(timed_value, _range_value.fset)


def medium_workbook() -> Path:
    """build/bench/medium.xlsm: the macro template holding bench/generate.py's medium data."""
    from bench import generate
    from jbsys_xl.template import build

    target = ROOT / "build" / "bench" / "medium.xlsm"
    if target.exists():
        return target
    data = generate.scaled_data(generate.SIZES["medium"])
    rows = {name: [dict(zip(headers, row)) for row in body]
            for name, (headers, body) in data.sheets.items()}
    volume_headers = contract.SHEET_SPECS[contract.VOLUMES].required
    rows[contract.VOLUMES] = [dict(zip(volume_headers, raw)) for raw, _ in data.volumes()]
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, build.workbook_bytes(rows, YEAR))


def step(label: str, action) -> None:
    """Run ``action`` once; print its time and the input reads it caused."""
    reads.clear()
    transfer[0] = 0.0
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    per_sheet = ", ".join(f"{name}×{reads[name]}" for name in sorted(reads)) or "none"
    print(f"{label:<44} {seconds * 1e3:9,.1f} ms   without transfer {(seconds - transfer[0]) * 1e3:9,.1f} ms"
          f"   reads per input sheet: {max(reads.values(), default=0)} ({per_sheet})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medium", action="store_true", help="the medium bench workbook")
    args = parser.parse_args()
    path = medium_workbook() if args.medium else ROOT / "workbook" / "demo.xlsm"
    start = time.perf_counter()
    book = open_book(path)
    print(f"{path.name}: opened in the stand-in in {time.perf_counter() - start:.1f} s")
    udf_service.CACHE.__init__()
    codes = [row[0] for row in udf_service.allocation_table(book, None, YEAR)[1:]]
    functions = [(U.JBSCORE, ()), (U.JBSUBSIDY, ()), (U.JBGRADE, ())]
    volumes = book.sheets[contract.VOLUMES]
    used = volumes.used_range
    top, header = next((used.row + i, row) for i, row in enumerate(used.options(ndim=2).value)
                       if "业务量" in row)
    amount = volumes.range((top + 1, used.column + header.index("业务量")))
    print(f"{CELLS} volatile JB* cells over {len(codes)} centers\n")

    def type_cells():
        for i in range(CELLS):
            function, extra = functions[i % 3]
            udf_cell(book, "使用说明", f"F{i + 1}", function, codes[i % len(codes)], YEAR, *extra)

    step(f"typing {CELLS} formulas (each calculates all)", type_cells)
    step("F9, no edit", book.app.calculate)
    step("edit a 业务量 cell", lambda: setattr(amount, "value", (amount.value or 0) + 1))
    step("edit a cell outside the inputs", lambda: setattr(
        book.sheets[contract.RESULT_SHEET].range("Z1"), "value", "x"))
    before = book.app.recalculations
    step("生成分配 (generate_allocation)", lambda: macros.generate_allocation(book))
    print(f"{'':<44} recalculations during 生成分配: {book.app.recalculations - before}")
    if args.medium:
        return  # every cell would read 129,600 rows afresh: minutes
    book.app.enable_events = False  # left off by some other macro: no edit can be counted
    step("edit a 业务量 cell with events off", lambda: setattr(amount, "value", amount.value + 1))


if __name__ == "__main__":
    main()
