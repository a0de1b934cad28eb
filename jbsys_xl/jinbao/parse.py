"""One sheet of an export → the rows that count, classified (金保 contract §2–§4).

Every non-empty row that is not a 合计 row is read; it is then excluded by its status, left out
as outside the period, left unmatched (institution or item unknown), or becomes a candidate:
a 明细 case (deduplicated across files later) or a 统计 count. Bad dates and counts are errors
only in rows that would count. Personal columns are read only when the callbacks ask for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..io import values as v
from ..io.lookup import NameLookup
from ..io.bounds import cell_name
from ..io.tables import Checks
from ..model import Month
from .columns import Column, day_parser, month_index, name_of
from .headers import (CASE_ID, COUNT, COUNTED_STATUSES, DATE, EXCLUDED_STATUSES, INSTITUTION,
                      ITEM, LABELS, LONG, MONTH, PERSONAL, STATUS, WIDE, is_total)
from .layout import Layout
from .sources import Grid

UNKNOWN, INACTIVE = -2, -3  # mapped codes besides -1 (blank)
BLANK_SHOWN = "（空白）"
MERGED_FIELDS = (INSTITUTION, ITEM, MONTH)  # label columns a merged cell may span; never counts


@dataclass(frozen=True)
class Targets:
    """What export rows are mapped onto: the year's period, centers and items."""

    year: int
    period: tuple[Month, Month]
    centers: NameLookup  # every center of the 中心 sheet
    codes: list[str]  # active center codes, in order; rows carry indexes into it
    inactive: frozenset[str]
    items: NameLookup  # the year's indicators
    item_names: list[str]

    def __post_init__(self):
        object.__setattr__(self, "_center_index", {code: i for i, code in enumerate(self.codes)})
        object.__setattr__(self, "_item_index", {name: i for i, name in enumerate(self.item_names)})

    @property
    def months(self) -> tuple[int, int]:
        return month_index(self.period[0]), month_index(self.period[1])

    def center(self, name: str) -> int:
        code = self.centers.targets.get(name)
        if code is None:
            return UNKNOWN
        return INACTIVE if code in self.inactive else self._center_index[code]

    def item(self, name: str) -> int:
        found = self.items.targets.get(name)
        return UNKNOWN if found is None else self._item_index[found]


@dataclass
class Tally:
    """One distinct value found in some rows: how many, and the first cell."""

    value: str
    count: int
    cell: str


@dataclass
class SheetPart:
    """What one sheet contributed. Row arrays hold only the candidate rows."""

    file: str
    sheet: str
    kind: str
    label: str  # 明细, 统计（长表）, 统计（宽表）
    rows: int = 0
    excluded: int = 0
    out_of_period: int = 0
    unmatched: int = 0
    counted: int = 0
    duplicates: int = 0
    # 明细 candidates (one per row) or 统计 counts (one per row and item)
    center: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    item: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    month: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cells: list[str] = field(default_factory=list)  # 统计: each count's cell (明细: case_cell)
    volume: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # 统计 only
    case: np.ndarray = field(default_factory=lambda: np.zeros(0, object))  # 明细 only
    sheet_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    case_col: int = 0  # 明细: sheet column of the case id, to name a case's cell
    day: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # 明细: date ordinals
    person: dict[str, np.ndarray] = field(default_factory=dict)  # callbacks only
    unknown_institutions: list[Tally] = field(default_factory=list)
    unknown_items: list[Tally] = field(default_factory=list)
    inactive_centers: list[Tally] = field(default_factory=list)
    unknown_statuses: list[Tally] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.file}!{self.sheet}"

    def case_cell(self, index: int) -> str:
        return cell_name(int(self.sheet_rows[index]), self.case_col)


class _Sheet:
    """The parsing state of one sheet: its grid, layout and where findings go."""

    def __init__(self, grid: Grid, layout: Layout, targets: Targets, checks: Checks):
        self.grid, self.layout, self.targets, self.checks = grid, layout, targets, checks
        self.start = layout.header_row + 1
        self.part = SheetPart(grid.file, grid.sheet, layout.kind, layout.label)

    def raw(self, col: int) -> np.ndarray:
        return self.grid.column(col)[self.start:]

    def column(self, field_: str, parse) -> Column:
        col = self.layout.columns[field_]
        return Column(self.merged(col) if field_ in MERGED_FIELDS else self.raw(col), parse)

    def merged(self, col: int) -> np.ndarray:
        """The column's data cells, a blank one covered by a merged cell taking the merged
        cell's value (contract §1: a merged institution applies to every row it covers)."""
        cells = self.raw(col)
        blank = np.flatnonzero(np.equal(cells, None))
        if not len(blank):
            return cells
        cells = cells.copy()
        for top, left, bottom, right in self.grid.merges():
            if left <= col <= right and top >= self.start and (bottom > top or left < col):
                value = self.grid.column(left)[top] if left != col else cells[top - self.start]
                covered = blank[(blank >= top - self.start) & (blank <= bottom - self.start)]
                cells[covered] = value
        return cells

    def dates(self, field_: str, parse) -> Column:
        col = self.layout.columns[field_]
        days = self.grid.days(col)
        if days is None:
            return Column(self.raw(col), parse)
        return Column(days[self.start:], parse, self.raw(col))

    def cell(self, row: int, col: int) -> str:
        return cell_name(self.start + row, self.grid.first_col + col)

    def header(self, field_: str) -> str:
        return self.layout.headers.get(self.layout.columns[field_], LABELS[field_])

    def refuse(self, mask: np.ndarray, column: Column, col: int, header: str) -> np.ndarray:
        """Report blank or unreadable cells among ``mask`` rows; the rows that are fine."""
        blank, bad = mask & column.blank, mask & column.bad
        for r in np.flatnonzero(blank | bad):
            message = f"{header}不能为空" if blank[r] else column.message(r)
            self.checks.error(self.part.where, self.cell(r, col), message, header)
        return mask & ~blank & ~bad

    def tallies(self, mask: np.ndarray, column: Column, col: int, shown=None) -> list[Tally]:
        """Distinct values among ``mask`` rows with their counts and first cells."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        codes, first, counts = np.unique(column.codes[rows], return_index=True, return_counts=True)
        found = []
        for code, first_at, count in zip(codes.tolist(), first.tolist(), counts.tolist()):
            row = int(rows[first_at])
            value = shown(column, row) if shown else (column.shown(row) or BLANK_SHOWN)
            found.append(Tally(value, count, self.cell(row, col)))
        return found

    def map_names(self, ok: np.ndarray, inst: Column, item: Column | None):
        """Center and item indexes of the rows; tallies of the unknown ones; which rows match."""
        t, cols, part = self.targets, self.layout.columns, self.part
        center = inst.mapped(t.center, UNKNOWN)
        part.unknown_institutions = self.tallies(ok & ((center == UNKNOWN) | inst.blank), inst,
                                                 cols[INSTITUTION])
        part.inactive_centers = self.tallies(ok & (center == INACTIVE), inst, cols[INSTITUTION],
                                             lambda c, r: t.centers.targets[c.values[c.codes[r]]])
        matched = ok & (center >= 0)
        if item is None:
            return center, None, matched
        items = item.mapped(t.item, UNKNOWN)
        part.unknown_items = self.tallies(matched & (items < 0), item, cols[ITEM])
        return center, items, matched & (items >= 0)

    def total_rows(self, inst: Column) -> np.ndarray:
        """合计/总计/小计 rows: the word in the institution cell, or in the first column of a
        row whose institution is blank (合计 under 序号)."""
        total = inst.mapped(lambda name: int(is_total(name)), 0).astype(bool)
        if self.layout.columns[INSTITUTION] != 0:
            first = self.raw(0)
            for r in np.flatnonzero(inst.blank):
                total[r] = isinstance(first[r], str) and is_total(name_of(first[r]))
        return total

    def errors_in(self, mask: np.ndarray, *columns: tuple[Column, int]) -> np.ndarray:
        """Report error cells (e.g. #N/A) of name columns among ``mask`` rows."""
        for column, col in columns:
            bad = mask & column.bad
            for r in np.flatnonzero(bad):
                self.checks.error(self.part.where, self.cell(r, col), column.message(r))
            mask = mask & ~bad
        return mask

    def period(self, ok: np.ndarray, month: np.ndarray) -> np.ndarray:
        first, last = self.targets.months
        inside = ok & (month >= first) & (month <= last)
        self.part.out_of_period = int((ok & ~inside).sum())
        return inside


def parse_detail(grid: Grid, layout: Layout, targets: Targets, checks: Checks,
                 personal: bool = False) -> SheetPart:
    s = _Sheet(grid, layout, targets, checks)
    part, cols = s.part, layout.columns
    inst, item = s.column(INSTITUTION, name_of), s.column(ITEM, name_of)
    case = s.column(CASE_ID, name_of)
    if _numbers_lost_digits(s, case):
        return part
    date = s.dates(DATE, day_parser(s.header(DATE)))
    status = s.column(STATUS, name_of) if STATUS in cols else None
    used = [inst, item, case, date] + ([status] if status else [])
    read = ~np.logical_and.reduce([c.blank for c in used]) & ~s.total_rows(inst) & ~_footer_rows(used)
    part.rows = int(read.sum())

    live = read
    if status is not None:
        kind = status.mapped(lambda name: 0 if name in COUNTED_STATUSES else
                             1 if name in EXCLUDED_STATUSES else 2, 0)
        live = s.errors_in(read, (status, cols[STATUS])) & (kind == 0)
        part.unknown_statuses = s.tallies(read & ~status.bad & (kind == 2), status, cols[STATUS])
        part.excluded = int((read & ~status.bad & (kind != 0)).sum())
    ok = s.refuse(live, case, cols[CASE_ID], s.header(CASE_ID))
    ok = s.refuse(ok, date, cols[DATE], s.header(DATE))
    ok = s.errors_in(ok, (inst, cols[INSTITUTION]), (item, cols[ITEM]))
    month = date.mapped(lambda day: day.year * 12 + day.month - 1)
    inside = s.period(ok, month)
    center, items, matched = s.map_names(inside, inst, item)
    part.unmatched = int((inside & ~matched).sum())

    rows = np.flatnonzero(matched)
    part.center, part.item, part.month = center[rows], items[rows], month[rows]
    part.case = np.array(case.values + [None], dtype=object)[case.codes[rows]]
    part.sheet_rows = s.start + rows
    part.case_col = grid.first_col + cols[CASE_ID]
    if personal:
        part.day = date.mapped(lambda day: day.toordinal())[rows]
        for key in PERSONAL:
            if key in cols:
                part.person[key] = s.raw(cols[key])[rows]
    return part


_NOTE_TEXT = re.compile(r"[\u4e00-\u9fff:：]")  # words or a colon: 共 2 条记录, 导出人：…


def _footer_rows(used: list[Column]) -> np.ndarray:
    """Lines below the table that say something about it (共 1,234 条记录, 导出人：…): one
    filled cell of words after the last row with two or more filled cells. They are no data;
    a one-cell row inside the table still is (and is reported if it cannot count)."""
    filled = np.sum([~c.blank for c in used], axis=0)
    full = np.flatnonzero(filled >= 2)
    after = int(full[-1]) + 1 if len(full) else 0
    footer = np.zeros(len(filled), dtype=bool)
    for r in np.flatnonzero(filled[after:] == 1) + after:
        text = next(c.shown(r) for c in used if not c.blank[r])
        footer[r] = bool(_NOTE_TEXT.search(text))
    return footer


# A case id as Excel makes it of a long number: 16+ digits, or 2.02403E+17 as it saves one in a CSV.
_NUMBER_LIKE = re.compile(r"^[ \t]*(?:\d{16,}|(\d(?:\.\d+)?[eE]\+?\d+))[ \t]*$", re.MULTILINE)


def _numbers_lost_digits(s: _Sheet, case: Column) -> bool:
    """Whether Excel has turned the case ids into numbers of 16 digits or more (contract §1):
    it keeps 15, so different cases would read as one — an error naming the column, with the
    fix. A text of digits reads like a number cell, so the first such value is checked in the
    file (text ids of 18 digits are common and fine). Case ids are nearly all distinct: the
    texts are searched in one pass of the regex engine, not one call per id."""
    texts = [u for u in case.uniques if type(u) is str]
    found, certain = None, True
    if len(texts) < len(case.uniques):  # number cells of a row-wise read
        found = next((u for u in case.uniques if type(u) is float and abs(u) >= 1e15), None)
    if found is None and (match := _NUMBER_LIKE.search("\n".join(texts))) is not None:
        found = next((u for u in texts if u.strip() == match.group(0).strip()), None)
        certain = bool(match.group(1))  # 2.02403E+17 is a number whatever the cell
    if found is None:
        return False
    col = s.layout.columns[CASE_ID]
    row = int(np.flatnonzero(case.codes == case.uniques.index(found))[0])
    if not certain and not s.grid.is_number(s.start + row, col):
        return False  # the first long id is text: the column is text
    header = s.header(CASE_ID)
    s.checks.error(s.part.where, cell_name(s.layout.header_row, s.grid.first_col + col),
                   f"“{header}”列是数字格式（如 {s.cell(row, col)} 的“{v.show(found)}”）：16 位以上的编号"
                   f"存成数字只保留 15 位有效数字，不同的业务会被当成同一笔；请在金保系统把此列按文本导出，"
                   f"或在 Excel 中先把此列设置为“文本”格式再导入原始数据")
    return True


def _count_parser(header: str):
    return lambda value: v.count(value, header)


def parse_stats(grid: Grid, layout: Layout, targets: Targets, checks: Checks) -> SheetPart:
    s = _Sheet(grid, layout, targets, checks)
    part, cols = s.part, layout.columns
    inst = s.column(INSTITUTION, name_of)
    item = s.column(ITEM, name_of) if layout.shape == LONG else None
    counts = ([(cols[COUNT], None, s.column(COUNT, _count_parser(s.header(COUNT))))]
              if layout.shape == LONG else
              [(col, targets.item(name_of(name)), Column(s.raw(col), _count_parser(layout.headers[col])))
               for col, name in layout.items])
    month_field = MONTH if MONTH in cols else DATE if DATE in cols else None
    month_col = None
    if month_field:
        label = s.header(month_field)
        month_col = s.column(month_field, lambda value: month_index(v.month(value, label)))
    used = [inst] + ([item] if item else []) + [c for _, _, c in counts] + ([month_col] if month_col else [])
    read = ~np.logical_and.reduce([c.blank for c in used]) & ~s.total_rows(inst) & ~_footer_rows(used)
    if item is not None:  # a long report's per-institution 小计 line
        read &= ~item.mapped(lambda name: int(is_total(name)), 0).astype(bool)
    inst, refused = _fill_groups(s, inst, item, month_col, [c for _, _, c in counts], read)
    read &= ~refused
    part.rows = int(read.sum())

    if month_col is not None:
        ok = s.refuse(read, month_col, cols[month_field], s.header(month_field))
        month = month_col.mapped(lambda index: index)
    else:
        ok = read
        month = np.full(len(read), month_index(layout.title_month), dtype=np.int64)
    ok = s.errors_in(ok, (inst, cols[INSTITUTION]), *([(item, cols[ITEM])] if item else []))
    inside = s.period(ok, month)
    center, items, matched = s.map_names(inside, inst, item)
    part.unmatched = int((inside & ~matched).sum())
    if layout.shape == WIDE:  # a column of no item: each count of our centers' rows matched nothing
        part.unknown_items = [t for col, header in layout.others
                              if (t := _header_tally(s, col, header, matched))]
        part.unmatched += sum(t.count for t in part.unknown_items)

    contributed = np.zeros(len(read), dtype=bool)
    centers, item_ids, months, volumes, cells = [], [], [], [], []
    for col, fixed_item, column in counts:
        valid = s.refuse(matched & ~column.blank, column, col, layout.headers[col])
        rows = np.flatnonzero(valid)
        contributed[rows] = True
        centers.append(center[rows])
        item_ids.append(items[rows] if fixed_item is None else np.full(len(rows), fixed_item))
        months.append(month[rows])
        volumes.append(column.mapped(lambda count: count)[rows])
        cells.extend(s.cell(int(r), col) for r in rows)
    part.counted = int(contributed.sum())
    part.center, part.item = np.concatenate(centers), np.concatenate(item_ids).astype(np.int64)
    part.month, part.volume, part.cells = np.concatenate(months), np.concatenate(volumes), cells
    _repeated_rows(s, inst, item, month, contributed)
    return part


MAX_LISTED = 10  # cells named in one message


def _fill_groups(s: _Sheet, inst: Column, item: Column | None, month: Column | None, counts: list[Column],
                 read: np.ndarray) -> tuple[Column, np.ndarray]:
    """A 统计 whose 经办机构 is written only on the first row of each group (a grouped report:
    the rows under it, down to a blank, 小计 or 合计 line, are that institution's): filled down
    when each group names every item and month once — said in the 导入记录 (the sheet's kind)
    and in a warning — else each row with counts but no institution is an error at its cell.
    Never left as 未匹配: that lost 94 % of a grouped report's counts behind one warning."""
    counted = np.logical_or.reduce([~c.blank for c in counts]) if counts else np.zeros(len(read), bool)
    blank = read & inst.blank & counted
    refused = np.zeros(len(read), dtype=bool)
    if not blank.any():
        return inst, refused
    head, keys, heads, filled = -1, set(), [], []
    for r in np.flatnonzero(read | blank).tolist():
        if r and not read[r - 1]:
            head = -1  # an empty, 小计 or 合计 line ends a group
        key = (int(item.codes[r]) if item is not None else -1, int(month.codes[r]) if month is not None else -1)
        if not inst.blank[r]:
            head, keys = r, {key}
        elif blank[r]:
            if head < 0 or key in keys:
                refused[r] = True
            else:
                keys.add(key)
                heads.append(head)
                filled.append(r)
    col = s.layout.columns[INSTITUTION]
    label = s.header(INSTITUTION)
    if refused.any():
        rows = np.flatnonzero(refused)
        cells = "、".join(s.cell(int(r), col) for r in rows[:MAX_LISTED]) + ("……" if len(rows) > MAX_LISTED else "")
        s.checks.error(s.part.where, s.cell(int(rows[0]), col),
                       f"{label}为空白的 {len(rows):,} 行（{cells}）有业务量，却无法确定属于哪个机构：它们上方没有"
                       f"填写{label}的同组行，或与同组的行重复了事项和月份；请在每行填写{label}（或导出每行都有"
                       f"{label}的统计表）后再导入，这些业务量不能不计", label)
        return inst, refused
    cells = s.merged(col).copy()
    cells[filled] = cells[heads]
    s.part.label = f"{s.layout.label[:-1]}，{label}按分组向下填充 {len(filled):,} 行）"
    shown = "、".join(s.cell(r, col) for r in filled[:MAX_LISTED]) + ("……" if len(filled) > MAX_LISTED else "")
    s.checks.warning(s.part.where, s.cell(filled[0], col),
                     f"{label}只写在每组的第一行（分组报表），已把它向下填到同组的 {len(filled):,} 行（{shown}）；"
                     f"请核对各组的机构", label)
    return Column(cells, name_of), refused


def _header_tally(s: _Sheet, col: int, header: str, rows: np.ndarray) -> Tally | None:
    """A wide 统计's column that is not an item of the year, counted by its filled ``rows``."""
    filled = rows & ~Column(s.raw(col), lambda value: value).blank
    count = int(filled.sum())
    return Tally(header, count, cell_name(s.layout.header_row, s.grid.first_col + col)) if count else None


def _repeated_rows(s: _Sheet, inst: Column, item: Column | None, month: np.ndarray,
                   contributed: np.ndarray) -> None:
    """The same institution (and item) and month twice in one 统计 sheet counts twice: an error."""
    rows = np.flatnonzero(contributed)
    keys = inst.codes[rows].astype(np.int64) * 100_000 + month[rows]
    if item is not None:
        keys = keys * (len(item.uniques) + 1) + item.codes[rows]
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    cols = s.layout.columns
    for position in np.flatnonzero(first[inverse] != np.arange(len(rows))):
        r, earlier = int(rows[position]), int(rows[first[inverse[position]]])
        what = inst.shown(r) + (f"“{item.shown(r)}”" if item is not None else "")
        s.checks.error(s.part.where, s.cell(r, cols[INSTITUTION]),
                       f"统计表中 {what} 同一月份出现两次（另见 {s.cell(earlier, cols[INSTITUTION])}），"
                       f"导入会重复计算；请删除重复的行", "重复行")
