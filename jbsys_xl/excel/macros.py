"""The ribbon's Python entry points, run by the template's VBA through xlwings ``RunPython``.

They only adapt: read the calling book's input sheets, run the same pipeline as the CLI, and
write the same result tables (:mod:`jbsys_xl.report.tables`) into the result sheets. Input
sheets are never written. On validation errors only 校验 is rewritten, so the previous
results stay as they were.
"""
from __future__ import annotations

from .. import contract
from ..model import Check
from ..pipeline import Outcome, run
from ..report import tables as t
from .book_source import read_book, requested_year

ALERT_TITLE = "JBSys-XL 人社考核"
MONEY_FORMAT = "#,##0.00"
SCORE_FORMAT = "0.000000"
PERCENT_FORMAT = "0.00%"
HEADER_COLOR = (221, 235, 247)
SUMMARY_COLOR = (242, 242, 242)
NUMBER_FORMATS = {t.MONEY: MONEY_FORMAT, t.SCORE: SCORE_FORMAT, t.PERCENT: PERCENT_FORMAT,
                  t.INT: "0", t.NUMBER: "General"}


def generate_allocation(book=None) -> Outcome | None:
    """生成分配: validate, compute and write 分配结果, 得分明细, 区汇总 and 校验."""
    return _run(book, write_results=True)


def validate(book=None) -> Outcome | None:
    """校验数据: validate and compute, write only 校验."""
    return _run(book, write_results=False)


def _run(book, write_results: bool) -> Outcome | None:
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    app = book.app
    updating = app.screen_updating
    try:
        app.status_bar = "JBSys：正在读取数据……"
        raw = read_book(book)
        year = requested_year(book, raw)
        if year is None:
            write_table(book, t.checks_table([Check(
                "error", contract.PARAMS, "", "参数表中没有任何年度，请先填写本年度的参数行")]), None)
            _select(book, contract.CHECKS_SHEET)
            return None
        app.status_bar = f"JBSys：正在校验并计算 {year} 年度分配……"
        outcome = run(raw, year)
        app.screen_updating = False
        app.status_bar = "JBSys：正在写入结果……"
        write_table(book, t.checks_table(outcome.checks), year)
        if not outcome.ok:
            _select(book, contract.CHECKS_SHEET)
            app.alert(f"发现 {len(outcome.errors)} 个错误，未生成分配结果。请查看“{contract.CHECKS_SHEET}”表。",
                      title=ALERT_TITLE)
            return outcome
        if write_results:
            allocation = outcome.allocation
            write_table(book, t.result_table(allocation), year)
            write_table(book, t.detail_table(allocation), year)
            write_table(book, t.district_table(allocation), year)
            _select(book, contract.RESULT_SHEET)
        else:
            _select(book, contract.CHECKS_SHEET)
            app.alert(f"校验通过：{year} 年度数据没有错误，{len(outcome.warnings)} 个警告。", title=ALERT_TITLE)
        return outcome
    except Exception as exc:  # the user sees the cause, not a traceback
        app.alert(f"运行失败：{type(exc).__name__}: {exc}", title=ALERT_TITLE)
        return None
    finally:
        app.screen_updating = updating
        app.status_bar = False


def _sheet(book, name: str):
    if name not in [sheet.name for sheet in book.sheets]:
        return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    return book.sheets[name]


def _select(book, name: str) -> None:
    book.sheets[name].activate()


def write_table(book, table: t.Table, year: int | None) -> None:
    """Replace the sheet's contents with the table — title on row 1 (units at its right end),
    header on row 2 as in the template, whose print settings (repeated rows 1–2, A4 landscape)
    survive because only cells are cleared. One bulk write, then formats per column."""
    sheet = _sheet(book, table.title)
    sheet.clear()
    width = len(table.headers)
    title = t.TITLES.get(table.title, table.title).format(year=year if year else "")
    sheet.range((1, 1)).value = title
    sheet.range((1, 1)).font.bold = True
    if t.MONEY in table.kinds and width > 1:
        sheet.range((1, width)).value = t.UNIT_LINE
    top = 2
    values = [list(table.headers)] + [[t.sheet_value(v, k) for v, k in zip(row, table.kinds)]
                                      for row in table.rows]
    sheet.range((top, 1)).value = values
    header = sheet.range((top, 1), (top, width))
    header.font.bold = True
    header.color = HEADER_COLOR
    if table.rows:
        for col, kind in enumerate(table.kinds, start=1):
            if kind in NUMBER_FORMATS:
                sheet.range((top + 1, col), (top + len(table.rows), col)).number_format = NUMBER_FORMATS[kind]
        for index in sorted(table.subtotals | table.totals):
            row = sheet.range((top + 1 + index, 1), (top + 1 + index, width))
            row.font.bold = True
            row.color = SUMMARY_COLOR
    for col, header_text in enumerate(table.headers, start=1):
        longest = max([t.display_width(header_text)] +
                      [t.display_width(t.cell_text(row[col - 1], table.kinds[col - 1]))
                       for row in table.rows[:500]])
        sheet.range((top, col)).column_width = min(60, longest + 2)
