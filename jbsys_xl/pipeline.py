"""One pipeline behind every door (CLI, ribbon macro, UDFs): read → validate → allocate."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import contract
from .io.dataset import build_dataset, latest_year
from .io.reader import RawBook, SourceError, read_source
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


def run(source: str | Path | RawBook, year: int | None = None) -> Outcome:
    """Validate and allocate one year (default: the latest 年度 in 参数); errors are returned as
    checks, never raised."""
    if isinstance(source, RawBook):
        book = source
    else:
        try:
            book = read_source(source)
        except SourceError as exc:  # reported like any other error: exit 2, JSON with ok: false
            return Outcome(year, [Check("error", "", "", str(exc))], None, RawBook({}, str(source)))
    if year is None:
        year = latest_year(book)
    if year is None:
        return Outcome(None, [Check("error", contract.PARAMS, "", "“参数”表中没有任何年度的参数行，"
                                    "请先填写本年度的参数行（或用 --year 指定年度）")], None, book)
    dataset, checks = build_dataset(book, year)
    allocation = None
    if dataset is not None:
        allocation, rule_checks = allocate(dataset)
        checks = checks + rule_checks
    return Outcome(year, checks, allocation, book)
