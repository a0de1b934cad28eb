"""How many times a recalculation reads the input tables, and what one UDF call costs.

Excel recalculates all volatile UDF cells after any edit. This opens workbook/demo.xlsm in the
xlwings stand-in (tests/support/fake_xlwings.py), fills a sheet with 300 UDF cells and
recalculates: once, once more without an edit, and after an edit (the VBA's revision bump).
Reads are counted per input sheet as calls to ``used_range``, the only way the layer reads.

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


if __name__ == "__main__":
    main()
