"""One pipeline behind every door (CLI, ribbon macro, UDFs): read → validate → allocate."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .io.dataset import build_dataset
from .io.reader import RawBook, SourceError, read_source
from .model import Allocation, Check, Dataset
from .rules.allocate import allocate


@dataclass
class Outcome:
    year: int
    checks: list[Check]
    allocation: Allocation | None
    book: RawBook

    @property
    def ok(self) -> bool:
        return self.allocation is not None and not self.errors

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.level == "error"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.level == "warning"]

    @property
    def dataset(self) -> Dataset | None:
        return self.allocation.dataset if self.allocation else None


def run(source: str | Path | RawBook, year: int) -> Outcome:
    """Validate and allocate one year; errors are returned as checks, never raised."""
    if isinstance(source, RawBook):
        book = source
    else:
        try:
            book = read_source(source)
        except SourceError as exc:  # reported like any other error: exit 2, JSON with ok: false
            return Outcome(year, [Check("error", "", "", str(exc))], None, RawBook({}, str(source)))
    dataset, checks = build_dataset(book, year)
    allocation = None
    if dataset is not None:
        allocation, rule_checks = allocate(dataset)
        checks = checks + rule_checks
    return Outcome(year, checks, allocation, book)
