"""What a recalculation costs with 300 JB* cells, before and after issue 29, on the stand-in.

Excel recalculates every volatile UDF cell after any edit, in any open workbook. This opens a
macro workbook in the xlwings stand-in (tests/support/fake_xlwings.py) twice: once with the
template's VBA as it is now (tests/support/excel_books.py: TemplateVba) and once with a model
of the VBA of commit d6f8c6b (:class:`BeforeVba` below, with that template's two-key
xlwings.conf sheet). Both run over the add-in's own lookups, read from the installed xlwings
source (tests/support/xlwings_addin.py): every XLPy call asks GetConfig for ~14 settings, and
a key missing from the workbook's xlwings.conf sheet costs two file checks and an open of the
user's global xlwings.conf; a new command line starts a new UDF server (xlwings #787).

For each step it prints: full reads of the input tables (each one a pipeline run), XLPy calls,
GetConfig lookups, opens of the global xlwings.conf, UDF servers started, and the time the
stand-in spent (the Python side; Excel's COM transfer and the add-in's VBA are not timed here:
the counts are what they cost on Windows, and verify_on_windows.py times the same steps there).

    .venv/bin/python bench/udf_recalc.py [--medium]

``--medium`` builds build/bench/medium.xlsm (the template with bench/generate.py's medium
data: 200 centers, 129,600 业务量 rows) once and measures that instead of demo.xlsm.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jbsys_xl import contract  # noqa: E402
from jbsys_xl.excel import macros, udf_service  # noqa: E402
from jbsys_xl.excel.setup import UDF_MODULES  # noqa: E402
from jbsys_xl.io.atomic import write_atomic  # noqa: E402
from tests.support import fake_xlwings as fake  # noqa: E402
from tests.support.excel_books import TemplateVba, open_book, udf_cell  # noqa: E402
from tests.support.xlwings_addin import XlwingsAddin  # noqa: E402
import udfs.jbsys_udfs as U  # noqa: E402

CELLS = 300
ON_CENTERS = 20  # JB* cells beside the rows of 中心, the natural layout (S2c)
YEAR = 2024
CONFIG_BEFORE = (("UDF Modules", UDF_MODULES), ("ADD_WORKBOOK_TO_PYTHONPATH", "False"))
CACHES: list[udf_service.OutcomeCache] = []  # one per UDF server process (the stand-in has one)


class BeforeVba(TemplateVba):
    """The template's VBA at commit d6f8c6b, as the review of 2026-12-06 read it: every JB*
    wrapper calls the add-in's XLPy (XLPyLoadDLL, XLPyCommand), whichever workbook is active;
    JbInputChanged counts every SheetChange and SheetCalculate of an input sheet before its
    guard (JbState.bas:39-40), a JB* cell's own recalculation included; and the workbook's
    xlwings.conf sheet held two keys."""

    def __init__(self, book: fake.Book) -> None:
        super().__init__(book)
        self.caches: dict[str, udf_service.OutcomeCache] = {}
        sheet = book.sheets["xlwings.conf"]
        sheet._cells = {cell: value for cell, value in sheet._cells.items() if cell[1] > 2}
        for row, (key, value) in enumerate(CONFIG_BEFORE, start=1):
            sheet._cells[(row, 1)], sheet._cells[(row, 2)] = key, value
        book.events["SheetChange"] = lambda sheet, target: self.old_input_changed(sheet._codename)
        book.events["SheetCalculate"] = lambda sheet: self.old_input_changed(sheet._codename)

    def revision(self) -> str:
        self.asked = True
        if self.book.app.enable_events:
            return f"{self.session}:{self.edits}:{''.join(f'{n}/' for n in self.book.sheet_names)}"
        self.edits += 1
        return f"{self.session}:off{self.edits}"

    def old_input_changed(self, codename: str) -> None:
        if codename not in self.input_codenames():
            return
        self.edits += 1
        if self.recalculating or not self.asked or self.book.app.calculation == "manual":
            return
        self.recalculate()

    def call_udf(self, function, args, caller):
        """XLPy on every call, with whichever workbook is active: a new command line is a new
        UDF server, a new process with an empty cache of its own."""
        server = XlwingsAddin.of(self.book.app).xlpy(self.book.app.books.active)
        if server not in self.caches:  # the first server is the stand-in's own cache
            self.caches[server] = udf_service.CACHE if not self.caches else udf_service.OutcomeCache()
            if self.caches[server] not in CACHES:
                CACHES.append(self.caches[server])
        main, udf_service.CACHE = udf_service.CACHE, self.caches[server]
        try:
            return function(*args, revision=self.revision(), caller=caller)
        finally:
            udf_service.CACHE = main


@dataclass
class Counts:
    reads: int = 0
    xlpy: int = 0
    lookups: int = 0
    opens: int = 0
    servers: int = 0
    seconds: float = 0.0


def measure(book: fake.Book, action) -> Counts:
    addin = XlwingsAddin.of(book.app)

    def now():
        return (sum(cache.reads for cache in CACHES), addin.activations, addin.lookups,
                addin.file_opens, len(addin.servers))

    before = now()
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    after = now()
    return Counts(*(b - a for a, b in zip(before, after)), seconds)


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


def volume_cell(book: fake.Book) -> fake.Range:
    volumes = book.sheets[contract.VOLUMES]
    used = volumes.used_range
    top, header = next((used.row + i, row) for i, row in enumerate(used.options(ndim=2).value)
                       if "业务量" in row)
    return volumes.range((top + 1, used.column + header.index("业务量")))


def scenario(path: Path, model: str) -> dict[str, Counts]:
    """Every step on a fresh copy of the workbook with the VBA of ``model``."""
    udf_service.CACHE.__init__()
    CACHES[:] = [udf_service.CACHE]
    book = open_book(path)
    if model == "before":
        BeforeVba(book)
    codes = [row[0] for row in udf_service.allocation_table(book, None, YEAR)[1:]]
    functions = [(U.JBSCORE, ()), (U.JBSUBSIDY, ()), (U.JBGRADE, ())]
    amount = volume_cell(book)
    outside = book.sheets[contract.RESULT_SHEET].range("Z1")
    steps: dict[str, Counts] = {}

    def type_cells():
        for i in range(CELLS):
            function, extra = functions[i % 3]
            udf_cell(book, "使用说明", f"F{i + 1}", function, codes[i % len(codes)], YEAR, *extra)

    steps["typing 300 formulas on 使用说明"] = measure(book, type_cells)
    steps["F9, no edit"] = measure(book, book.app.calculate)
    steps["edit a 业务量 cell"] = measure(book, lambda: setattr(amount, "value", (amount.value or 0) + 1))
    steps["edit a cell outside the inputs"] = measure(book, lambda: setattr(outside, "value", "x"))
    other = fake.Book(r"C:\Users\张三\Documents\预算.xlsx", ["Sheet1"], app=book.app)
    steps["edit a cell of another workbook"] = measure(
        book, lambda: setattr(other.sheets[0].range("A1"), "value", 1))
    steps["  … and a second edit there"] = measure(
        book, lambda: setattr(other.sheets[0].range("A2"), "value", 2))
    steps["back to this workbook"] = measure(book, book.activate)
    for row in range(ON_CENTERS):
        sheet = book.sheets["使用说明"]
        sheet._formulas.pop((row + 1, 6), None)
        udf_cell(book, contract.CENTERS, f"Z{row + 3}", U.JBSCORE, codes[row % len(codes)], YEAR)
    amount.value = amount.value + 1  # not measured: what moving the cells left counted settles
    steps[f"{ON_CENTERS} of them beside 中心's rows: edit 业务量"] = measure(
        book, lambda: setattr(amount, "value", amount.value + 1))
    steps["  … edit outside the inputs"] = measure(book, lambda: setattr(outside, "value", "y"))
    steps["生成分配 (generate_allocation)"] = measure(book, lambda: macros.generate_allocation(book))
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medium", action="store_true", help="the medium bench workbook")
    args = parser.parse_args()
    path = medium_workbook() if args.medium else ROOT / "workbook" / "demo.xlsm"
    results = {model: scenario(path, model) for model in ("before", "after")}
    centers = len([row for row in udf_service.allocation_table(open_book(path), None, YEAR)[1:]])
    print(f"{path.name}: {CELLS} volatile JB* cells over {centers} centers; before = the VBA of "
          "d6f8c6b, after = this commit\n")
    print(f"{'step':<42} {'model':<7} {'reads':>5} {'XLPy':>5} {'GetConfig':>9} "
          f"{'conf opens':>10} {'servers':>7} {'Python ms':>10}")
    for step in results["after"]:
        for model in ("before", "after"):
            c = results[model][step]
            print(f"{step if model == 'before' else '':<42} {model:<7} {c.reads:>5} {c.xlpy:>5} "
                  f"{c.lookups:>9,} {c.opens:>10,} {c.servers:>7} {c.seconds * 1e3:>10,.1f}")


if __name__ == "__main__":
    main()
