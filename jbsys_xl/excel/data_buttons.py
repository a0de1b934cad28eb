"""The ribbon's 数据 buttons: 导入金保数据 and 生成回访清单 (issues 11–13, 21, 25; 导入回访结果 is
:mod:`.callback_buttons`, the documents :mod:`.document_buttons`).

Thin doors over what the command line runs (:func:`~jbsys_xl.jinbao.importer.run_import`,
:func:`~jbsys_xl.jinbao.callbacks.draw_callbacks`),
fed with the open book as the other buttons read it (:func:`~.book_source.read_book`), so
unsaved edits count. The dialogs are Excel's own, reached through ``app.api``:
``Application.GetOpenFilename`` (several files), ``GetSaveAsFilename`` and ``InputBox``.

The import is the one button that writes an input sheet, and money follows from what it
leaves there. Which 业务量 rows it replaces is the plan every door shares
(:func:`~jbsys_xl.jinbao.plan.plan_volumes`, 金保 contract §9): the rows of the files imported
and any row of a 中心/事项/月份 the import brings; rows of files not chosen this time stay, and
the confirmation names them. Before anything is written:

- a preflight refuses, with the reason, a sheet Excel would not let rows be deleted from or
  added to cleanly: protected, filtered, merged cells, a Table showing its 汇总 row (the rows
  would be written into it), another table or other content beside or below the 业务量 table
  (:func:`preflight`, in the words ``--into`` uses too);
- the confirmation lists the plan — hand-typed rows with their cells and values — and when it
  deletes hand-typed rows its default button is 取消.

Then the new rows go below the last filled row in one block, 来源 in the same write; the rows
to delete are read again and compared with the plan (a co-author's edit, a sort, a sync may
have moved them); then they are deleted as whole sheet rows in one Excel operation (a
multi-area range), which Excel performs entirely or not at all. If anything fails, the appended
block is taken out again and its formats and the table's size restored, so the sheet is as it
was. 导入记录 records the files and the plan, 替换记录 every row replaced as it stood.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from xlwings.constants import MAX_COLUMNS

from .. import contract
from ..io import values
from ..io.atomic import OutputError, write_atomic
from ..io.cell_errors import ERROR_CODES
from ..io.bounds import cell_name
from ..io.reader import match_sheets
from ..io.tables import Checks, Table, locate
from ..jinbao.callbacks import DEFAULT_PER_CENTER, callback_workbook_bytes, draw_callbacks, seed_note
from ..jinbao.importer import ImportResult, run_import
from ..jinbao.output import (RECORD_SHEET, record_with_plan, replaced_table, replaced_title, summary_lines, title,
                             volume_table)
from ..jinbao.plan import (COLUMNS as PLAN_COLUMNS, REPLACED_SHEET, VolumePlan, beside, content_beside, filtered,
                           merged, no_source_column, other_table, plan_lines, plan_volumes as plan_rows, protected,
                           totals_row)
from ..jinbao.sources import EXTENSIONS
from ..model import Check
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
RECHECK_ROWS = 10_000  # rows per COM call when the rows to delete are read again
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
        where, plan = plan_volumes(book, raw, result)
        preflight(book, raw, where, len(result.volumes))
    except SheetRefused as refused:
        show_checks(book, result.checks + refused.checks, year)
        app.alert(f"未写入任何数据：{refused.checks[0].message}", title=ALERT_TITLE)
        return result
    if not confirm(app, confirmation(result, plan, where.sheet), default_cancel=plan.hand_count > 0):
        return None
    app.status_bar = f"JBSys：正在写入“{where.sheet}”表……"
    record = dataclasses.replace(sheet_content(record_with_plan(result, plan_lines(plan, where.sheet)), year),
                                 title=title(result))
    replaced = dataclasses.replace(sheet_content(replaced_table(result, plan), year), title=replaced_title(result, plan))
    try:
        with quiet(book):
            replace_rows(book, where, _block(where, result), VOLUME_FORMATS)
            write_sheets(book, [record, replaced, sheet_content(t.checks_table(result.checks), year)])
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
    hand = f"，其中手工录入的 {plan.hand_count:,} 行" if plan.hand_count else ""
    app.alert(f"已导入 {len(result.volumes):,} 行业务量（替换 {plan.replaced_count:,} 行{hand}），"
              f"各文件的情况见“{RECORD_SHEET}”表，被替换的行见“{REPLACED_SHEET}”表。{warnings}\n"
              f"请点击“校验数据”检查后再生成分配。", title=ALERT_TITLE)
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


class RowsMoved(Exception):
    """A row to delete no longer holds what the plan read: nothing is deleted."""


@dataclass(frozen=True)
class SheetPlan:
    """Where rows go in an input sheet of the open book (rows and columns 1-based): the block
    below ``first_free``, ``deleted`` rows out — each expected to still hold ``expected[row]``
    (its cells under ``checked``, as read) when they are deleted."""

    sheet: str  # the sheet's name in the book
    contract_name: str  # how messages name it
    header_row: int
    columns: dict[str, int]  # header → column
    span: tuple[int, int]  # first and last column of the table
    first_free: int  # the row below the last filled one
    deleted: list[int]  # top to bottom
    checked: tuple[str, ...] = ()
    expected: dict[int, tuple] = field(default_factory=dict)


def sheet_plan(book, raw, spec, deleted: list[int], expected: dict[int, tuple],
               checked: tuple[str, ...]) -> SheetPlan:
    """The geometry of ``spec``'s table in the open book, as read (``raw``)."""
    checks = Checks()
    table = locate(raw, spec, checks)
    sheet = raw.sheets[spec.name]
    chosen, _ = match_sheets(sheet_names(book))
    name = chosen[spec.name]
    header_row = sheet.first_row + table.header_index + 1
    columns = {header: sheet.first_col + col + 1 for header, col in table.columns.items()}
    span = _span(book.sheets[name], header_row, columns)
    return SheetPlan(name, spec.name, header_row, columns, span, _last_filled(table, span) + 1, deleted,
                     checked, expected)


def plan_volumes(book, raw, result: ImportResult) -> tuple[SheetPlan, VolumePlan]:
    """The import's plan over 业务量 as read (``raw``), and where it goes in the open book."""
    checks = Checks()
    spec = contract.SHEET_SPECS[contract.VOLUMES]
    table = locate(raw, spec, checks)
    if table is None:
        raise SheetRefused(checks.finish())
    if SOURCE not in table.columns:
        raise SheetRefused([Check("error", contract.VOLUMES, table.header_cell(VOLUME),
                                  no_source_column(contract.VOLUMES))])
    plan = plan_rows(table, result)
    if not plan.ok:
        raise SheetRefused(plan.checks)
    expected = {row: tuple(values.show(plan.raw(i, h)) if not values.is_empty(plan.raw(i, h)) else ""
                           for h in PLAN_COLUMNS) for i, row in enumerate(plan.replaced_rows)}
    return sheet_plan(book, raw, spec, plan.replaced_rows, expected, PLAN_COLUMNS), plan


def _span(sheet, header_row: int, columns: dict[str, int]) -> tuple[int, int]:
    """The columns of the Excel table over the header row, or else those of the headers."""
    table = _list_object(sheet, header_row, columns)
    if table is not None:
        return table.range.column, table.range.column + table.range.shape[1] - 1
    return min(columns.values()), max(columns.values())


def _last_filled(table: Table, span: tuple[int, int]) -> int:
    """The sheet row (1-based) of the last row with anything in the table's columns."""
    sheet = table.sheet
    bottom = table.header_index
    for index, row in enumerate(sheet.rows):
        cells = row[max(span[0] - 1 - sheet.first_col, 0):span[1] - sheet.first_col]
        if index > table.header_index and not all(values.is_empty(value) for value in cells):
            bottom = index
    return sheet.first_row + bottom + 1


def preflight(book, raw, plan: SheetPlan, rows: int) -> None:
    """SheetRefused, with the reason, when Excel would refuse or garble deleting the planned
    rows and adding ``rows`` rows below the last: the sheet is protected or filtered, holds
    merged cells, its table shows a 汇总 row (the block would land in it), another table or
    other content (in ``raw``, the sheet as read) in the rows concerned. The words are those
    ``--into`` uses on a file (:mod:`jbsys_xl.jinbao.plan`)."""
    sheet = book.sheets[plan.sheet]
    used = sheet.used_range
    first = plan.header_row + 1
    bottom = max(used.row + used.shape[0] - 1, plan.first_free + rows - 1)

    def refuse(cell: str, message: str) -> None:
        raise SheetRefused([Check("error", plan.contract_name, cell, message)])

    header = cell_name(plan.header_row - 1, plan.span[0] - 1)
    if sheet.api.ProtectContents:
        refuse(header, protected(plan.sheet))
    filtering = sheet.api.FilterMode or any(
        (table.api.AutoFilter is not None and table.api.AutoFilter.FilterMode)
        for table in sheet.tables)
    if filtering:
        refuse(header, filtered(plan.sheet))
    if sheet.range((first, 1), (bottom, MAX_COLUMNS)).merge_cells is not False:
        refuse(header, merged(plan.sheet, first, bottom))
    ours = _list_object(sheet, plan.header_row, plan.columns)
    if ours is not None and ours.show_totals:
        refuse(header, totals_row(plan.sheet, ours.name))
    for table in sheet.tables:
        area = table.range
        if (ours is None or table.name != ours.name) and area.row + area.shape[0] - 1 >= first:
            refuse(header, other_table(plan.sheet, table.name, area.address.replace('$', '')))
    outside = content_beside(raw.sheets[plan.contract_name], plan.header_row, plan.span)
    if outside:
        refuse(outside, beside(plan.sheet, outside))


def confirmation(result: ImportResult, plan: VolumePlan, sheet: str) -> str:
    """What the user confirms: per file and the unmatched names, then the plan — what is
    added, replaced (hand-typed rows with their cells and values) and kept."""
    lines = summary_lines(result)
    if len(lines) > MAX_SUMMARY_LINES:
        lines = lines[:MAX_SUMMARY_LINES] + [
            f"……另有 {len(lines) - MAX_SUMMARY_LINES} 行，写入后见“{RECORD_SHEET}”和“{contract.CHECKS_SHEET}”表"]
    lines += ["", "确定后："] + [f"  {line}" for line in plan_lines(plan, sheet)]
    lines.append(f"重写“{RECORD_SHEET}”表；被替换的行记入“{REPLACED_SHEET}”表。")
    if plan.hand_count:
        lines.append(f"注意：{plan.hand_count:,} 行手工录入的业务量将被删除，以导入的数据为准；"
                     "要保留手工数据请点“取消”（直接按回车即为取消）。")
    return "\n".join(lines + ["取消则不写入任何内容。"])


def confirm(app, prompt: str, default_cancel: bool = False) -> bool:
    """OK/Cancel. With ``default_cancel`` the default button — what Enter presses — is 取消: for
    a confirmation that deletes rows typed by hand. xlwings' ``alert`` cannot choose the
    default button, so that box is the Windows MessageBox xlwings itself calls, with
    MB_DEFBUTTON2."""
    if not default_cancel:
        return app.alert(prompt, title=ALERT_TITLE, buttons="ok_cancel") == "ok"
    import win32api
    import win32con

    style = win32con.MB_OKCANCEL | win32con.MB_ICONWARNING | win32con.MB_DEFBUTTON2
    return win32api.MessageBox(app.hwnd, prompt, ALERT_TITLE, style) == win32con.IDOK


def replace_rows(book, plan: SheetPlan, block: list[list], number_formats: dict[str, str]) -> None:
    """Append ``block`` (rows across the table's columns ``plan.span``) below the last filled
    row in one write (the columns' formats first, the sheet's table grown over it), read the
    rows to delete again (:func:`recheck`), then delete them in one operation. Use inside
    :func:`~.writer.quiet`. RowsUndone when it failed (the block taken out again)."""
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
            recheck(sheet, plan)
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


def recheck(sheet, plan: SheetPlan) -> None:
    """RowsMoved unless every row to delete still holds what the plan read there (its cells
    under ``plan.checked``): between the read and the delete a co-author on SharePoint, an
    AutoSave merge or the user may have sorted, inserted or edited rows. Rows close together
    are read in one call."""
    columns = [plan.columns[header] for header in plan.checked]
    left, right = min(columns), max(columns)
    for first, last in _windows(plan.deleted):
        grid = sheet.range((first, left), (last, right)).options(ndim=2, err_to_str=True,
                                                                  chunksize=RECHECK_ROWS).value
        for row in range(first, last + 1):
            if row not in plan.expected:
                continue
            found = tuple(shown_cell(grid[row - first][column - left]) for column in columns)
            if found != plan.expected[row]:
                raise RowsMoved(f"“{plan.sheet}”表第 {row} 行在确认之后有了变化（现在是“{'、'.join(found)}”，"
                                f"原为“{'、'.join(plan.expected[row])}”），可能被他人编辑、排序或同步；为免删错行，"
                                "未删除任何行")


def shown_cell(value) -> str:
    """A cell as compared with what the plan read: text as shown, errors by their code."""
    if isinstance(value, str) and value in ERROR_CODES:
        return value
    return "" if values.is_empty(value) else values.show(value)


def _windows(rows: list[int], gap: int = 64) -> list[tuple[int, int]]:
    """Sorted rows as (first, last) windows: rows at most ``gap`` apart share one read."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and row - found[-1][1] <= gap:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


def _headers_by_column(plan) -> list[str | None]:
    by_column = {column: header for header, column in plan.columns.items()}
    return [by_column.get(column) for column in range(plan.span[0], plan.span[1] + 1)]


def _block(plan: SheetPlan, result: ImportResult) -> list[list]:
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
