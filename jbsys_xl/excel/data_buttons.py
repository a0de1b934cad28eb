"""The ribbon's 数据 buttons: 导入金保数据 and 生成回访清单 (issues 11–13, 21; 导入回访结果 is
:mod:`.callback_buttons`, the documents :mod:`.document_buttons`).

Thin doors over what the command line runs (:func:`~jbsys_xl.jinbao.importer.run_import`,
:func:`~jbsys_xl.jinbao.callbacks.draw_callbacks`),
fed with the open book as the other buttons read it (:func:`~.book_source.read_book`), so
unsaved edits count. The dialogs are Excel's own, reached through ``app.api``:
``Application.GetOpenFilename`` (several files), ``GetSaveAsFilename`` and ``InputBox``.

The import is the one button that writes an input sheet, and money follows from what it
leaves there. Rows of 业务量 whose 来源 is filled came from an import: those of the year's
period are replaced, every other row stays untouched (hand-typed rows have no 来源). Before
anything is written:

- a preflight refuses, with the reason, a sheet Excel would not let rows be deleted from or
  added to cleanly: protected, filtered, merged cells, another table or other content beside
  or below the 业务量 table (:func:`preflight`);
- a hand-typed row for a 中心/事项/月份 the import brings (after aliases and month forms are
  resolved as validation resolves them) would count twice: such rows are listed in the
  confirmation, and confirming replaces them too (:func:`plan_volumes`).

Then the new rows go below the last filled row in one block, 来源 in the same write, and the
replaced rows are deleted as whole sheet rows in one Excel operation (a multi-area range),
which Excel performs entirely or not at all. If anything fails, the appended block is taken
out again and its formats and the table's size restored, so the sheet is as it was.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xlwings.constants import MAX_COLUMNS

from .. import contract
from ..io import values
from ..io.atomic import OutputError, write_atomic
from ..io.reader import cell_name, match_sheets
from ..io.tables import Checks, Table, locate
from ..jinbao.callbacks import DEFAULT_PER_CENTER, callback_workbook_bytes, draw_callbacks, seed_note
from ..jinbao.importer import ImportResult, run_import
from ..jinbao.output import RECORD_SHEET, record_table, summary_lines, title, volume_table
from ..jinbao.sources import EXTENSIONS
from ..model import Check, Month, month_text
from ..report import tables as t
from .book_source import sheet_names
from .locations import private_folder, shared_or_synced
from .macros import ALERT_TITLE, button, read_with_year, report_write_failure, sheet_content, show_checks
from .writer import TEXT, WriteFailed, each, put, quiet, write_sheets

_PATTERNS = ";".join(f"*{extension}" for extension in EXTENSIONS)
FILE_FILTER = f"金保导出文件 ({_PATTERNS}),{_PATTERNS},所有文件 (*.*),*.*"
XLSX_FILTER = "Excel 工作簿 (*.xlsx),*.xlsx"
SOURCE = contract.SHEET_SPECS[contract.VOLUMES].optional[0]  # 来源
CENTER, ITEM, MONTH, VOLUME = contract.SHEET_SPECS[contract.VOLUMES].required
MONTH_FORMAT, COUNT_FORMAT = "yyyy-mm", "#,##0"  # as the template's 月份 and 业务量 columns
VOLUME_FORMATS = {CENTER: TEXT, ITEM: TEXT, MONTH: MONTH_FORMAT, VOLUME: COUNT_FORMAT, SOURCE: TEXT}
MAX_SUMMARY_LINES = 20  # of the confirmation; the rest is in 导入记录 and 校验 afterwards
MAX_OVERLAP_LINES = 10
MAX_ADDRESS = 255  # characters Excel takes in Range("…")
UNION_ARGUMENTS = 30  # ranges Application.Union takes at once
RETRY_IMPORT = ("请关闭正在编辑单元格的窗口或其他占用 Excel 的程序后，重新点击“导入金保数据”："
                "再次导入会替换此前导入的行，不会重复计入。")
NOT_SAVED = "工作簿还没有保存到文件夹中（新建未保存），无法在它旁边写文件。请先“另存为”到本机文件夹后再试。"
NOT_SYNCED = ("工作簿打开自 OneDrive/SharePoint 的网址，本机没有找到它的同步副本，无法在它旁边写文件。"
              "请把它所在的文档库同步到本机（SharePoint 网页上点“同步”，或在 OneDrive 中设为“始终保留在此设备上”），"
              "等同步完成后从同步文件夹打开它；或者“文件 → 另存为”到本机文件夹后再试。")
SAVE_TITLE = "保存 12333 回访清单（含姓名和电话：请存在本机不共享的文件夹，不要存到 OneDrive、共享文件夹或网盘）"
CONFIDENTIAL = "清单含个人信息（姓名、电话）：内部资料，注意保密，不要放到共享文件夹或网盘。"
NO_OPERATOR = "没有填写抽取人，未生成回访清单：抽取记录须写明由谁抽取。"


# --- 导入金保数据 ---------------------------------------------------------------------------------

@button(windows=True, writes_inputs=True)
def import_jinbao(book) -> ImportResult | None:
    """导入金保数据: pick the exports, import them, confirm, write 业务量 and 导入记录."""
    paths = pick_files(book, "导入金保数据：选择金保系统导出的文件（可多选）")
    return import_files(book, paths) if paths else None


@button
def import_files(book, paths: list[str]) -> ImportResult | None:
    """The import of ``paths`` into the open book, after the user's confirmation. Returns the
    import's result once it ran (with errors too, or refused by the preflight); None when the
    user cancelled, the book has no year, or writing failed."""
    app = book.app
    if (found := read_with_year(book)) is None:
        return None
    raw, year = found
    result = run_import(raw, paths, year, progress=_progress(app))
    if not result.ok:
        show_checks(book, result.checks, year)
        app.alert(f"导入发现 {result.error_count:,} 个错误，未写入任何数据。请查看“{contract.CHECKS_SHEET}”表。",
                  title=ALERT_TITLE)
        return result
    if not result.volumes:
        show_checks(book, result.checks, year)
        app.alert(f"所选文件中没有 {year} 年度考核期内可导入的业务量，未写入任何数据。"
                  f"请查看“{contract.CHECKS_SHEET}”表。", title=ALERT_TITLE)
        return result
    try:
        plan = plan_volumes(book, raw, result)
        preflight(book, raw, plan, len(result.volumes))
    except SheetRefused as refused:
        show_checks(book, result.checks + refused.checks, year)
        app.alert(f"未写入任何数据：{refused.checks[0].message}", title=ALERT_TITLE)
        return result
    if app.alert(confirmation(result, plan), title=ALERT_TITLE, buttons="ok_cancel") != "ok":
        return None
    app.status_bar = f"JBSys：正在写入“{plan.sheet}”表……"
    record = dataclasses.replace(sheet_content(record_table(result), year), title=title(result))
    try:
        with quiet(book):
            replace_volumes(book, plan, result)
            write_sheets(book, [record, sheet_content(t.checks_table(result.checks), year)])
    except RowsUndone as undone:
        report_write_failure(book, undone, result.checks, year, RETRY_IMPORT,
                             undone.outcome(f"“{SOURCE}”已填写，再次导入会替换它们"))
        return None
    except WriteFailed as failure:
        report_write_failure(book, failure, result.checks, year, RETRY_IMPORT)
        return None
    book.sheets[RECORD_SHEET].activate()
    warnings = f"{len(result.warnings)} 个警告（如未匹配的名称）见“{contract.CHECKS_SHEET}”表。" \
        if result.warnings else ""
    hand = f"和手工录入的 {len(plan.overlaps):,} 行" if plan.overlaps else ""
    app.alert(f"已导入 {len(result.volumes):,} 行业务量（替换此前导入的 {len(plan.replaced):,} 行{hand}），"
              f"各文件的情况见“{RECORD_SHEET}”表。{warnings}\n请点击“校验数据”检查后再生成分配。",
              title=ALERT_TITLE)
    return result


class SheetRefused(Exception):
    """The 业务量 sheet cannot take the import; ``checks`` say why."""

    def __init__(self, checks: list[Check]):
        super().__init__(checks[0].message)
        self.checks = checks


class RowsUndone(WriteFailed):
    """Writing an input sheet (业务量, 回访) failed, and what was appended was taken out again.
    ``rows`` (first, last): the appended rows that still hold something of it afterwards, or
    None; ``complete``: the sheet is as before (values, formats and the table's size, as read
    back from Excel — not merely every undo step succeeding: on a protected sheet the steps
    fail as the write did, and nothing was ever written)."""

    def __init__(self, sheet: str, cause: BaseException, rows: tuple[int, int] | None, complete: bool):
        super().__init__(sheet, cause)
        self.rows, self.complete = rows, complete

    def outcome(self, rows_note: str) -> str:
        """What the failure left, for the message: rows are named only where some are left.
        ``rows_note`` says why such rows do no harm (their 来源 or 抽取批次 is filled)."""
        if self.rows is not None:
            return f"未能完全撤回：第 {self.rows[0]}–{self.rows[1]} 行是这次追加的行（{rows_note}）"
        if self.complete:
            return f"已撤回，“{self.sheet}”表与导入前相同"
        return f"没有留下这次的任何行，但“{self.sheet}”表的数字格式或表格范围可能已改动"


@dataclass(frozen=True)
class Overlap:
    """A hand-typed 业务量 row for a 中心/事项/月份 the import brings too."""

    row: int  # on the sheet, 1-based
    center: str  # 中心编码
    item: str  # 事项名称
    month: Month
    typed: object  # the row's 业务量 as it stands
    imported: int


@dataclass(frozen=True)
class VolumePlan:
    """Where the import goes in the book's 业务量 sheet (rows and columns 1-based)."""

    sheet: str  # the sheet's name in the book
    header_row: int
    columns: dict[str, int]  # header → column
    span: tuple[int, int]  # first and last column of the 业务量 table
    replaced: list[int]  # rows of an earlier import of the period, top to bottom
    overlaps: list[Overlap]  # hand-typed rows the import replaces, once confirmed
    hand: int  # rows typed by hand (来源 empty): kept, unless they overlap
    other: int  # imported rows of other periods: kept
    first_free: int  # the row below the last filled one

    @property
    def deleted(self) -> list[int]:
        return sorted(self.replaced + [overlap.row for overlap in self.overlaps])


def plan_volumes(book, raw, result: ImportResult) -> VolumePlan:
    """Which rows of 业务量 the import replaces, from the sheet as read (``raw``): earlier
    imports of the period, and hand-typed rows for a 中心/事项/月份 it brings."""
    checks = Checks()
    table = locate(raw, contract.SHEET_SPECS[contract.VOLUMES], checks)
    if table is None:
        raise SheetRefused(checks.finish())
    if SOURCE not in table.columns:
        raise SheetRefused([Check("error", contract.VOLUMES, table.header_cell(VOLUME),
                                  f"“{contract.VOLUMES}”表没有“{SOURCE}”列，导入的行无法与手工录入的行区分；"
                                  f"请在表头末尾加一列“{SOURCE}”后重新导入")])
    sheet = raw.sheets[contract.VOLUMES]
    chosen, _ = match_sheets(sheet_names(book))
    name = chosen[contract.VOLUMES]
    header_row = sheet.first_row + table.header_index + 1
    columns = {header: sheet.first_col + col + 1 for header, col in table.columns.items()}
    span = _span(book.sheets[name], header_row, columns)
    imported = {(v.center, v.item, v.month): v.volume for v in result.volumes}
    first, last = result.period
    replaced, overlaps, hand, other = [], [], 0, 0
    for row in table.rows():
        at = sheet.first_row + row.index + 1
        if values.is_empty(row.raw(SOURCE)):
            key = _resolved(row, result)
            if key in imported:
                overlaps.append(Overlap(at, *key, row.raw(VOLUME), imported[key]))
            else:
                hand += 1
            continue
        month = _month(row.raw(MONTH))
        if month is not None and first <= month <= last:
            replaced.append(at)
        else:
            other += 1
    return VolumePlan(name, header_row, columns, span, replaced, overlaps, hand, other,
                      _last_filled(table, span) + 1)


def _span(sheet, header_row: int, columns: dict[str, int]) -> tuple[int, int]:
    """The columns of the Excel table over the header row, or else those of the headers."""
    table = _list_object(sheet, header_row, columns)
    if table is not None:
        return table.range.column, table.range.column + table.range.shape[1] - 1
    return min(columns.values()), max(columns.values())


def _resolved(row, result: ImportResult) -> tuple[str, str, Month] | None:
    """(中心编码, 事项名称, month) of a row as validation reads it, or None if a value does not
    resolve (validation reports those)."""
    targets = result.targets
    try:
        center = targets.centers.find(row.raw(CENTER))
        item = targets.items.find(row.raw(ITEM))
    except values.BadValue:
        return None
    month = _month(row.raw(MONTH))
    return None if None in (center, item, month) else (center, item, month)


def _month(raw) -> Month | None:
    try:
        return values.month(raw)
    except values.BadValue:
        return None


def _last_filled(table: Table, span: tuple[int, int]) -> int:
    """The sheet row (1-based) of the last row with anything in the table's columns."""
    sheet = table.sheet
    bottom = table.header_index
    for index, row in enumerate(sheet.rows):
        cells = row[max(span[0] - 1 - sheet.first_col, 0):span[1] - sheet.first_col]
        if index > table.header_index and not all(values.is_empty(value) for value in cells):
            bottom = index
    return sheet.first_row + bottom + 1


def preflight(book, raw, plan: VolumePlan, rows: int) -> None:
    """SheetRefused, with the reason, when Excel would refuse or garble deleting the replaced
    rows and adding ``rows`` rows below the last: the sheet is protected or filtered, holds
    merged cells, another table or other content (in ``raw``, the sheet as read) in the rows
    concerned."""
    sheet = book.sheets[plan.sheet]
    used = sheet.used_range
    first = plan.header_row + 1
    bottom = max(used.row + used.shape[0] - 1, plan.first_free + rows - 1)
    where = f"“{plan.sheet}”表"

    def refuse(cell: str, message: str) -> None:
        raise SheetRefused([Check("error", contract.VOLUMES, cell, message)])

    header = cell_name(plan.header_row - 1, plan.span[0] - 1)
    if sheet.api.ProtectContents:
        refuse(header, f"{where}受保护，无法写入。请先点击“审阅 → 撤消工作表保护”，导入后可再保护。")
    filtered = sheet.api.FilterMode or any(
        (table.api.AutoFilter is not None and table.api.AutoFilter.FilterMode)
        for table in sheet.tables)
    if filtered:
        refuse(header, f"{where}正在筛选，有的行被隐藏，删除和追加行会出错。请先点击“数据 → 清除”"
                       "取消筛选后重新导入。")
    if sheet.range((first, 1), (bottom, MAX_COLUMNS)).merge_cells is not False:
        refuse(header, f"{where}第 {first}–{bottom} 行中有合并的单元格，Excel 无法删除或移动这些行。"
                       "请先取消合并（开始 → 合并后居中）后重新导入。")
    ours = _list_object(sheet, plan.header_row, plan.columns)
    for table in sheet.tables:
        area = table.range
        if (ours is None or table.name != ours.name) and area.row + area.shape[0] - 1 >= first:
            refuse(header, f"{where}中还有另一个表格“{table.name}”（{area.address.replace('$', '')}），"
                           "导入时删除或追加的行会移动或覆盖它。请把它移到其他工作表后重新导入。")
    outside = _content_beside(raw.sheets[contract.VOLUMES], plan)
    if outside:
        refuse(outside, f"{where}的表格旁边（{outside} 等）还有其他内容，删除或追加行会把它们删除或错位。"
                        "请把它们移到其他工作表后重新导入。")


def _content_beside(sheet, plan: VolumePlan) -> str | None:
    """The first cell below the header row and outside the table's columns holding a value."""
    for index, row in enumerate(sheet.rows):
        at = sheet.first_row + index + 1
        if at <= plan.header_row:
            continue
        for offset, value in enumerate(row):
            column = sheet.first_col + offset + 1
            if not plan.span[0] <= column <= plan.span[1] and not values.is_empty(value):
                return cell_name(at - 1, column - 1)
    return None


def confirmation(result: ImportResult, plan: VolumePlan) -> str:
    """What the user confirms: per file, the unmatched names, the hand-typed rows the import
    would count twice, then what is replaced and kept."""
    lines = summary_lines(result)
    if len(lines) > MAX_SUMMARY_LINES:
        lines = lines[:MAX_SUMMARY_LINES] + [
            f"……另有 {len(lines) - MAX_SUMMARY_LINES} 行，写入后见“{RECORD_SHEET}”和“{contract.CHECKS_SHEET}”表"]
    if plan.overlaps:
        lines += ["", f"注意：“{plan.sheet}”表中有 {len(plan.overlaps):,} 行手工录入的业务量与这次导入的数据是同一"
                      "中心、事项和月份，两者都保留会重复计入："]
        for overlap in plan.overlaps[:MAX_OVERLAP_LINES]:
            lines.append(f"  第 {overlap.row} 行 {overlap.center} {overlap.item} {month_text(overlap.month)}："
                         f"手工 {values.show(overlap.typed)}，导入 {overlap.imported:,}")
        if len(plan.overlaps) > MAX_OVERLAP_LINES:
            lines.append(f"  ……另有 {len(plan.overlaps) - MAX_OVERLAP_LINES:,} 行")
        lines.append("确定将删除这些手工行，以导入的数据为准；要保留手工数据请点“取消”。")
    kept = f"保留手工录入的 {plan.hand:,} 行" + (f"和其他期间导入的 {plan.other:,} 行" if plan.other else "")
    return "\n".join(lines + [
        "", f"确定后：“{plan.sheet}”表中此前导入的本考核期 {len(plan.replaced):,} 行换成这次的 "
            f"{len(result.volumes):,} 行，{kept}；重写“{RECORD_SHEET}”表。", "取消则不写入任何内容。"])


def replace_volumes(book, plan: VolumePlan, result: ImportResult) -> None:
    """The import written in place of the rows it replaces (:func:`replace_rows`)."""
    replace_rows(book, plan, _block(plan, result), VOLUME_FORMATS)


def replace_rows(book, plan, block: list[list], number_formats: dict[str, str]) -> None:
    """Append ``block`` (rows across the table's columns ``plan.span``) below the last filled
    row in one write (the columns' formats first, the sheet's table grown over it), then delete
    ``plan.deleted`` in one operation. ``plan`` is a :class:`VolumePlan` or alike (sheet,
    header_row, columns, span, first_free, deleted). Use inside :func:`~.writer.quiet`.
    RowsUndone when it failed (the block taken out again)."""
    sheet = book.sheets[plan.sheet]
    top, bottom = plan.first_free, plan.first_free + len(block) - 1
    formats = [number_formats.get(header) for header in _headers_by_column(plan)]
    saved = [(column, format_runs(sheet.range((top, column), (bottom, column))))
             for column, number_format in zip(range(plan.span[0], plan.span[1] + 1), formats)
             if number_format is not None]
    table = _list_object(sheet, plan.header_row, plan.columns)
    area = table.range if table is not None else None
    try:
        if area is not None and bottom > area.row + area.shape[0] - 1:
            table.resize(sheet.range((area.row, area.column), (bottom, area.column + area.shape[1] - 1)))
        put(sheet, top, plan.span[0], block, formats)
        if plan.deleted:
            delete_rows(book, sheet, plan.deleted)
    except Exception as exc:
        each([lambda: sheet.range((top, plan.span[0]), (bottom, plan.span[1])).clear_contents()]
             + [_restorer(sheet, column, runs) for column, runs in saved]
             + ([lambda: table.resize(area)] if area is not None else []))
        left = _rows_left(sheet, top, bottom, plan.span)
        complete = left is None and _as_before(sheet, top, bottom, saved, table, area)
        raise RowsUndone(plan.sheet, exc, left, complete) from exc


def _rows_left(sheet, top: int, bottom: int, span: tuple[int, int]) -> tuple[int, int] | None:
    """The first and last of rows ``top``–``bottom`` that hold a value in the table's columns
    (they held none before: the block goes below the last filled row); all of them when Excel
    cannot be asked."""
    try:
        rows = sheet.range((top, span[0]), (bottom, span[1])).options(ndim=2).value
    except Exception:
        return top, bottom
    filled = [top + index for index, row in enumerate(rows)
              if any(not values.is_empty(value) for value in row)]
    return (filled[0], filled[-1]) if filled else None


def _as_before(sheet, top: int, bottom: int, saved, table, area) -> bool:
    """Whether the block's number formats and the table's range are as they were."""
    try:
        return (all(format_runs(sheet.range((top, column), (bottom, column))) == runs
                    for column, runs in saved)
                and (table is None or table.range == area))
    except Exception:
        return False


def _headers_by_column(plan) -> list[str | None]:
    by_column = {column: header for header, column in plan.columns.items()}
    return [by_column.get(column) for column in range(plan.span[0], plan.span[1] + 1)]


def _block(plan: VolumePlan, result: ImportResult) -> list[list]:
    """The import's rows across the table's columns: 中心, 事项, 月份 (a date), 业务量 and 来源
    where their headers are, blanks in any other column of the table."""
    months = [date(*volume.month, 1) for volume in result.volumes]
    rows = [[center, item, month, volume, source] for (center, item, _, volume, source), month
            in zip(volume_table(result).rows, months)]
    place = {header: index for index, header in enumerate((CENTER, ITEM, MONTH, VOLUME, SOURCE))}
    headers = _headers_by_column(plan)
    return [[row[place[header]] if header in place else None for header in headers] for row in rows]


def format_runs(column) -> list[tuple[int, int, str]]:
    """(first row, last row, number format) of a one-column range: one read where the column
    is uniform, the halves asked again where it is not (Excel reports mixed formats as None)."""
    number_format = column.number_format
    height = column.shape[0]
    if number_format is not None or height == 1:
        return [(column.row, column.row + height - 1, number_format)]
    half = height // 2
    return format_runs(column.resize(half)) + format_runs(column.offset(half).resize(height - half))


def _restorer(sheet, column: int, runs: list[tuple[int, int, str]]):
    def restore() -> None:
        for first, last, number_format in runs:
            sheet.range((first, column), (last, column)).number_format = number_format
    return restore


def delete_rows(book, sheet, rows: list[int]) -> None:
    """Delete whole sheet rows in one Excel operation, which Excel completes or refuses as a
    whole: one range of many areas (addresses of at most MAX_ADDRESS characters, joined with
    Application.Union)."""
    addresses = [""]
    for first, last in _runs(rows):
        part = f"{first}:{last}"
        if addresses[-1] and len(addresses[-1]) + 1 + len(part) > MAX_ADDRESS:
            addresses.append("")
        addresses[-1] = f"{addresses[-1]},{part}" if addresses[-1] else part
    ranges = [sheet.api.Range(address) for address in addresses]
    whole = ranges[0]
    for start in range(1, len(ranges), UNION_ARGUMENTS - 1):
        whole = book.app.api.Union(whole, *ranges[start:start + UNION_ARGUMENTS - 1])
    whole.Delete()


def _list_object(sheet, header_row: int, columns: dict[str, int]):
    """The Excel table whose header row is the 业务量 header, if the sheet has one."""
    for table in sheet.tables:
        area = table.range
        if area.row == header_row and area.column <= min(columns.values()) \
                and max(columns.values()) <= area.column + area.shape[1] - 1:
            return table
    return None


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


# --- 生成回访清单 ---------------------------------------------------------------------------------

@button(windows=True)
def callback_list(book):
    """生成回访清单: pick the case lists, ask how many per center and who draws, draw, ask
    where to save the list (it holds names and phones) and open it."""
    paths = pick_files(book, "生成回访清单：选择金保系统导出的业务明细（可多选）")
    if not paths:
        return None
    per_center = ask_per_center(book)
    if not per_center:
        return None
    operator = ask_operator(book)
    return write_callback_list(book, paths, per_center, operator=operator) if operator else None


def ask_per_center(book) -> int | None:
    """How many cases per center (default 5); None when cancelled or not a whole number ≥ 1."""
    answer = book.app.api.InputBox(Prompt="每个中心抽取几件？（可回访的案件不足时全部抽取）",
                                   Title=ALERT_TITLE, Default=DEFAULT_PER_CENTER, Type=1)
    if answer is False:
        return None
    if isinstance(answer, (int, float)) and answer >= 1 and float(answer).is_integer():
        return int(answer)
    book.app.alert(f"每个中心抽取的件数应为正整数，而不是“{answer}”。未生成回访清单。", title=ALERT_TITLE)
    return None


def ask_operator(book) -> str | None:
    """Who draws (抽取人, written into 抽取记录): asked, with Excel's user name (File → Options
    → 用户名) filled in — on a shared office PC that is often a generic name, so the clerk
    confirms or corrects it. None when cancelled or left empty."""
    answer = book.app.api.InputBox(Prompt="抽取人姓名（写入回访清单的“抽取记录”表）：", Title=ALERT_TITLE,
                                   Default=book.app.api.UserName or "", Type=2)
    if answer is False:
        return None
    if not str(answer).strip():
        book.app.alert(NO_OPERATOR, title=ALERT_TITLE)
        return None
    return str(answer).strip()


@button
def write_callback_list(book, paths: list[str], per_center: int, seed: int | None = None,
                        target: str | Path | None = None, operator: str | None = None):
    """Draw the callbacks from ``paths``, write 回访清单 to ``target`` — by default where the
    user chooses in a save dialog — never over an existing file, and open it. Returns the
    draw, or None when nothing was written."""
    app = book.app
    try:
        if (found := read_with_year(book)) is None:
            return None
        raw, year = found
        draw = draw_callbacks(raw, paths, year, per_center, seed, progress=_progress(app), operator=operator)
        if not draw.ok:
            errors = [c for c in draw.checks if c.level == "error"]
            show_checks(book, draw.checks, year)
            app.alert(f"发现 {len(errors)} 个错误，未生成回访清单。请查看“{contract.CHECKS_SHEET}”表。",
                      title=ALERT_TITLE)
            return None
        if target is None and (target := ask_list_path(book, draw.year)) is None:
            return None
        target = free_path(Path(target))
        write_atomic(target, callback_workbook_bytes(draw))
        warnings = ""
        if draw.checks:
            show_checks(book, draw.checks, year)
            warnings = f"\n{len(draw.checks)} 个警告见本工作簿的“{contract.CHECKS_SHEET}”表。"
        app.books.open(str(target))
        app.alert(f"回访清单已生成并打开：{target}\n{len(draw.centers)} 个中心，共抽取 {len(draw.cases)} 件。\n"
                  f"{seed_note(draw)}{warnings}\n{CONFIDENTIAL}", title=ALERT_TITLE)
        return draw
    except OutputError as exc:
        app.alert(f"未生成回访清单：{exc}", title=ALERT_TITLE)
        return None


def ask_list_path(book, year: int) -> Path | None:
    """Where to save the callback list: Excel's save dialog, starting in a private folder
    (:func:`~.locations.private_folder`, not beside the workbook, often a shared or synced
    folder); a shared or synced choice is confirmed first. None when cancelled."""
    suggested = free_path(private_folder() / f"{Path(book.name).stem}-回访清单-{year}.xlsx")
    answer = book.app.api.GetSaveAsFilename(InitialFileName=str(suggested), FileFilter=XLSX_FILTER,
                                            Title=SAVE_TITLE)
    if answer is False:
        return None
    path = Path(answer)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    place = shared_or_synced(path)
    if place and book.app.alert(
            f"“{path.parent}”是{place}，别人可能看到，或会上传到云端。回访清单含姓名和电话，"
            "建议存在本机不共享的文件夹。仍然保存到这里吗？", title=ALERT_TITLE, buttons="yes_no") != "yes":
        return None
    return path


def free_path(path: Path) -> Path:
    """``path``, or ``name (2).xlsx``, ``name (3).xlsx``… when it is taken, as Windows names
    copies: an earlier list (perhaps already filled in) is never overwritten."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
    return candidate


# --- shared -------------------------------------------------------------------------------------

def pick_files(book, prompt: str, file_filter: str = FILE_FILTER) -> list[str]:
    """Excel's file picker, several files at once; [] when cancelled. The open workbook itself
    is left out: it is no export."""
    picked = book.app.api.GetOpenFilename(FileFilter=file_filter, Title=prompt, MultiSelect=True)
    if picked is False or picked is None:
        return []
    paths = [picked] if isinstance(picked, str) else [str(path) for path in picked]
    own = saved_path(book)
    return [path for path in paths if own is None or Path(path).resolve() != own.resolve()]


def saved_path(book) -> Path | None:
    """The workbook's file on this PC, or None: never saved, or opened from OneDrive or
    SharePoint (a web address as Excel's FullName). The address is not mapped to a synced copy
    here: the buttons that only leave the workbook out of the files picked need no path, and
    xlwings' mapper may fail in any way (UnboundLocalError for a SharePoint site nobody
    configured) or search a whole OneDrive folder first. The 文书 buttons, which write beside
    the workbook, map it themselves (document_buttons.local_path)."""
    fullname = book.api.FullName
    if "://" in fullname:
        return None
    path = Path(fullname)
    return path if path.is_absolute() and path.is_file() else None


def _progress(app):
    def say(message: str) -> None:
        app.status_bar = f"JBSys：{message.strip()}"
    return say
