"""The ribbon's 导入回访结果 button (金保 contract §7 v3, §9 v4): filled-in 回访清单 into the
workbook's 回访 sheet, without personal data.

A thin door over what ``jbsys-xl callback-results`` runs
(:func:`~jbsys_xl.jinbao.callback_results.read_results`), fed with the open book as the other
buttons read it. The rows of each list's 抽取批次 replace the rows of that batch already in 回访
(an earlier import of the same list, perhaps before every call was made); every other row —
other batches, rows typed by hand — stays, and a 处理决定/决定说明 the working group recorded on a
replaced case stays with it (:func:`~jbsys_xl.jinbao.callback_results.merge_plan`, the plan
``--into`` carries out too). As for 导入金保数据, the sheet gets the same preflight — protection,
filters, merged cells, a 汇总 row, another table, notes beside the table, which a whole-row
delete would take with it — and everything is computed and confirmed before the first cell is
written; new rows go below the last filled row, inside table tblCallbacks, text written as text
(业务流水号 such as 0101… keep their digits); the rows to delete are read again, and deleted only
if they are still what was planned. A failed write says to run the button again: it replaces
whatever the first run left, because it replaces by batch.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .. import contract
from ..io.dataset import CenterLookup, reference_data
from ..io.tables import Checks, Table, locate
from ..jinbao.callback_results import (HEADERS, Merge, ResultsRead, merge_lines, merge_plan, merge_record,
                                       read_results, replaced_callbacks, sheet_problem, sheet_rows, summary,
                                       with_decisions)
from ..report import tables as t
from .data_buttons import (RowsUndone, SheetPlan, SheetRefused, shown_cell, confirm, pick_files, preflight,
                           replace_rows, sheet_plan)
from .macros import ALERT_TITLE, button, read_with_year, report_write_failure, sheet_content, show_checks
from .writer import TEXT, WriteFailed, quiet, write_sheets

YEAR, DAY = HEADERS[0], HEADERS[3]  # 年度, 回访日期
FORMATS = {header: TEXT for header in HEADERS} | {YEAR: "0", DAY: "yyyy-mm-dd"}
LIST_FILTER = "回访清单 (*.xlsx;*.xlsm),*.xlsx;*.xlsm,所有文件 (*.*),*.*"
RETRY = ("请关闭正在编辑单元格的窗口或其他占用 Excel 的程序后，重新点击“导入回访结果”：再次导入会按抽取批次"
         "替换此前导入的行，不会重复。")


@button(windows=True, writes_inputs=True)
def import_callback_results(book) -> ResultsRead | None:
    """导入回访结果: pick the filled-in lists, read them, confirm, write the 回访 rows."""
    paths = pick_files(book, "导入回访结果：选择 12333 填好的回访清单（可多选）", LIST_FILTER)
    return import_result_files(book, paths) if paths else None


@button
def import_result_files(book, paths: list[str]) -> ResultsRead | None:
    """The results of ``paths`` into the open book's 回访 sheet, after the user's confirmation.
    Returns what was read once it ran (with errors too); None when the user cancelled, the book
    has no year, or writing failed."""
    app = book.app
    if (found := read_with_year(book)) is None:
        return None
    raw, year = found
    app.status_bar = "JBSys：正在读取回访清单……"
    results = read_results(raw, paths, year)
    if not results.ok:
        show_checks(book, results.checks, year)
        app.alert(f"回访清单有 {results.error_count:,} 个错误，未写入任何数据。请查看“{contract.CHECKS_SHEET}”表。",
                  title=ALERT_TITLE)
        return results
    lookup = CenterLookup(reference_data(raw, year)[2])
    try:
        plan = plan_callbacks(book, raw, results, lookup)
        preflight(book, raw, plan.where, len(results.rows))
    except SheetRefused as refused:
        show_checks(book, results.checks + refused.checks, year)
        app.alert(f"未写入任何数据：{refused.checks[0].message}", title=ALERT_TITLE)
        return results
    if not confirm(app, confirmation(results, plan)):
        return None
    rows = with_decisions(sheet_rows(results), plan.merge, lookup)
    where = plan.where
    by_column = {column: header for header, column in where.columns.items() if header in HEADERS}
    block = [[_value(row[by_column[column]]) if column in by_column else None
              for column in range(where.span[0], where.span[1] + 1)] for row in rows]
    app.status_bar = f"JBSys：正在写入“{where.sheet}”表……"
    try:
        with quiet(book):
            replace_rows(book, where, block, FORMATS)
            records = (merge_record(results, plan.merge, plan.kept), replaced_callbacks(plan.table, plan.merge))
            write_sheets(book, [sheet_content(t.checks_table(results.checks), year),
                                *(dataclasses.replace(sheet_content(table, year), title=title)
                                  for title, table in records)])
    except RowsUndone as undone:
        report_write_failure(book, undone, results.checks, year, RETRY,
                             undone.outcome("“抽取批次”已填写，再次导入会替换它们"))
        return None
    except WriteFailed as failure:
        report_write_failure(book, failure, results.checks, year, RETRY)
        return None
    book.sheets[where.sheet].activate()
    warnings = f"\n{len(results.warnings)} 个警告见“{contract.CHECKS_SHEET}”表。" if results.warnings else ""
    app.alert(f"{summary(results)}；已写入“{where.sheet}”表（替换同批次此前的 {len(where.deleted):,} 行）。"
              f"{warnings}\n“不属实”的案件请工作组研究处理决定。", title=ALERT_TITLE)
    return results


@dataclass(frozen=True)
class CallbackPlan:
    """Where the results go in the book's 回访 sheet, and how they merge."""

    where: SheetPlan
    merge: Merge
    kept: int  # rows of other batches or typed by hand
    table: Table  # the 回访 sheet as read: the rows replaced are recorded as they stood


def plan_callbacks(book, raw, results: ResultsRead, lookup: CenterLookup) -> CallbackPlan:
    """Which rows of 回访 the results replace, from the sheet as read (``raw``)."""
    checks = Checks()
    spec = contract.SHEET_SPECS[contract.CALLBACKS]
    table = locate(raw, spec, checks)
    if problem := sheet_problem(table, checks):
        raise SheetRefused(problem)
    rows = list(table.rows())
    merge = merge_plan(table, lookup, sheet_rows(results))
    first = table.sheet.first_row + 1  # rows[i] sits on sheet row first + rows[i].index
    checked = tuple(header for header in HEADERS if header in table.columns)
    expected = {first + rows[i].index: tuple(shown_cell(rows[i].raw(header)) for header in checked)
                for i in merge.replaced}
    where = sheet_plan(book, raw, spec, sorted(expected), expected, checked)
    return CallbackPlan(where, merge, len(rows) - len(merge.replaced), table)


def confirmation(results: ResultsRead, plan: CallbackPlan) -> str:
    """What the user confirms: the lists read, then what is replaced and kept."""
    lines = [summary(results)]
    for read in results.lists:
        drawn, called, *found = read.counts()
        counts = "，".join(f"{label} {n}" for label, n in zip((*contract.CALLBACK_RESULTS, t.NOT_CALLED), found))
        lines.append(f"{read.file}（抽取批次 {read.batch}）：抽取 {drawn} 件，已回访 {called} 件（{counts}）")
    lines += ["", "确定后：" + "".join(merge_lines(results, plan.merge, plan.kept))]
    return "\n".join(lines + ["取消则不写入任何内容。"])


def _value(value):
    """A cell as the writer takes it: text stays text, an empty text is a blank."""
    return None if value == "" else value
