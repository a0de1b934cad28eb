"""One pipeline behind every door (CLI, ribbon macro, UDFs, page): read → validate → allocate."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import contract
from .doors import CLI, Door
from .io.dataset import build_dataset, latest_year
from .io.reader import RawBook, SourceError, read_source
from .jinbao import wrong_workbook as wrong
from .model import Allocation, Check, Dataset, Findings
from .rules.allocate import allocate


@dataclass
class Outcome(Findings):
    year: int | None  # None when no year was given and 参数 holds none
    checks: list[Check]
    allocation: Allocation | None
    book: RawBook

    @property
    def ok(self) -> bool:
        return self.allocation is not None and not self.errors

    @property
    def dataset(self) -> Dataset | None:
        return self.allocation.dataset if self.allocation else None


def run(source: str | Path | RawBook, year: int | None = None, door: Door = CLI) -> Outcome:
    """Validate and allocate one year (default: the latest 年度 in 参数); errors are returned as
    checks, never raised. ``door`` words the remedies that differ between the CLI and the page."""
    if isinstance(source, RawBook):
        book = source
    else:
        path = Path(source)
        try:
            book = read_source(path)
        except SourceError as exc:  # reported like any other error: exit 2, JSON with ok: false
            return _refused(year, path, wrong.export(path, door.jinbao) or str(exc))
        if message := wrong.other_file(path, book, door.jinbao):
            return _refused(year, path, message)
    if year is None:
        year = latest_year(book)
    if year is None:
        return Outcome(None, [Check("error", contract.PARAMS, "", "“参数”表中没有任何年度的参数行，"
                                    f"请先填写本年度的参数行（或{door.year}）")], None, book)
    dataset, checks = build_dataset(book, year)
    allocation = None
    if dataset is not None:
        allocation, rule_checks = allocate(dataset)
        checks = checks + rule_checks
    return Outcome(year, checks, allocation, book)


def _refused(year: int | None, path: Path, message: str) -> Outcome:
    """A file that is no allocation workbook: one error, under the file's name (never its
    folder: on the page that is the server's private folder)."""
    return Outcome(year, [Check("error", "", "", message)], None, RawBook({}, path.name))
