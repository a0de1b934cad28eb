"""Into the workbook (金保 contract §9 v4): which 业务量 rows an import adds, replaces and keeps.

One plan for every door — the Excel button, ``import --into`` and the page carry it out, and
nothing else decides which rows go. Within the period of the year imported, an import replaces

- the rows whose 来源 names one of this import's files (the same file name, any folder: a
  re-exported file lands in another folder as often as not), and
- any row — imported from another 来源 or typed by hand — of a 中心/事项/月份 the import brings
  (resolved as validation resolves it: codes, names and 金保 aliases, every month form).

Every other row stays: imported rows of files not given this time, hand rows of other keys,
every row outside the period. A row whose 来源 names several files of which only some are given
cannot be split, so the plan refuses and names the files to add. The plan lists what it adds,
what it replaces (by 来源; hand rows with their cells and values) and the 来源 left untouched.

The rows are those of the 业务量 table as read (a file's column-wise read or Excel's grid): a
million rows are classified per distinct value and with numpy, and only the rows listed become
Python objects. The plan is data: a test compares it, the doors only carry it out.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .. import contract
from ..io import values
from ..io.names import normalize
from ..io.bounds import cell_name, column_letter
from ..io.tables import Checks, Table
from ..io.volumes import factorized
from ..model import Check, Month, month_text
from .importer import ImportResult

CENTER, ITEM, MONTH, VOLUME = contract.SHEET_SPECS[contract.VOLUMES].required
SOURCE = contract.SHEET_SPECS[contract.VOLUMES].optional[0]  # 来源
COLUMNS = (CENTER, ITEM, MONTH, VOLUME, SOURCE)
HAND = "手工填写"
LISTED = 10  # hand rows listed one by one where a person reads the plan; all are recorded
_FILES = re.compile(r"[；;]")
_FOLDERS = re.compile(r"[\\/]")
# A row's 来源 against this import's files:
_BY_HAND, _ALL_GIVEN, _SOME_GIVEN, _NOT_GIVEN = 0, 1, 2, 3


@dataclass(frozen=True)
class Replaced:
    """A row the import replaces, as it stood."""

    row: int  # sheet row, 1-based
    cell: str  # its 业务量 cell
    center: str  # the cells as a person reads them
    item: str
    month: str
    volume: str
    source: str  # its 来源, "" when typed by hand
    by_file: bool  # its 来源 is a file of this import (else: this import brings its 中心/事项/月份)
    imported: int | None  # the import's figure for its 中心/事项/月份, None if it brings none


@dataclass
class VolumePlan:
    """What an import does to the 业务量 rows of a workbook (rows are 1-based sheet rows)."""

    header_row: int
    added: int  # the import's rows, written after the rows kept
    replaced_index: np.ndarray  # the rows replaced, as indexes of the table's data rows, ascending
    by_file: np.ndarray  # per row replaced: for its 来源 (else: for its 中心/事项/月份)
    kept_sources: list[tuple[str, int]]  # 来源 of the period not chosen this time → rows kept
    kept_hand: int  # rows typed by hand that stay
    kept_outside: int  # imported rows of other periods, which stay
    checks: list[Check] = field(default_factory=list)  # why the plan refuses (errors)
    table: Table | None = field(default=None, repr=False)
    columns: dict = field(default_factory=dict, repr=False)  # header → (codes, uniques) per data row
    bringing: np.ndarray | None = field(default=None, repr=False)  # per row replaced: the import's row of its key, or -1
    placed: np.ndarray | None = field(default=None, repr=False)  # per row replaced: the import's row written there, or -1
    figures: np.ndarray | None = field(default=None, repr=False)  # the import's 业务量 per row
    _texts: dict = field(default_factory=dict, repr=False)  # header → its distinct values shown

    @property
    def ok(self) -> bool:
        return not self.checks

    @property
    def first_row(self) -> int:
        """The sheet row of the table's first data row."""
        return self.header_row + 1

    @property
    def replaced_rows(self) -> list[int]:
        """The sheet rows replaced, top to bottom."""
        return (self.replaced_index + self.first_row).tolist()

    @property
    def replaced_count(self) -> int:
        return len(self.replaced_index)

    @property
    def hand_count(self) -> int:
        """How many of the rows replaced were typed by hand (来源 empty)."""
        return len(self._hand_positions())

    def raw(self, position: int, header: str):
        """The cell of the ``position``-th replaced row under ``header`` as it was read (what the
        Excel button compares before deleting)."""
        codes, uniques = self.columns[header]
        code = codes[self.replaced_index[position]]
        return None if code < 0 else uniques[code]

    def replaced(self) -> Iterator[Replaced]:
        """Every row replaced, top to bottom, as a person reads it."""
        return self._rows(range(self.replaced_count))

    def hand_rows(self) -> Iterator[Replaced]:
        """The hand-typed rows replaced, top to bottom."""
        return self._rows(self._hand_positions().tolist())

    def by_source(self) -> list[tuple[str, int, bool]]:
        """(来源 or "" for hand rows, rows replaced, for its file) in order of first row."""
        shown = self._shown(SOURCE)
        codes = self.columns[SOURCE][0][self.replaced_index]
        groups: dict[tuple[str, bool], int] = {}
        for code, by_file in zip(codes.tolist(), self.by_file.tolist()):
            key = (shown[code].strip(), by_file)
            groups[key] = groups.get(key, 0) + 1
        return [(source, count, by_file) for (source, by_file), count in groups.items()]

    def _hand_positions(self) -> np.ndarray:
        shown = self._shown(SOURCE)
        hand = np.array([not text.strip() for text in shown], dtype=bool)
        return np.flatnonzero(hand[self.columns[SOURCE][0][self.replaced_index]])

    def _shown(self, header: str) -> list[str]:
        """Each distinct value of a column as a person reads it, and "" last (for blanks, code
        -1): a million rows are shown through a few thousand texts."""
        found = self._texts.get(header)
        if found is None:
            uniques = self.columns[header][1]
            if header == MONTH:
                found = [month_text(m) if (m := _month(raw)) else ("" if values.is_empty(raw) else values.show(raw))
                         for raw in uniques]
            else:
                found = ["" if values.is_empty(raw) else values.show(raw) for raw in uniques]
            found = self._texts[header] = found + [""]
        return found

    def _rows(self, positions) -> Iterator[Replaced]:
        positions = np.asarray(positions, dtype=np.int64)
        index = self.replaced_index[positions]
        texts = [np.array(self._shown(header), dtype=object)[self.columns[header][0][index]].tolist()
                 for header in COLUMNS]
        bringing = self.bringing[positions]
        figures = np.where(bringing >= 0, self.figures[np.maximum(bringing, 0)] if len(self.figures) else 0, -1)
        column = column_letter(self.table.sheet.first_col + self.table.columns[VOLUME])
        for row, center, item, month, volume, source, by_file, figure in zip(
                (index + self.first_row).tolist(), *texts, self.by_file[positions].tolist(), figures.tolist()):
            yield Replaced(row, f"{column}{row}", center, item, month, volume, source.strip(), by_file,
                           figure if figure >= 0 else None)


def file_name(label: str) -> str:
    """The file part of a 来源 or an import's file label (``folder/sub/x.xlsx`` → ``x.xlsx``),
    in the form names are compared in (NFKC, trimmed, case folded: Windows' file names)."""
    return normalize(_FOLDERS.split(label.strip())[-1]).casefold()


def source_files(source: str) -> list[str]:
    """The files a 来源 cell names (the import joins several with ；)."""
    return [part.strip() for part in _FILES.split(source) if part.strip()]


def plan_volumes(table: Table, result: ImportResult) -> VolumePlan:
    """The plan for ``result`` (an import without errors) over the 业务量 ``table`` as read;
    its ``checks`` say why it refuses, if it does. The table must have a 来源 column (the
    doors refuse a sheet without one first: imported rows could not be told from hand rows)."""
    sheet = table.sheet
    columns = {header: factorized(table, header) for header in COLUMNS}
    filled = np.zeros(len(columns[CENTER][0]), dtype=bool)
    for codes, uniques in columns.values():
        blank = np.array([values.is_empty(u) for u in uniques] or [True], dtype=bool)
        filled |= (codes >= 0) & ~blank[np.maximum(codes, 0)]

    targets = result.targets
    first, last = result.period
    start, end = _index(first), _index(last)
    month = _per_row(columns[MONTH], lambda raw: _index(m) if (m := _month(raw)) else -1)
    in_period = (month >= start) & (month <= end)

    given = {file_name(f.label) for f in result.files}
    status_of = [_status(raw, given) for raw in columns[SOURCE][1]]
    status = np.array(status_of or [_BY_HAND], dtype=np.int8)[np.maximum(columns[SOURCE][0], 0)]
    status[columns[SOURCE][0] < 0] = _BY_HAND

    center_ids: dict[str, int] = {}
    item_ids: dict[str, int] = {}
    center = _per_row(columns[CENTER], lambda raw: _id(center_ids, _find(targets.centers, raw)))
    item = _per_row(columns[ITEM], lambda raw: _id(item_ids, _find(targets.items, raw)))
    span = end - start + 1
    resolved = (center >= 0) & (item >= 0) & in_period
    width = max(len(item_ids), 1)
    key = np.where(resolved, (center * width + item) * span + (month - start), -1)
    wanted = np.array([(center_ids[v.center] * width + item_ids[v.item]) * span + (_index(v.month) - start)
                       if v.center in center_ids and v.item in item_ids else -1 for v in result.volumes] or [-1],
                      dtype=np.int64)[:len(result.volumes)]
    brought_by = np.full(len(key), -1, dtype=np.int64)  # the import's row of each row's key
    if len(wanted):
        order = np.argsort(wanted, kind="stable")
        ranked = wanted[order]
        found = np.minimum(np.searchsorted(ranked, key), len(ranked) - 1)
        hit = resolved & (ranked[found] == key)
        brought_by[hit] = order[found[hit]]
    brought = brought_by >= 0

    use = filled & in_period
    replaced = use & ((status == _ALL_GIVEN) | brought)
    refused = use & (status == _SOME_GIVEN)
    at = np.flatnonzero(replaced)
    bringing = brought_by[at]
    placed = bringing.copy()  # a key's new row where the first of its replaced rows stood
    hits = np.flatnonzero(bringing >= 0)
    _, first = np.unique(bringing[hits], return_index=True)
    placed[hits] = -1
    placed[hits[first]] = bringing[hits[first]]

    kept = filled & ~replaced
    kept_sources: dict[str, int] = {}
    source_codes, source_values = columns[SOURCE]
    for code in source_codes[kept & in_period & (status >= _SOME_GIVEN)].tolist():
        text = values.show(source_values[code]).strip()
        kept_sources[text] = kept_sources.get(text, 0) + 1
    return VolumePlan(
        header_row=sheet.first_row + table.header_index + 1, added=len(result.volumes),
        replaced_index=at, by_file=(status[at] == _ALL_GIVEN), kept_sources=sorted(kept_sources.items()),
        kept_hand=int((kept & (status == _BY_HAND)).sum()),
        kept_outside=int((kept & ~in_period & (status != _BY_HAND)).sum()),
        checks=_refusals(table, columns[SOURCE], refused, given),
        table=table, columns=columns, bringing=bringing, placed=placed,
        figures=np.array([v.volume for v in result.volumes], dtype=np.int64))


def _refusals(table: Table, source: tuple[np.ndarray, list], refused: np.ndarray,
              given: set[str]) -> list[Check]:
    """A 来源 naming several files of which only some are given: one error per such 来源, at
    its first cell, with the files to add."""
    checks = Checks()
    codes, uniques = source
    for code in dict.fromkeys(codes[refused].tolist()):
        hits = np.flatnonzero(refused & (codes == code))
        text = values.show(uniques[code]).strip()
        files = source_files(text)
        chosen = [f for f in files if file_name(f) in given]
        missing = [f for f in files if file_name(f) not in given]
        checks.error(contract.VOLUMES, table.cell(table.header_index + 1 + int(hits[0]), SOURCE),
                     f"来源“{text}”的行合并了几个导出文件的数据，本次只选择了其中的 "
                     f"{'、'.join(chosen)}，这些行无法只替换一部分；请把 {'、'.join(missing)} 一并选择后重新导入",
                     SOURCE, count=len(hits))
    return checks.finish()


def _status(raw, given: set[str]) -> int:
    if values.is_empty(raw) or isinstance(raw, values.CellError):
        return _BY_HAND if values.is_empty(raw) else _NOT_GIVEN
    files = [file_name(f) for f in source_files(values.show(raw))]
    if not files:
        return _BY_HAND
    found = sum(f in given for f in files)
    return _ALL_GIVEN if found == len(files) else _SOME_GIVEN if found else _NOT_GIVEN


def _per_row(column: tuple[np.ndarray, list], value) -> np.ndarray:
    """``value(raw)`` of each distinct value, spread over the rows (-1 for blanks)."""
    codes, uniques = column
    per_unique = np.array([value(raw) for raw in uniques] + [-1], dtype=np.int64)
    return per_unique[np.where(codes >= 0, codes, len(uniques))]


def _find(lookup, raw) -> str | None:
    try:
        return lookup.find(raw)
    except values.BadValue:
        return None


def _id(ids: dict[str, int], found: str | None) -> int:
    return -1 if found is None else ids.setdefault(found, len(ids))


def _month(raw) -> Month | None:
    try:
        return values.month(raw)
    except values.BadValue:
        return None


def _index(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


# --- what a person reads ----------------------------------------------------------------------

def plan_lines(plan: VolumePlan, sheet: str = contract.VOLUMES) -> list[str]:
    """The plan as the Excel confirmation, ``import --into`` and the page show it (and 导入记录
    records it): added; replaced by 来源, hand rows with their cells and values; kept."""
    lines = [f"新增这次导入的 {plan.added:,} 行。"]
    if plan.replaced_count:
        lines.append(f"替换“{sheet}”表中的 {plan.replaced_count:,} 行：")
        for source, count, by_file in plan.by_source():
            why = "本次重新导入的文件" if by_file else "同一中心、事项和月份由本次导入提供"
            who = f"来源“{source}”" if source else HAND
            lines.append(f"  {who}的 {count:,} 行（{why}）")
        hand = list(_first(plan.hand_rows(), LISTED + 1))
        if hand:
            lines.append("  其中手工填写的行（单元格：原值）：")
        for row in hand[:LISTED]:
            imported = f"，导入 {row.imported:,}" if row.imported is not None else ""
            lines.append(f"    {sheet}!{row.cell} {row.center} {row.item} {row.month}：手工 {row.volume}{imported}")
        if len(hand) > LISTED:
            lines.append(f"    ……共 {plan.hand_count:,} 行手工填写的行，全部记入“{REPLACED_SHEET}”表")
    else:
        lines.append(f"不替换“{sheet}”表中的任何行。")
    if plan.kept_sources:
        total = sum(count for _, count in plan.kept_sources)
        listed = "、".join(f"{source}（{count:,} 行）" for source, count in plan.kept_sources)
        lines.append(f"以下来源本次未选择，其 {total:,} 行保留：{listed}")
    kept = [f"{HAND}的 {plan.kept_hand:,} 行"] if plan.kept_hand else []
    kept += [f"考核期外导入的 {plan.kept_outside:,} 行"] if plan.kept_outside else []
    if kept:
        lines.append(f"保留{'、'.join(kept)}。")
    return lines


REPLACED_SHEET = "替换记录"


def _first(found: Iterator, count: int) -> Iterator:
    for number, item in enumerate(found):
        if number >= count:
            return
        yield item


# --- sheets an import cannot write into: one wording for the Excel button and --into ----------

def where(sheet: str) -> str:
    return f"“{sheet}”表"


def no_source_column(sheet: str) -> str:
    return (f"{where(sheet)}没有“{SOURCE}”列，导入的行无法与手工录入的行区分；"
            f"请在表头末尾加一列“{SOURCE}”后重新导入")


def protected(sheet: str) -> str:
    return f"{where(sheet)}受保护，无法写入。请先点击“审阅 → 撤消工作表保护”，导入后可再保护。"


def filtered(sheet: str) -> str:
    return (f"{where(sheet)}正在筛选，有的行被隐藏，删除和追加行会出错。请先点击“数据 → 清除”"
            "取消筛选后重新导入。")


def merged(sheet: str, first: int, bottom: int) -> str:
    return (f"{where(sheet)}第 {first}–{bottom} 行中有合并的单元格，Excel 无法删除或移动这些行。"
            "请先取消合并（开始 → 合并后居中）后重新导入。")


def other_table(sheet: str, name: str, address: str) -> str:
    return (f"{where(sheet)}中还有另一个表格“{name}”（{address}），导入时删除或追加的行会移动或覆盖它。"
            "请把它移到其他工作表后重新导入。")


def beside(sheet: str, cell: str) -> str:
    return (f"{where(sheet)}的表格旁边（{cell} 等）还有其他内容，删除或追加行会把它们删除或错位。"
            "请把它们移到其他工作表后重新导入。")


def totals_row(sheet: str, name: str) -> str:
    return (f"{where(sheet)}的表格“{name}”显示着汇总行：导入的行会写进汇总行，而汇总行不计入业务量。"
            "请先在“表设计”中取消勾选“汇总行”，导入后可再勾选。")


def content_beside(sheet, header_row: int, span: tuple[int, int]) -> str | None:
    """The first cell below the header row (1-based) and outside the table's columns ``span``
    (1-based) holding a value, in a sheet as read (a grid of rows, or a file's columns)."""
    left, right = span
    if sheet.columns is not None:  # a file's column-wise read: ask each column outside the span
        start = header_row - sheet.first_row  # index of the first data row
        found = None
        for offset, column in enumerate(sheet.columns):
            col = sheet.first_col + offset + 1
            part = column.slice(start) if start < len(column) else column.slice(0, 0)
            if left <= col <= right or part.null_count == len(part):
                continue
            for index, value in enumerate(part.to_pylist()):
                if not values.is_empty(value):
                    at = (sheet.first_row + start + index, col - 1)
                    found = at if found is None or at < found else found
                    break
        for (r, c), _ in sheet.errors.items():
            col = sheet.first_col + c + 1
            if r >= start and not left <= col <= right:
                at = (sheet.first_row + r, col - 1)
                found = at if found is None or at < found else found
        return None if found is None else cell_name(*found)
    for index, row in enumerate(sheet.rows):
        at = sheet.first_row + index + 1
        if at <= header_row:
            continue
        for offset, value in enumerate(row):
            column = sheet.first_col + offset + 1
            if not left <= column <= right and not values.is_empty(value):
                return cell_name(at - 1, column - 1)
    return None
