"""The moment of a run, as every output states it (documents.md §0).

制表日期 is the date of the run in Beijing time whatever the machine's time zone; the
reproducible-builds variable ``SOURCE_DATE_EPOCH`` (seconds since 1970) fixes the moment, so the
same inputs on the same moment give the same bytes — the tests rely on it.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "北京时间")
ENV = "SOURCE_DATE_EPOCH"


class ClockError(ValueError):
    """SOURCE_DATE_EPOCH is set but is not a whole number of seconds."""


def run_moment() -> datetime:
    """Now (or SOURCE_DATE_EPOCH) in Beijing time, to the second, time zone attached."""
    fixed = os.environ.get(ENV, "").strip()
    if fixed:
        try:
            seconds = int(fixed)
        except ValueError:
            raise ClockError(f"环境变量 {ENV}=“{fixed}”不是整数秒数（自 1970-01-01 起）；"
                             f"请改正或删除它") from None
        return datetime.fromtimestamp(seconds, BEIJING)
    return datetime.now(BEIJING).replace(microsecond=0)


def run_date() -> date:
    """制表日期: the day of the run in Beijing."""
    return run_moment().date()


def utc_moment() -> datetime:
    """The run's moment in UTC: what a workbook's created/modified properties hold (XlsxWriter
    writes the time it is given with a Z)."""
    return run_moment().astimezone(timezone.utc)


def chinese_date(day: date) -> str:
    """2024年12月20日, as documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"
