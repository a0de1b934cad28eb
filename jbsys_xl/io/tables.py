"""Find each contract sheet's header row and hand out its data rows with their cell names."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from .. import contract
from ..contract import SheetSpec
from ..model import Check
from .names import normalize
from .bounds import cell_name
from .reader import RawBook, RawSheet
from .values import BadValue, is_empty

MAX_LINES_PER_COLUMN = 50  # distinct problems listed per column; the rest are counted


class Checks:
    """Collects errors and warnings in one pass, grouped for people: the same message on many
    cells of a column is one line with the first cell and the count, and a column with more
    than MAX_LINES_PER_COLUMN distinct problems ends with one line counting the rest — so a
    wrong column of a million rows reads in a screen, and the error count stays true."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str, str, str], list] = {}  # key → [cell, count]
        self._lines: dict[tuple[str, str, str], int] = {}  # (level, sheet, column) → lines
        self._overflow: dict[tuple[str, str, str], int] = {}

    def add(self, level: str, sheet: str, cell: str, message: str, column: str = "",
            count: int = 1) -> None:
        key = (level, sheet, column, message)
        group = self._groups.get(key)
        if group is not None:
            group[1] += count
            return
        per_column = (level, sheet, column)
        if column and self._lines.get(per_column, 0) >= MAX_LINES_PER_COLUMN:
            self._overflow[per_column] = self._overflow.get(per_column, 0) + count
            return
        self._lines[per_column] = self._lines.get(per_column, 0) + 1
        self._groups[key] = [cell, count]

    def error(self, sheet: str, cell: str, message: str, column: str = "", count: int = 1) -> None:
        self.add("error", sheet, cell, message, column, count)

    def warning(self, sheet: str, cell: str, message: str, column: str = "", count: int = 1) -> None:
        self.add("warning", sheet, cell, message, column, count)

    def finish(self) -> list[Check]:
        """The findings in the order first seen, then one line per column cut short."""
        result = [Check(level, sheet, cell, message, count)
                  for (level, sheet, _column, message), (cell, count) in self._groups.items()]
        for (level, sheet, column), count in self._overflow.items():
            result.append(Check(level, sheet, "", f"“{column}”列另有 {count:,} 处其他问题未逐一列出", count))
        return result

    @property
    def has_errors(self) -> bool:
        return any(key[0] == "error" for key in self._groups) or \
            any(key[0] == "error" for key in self._overflow)


@dataclass
class Row:
    """One non-empty data row; ``get`` parses a column and reports a bad value at its cell."""

    table: "Table"
    index: int  # into table.sheet.rows
    values: list
    ok: bool = True

    def raw(self, header: str):
        col = self.table.columns.get(header)
        if col is None or col >= len(self.values):
            return None
        return self.values[col]

    def cell(self, header: str) -> str:
        return self.table.cell(self.index, header)

    def cells(self) -> dict[str, str]:
        """Header → this row's A1 cell, for every contract header the sheet has: a later rule
        (the 审定 gate) points at the cell left empty."""
        return {header: self.cell(header) for header in self.table.columns}

    def get(self, header: str, parser: Callable, *args, required: bool = False):
        value = self.raw(header)
        if required and is_empty(value):
            self.fail(header, f"{header}不能为空")
            return None
        try:
            return parser(value, *args)
        except BadValue as bad:
            self.fail(header, str(bad))
            return None

    def fail(self, header: str, message: str) -> None:
        self.ok = False
        self.table.checks.error(self.table.name, self.cell(header), message, header)


@dataclass
class Table:
    sheet: RawSheet
    spec: SheetSpec
    header_index: int
    columns: dict[str, int]  # header → index in a row list
    checks: Checks

    @property
    def name(self) -> str:
        return self.spec.name

    def cell(self, row_index: int, header: str) -> str:
        col = self.columns.get(header, self.columns[self.spec.required[0]])
        return cell_name(self.sheet.first_row + row_index, self.sheet.first_col + col)

    def header_cell(self, header: str) -> str:
        return self.cell(self.header_index, header)

    def data_rows(self) -> list[list]:
        return self.sheet.all_rows()[self.header_index + 1:]

    @property
    def data_height(self) -> int:
        return self.sheet.height - self.header_index - 1

    def rows(self) -> Iterator[Row]:
        """Data rows with at least one contract column filled; empty rows are skipped."""
        used = list(self.columns.values())
        start = self.header_index + 1
        for offset, values in enumerate(self.data_rows()):
            if all(is_empty(values[c]) if c < len(values) else True for c in used):
                continue
            yield Row(self, start + offset, values)


def locate(book: RawBook, spec: SheetSpec, checks: Checks) -> Table | None:
    """The sheet's table, or None (with an error if the sheet is required or malformed)."""
    clash = book.clashes.get(spec.name)
    if clash:
        shown = "、".join(f"“{name}”" for name in clash)
        checks.error(spec.name, "", f"有 {len(clash)} 个工作表都可视为“{spec.name}”：{shown}"
                     f"（可能有隐藏的旧表或名称带空格）；请删除或改名，只保留一个")
        return None
    sheet = book.sheets.get(spec.name)
    if sheet is None:
        if spec.must_exist:
            near = near_sheet(spec.name, book.sheet_names)
            hint = f"；是否是“{near}”？若是，请把它改名为“{spec.name}”" if near else ""
            checks.error(spec.name, "", f"缺少工作表“{spec.name}”（必需列：{'、'.join(spec.required)}；"
                         f"没有数据也须保留表头）{hint}")
        elif near := renamed_sheet(spec.name, book.sheet_names):  # spec §2 v4: its rows would be ignored
            checks.error(spec.name, "", f"工作簿中没有“{spec.name}”表，却有“{near}”表：它的内容不会被读取。"
                         f"若它就是{spec.name}表，请把它改名为“{spec.name}”；若不是，请删除它或改用与“{spec.name}”"
                         f"无关的名称")
        return None
    best: tuple[int, int, dict[str, int]] | None = None
    for index, row in enumerate(sheet.rows):
        if sheet.first_row + index >= contract.HEADER_SEARCH_ROWS:
            break
        found_at = _header_columns(row, spec)
        columns = {header: cols[0] for header, cols in found_at.items()}
        found = sum(1 for h in spec.required if h in columns)
        if found == len(spec.required):
            table = Table(sheet, spec, index, columns, checks)
            _refuse_twins(table, found_at)
            _warn_stale(table)
            return table
        if best is None or found > best[0]:
            best = (found, index, columns)
    if best is None or best[0] == 0:
        if not sheet.rows:
            if spec.must_exist:
                checks.error(spec.name, "A1", f"工作表“{spec.name}”是空的（必需列：{'、'.join(spec.required)}）")
            return None
        checks.error(spec.name, "A1", f"前 {contract.HEADER_SEARCH_ROWS} 行中找不到表头行（必需列：{'、'.join(spec.required)}）")
        return None
    _, index, columns = best
    missing = [h for h in spec.required if h not in columns]
    where = cell_name(sheet.first_row + index, sheet.first_col)
    checks.error(spec.name, where, f"表头缺少必需列：{'、'.join(missing)}")
    return None


def _header_columns(row: list, spec: SheetSpec) -> dict[str, list[int]]:
    """Contract header → every column of the row headed by it, compared in normal form
    (NFKC, trimmed: 一票否决 with a full-width space after it is still 一票否决)."""
    found: dict[str, list[int]] = {}
    for col, value in enumerate(row):
        if isinstance(value, str):
            header = normalize(value)
            if header in spec.headers:
                found.setdefault(header, []).append(col)
    return found


def _refuse_twins(table: Table, found_at: dict[str, list[int]]) -> None:
    """Two columns under one contract header: an error naming both header cells (spec §1, v3).
    Offices hide a stale column rather than delete it; picking either would be a guess."""
    row = table.sheet.first_row + table.header_index
    for header, cols in found_at.items():
        if len(cols) < 2:
            continue
        cells = [cell_name(row, table.sheet.first_col + col) for col in cols]
        table.checks.error(table.name, cells[0],
                           f"有 {len(cols)} 列的表头都是“{header}”（{'、'.join(cells)}），无法确定用哪一列"
                           f"（可能有隐藏的旧列，或表头带空格）；请删除多余的列，只保留一列“{header}”")


STALE = ("工作簿保存时设为“手动计算”，这个单元格是公式，读到的是上次计算时保存的结果，可能已经过时；"
         "请在 Excel 中按 F9 重新计算（或在“公式→计算选项”中选“自动”）并保存后再运行")


def _warn_stale(table: Table) -> None:
    """A workbook saved with calculation set to manual: each formula cell the tool reads (a
    contract column, below the header) may hold a stale result — a warning at each, grouped
    per column (资金总额 =SUM(…) of figures changed since)."""
    sheet = table.sheet
    if not sheet.stale:
        return
    headers = {sheet.first_col + col: header for header, col in table.columns.items()}
    below = sheet.first_row + table.header_index
    for row, col in sorted(sheet.stale):
        if row > below and col in headers:
            table.checks.warning(table.name, cell_name(row, col), STALE, headers[col])


def near_sheet(wanted: str, names: list[str]) -> str | None:
    """A sheet that was probably meant to be ``wanted``: its name contains the wanted one
    (硬件建设, 投诉（2024）, 扣减 (2), 评定2024) — the first such in workbook order."""
    contract_names = {spec.name for spec in contract.INPUT_SHEETS}
    for name in names:
        form = normalize(name)
        if wanted in form and form not in contract_names:
            return name
    return None


# What a renamed sheet's name may hold beside the contract name: a year, a number, brackets and
# punctuation, or a word that only says it is a table (回访表, 异议（2024）, 2024年回访记录).
_DECORATION = re.compile(r"(?:[\W\d_]|表格?|登记|记录|明细|结果|处理|数据|情况|副本|备份|年度?|月份?)*")


def renamed_sheet(wanted: str, names: list[str]) -> str | None:
    """An optional sheet kept under a name that is clearly its own renamed (``异议（2024）``,
    ``回访表``, ``12333回访``): unlike a required sheet, its absence is normal, so a sheet that
    merely mentions it (回访汇总, a result; 回访清单, the list the 12333 fills in) is none."""
    contract_names = {spec.name for spec in contract.INPUT_SHEETS}
    for name in names:
        form = normalize(name)
        if wanted in form and form not in contract_names and _DECORATION.fullmatch(form.replace(wanted, "", 1)):
            return name
    return None
