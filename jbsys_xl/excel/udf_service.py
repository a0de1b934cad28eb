"""What the worksheet functions (=JBSCORE and friends) answer, over one cached pipeline run.

Excel recalculates every volatile UDF cell after any edit. Reading the input tables once per
cell would cost 300 reads for 300 cells, so the answers come from one cached Outcome per
(workbook, revision, year). The revision is a workbook name the template's VBA bumps on every
Workbook_SheetChange: checking it is one small COM call. A book without that name (not made
from our template) is read afresh on each call — slower, never stale.
"""
from __future__ import annotations

from decimal import Decimal

from .. import contract
from ..io.lookup import item_lookup
from ..model import Allocation, CenterResult
from ..pipeline import Outcome, run
from ..report.json_result import score_number
from .book_source import read_book, revision

ERROR_PREFIX = "#JB! "

PARTS = {
    "basic": "基础达标奖励", "workload": "工作量补助", "deduction": "扣减", "winner": "优胜奖励",
}
PART_ALIASES = {"基础": "basic", "基础达标": "basic", "基础达标奖励": "basic", "工作量": "workload",
                "工作量补助": "workload", "扣减": "deduction", "优胜": "winner", "优胜奖励": "winner"}


class UdfError(Exception):
    """A readable answer for the cell instead of a traceback."""


class OutcomeCache:
    """Pipeline outcomes by (book, revision, year); counts table reads for the benchmark."""

    def __init__(self) -> None:
        self._entries: dict[tuple, Outcome] = {}
        self.reads = 0

    def outcome(self, book, year: int) -> Outcome:
        rev = revision(book)
        key = (book.fullname, rev, year)
        if rev is None or key not in self._entries:
            self.reads += 1
            outcome = run(read_book(book), year)
            if rev is not None:
                self._entries = {k: v for k, v in self._entries.items() if k[:2] == key[:2]}
                self._entries[key] = outcome
            return outcome
        return self._entries[key]


CACHE = OutcomeCache()


def _year(value) -> int:
    try:
        year = int(float(value))
    except (TypeError, ValueError):
        raise UdfError(f"年度“{value}”不是数字") from None
    if year != float(value):
        raise UdfError(f"年度“{value}”不是整数")
    return year


def allocation(book, year) -> Allocation:
    outcome = CACHE.outcome(book, _year(year))
    if not outcome.ok:
        first = outcome.errors[0] if outcome.errors else "未知错误"
        raise UdfError(f"数据有误：{first}")
    return outcome.allocation


def center(book, code_or_name, year) -> CenterResult:
    result = allocation(book, year)
    key = str(code_or_name).strip() if code_or_name is not None else ""
    if isinstance(code_or_name, float) and code_or_name.is_integer():
        key = str(int(code_or_name))
    for c in result.centers:
        if key in (c.code, c.name):
            return c
    raise UdfError(f"未知中心：{key}")


def score(book, code_or_name, year) -> float:
    return score_number(center(book, code_or_name, year).score)


def factor(book, code_or_name, item, year) -> float:
    found = center(book, code_or_name, year)
    result = allocation(book, year)
    name = item_lookup(result.indicators).find(item)
    if name is None:
        raise UdfError(f"未知事项：{item}")
    return score_number(result.factors[(found.code, name)][1])


def grade(book, code_or_name, year) -> str:
    return center(book, code_or_name, year).grade


def award(book, code_or_name, year) -> float:
    return float(center(book, code_or_name, year).basic_award)


def subsidy(book, code_or_name, year, part=None) -> float:
    c = center(book, code_or_name, year)
    if part is None or (isinstance(part, str) and not part.strip()):
        return float(c.total)
    key = PART_ALIASES.get(str(part).strip(), str(part).strip().lower())
    amounts: dict[str, Decimal] = {
        "basic": c.basic_award,
        "workload": c.net_workload + c.redistributed,
        "deduction": c.complaint_deduction + c.error_deduction,
        "winner": c.winner_award,
    }
    if key not in amounts:
        allowed = "、".join(f"{k}（{v}）" for k, v in PARTS.items())
        raise UdfError(f"未知部分：{part}（应为 {allowed}）")
    return float(amounts[key])


def rank(book, code_or_name, year) -> int:
    return center(book, code_or_name, year).rank


def allocation_table(book, year) -> list[list]:
    """The allocation as a spilled array: Chinese header row, one row per center."""
    from ..report.json_result import center_record

    result = allocation(book, year)
    rows = [[label for _, label in contract.CENTER_RESULT_COLUMNS]]
    for c in result.centers:
        record = center_record(c)
        rows.append([_cell(key, record[key]) for key, _ in contract.CENTER_RESULT_COLUMNS])
    return rows


def _cell(key: str, value):
    if key in contract.MONEY_KEYS:
        return float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def check(book, year) -> str:
    outcome = CACHE.outcome(book, _year(year))
    return "OK" if outcome.ok else str(outcome.errors[0])


def answer(function, *args):
    """Call a UDF body; any failure becomes a readable '#JB! …' text in the cell."""
    try:
        return function(*args)
    except UdfError as exc:
        return f"{ERROR_PREFIX}{exc}"
    except Exception as exc:  # a cell must never show a traceback
        return f"{ERROR_PREFIX}{type(exc).__name__}: {exc}"
