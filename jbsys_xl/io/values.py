"""Cell value parsers: one raw cell value (as calamine, csv or xlwings gives it) → typed value.

Each parser returns the typed value, ``None`` for an empty cell, or raises :class:`BadValue`
with the Chinese reason; the caller adds the sheet and cell, so messages read
``业务量!D17：业务量“十二”不是数字``.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import wraps

from .. import contract
from ..model import Month
from .names import normalize

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 12  # no fund is a trillion yuan; far larger would not even round to the fen
_MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月份?)?$")
_COMPACT_MONTH_RE = re.compile(r"^(\d{4})(\d{2})$")  # 202403: the 金保 所属期 form
_DAY_RE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
                     r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT_DAY_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 20240305
_PERCENT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*[%％]$")


class BadValue(ValueError):
    """A cell value that cannot be read as the type its column needs."""


class CellError:
    """A cell that shows something in Excel but holds no usable value: an error value such as
    ``#N/A``, or a formula whose result was never saved (files written by scripts). Readers
    put one in place of the value so no parser can mistake the cell for a blank."""

    __slots__ = ("code",)
    UNCACHED = ""  # code of a formula without a saved result

    def __init__(self, code: str):
        self.code = code

    def __eq__(self, other) -> bool:
        return isinstance(other, CellError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("CellError", self.code))

    def __repr__(self) -> str:
        return f"CellError({self.code!r})"

    def __str__(self) -> str:
        return self.code or "=?"

    @property
    def message(self) -> str:
        if self.code == self.UNCACHED:
            return ("单元格是没有保存计算结果的公式（多见于程序生成的文件），"
                    "请在 Excel 中打开并保存，或复制后“粘贴为数值”")
        return f"单元格是错误值 {self.code}，请先更正公式或数据"


def refuse_cell_errors(parser):
    """Every parser starts by refusing an error cell: it is neither blank nor a value."""
    @wraps(parser)
    def checked(value, *args, **kwargs):
        if isinstance(value, CellError):
            raise BadValue(value.message)
        return parser(value, *args, **kwargs)
    return checked


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value) -> str:
    """The value as a person typed it, for quoting in a message."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    if isinstance(value, str) and value.endswith(_MIDNIGHT) and _DAY_RE.match(value):
        return value[:-len(_MIDNIGHT)]  # a date cell read as text (column-wise reads)
    return str(value).strip()


_MIDNIGHT = " 00:00:00"


@refuse_cell_errors
def text(value) -> str | None:
    """Free text; numbers typed into text columns (a code such as 1001) read as their digits."""
    if is_empty(value):
        return None
    return show(value)


@refuse_cell_errors
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


@refuse_cell_errors
def non_negative(value, label: str) -> Decimal | None:
    result = number(value, label)
    if result is not None and result < 0:
        raise BadValue(f"{label}“{show(value)}”不能为负数")
    return result


@refuse_cell_errors
def money(value, label: str) -> Decimal | None:
    """Yuan, rounded half-up to the fen as the spec requires for every money cell."""
    result = non_negative(value, label)
    if result is not None and result >= MONEY_LIMIT:
        raise BadValue(f"{label}“{show(value)}”太大（超过 1 万亿元），请核对")
    return None if result is None else result.quantize(CENT, rounding=ROUND_HALF_UP)


# Beyond 64 bits no count, year or serial number is meant: a long ID pasted in, or 1E+400.
# Refused before int() — which would build a 400-digit number, and numpy would overflow on it.
INTEGER_LIMIT = 2 ** 63
MAX_COUNT = 1_000_000  # cases per row and month (spec §2, 金保 §3): more is an ID pasted in


@refuse_cell_errors
def integer(value, label: str) -> int | None:
    result = number(value, label)
    if result is None:
        return None
    if result.copy_abs() >= INTEGER_LIMIT:  # copy_abs: no context, so no decimal.Overflow
        raise BadValue(f"{label}是一个 {_digits(result):,} 位的数，太大，不是合理的值（可能误填了证件号码或卡号）")
    if result != result.to_integral_value():
        raise BadValue(f"{label}“{show(value)}”不是整数")
    return int(result)


@refuse_cell_errors
def count(value, label: str) -> int | None:
    """A number of cases (业务量, 金保 counts): a whole number from 0 to 999,999. A million or
    more in one row is no center's month of one item but an ID or card number in the wrong cell."""
    result = non_negative(value, label)
    if result is None:
        return None
    if result >= MAX_COUNT:  # not quoted: it may well be someone's ID number
        raise BadValue(f"{label}是一个 {_digits(result):,} 位的数：一行不应达到 {MAX_COUNT:,} 件，"
                       f"可能误粘贴了证件号码、卡号或编号，请核对")
    if result != result.to_integral_value():
        raise BadValue(f"{label}“{show(value)}”不是整数（{label}是办件笔数）")
    return int(result)


def _digits(number: Decimal) -> int:
    """Digits before the decimal point of a number of 1 or more."""
    return number.adjusted() + 1


@refuse_cell_errors
def year(value, label: str = "年度") -> int | None:
    if isinstance(value, str) and value.strip().endswith("年"):
        value = value.strip()[:-1]
    result = integer(value, label)
    if result is not None and not 1900 <= result <= 9999:
        raise BadValue(f"{label}“{show(value)}”不是有效年度")
    return result


@refuse_cell_errors
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


@refuse_cell_errors
def yes_no(value, label: str) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    word = normalize(show(value)).upper()  # Ｙ and ｙｅｓ typed in full-width mode are Y and YES
    if word in contract.YES_WORDS:
        return True
    if word in contract.NO_WORDS:
        return False
    raise BadValue(f"{label}“{show(value)}”应为“是”或“否”")


@refuse_cell_errors
def choice(value, label: str, allowed: tuple[str, ...]) -> str | None:
    """One of a closed list, as the list writes it; compared in normal form (spec §1: NFKC,
    trimmed), so ``Ａ＋`` typed in full-width mode is ``A+``."""
    if is_empty(value):
        return None
    word = show(value)
    form = normalize(word)
    for option in allowed:
        if normalize(option) == form:
            return option
    raise BadValue(f"{label}“{word}”不是允许的值（应为{'、'.join(allowed)}之一）")


@refuse_cell_errors
def unit(value, label: str = "金额单位") -> Decimal | None:
    if is_empty(value):
        return None
    words = {"元": Decimal("1"), "分": Decimal("0.01")}
    if isinstance(value, str) and normalize(value) in words:
        return words[normalize(value)]
    try:
        result = number(value, label)
    except BadValue:
        result = None
    for allowed in contract.UNITS:  # the canonical Decimal: 1.0 would quantize to 0.1
        if result == allowed:
            return allowed
    raise BadValue(f"{label}“{show(value)}”不是允许的值（应为 0.01 或 1）")


@refuse_cell_errors
def day(value, label: str) -> date | None:
    """A calendar date: a date cell or text such as 2024-03-15; a bare number is refused
    rather than guessed at (3 could be a day, a month or a serial)."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = None
    if isinstance(value, str):
        match = _DAY_RE.match(value.strip()) or _COMPACT_DAY_RE.match(value.strip())
    elif _whole(value):
        match = _COMPACT_DAY_RE.match(str(int(value)))
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise BadValue(f"{label}“{show(value)}”不是有效日期（应为日期或如 2024-03-15 的文字）")


def _whole(value) -> bool:
    """A whole number cell (not TRUE/FALSE): how 202403 or 20240305 arrive from a number cell."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and float(value).is_integer())


@refuse_cell_errors
def month(value, label: str = "月份") -> Month | None:
    """A month: a date cell (any day), text 2024-03, 2024/03, 2024年3月, 2024年3月份 (or a full
    date), or 202403 as text or number — the 所属期 form of 金保 exports. Other bare numbers
    (a serial date, 3) are refused rather than guessed."""
    if is_empty(value):
        return None
    match = None
    if isinstance(value, str):
        match = _MONTH_RE.match(value.strip()) or _COMPACT_MONTH_RE.match(value.strip())
    elif _whole(value):
        match = _COMPACT_MONTH_RE.match(str(int(value)))
    if match:
        y, m = int(match.group(1)), int(match.group(2))
        if 1 <= m <= 12:
            return (y, m)
        raise BadValue(f"{label}“{show(value)}”不是有效月份")
    try:
        result = day(value, label)
    except BadValue:
        raise BadValue(f"{label}“{show(value)}”不是有效月份（应为日期或如 2024-03、2024年3月、"
                       f"202403 的文字）") from None
    return (result.year, result.month)
