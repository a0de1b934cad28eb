"""How many times a recalculation reads the input tables, what one UDF call costs, and how
long the first JB* evaluation after an edit takes.

Excel recalculates all volatile UDF cells after any edit. This opens workbook/demo.xlsm in the
xlwings stand-in (tests/support/fake_xlwings.py), fills a sheet with 300 UDF cells and
recalculates: once, once more without an edit, and after an edit (the VBA's revision bump).
Reads are counted per input sheet as calls to ``used_range``, the only way the layer reads.

Then the latency a user waits for after typing: at demo size (workbook/demo.xlsm) and medium
size (bench/generate.py's 200 centers × 54 indicators × 12 months), a 业务量 cell is edited, the
revision bumped and one =JBSCORE evaluated — the call that reads the input tables again and runs
the pipeline; the other UDF cells then answer from the cache. Measured: that call's wall time,
less the time the stand-in spends handing each used range over as a 2-D list, which in Excel is
the COM transfer (excluded here: it depends on Excel, not on this code, and the stand-in's dict
lookups say nothing about it). So the figure is read (turning the ranges into tables,
validating) + compute (the rules), median of several edits.

    .venv/bin/python bench/udf_recalc.py
"""
from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402
from jbsys_xl import contract  # noqa: E402
from jbsys_xl.excel import udf_service  # noqa: E402
from tests.support import fake_xlwings as fake  # noqa: E402
from tests.support.excel_books import bump_revision, open_book  # noqa: E402
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


def recalculate(book, codes) -> list[float]:
    """One Excel recalculation: every UDF cell evaluated once; seconds per call."""
    caller = fake.FakeCaller(book.sheets[0].range("A1"))
    functions = [lambda c: U.JBSCORE(c, YEAR, caller), lambda c: U.JBSUBSIDY(c, YEAR, None, caller),
                 lambda c: U.JBGRADE(c, YEAR, caller)]
    times = []
    for i in range(CELLS):
        start = time.perf_counter()
        answer = functions[i % 3](codes[i % len(codes)])
        times.append(time.perf_counter() - start)
        assert not str(answer).startswith("#JB!"), answer
    return times


def report(label: str, times: list[float]) -> None:
    per_sheet = ", ".join(f"{name}×{reads[name]}" for name in sorted(reads)) or "none"
    print(f"{label:<34} reads/recalc: {max(reads.values(), default=0):>3} per sheet ({per_sheet})")
    print(f"{'':<34} per call: median {statistics.median(times) * 1e6:,.0f} µs, "
          f"first {times[0] * 1e3:,.1f} ms, total {sum(times) * 1e3:,.1f} ms")
    reads.clear()


def edit_latency(path: Path, label: str, edits: int = 5) -> None:
    """The first JB* evaluation after each of ``edits`` edits: read + compute, transfer excluded."""
    book = open_book(path)
    volumes = book.sheets[contract.VOLUMES]
    rows = sum(1 for (_, col), value in volumes._cells.items() if col == 4 and isinstance(value, float))
    caller = fake.FakeCaller(book.sheets[0].range("A1"))
    codes = [row[0] for row in udf_service.allocation_table(book, YEAR)[1:]]
    cell = volumes.range("D3")  # a 业务量 cell in both layouts (title line, header, data)
    assert isinstance(cell.value, float), cell.value
    spent, moved = [], []
    for edit in range(edits):
        cell.value = cell.value + 1
        bump_revision(book)
        transfer[0] = 0.0
        start = time.perf_counter()
        answer = U.JBSCORE(codes[edit % len(codes)], YEAR, caller)
        spent.append(time.perf_counter() - start - transfer[0])
        moved.append(transfer[0])
        assert isinstance(answer, float), answer
        start = time.perf_counter()
        U.JBGRADE(codes[0], YEAR, caller)  # the next cell of the same recalculation: cached
        cached = time.perf_counter() - start
    print(f"{label:<7} {path.name} ({rows:,} 业务量 rows, {len(codes)} centers): first JB* call after "
          f"an edit {statistics.median(spent):.3f} s median (min {min(spent):.3f} s, {edits} edits); "
          f"stand-in transfer excluded: {statistics.median(moved):.3f} s; the next call "
          f"{cached * 1e3:.2f} ms")


def main() -> None:
    demo = ROOT / "workbook" / "demo.xlsm"
    book = open_book(demo)
    codes = [row[0] for row in udf_service.allocation_table(book, YEAR)[1:]]
    reads.clear()
    udf_service.CACHE.__init__()
    print(f"{demo.name}: {CELLS} volatile UDF cells over {len(codes)} centers\n")
    report("first recalculation", recalculate(book, codes))
    report("recalculation, no edit", recalculate(book, codes))
    volumes = book.sheets[contract.VOLUMES]
    volumes.range("D3").value = (volumes.range("D3").value or 0) + 1
    bump_revision(book)
    report("after an edit (revision bumped)", recalculate(book, codes))
    plain = open_book(demo, revision=False)
    udf_service.CACHE.__init__()
    reads.clear()
    report("book without JBSYS_REVISION", recalculate(plain, codes))
    print("\nLatency after an edit (read + compute; COM transfer excluded, see the docstring):")
    edit_latency(demo, "demo")
    edit_latency(generate.workbooks(generate.SIZES["medium"])[0], "medium")


if __name__ == "__main__":
    main()
