"""A sheet column parsed once per distinct value: exports run to hundreds of thousands of rows,
so each distinct text is parsed by the shared parsers of :mod:`jbsys_xl.io.values` once, and
rows carry integer codes into the results (numpy, no Python work per row)."""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..io import values as v
from ..io.names import normalize


class Column:
    """``codes[r]`` indexes ``values``/``errors`` for row r, -1 for a blank cell.

    ``blank``: the cell is empty or only spaces; ``bad``: it holds something the parser refused
    (an error cell included), with the reason in ``message(r)``."""

    def __init__(self, raw: np.ndarray, parse: Callable, original: np.ndarray | None = None):
        """``original``: the cells as written when ``raw`` is a reduced form of them (dates
        without their clock time, so that a year has a few hundred distinct values); messages
        quote the original."""
        self.parse, self.original = parse, original
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        self.codes = codes
        self.uniques = list(uniques)
        self.values: list = []
        self.errors: list[str | None] = []
        blank = []
        for unique in self.uniques:
            empty = v.is_empty(unique)
            blank.append(empty)
            if empty:
                self.values.append(None)
                self.errors.append(None)
                continue
            try:
                self.values.append(parse(unique))
                self.errors.append(None)
            except v.BadValue as bad:
                self.values.append(None)
                self.errors.append(str(bad))
        # a sentinel after the uniques answers for code -1 (blank)
        self.blank = np.array(blank + [True], dtype=bool)[codes]
        self.bad = np.array([e is not None for e in self.errors] + [False], dtype=bool)[codes]

    def message(self, row: int) -> str:
        if self.original is not None:
            try:
                self.parse(self.original[row])
            except v.BadValue as bad:
                return str(bad)
        return self.errors[self.codes[row]]

    def shown(self, row: int) -> str:
        """The cell as written, for a message (never used on personal columns)."""
        if self.original is not None:
            return v.show(self.original[row]) if self.original[row] is not None else ""
        code = self.codes[row]
        return "" if code < 0 else v.show(self.uniques[code])

    def mapped(self, convert: Callable, missing: int = -1) -> np.ndarray:
        """An int per row: ``convert(value)`` of its parsed value, ``missing`` where blank/bad."""
        table = [missing if value is None else convert(value) for value in self.values] + [missing]
        return np.asarray(table, dtype=np.int64)[self.codes]


def name_of(value) -> str | None:
    """A name cell (institution, item, status, case id) in normal form. Text — every value of
    an export but error cells — takes the short way: a case-id column is all distinct values."""
    if type(value) is str:
        return normalize(value) or None
    found = v.text(value)
    return None if found is None else normalize(found)


# The time of day values.day accepts after a date. Timestamps are nearly all distinct, so each
# calendar day is parsed once and the time only checked; anything else goes to values.day whole.
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


def day_parser(label: str) -> Callable:
    days: dict[str, object] = {}

    def parse(value):
        if isinstance(value, str):
            head, space, tail = value.strip().partition(" ")
            if space and _CLOCK.fullmatch(tail):
                if head not in days:
                    try:
                        days[head] = v.day(head, label)
                    except v.BadValue:
                        days[head] = None
                if days[head] is not None:
                    return days[head]
        return v.day(value, label)

    return parse


def month_index(month: tuple[int, int]) -> int:
    return month[0] * 12 + month[1] - 1


def month_of_index(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1
