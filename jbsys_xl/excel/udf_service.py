"""What the worksheet functions (=JBSCORE and friends) answer, over one cached pipeline run.

Excel recalculates every volatile UDF cell after any edit. Reading the input tables once per
cell would cost 300 reads for 300 cells, so the answers come from one cached Outcome per
(revision, year). The revision is what the template's VBA function JbRevision() returns; the
generated wrapper passes it as an argument (no COM call). It names the workbook's VBA session
and changes with every edit of an input sheet and with sheet names, and is unique per call
while Excel's events are off (workbook/vba/JbState.bas). Without one (a call from Python, or
a workbook whose wrappers do not pass it) the tables are read afresh — slower, never stale.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from .. import contract
from ..io import values
from ..io.lookup import NameLookup, center_lookup, item_lookup
from ..model import Allocation, CenterResult
from ..pipeline import Outcome, run
from ..report.explain import UnknownCenter, find_center
from ..report.json_result import score_number
from .book_source import FarContent, read_book
from .writer import describe

ERROR_PREFIX = "#JB! "

PARTS = {
    "basic": "基础达标奖励", "workload": "工作量补助", "deduction": "扣减", "winner": "优胜奖励",
}
PART_ALIASES = {"基础": "basic", "基础达标": "basic", "基础达标奖励": "basic", "工作量": "workload",
                "工作量补助": "workload", "扣减": "deduction", "优胜": "winner", "优胜奖励": "winner"}


class UdfError(Exception):
    """A readable answer for the cell instead of a traceback."""


class CallerBook:
    """The workbook of a UDF's calling cell, asked from Excel (``caller.sheet.book``: COM
    calls into Excel) only when the tables have to be read: an answer from the cache then
    costs no COM call at all."""

    def __init__(self, caller) -> None:
        self._caller = caller

    @cached_property
    def book(self):
        return self._caller.sheet.book


def session(revision: str) -> str:
    """The part of a revision that names the workbook's VBA session (JbState.Session)."""
    return revision.split(":", 1)[0]


class Entry:
    """One read of the tables for a (revision, year): the outcome, or the far cell that stopped
    the read (kept too: 300 cells would otherwise each read the sheets up to it again), and the
    center lookup, built on first use rather than once per calling cell."""

    def __init__(self, outcome: Outcome | None, far: FarContent | None = None) -> None:
        self._outcome, self._far = outcome, far

    @property
    def outcome(self) -> Outcome:
        if self._far is not None:
            raise self._far
        return self._outcome

    @cached_property
    def centers(self) -> NameLookup:
        data = self.outcome.allocation.dataset
        return center_lookup(data.all_centers or data.centers)

    @cached_property
    def items(self) -> NameLookup:
        return item_lookup(self.outcome.allocation.indicators)


class OutcomeCache:
    """Pipeline outcomes by (revision, year); counts table reads for the benchmark. The
    revision identifies the workbook as well — its session part holds the workbook's name and
    a random number drawn when its VBA started — so no COM call is needed to tell books apart:
    not Excel's FullName, and not xlwings' ``Book.fullname``, which reads the xlwings.conf
    sheet and maps a OneDrive/SharePoint URL to a local file on every call."""

    def __init__(self) -> None:
        self._entries: dict[tuple, Entry] = {}
        self.reads = 0

    def entry(self, book, revision: str | None, year: int) -> Entry:
        """``book``: an xlwings Book, or a CallerBook asked only on a miss."""
        key = (revision, year)
        if revision is None or key not in self._entries:
            self.reads += 1
            try:
                entry = Entry(run(read_book(book.book if isinstance(book, CallerBook) else book), year))
            except FarContent as far:
                entry = Entry(None, far)
            if revision is not None:  # keep only the book's current revision (any years)
                self._entries = {k: v for k, v in self._entries.items()
                                 if session(k[0]) != session(revision) or k[0] == revision}
                self._entries[key] = entry
            return entry
        return self._entries[key]

    def outcome(self, book, revision: str | None, year: int) -> Outcome:
        return self.entry(book, revision, year).outcome


CACHE = OutcomeCache()


def _year(value) -> int:
    try:
        year = int(float(value))
    except (TypeError, ValueError):
        raise UdfError(f"年度“{value}”不是数字") from None
    if year != float(value):
        raise UdfError(f"年度“{value}”不是整数")
    return year


def _revision(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _allocated(book, revision, year) -> Entry:
    entry = CACHE.entry(book, _revision(revision), _year(year))
    if not entry.outcome.ok:
        first = entry.outcome.errors[0] if entry.outcome.errors else "未知错误"
        raise UdfError(f"数据有误：{first}")
    return entry


def allocation(book, revision, year) -> Allocation:
    return _allocated(book, revision, year).outcome.allocation


def center(book, revision, code_or_name, year) -> CenterResult:
    entry = _allocated(book, revision, year)
    try:  # by 中心编码, 中心名称 or 金保机构, compared as the workbook's references are
        return find_center(entry.outcome.allocation, values.show(code_or_name) if code_or_name is not None else "",
                           entry.centers)
    except UnknownCenter as exc:
        raise UdfError(str(exc)) from None


def score(book, revision, code_or_name, year) -> float:
    return score_number(center(book, revision, code_or_name, year).score)


def factor(book, revision, code_or_name, item, year) -> float:
    found = center(book, revision, code_or_name, year)
    entry = _allocated(book, revision, year)
    name = entry.items.find(item)
    if name is None:
        raise UdfError(f"未知事项：{item}")
    return score_number(entry.outcome.allocation.factors[(found.code, name)][1])


def grade(book, revision, code_or_name, year) -> str:
    return center(book, revision, code_or_name, year).grade


def award(book, revision, code_or_name, year) -> float:
    return float(center(book, revision, code_or_name, year).basic_award)


def subsidy(book, revision, code_or_name, year, part=None) -> float:
    c = center(book, revision, code_or_name, year)
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


def rank(book, revision, code_or_name, year) -> int:
    return center(book, revision, code_or_name, year).rank


def allocation_table(book, revision, year, shape: tuple[int, int] = (1, 1)) -> list[list]:
    """The allocation with a Chinese header row, one row per center. From one cell it spills
    (dynamic arrays: Microsoft 365, Excel 2021). Entered over a selected range with
    Ctrl+Shift+Enter (a legacy array formula, Excel 2016/2019) it fills that range: blanks
    pad the rest, and a range too small for the table says so instead of cutting rows off."""
    from ..report.json_result import center_record

    result = allocation(book, revision, year)
    rows = [[label for _, label in contract.CENTER_RESULT_COLUMNS]]
    for c in result.centers:
        record = center_record(c)
        rows.append([_cell(key, record[key]) for key, _ in contract.CENTER_RESULT_COLUMNS])
    height, width = shape
    if height * width == 1:
        return rows
    if height < len(rows) or width < len(rows[0]):
        raise UdfError(f"区域太小：分配表有 {len(rows)} 行 {len(rows[0])} 列，请选中至少这么大的"
                       "区域后输入公式，按 Ctrl+Shift+Enter")
    return [row + [""] * (width - len(row)) for row in rows] + \
        [[""] * width for _ in range(height - len(rows))]


def _cell(key: str, value):
    if key in contract.MONEY_KEYS:
        return float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def check(book, revision, year) -> str:
    outcome = CACHE.outcome(book, _revision(revision), _year(year))
    return "OK" if outcome.ok else str(outcome.errors[0])


def answer(function, *args, shape: tuple[int, int] = (1, 1)):
    """Call a UDF body; any failure becomes a readable '#JB! …' text in the cell (the top-left
    one of a multi-cell legacy array formula, the others blank)."""
    try:
        return function(*args)
    except (UdfError, FarContent) as exc:
        message = f"{ERROR_PREFIX}{exc}"
    except Exception as exc:  # a cell must never show a traceback
        message = f"{ERROR_PREFIX}计算失败：{describe(exc)}"
    height, width = shape
    if height * width == 1:
        return message
    return [[message] + [""] * (width - 1)] + [[""] * width for _ in range(height - 1)]
