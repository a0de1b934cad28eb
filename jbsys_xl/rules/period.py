"""Who was assessed on part of the year (allocation-rules §2 v4, documents.md §2).

A center that opened during the year, or whose 业务量 starts months into the period, is scored
on fewer months than the others — the regulation says nothing on pro-rating, so the money is
not changed; the run warns and the 告知书 states the months actually assessed, e.g.
``考核期内有业务量的月份：2024-06 至 2024-11（按全年考核）``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Center, Dataset, Month, month_text

LATE_START = 3  # months after the period's start: a first 业务量 month this late is part-year


def month_number(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


@dataclass(frozen=True)
class PartYear:
    """A center assessed on part of the year: its months with 业务量 in the period (first and
    last, how many; none at all is possible), whether its first such month is LATE_START or more
    months into the period (or it has none), and whether its 启用年度 is the year."""

    first: Month | None
    last: Month | None
    count: int
    late: bool
    opened: bool

    @property
    def months_text(self) -> str:
        """``2024-06 至 2024-11``, ``2024-06`` for one month, ``无`` for none."""
        if self.first is None:
            return "无"
        if self.first == self.last:
            return month_text(self.first)
        return f"{month_text(self.first)} 至 {month_text(self.last)}"


def part_year(data: Dataset, code: str) -> PartYear | None:
    """The part of the year center ``code`` (active) was assessed on, or None when it ran the
    whole period: its first month with 业务量 comes LATE_START or more months after the period's
    start (or it has none), or its 启用年度 is the year."""
    return center_part_year(data, next(c for c in data.centers if c.code == code))


def center_part_year(data: Dataset, center: Center) -> PartYear | None:
    """:func:`part_year` of a center at hand (no search: every center of a large year)."""
    months = data.months.get(center.code, ())
    opened = center.start_year == data.settings.year
    late = not months or month_number(months[0]) - month_number(data.settings.period_start) >= LATE_START
    if not (late or opened):
        return None
    return PartYear(months[0] if months else None, months[-1] if months else None, len(months), late,
                    opened)
