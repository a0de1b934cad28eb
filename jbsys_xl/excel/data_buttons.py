"""The ribbon's 数据 buttons: 导入金保数据, 生成回访清单 and 生成告知书 (issues 11–13).

Thin doors over what the command line runs (:func:`~jbsys_xl.jinbao.importer.run_import`,
:func:`~jbsys_xl.jinbao.callbacks.draw_callbacks`, :func:`~jbsys_xl.report.notices.notices_beside`),
fed with the open book as the other buttons read it (:func:`~.book_source.read_book`), so
unsaved edits count. The dialogs are Excel's own, reached through ``app.api``:
``Application.GetOpenFilename`` (several files) and ``Application.InputBox`` (a number).

The import is the one button that writes an input sheet. Rows of 业务量 whose 来源 is filled
came from an import: those of the year's period are replaced, every other row stays untouched
(hand-typed rows have no 来源). New rows are written column by column with the columns' formats
set first (codes such as 0101 stay text), below the last filled row and inside the sheet's
table; the replaced rows are then deleted. Everything is computed and confirmed before the
first cell is written, and a failed write says to run the import again: it replaces whatever
an earlier run left.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .. import contract
from ..io import values
from ..io.atomic import OutputError, write_atomic
from ..io.reader import match_sheets
from ..io.tables import Checks, locate
from ..jinbao.callbacks import DEFAULT_PER_CENTER, callback_workbook_bytes, draw_callbacks, seed_note
from ..jinbao.importer import ImportResult, run_import
from ..jinbao.output import RECORD_SHEET, record_table, summary_lines, title, volume_table
from ..jinbao.sources import EXTENSIONS
from ..model import Check
from ..office.libreoffice import LibreOfficeError, LibreOfficeMissing
from ..report import tables as t
from ..report.notices import NoticeLayoutError, notices_beside
from .book_source import sheet_names
from .macros import ALERT_TITLE, button, read_with_year, report_write_failure, sheet_content, show_checks
from .writer import TEXT, WriteFailed, put, quiet, write_sheets

_PATTERNS = ";".join(f"*{extension}" for extension in EXTENSIONS)
FILE_FILTER = f"金保导出文件 ({_PATTERNS}),{_PATTERNS},所有文件 (*.*),*.*"
SOURCE = contract.SHEET_SPECS[contract.VOLUMES].optional[0]  # 来源
CENTER, ITEM, MONTH, VOLUME = contract.SHEET_SPECS[contract.VOLUMES].required
MONTH_FORMAT, COUNT_FORMAT = "yyyy-mm", "#,##0"  # as the template's 月份 and 业务量 columns
VOLUME_FORMATS = {CENTER: TEXT, ITEM: TEXT, MONTH: MONTH_FORMAT, VOLUME: COUNT_FORMAT, SOURCE: TEXT}
MAX_SUMMARY_LINES = 20  # of the confirmation; the rest is in 导入记录 and 校验 afterwards
RETRY_IMPORT = ("请关闭正在编辑单元格的窗口或其他占用 Excel 的程序后，重新点击“导入金保数据”："
                "再次导入会替换此前导入的行，不会重复计入。")
NOT_SAVED = ("工作簿还没有保存在本机或共享文件夹中（新建未保存，或打开的是 OneDrive/SharePoint 网址），"
             "无法在它旁边写文件。请先“另存为”到文件夹中后再试。")


# --- 导入金保数据 ---------------------------------------------------------------------------------

@button
def import_jinbao(book) -> ImportResult | None:
    """导入金保数据: pick the exports, import them, confirm, write 业务量 and 导入记录."""
    paths = pick_files(book, "导入金保数据：选择金保系统导出的文件（可多选）")
    return import_files(book, paths) if paths else None


@button
def import_files(book, paths: list[str]) -> ImportResult | None:
    """The import of ``paths`` into the open book, after the user's confirmation. Returns the
    import's result once it ran (with errors too); None when the user cancelled, the book has
    no year, or writing failed."""
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
    except SheetRefused as refused:
        show_checks(book, result.checks + refused.checks, year)
        app.alert(f"未写入任何数据：{refused.checks[0].message}", title=ALERT_TITLE)
        return result
    if app.alert(confirmation(result, plan), title=ALERT_TITLE, buttons="ok_cancel") != "ok":
        return None
    app.status_bar = f"JBSys：正在写入“{plan.sheet}”表……"
    record = dataclasses.replace(sheet_content(record_table(result), year), title=title(result))
    try:
        with quiet(book, inputs_changed=True):
            try:
                write_volumes(book, plan, result)
            except Exception as exc:
                raise WriteFailed(plan.sheet, exc) from exc
            write_sheets(book, [record, sheet_content(t.checks_table(result.checks), year)])
    except WriteFailed as failure:
        report_write_failure(book, failure, result.checks, year, RETRY_IMPORT)
        return None
    book.sheets[RECORD_SHEET].activate()
    warnings = f"{len(result.warnings)} 个警告（如未匹配的名称）见“{contract.CHECKS_SHEET}”表。" \
        if result.warnings else ""
    app.alert(f"已导入 {len(result.volumes):,} 行业务量（替换此前导入的 {len(plan.replaced):,} 行），"
              f"各文件的情况见“{RECORD_SHEET}”表。{warnings}\n请点击“校验数据”检查后再生成分配。",
              title=ALERT_TITLE)
    return result


class SheetRefused(Exception):
    """The 业务量 sheet cannot take the import; ``checks`` say why."""

    def __init__(self, checks: list[Check]):
        super().__init__(checks[0].message)
        self.checks = checks


@dataclass(frozen=True)
class VolumePlan:
    """Where the import goes in the book's 业务量 sheet (rows and columns 1-based)."""

    sheet: str  # the sheet's name in the book
    header_row: int
    columns: dict[str, int]  # header → column
    replaced: list[int]  # rows of an earlier import of the period, top to bottom
    hand: int  # rows typed by hand (来源 empty): kept
    other: int  # imported rows of other periods: kept
    first_free: int  # the row below the last filled one


def plan_volumes(book, raw, result: ImportResult) -> VolumePlan:
    """Which rows of 业务量 the import replaces, from the sheet as read (``raw``)."""
    checks = Checks()
    table = locate(raw, contract.SHEET_SPECS[contract.VOLUMES], checks)
    if table is None:
        raise SheetRefused(checks.finish())
    if SOURCE not in table.columns:
        raise SheetRefused([Check("error", contract.VOLUMES, table.header_cell(VOLUME),
                                  f"“{contract.VOLUMES}”表没有“{SOURCE}”列，导入的行无法与手工录入的行区分；"
                                  f"请在表头末尾加一列“{SOURCE}”后重新导入")])
    sheet = raw.sheets[contract.VOLUMES]
    first, last = result.period
    replaced, hand, other, bottom = [], 0, 0, table.header_index
    for row in table.rows():
        bottom = row.index
        if values.is_empty(row.raw(SOURCE)):
            hand += 1
            continue
        try:
            month = values.month(row.raw(MONTH))
        except values.BadValue:
            month = None
        if month is not None and first <= month <= last:
            replaced.append(sheet.first_row + row.index + 1)
        else:
            other += 1
    chosen, _ = match_sheets(sheet_names(book))
    return VolumePlan(chosen[contract.VOLUMES], sheet.first_row + table.header_index + 1,
                      {header: sheet.first_col + col + 1 for header, col in table.columns.items()},
                      replaced, hand, other, sheet.first_row + bottom + 2)


def confirmation(result: ImportResult, plan: VolumePlan) -> str:
    """What the user confirms: per file, the unmatched names, then what is replaced and kept."""
    lines = summary_lines(result)
    if len(lines) > MAX_SUMMARY_LINES:
        lines = lines[:MAX_SUMMARY_LINES] + [
            f"……另有 {len(lines) - MAX_SUMMARY_LINES} 行，写入后见“{RECORD_SHEET}”和“{contract.CHECKS_SHEET}”表"]
    kept = f"保留手工录入的 {plan.hand:,} 行" + (f"和其他期间导入的 {plan.other:,} 行" if plan.other else "")
    return "\n".join(lines + [
        "", f"确定后：“{plan.sheet}”表中此前导入的本考核期 {len(plan.replaced):,} 行换成这次的 "
            f"{len(result.volumes):,} 行，{kept}；重写“{RECORD_SHEET}”表。", "取消则不写入任何内容。"])


def write_volumes(book, plan: VolumePlan, result: ImportResult) -> None:
    """Append the import below the last filled row, then delete the replaced rows. Use inside
    :func:`~.writer.quiet`."""
    rows = volume_table(result).rows
    months = [date(*volume.month, 1) for volume in result.volumes]
    append_rows(book, plan, {CENTER: [row[0] for row in rows], ITEM: [row[1] for row in rows], MONTH: months,
                             VOLUME: [row[3] for row in rows], SOURCE: [row[4] for row in rows]},
                VOLUME_FORMATS)


def append_rows(book, plan, columns: dict[str, list], formats: dict[str, str]) -> None:
    """Write ``columns`` (header → values) below the last filled row of an input sheet, growing
    its table over them, then delete the rows the new ones replace, bottom run first. ``plan``
    names the sheet, its header row, header → column, the replaced rows and the first free row
    (as :class:`VolumePlan` does). Use inside :func:`~.writer.quiet`."""
    sheet = book.sheets[plan.sheet]
    count = max((len(values) for values in columns.values()), default=0)
    top, bottom = plan.first_free, plan.first_free + count - 1
    table = _list_object(sheet, plan)
    if table is not None and bottom > table.range.row + table.range.shape[0] - 1:
        area = table.range
        table.resize(sheet.range((area.row, area.column), (bottom, area.column + area.shape[1] - 1)))
    for header, column_values in columns.items():
        put(sheet, top, plan.columns[header], [[value] for value in column_values], [formats[header]])
    used = sheet.used_range
    for first, last in reversed(_runs(plan.replaced)):
        sheet.range((first, used.column), (last, used.column + used.shape[1] - 1)).delete(shift="up")


def _list_object(sheet, plan: VolumePlan):
    """The Excel table whose header row is the plan's header row, if the sheet has one."""
    columns = plan.columns.values()
    for table in sheet.tables:
        area = table.range
        if area.row == plan.header_row and area.column <= min(columns) \
                and max(columns) <= area.column + area.shape[1] - 1:
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

@button
def callback_list(book):
    """生成回访清单: pick the case lists, ask how many per center, write the list as a new
    workbook beside this one and open it."""
    if saved_path(book) is None:
        book.app.alert(NOT_SAVED, title=ALERT_TITLE)
        return None
    paths = pick_files(book, "生成回访清单：选择金保系统导出的业务明细（可多选）")
    if not paths:
        return None
    per_center = ask_per_center(book)
    return write_callback_list(book, paths, per_center) if per_center else None


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


@button
def write_callback_list(book, paths: list[str], per_center: int, seed: int | None = None):
    """Draw the callbacks from ``paths``, write 回访清单 beside the book (never over an existing
    file) and open it. Returns the draw, or None when nothing was written."""
    app = book.app
    try:
        if (found := read_with_year(book)) is None:
            return None
        raw, year = found
        draw = draw_callbacks(raw, paths, year, per_center, seed, progress=_progress(app))
        if not draw.ok:
            errors = [c for c in draw.checks if c.level == "error"]
            show_checks(book, draw.checks, year)
            app.alert(f"发现 {len(errors)} 个错误，未生成回访清单。请查看“{contract.CHECKS_SHEET}”表。",
                      title=ALERT_TITLE)
            return None
        beside = saved_path(book)
        target = free_path(beside.with_name(f"{beside.stem}-回访清单-{draw.year}.xlsx"))
        write_atomic(target, callback_workbook_bytes(draw))
        warnings = ""
        if draw.checks:
            show_checks(book, draw.checks, year)
            warnings = f"\n{len(draw.checks)} 个警告见本工作簿的“{contract.CHECKS_SHEET}”表。"
        app.books.open(str(target))
        app.alert(f"回访清单已生成并打开：{target}\n{len(draw.centers)} 个中心，共抽取 {len(draw.cases)} 件。\n"
                  f"{seed_note(draw)}{warnings}\n清单含个人信息：内部资料，注意保密。", title=ALERT_TITLE)
        return draw
    except OutputError as exc:
        app.alert(f"未生成回访清单：{exc}", title=ALERT_TITLE)
        return None


def free_path(path: Path) -> Path:
    """``path``, or ``name (2).xlsx``, ``name (3).xlsx``… when it is taken, as Windows names
    copies: an earlier list (perhaps already filled in) is never overwritten."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
    return candidate


# --- 生成告知书 -----------------------------------------------------------------------------------

@button
def notices(book) -> Path | None:
    """生成告知书: every center's notice, one page each, in ``<name>-告知书-<year>.pdf`` beside
    the workbook (LibreOffice renders it)."""
    app = book.app
    path = saved_path(book)
    if path is None:
        app.alert(NOT_SAVED, title=ALERT_TITLE)
        return None
    try:
        if (found := read_with_year(book)) is None:
            return None
        raw, year = found
        app.status_bar = f"JBSys：正在用 LibreOffice 生成 {year} 年度告知书……"
        target = notices_beside(path, year, source=raw)
        app.alert(f"告知书已生成（每个中心一页）：{target}", title=ALERT_TITLE)
        return target
    except LibreOfficeMissing:
        app.alert("未找到 LibreOffice，无法生成告知书。请从 https://zh-cn.libreoffice.org 下载安装 LibreOffice"
                  "（安装位置保持默认），然后重新点击“生成告知书”。", title=ALERT_TITLE)
    except ValueError as exc:  # notices_beside: the data does not validate
        lines = str(exc).splitlines()
        shown = "\n".join(lines[:10] + ([f"……共 {len(lines)} 个错误"] if len(lines) > 10 else []))
        app.alert(f"数据有错误，未生成告知书：\n{shown}\n请点击“校验数据”查看全部错误并改正后重试。",
                  title=ALERT_TITLE)
    except (LibreOfficeError, NoticeLayoutError) as exc:
        app.alert(f"LibreOffice 未能生成告知书：{exc}", title=ALERT_TITLE)
    except OutputError as exc:
        app.alert(f"未生成告知书：{exc}", title=ALERT_TITLE)
    return None


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
    """The workbook's file, or None when it has none on disk (never saved, or a web address)."""
    path = Path(book.fullname)
    return path if path.is_absolute() and path.is_file() else None


def _progress(app):
    def say(message: str) -> None:
        app.status_bar = f"JBSys：{message.strip()}"
    return say
