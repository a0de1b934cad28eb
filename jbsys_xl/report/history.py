"""The year before, from the same input: what 同比 and the 告知书's 上年 → 本年 compare with."""
from __future__ import annotations

from ..model import Allocation
from ..pipeline import Outcome, run


def previous_allocation(outcome: Outcome) -> Allocation | None:
    """The year before from the same input, when that year is there and valid."""
    previous = run(outcome.book, outcome.year - 1)
    return previous.allocation if previous.ok else None
