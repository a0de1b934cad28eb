"""Cell value parsers: one raw cell value (as calamine, csv or xlwings gives it) → typed value.

Each parser returns the typed value, ``None`` for an empty cell, or raises :class:`BadValue`
with the Chinese reason; the caller adds the sheet and cell, so messages read
``业务量!D17：业务量“十二”不是数字``.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .. import contract
from ..model import Month

CENT = Decimal("0.01")
_MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_DAY_RE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
                     r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_PERCENT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*[%％]$")


class BadValue(ValueError):
    """A cell value that cannot be read as the type its column needs."""


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value) -> str:
    """The value as a person typed it, for quoting in a message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    return str(value).strip()


def text(value) -> str | None:
    """Free text; numbers typed into text columns (a code such as 1001) read as their digits."""
    if is_empty(value):
        return None
    return show(value)


def number(value, label: str) -> Decimal | None:
    """An exact decimal; floats are read through their shortest repr (0.1 → Decimal('0.1'))."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise BadValue(f"{label}“{show(value)}”不是数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise BadValue(f"{label}“{show(value)}”不是数字")
        return Decimal(repr(value))
    if isinstance(value, str):
        cleaned = value.strip().replace(",", "").replace("，", "")
        try:
            result = Decimal(cleaned)
        except InvalidOperation:
            raise BadValue(f"{label}“{show(value)}”不是数字") from None
        if not result.is_finite():
            raise BadValue(f"{label}“{show(value)}”不是数字")
        return result
    raise BadValue(f"{label}“{show(value)}”不是数字")


def non_negative(value, label: str) -> Decimal | None:
    result = number(value, label)
    if result is not None and result < 0:
        raise BadValue(f"{label}“{show(value)}”不能为负数")
    return result


def money(value, label: str) -> Decimal | None:
    """Yuan, rounded half-up to the fen as the spec requires for every money cell."""
    result = non_negative(value, label)
    return None if result is None else result.quantize(CENT, rounding=ROUND_HALF_UP)


def integer(value, label: str) -> int | None:
    result = number(value, label)
    if result is None:
        return None
    if result != result.to_integral_value():
        raise BadValue(f"{label}“{show(value)}”不是整数")
    return int(result)


def year(value, label: str = "年度") -> int | None:
    if isinstance(value, str) and value.strip().endswith("年"):
        value = value.strip()[:-1]
    result = integer(value, label)
    if result is not None and not 1900 <= result <= 9999:
        raise BadValue(f"{label}“{show(value)}”不是有效年度")
    return result


def percent(value, label: str) -> Decimal | None:
    """A share in [0, 1]: a number (what a percent-formatted cell stores) or text like 5%."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        match = _PERCENT_RE.match(value.strip())
        if match:
            result = Decimal(match.group(1)) / 100
        else:
            try:
                result = number(value, label)
            except BadValue:
                raise BadValue(f"{label}“{show(value)}”不是百分比（应为 0～1 的数或如 5% 的文字）") from None
    else:
        try:
            result = number(value, label)
        except BadValue:
            raise BadValue(f"{label}“{show(value)}”不是百分比（应为 0～1 的数或如 5% 的文字）") from None
    if not 0 <= result <= 1:
        raise BadValue(f"{label}“{show(value)}”不在 0%～100% 之间")
    return result


def yes_no(value, label: str) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    word = show(value).upper()
    if word in contract.YES_WORDS:
        return True
    if word in contract.NO_WORDS:
        return False
    raise BadValue(f"{label}“{show(value)}”应为“是”或“否”")


def choice(value, label: str, allowed: tuple[str, ...]) -> str | None:
    if is_empty(value):
        return None
    word = show(value)
    if word not in allowed:
        raise BadValue(f"{label}“{word}”不是允许的值（应为{'、'.join(allowed)}之一）")
    return word


def unit(value, label: str = "金额单位") -> Decimal | None:
    if is_empty(value):
        return None
    words = {"元": Decimal("1"), "分": Decimal("0.01")}
    if isinstance(value, str) and value.strip() in words:
        return words[value.strip()]
    try:
        result = number(value, label)
    except BadValue:
        result = None
    for allowed in contract.UNITS:  # the canonical Decimal: 1.0 would quantize to 0.1
        if result == allowed:
            return allowed
    raise BadValue(f"{label}“{show(value)}”不是允许的值（应为 0.01 或 1）")


def day(value, label: str) -> date | None:
    """A calendar date: a date cell or text such as 2024-03-15; a bare number is refused
    rather than guessed at (3 could be a day, a month or a serial)."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DAY_RE.match(value.strip())
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
    raise BadValue(f"{label}“{show(value)}”不是有效日期（应为日期或如 2024-03-15 的文字）")


def month(value, label: str = "月份") -> Month | None:
    """A month: a date cell (any day), or text 2024-03, 2024/03, 2024年3月 (or a full date)."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        match = _MONTH_RE.match(value.strip())
        if match:
            y, m = int(match.group(1)), int(match.group(2))
            if 1 <= m <= 12:
                return (y, m)
            raise BadValue(f"{label}“{show(value)}”不是有效月份")
    try:
        result = day(value, label)
    except BadValue:
        raise BadValue(f"{label}“{show(value)}”不是有效月份（应为日期或如 2024-03、2024/03、2024年3月 的文字）") from None
    return (result.year, result.month)
