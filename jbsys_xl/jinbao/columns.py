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

    def __init__(self, raw: np.ndarray, parse: Callable):
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        self.codes = codes
        self.uniques = list(uniques)
        self.values: list = []
        self.errors: list[str | None] = []
        for unique in self.uniques:
            if v.is_empty(unique):
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
        self.blank = np.array([v.is_empty(u) for u in self.uniques] + [True], dtype=bool)[codes]
        self.bad = np.array([e is not None for e in self.errors] + [False], dtype=bool)[codes]

    def message(self, row: int) -> str:
        return self.errors[self.codes[row]]

    def shown(self, row: int) -> str:
        """The cell as written, for a message (never used on personal columns)."""
        code = self.codes[row]
        return "" if code < 0 else v.show(self.uniques[code])

    def mapped(self, convert: Callable, missing: int = -1) -> np.ndarray:
        """An int per row: ``convert(value)`` of its parsed value, ``missing`` where blank/bad."""
        table = [missing if value is None else convert(value) for value in self.values] + [missing]
        return np.asarray(table, dtype=np.int64)[self.codes]


def name_of(value) -> str | None:
    """A name cell (institution, item, status, case id) in normal form."""
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
