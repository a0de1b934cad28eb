"""Where a sheet's table is and what kind of export it is (金保 contract §1–§2).

The header row is the first of the first 30 rows that holds the required headers of a kind:
明细 (a case-id column), 统计 long (institution, item and count columns) or 统计 wide
(institution and columns named after the year's items). Rows above it are title lines; a 统计
without a month column takes its month from them or from the sheet's name (2024年3月) — never
from a title naming several months (2024年1月—12月), which is an error. Two read columns with
one header text are an error naming both (contract §1, v3).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..io import values as v
from ..io.lookup import NameLookup
from ..io.names import normalize
from ..io.bounds import cell_name
from ..model import Month, month_text
from .headers import (CASE_ID, COUNT, DATE, DETAIL, FIELD_HEADERS, HEADER_ROWS, INSTITUTION, ITEM, LABELS,
                      LONG, MONTH, STATS, TELLING, WIDE, WIDE_IGNORED, field_columns, header_field)
from .sources import Grid

# 2024年3月(份), 2024-03, 2024/03, 2024.03, 202403 inside a title; a full date (制表日期) is not a month.
_TITLE_MONTH = re.compile(r"(?<!\d)\d{4}\s*(?:年\s*\d{1,2}\s*月份?(?!\s*\d{1,2}\s*日)|[-/.]\s*\d{1,2}(?![-/.\d])"
                          r"|(?:0[1-9]|1[0-2])(?!\d))")


class LayoutError(Exception):
    """The sheet looks like an export but cannot be read as one; the message says why."""

    def __init__(self, cell: str, message: str):
        super().__init__(message)
        self.cell = cell


@dataclass
class Layout:
    kind: str  # DETAIL or STATS
    shape: str  # "" for DETAIL, LONG or WIDE for STATS
    header_row: int
    columns: dict[str, int]  # field → column within the grid
    headers: dict[int, str] = field(default_factory=dict)  # column → header text as written
    items: list[tuple[int, str]] = field(default_factory=list)  # WIDE: (column, indicator name)
    others: list[tuple[int, str]] = field(default_factory=list)  # WIDE: columns not of the year
    title_month: Month | None = None  # STATS without a month column

    @property
    def label(self) -> str:
        return f"{self.kind}（{self.shape}）" if self.shape else self.kind


def find_layout(grid: Grid, items: NameLookup) -> Layout | None:
    """The sheet's layout; None for a sheet with no export header at all (skipped with a
    warning by the caller); :class:`LayoutError` for one that is recognisable but incomplete."""
    top = grid.top(HEADER_ROWS)
    best: tuple[int, int, dict[str, int], list] | None = None
    for index, row in enumerate(top):
        for row in (row, _two_level(top, index)):  # also a header of two rows (merged cells above)
            columns = field_columns(row)
            wide = _item_columns(row, columns, items)
            kind = _kind(columns, wide)
            if kind is not None:
                return _layout(grid, top, index, row, columns, wide, *kind)
        row = top[index]
        columns, wide = field_columns(row), _item_columns(row, field_columns(row), items)
        score = sum(1 for f in TELLING if f in columns) + (1 if wide else 0)
        if score and (best is None or score > best[0]):
            best = (score, index, columns, wide)
    if best is None:
        return None
    _, index, columns, wide = best
    raise LayoutError(cell_name(index, grid.first_col), _incomplete(top[index], columns, wide))


def _two_level(top: list[list], index: int) -> list:
    """The row with its blank cells taken from the row above: a header whose upper row holds
    merged cells (受理时间 spanning both rows, 基本信息 spanning several columns)."""
    row = list(top[index])
    if index:
        above = top[index - 1]
        row += [None] * (len(above) - len(row))
        row = [above[col] if (value is None or value == "") and col < len(above) else value
               for col, value in enumerate(row)]
    return row


def _kind(columns: dict[str, int], wide: list) -> tuple[str, str] | None:
    if CASE_ID in columns:
        if all(f in columns for f in (INSTITUTION, ITEM, DATE)):
            return DETAIL, ""
        return None
    if INSTITUTION in columns and ITEM in columns and COUNT in columns:
        return STATS, LONG
    if INSTITUTION in columns and wide:
        return STATS, WIDE
    return None


def _item_columns(row: list, columns: dict[str, int], items: NameLookup) -> list[tuple[int, str]]:
    """Columns headed by an item name or alias of the year (a wide 统计's item columns)."""
    taken = set(columns.values())
    found = []
    for col, value in enumerate(row):
        if col in taken or not isinstance(value, str):
            continue
        name = items.find(value)
        if name is not None:
            found.append((col, name))
    return found


def _layout(grid: Grid, top: list[list], index: int, row: list, columns: dict[str, int],
            wide: list, kind: str, shape: str) -> Layout:
    _refuse_twins(grid, index, row, wide)
    headers = {col: v.show(value) for col, value in enumerate(row) if isinstance(value, str) and value.strip()}
    layout = Layout(kind, shape, index, columns, headers)
    if shape == WIDE:
        layout.items = wide
        item_cols = {col for col, _ in wide} | set(columns.values())
        layout.others = [(col, text) for col, text in headers.items()
                         if col not in item_cols and normalize(text) not in WIDE_IGNORED]
    if kind == STATS and MONTH not in columns and DATE not in columns:
        layout.title_month = _title_month(grid, top[:index], cell_name(index, grid.first_col))
    return layout


def _refuse_twins(grid: Grid, index: int, row: list, wide: list[tuple[int, str]]) -> None:
    """Two columns the import would read with the same header text (after normalisation) are
    an error naming both (contract §1, v3): a hidden stale column must not be picked silently.
    Synonyms of one field are no twins — the order of §2 chooses among them."""
    wide_cols = {col for col, _ in wide}
    seen: dict[str, list[int]] = {}
    for col, value in enumerate(row):
        if isinstance(value, str) and (col in wide_cols or header_field(value) is not None):
            seen.setdefault(normalize(value), []).append(col)
    for text, cols in seen.items():
        if len(cols) > 1:
            cells = [cell_name(index, grid.first_col + col) for col in cols]
            raise LayoutError(cells[0], f"有 {len(cols)} 列的表头都是“{text}”（{'、'.join(cells)}），无法确定用哪一列"
                                        f"（可能有隐藏的旧列，或表头带空格）；请删除多余的列后重新导入")


# A period of several months in a title: 2024年1月—12月, 1月至11月, 2024年1-11月, 2024.01-2024.11,
# 202401-202411, 2024-01-01 至 2024-11-30 (in normal form: ～ and － are ~ and -).
_WHEN = r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月份?(?:\s*\d{1,2}\s*日)?|\d{4}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{1,2})?|\d{6}(?:\d{2})?"
_TO = r"\s*(?:[-—–―~]+|至|到)\s*"
_RANGE_FORMS = (re.compile(rf"({_WHEN}){_TO}({_WHEN})"),
                re.compile(rf"((?:\d{{4}}\s*年\s*)?\d{{1,2}}){_TO}(\d{{1,2}}\s*月)"))
_TITLE_RANGE = re.compile("|".join(rf"(?<!\d){form.pattern}(?!\d)" for form in _RANGE_FORMS))


def _range_ends(span: str) -> tuple[Month | None, Month | None]:
    """The months a range in a title starts and ends in (a year written once serves both);
    None where an end has no year or no valid month."""
    ends = []
    found = next(match for form in _RANGE_FORMS if (match := form.fullmatch(span)))
    for part in found.groups():
        numbers = re.findall(r"\d+", part)
        if numbers and len(numbers[0]) in (6, 8):
            year, month = int(numbers[0][:4]), int(numbers[0][4:6])
        elif numbers and len(numbers[0]) == 4 and len(numbers) > 1:
            year, month = int(numbers[0]), int(numbers[1])
        else:
            year, month = None, int(numbers[0]) if numbers else 0
        ends.append((year, month))
    (y1, m1), (y2, m2) = ends
    y1, y2 = y1 or y2, y2 or y1
    if y1 is None or not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None, None
    return (y1, m1), (y2, m2)


def _title_month(grid: Grid, titles: list[list], header_cell: str) -> Month:
    """The one month the title lines — and the sheet's name (a sheet named 2024年3月) — name."""
    months: list[Month] = []
    texts = []
    for text in [normalize(value) for row in titles for value in row if isinstance(value, str)]:
        for span in _TITLE_RANGE.finditer(text):
            start, end = _range_ends(span.group(0))
            if start is None or start != end:
                raise LayoutError(header_cell, f"统计表的标题是一段时间（“{span.group(0)}”）而不是一个月份，表中又没有月份列"
                                               f"（{'、'.join(FIELD_HEADERS[MONTH])}），无法把业务量分到各月；请按月导出"
                                               f"（每月一个文件或工作表，标题或工作表名写明月份），或导出带“月份”列的统计表")
            if start not in months:  # 2024年3月1日至3月31日: one month
                months.append(start)
        texts.append(_TITLE_RANGE.sub(" ", text))
    for text in texts + [normalize(grid.sheet)]:
        for match in _TITLE_MONTH.finditer(text):
            try:
                found = v.month(match.group(0))
            except v.BadValue:
                continue
            if found not in months:
                months.append(found)
    if len(months) == 1:
        return months[0]
    names = "、".join(FIELD_HEADERS[MONTH])
    if not months:
        raise LayoutError(header_cell, f"统计表没有月份列（{names}），表头上方的标题和工作表名中也没有月份"
                                       f"（如“2024年3月”“2024-03”“202403”）；请增加“月份”列或在标题中写明统计月份")
    shown = "、".join(month_text(m) for m in months)
    raise LayoutError(header_cell, f"统计表没有月份列，标题和工作表名中却有多个月份（{shown}），无法确定统计月份；"
                                   f"请增加“月份”列（{names}）")


def _incomplete(row: list, columns: dict[str, int], wide: list) -> str:
    present = [v.show(value) for value in row if isinstance(value, str) and value.strip()][:15]
    if CASE_ID in columns:
        kind, needed = f"{DETAIL}表", (INSTITUTION, ITEM, DATE)
    elif ITEM in columns or COUNT in columns:
        kind, needed = f"{STATS}表（{LONG}）", (INSTITUTION, ITEM, COUNT)
    elif wide:
        kind, needed = f"{STATS}表（{WIDE}）", (INSTITUTION,)
    else:
        kind, needed = "明细表或统计表", (CASE_ID, ITEM, COUNT)
    missing = [f for f in needed if f not in columns]
    accepted = "；".join(f"{LABELS[f]}：{'、'.join(FIELD_HEADERS[f])}" for f in missing)
    return (f"表头不完整：作为{kind}缺少{'、'.join(LABELS[f] for f in missing)}列"
            f"（本表的列：{'、'.join(present)}）。可用的列名——{accepted}")
