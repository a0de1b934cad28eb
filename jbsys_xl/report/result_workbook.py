"""The result workbook (.xlsx), written in memory with XlsxWriter.

Byte-for-byte reproducible: the document date is fixed from the year and nothing in the file
depends on the clock, so re-running an unchanged input gives an identical file (auditable by
hash). The content comes from :mod:`.tables` and :mod:`.explain`; this module only lays it out.
"""
from __future__ import annotations

import io
import os

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from .. import __version__, contract
from ..clock import run_date, utc_moment
from ..model import Allocation, Settings, month_text
from ..pipeline import Outcome, run
from . import tables as t
from .explain import explain, heading, sections
from .json_result import score_number
from .tables import UNIT_LINE, sheet_title, status_text

ABOUT_SHEET, CHARTS_SHEET, NOTES_SHEET = contract.ABOUT_SHEET, "图表", "分中心说明"
NUM_FORMATS = {t.MONEY: "#,##0.00", t.SCORE: "0.000000", t.INT: "0", t.NUMBER: "General",
               t.PERCENT: "0.00%"}
SHADES = {"subtotal": "#DDEBF7", "total": "#BDD7EE", "header": "#D9D9D9"}
MAX_WIDTH = 66  # wider text wraps
HEADER_WRAP = 10  # headers wider than this wrap instead of widening their column
LINE_HEIGHT = 15  # points per line of wrapped text
HEADER_ROW = 2  # a table sheet: title, unit line, then the table's header
FOOTER = "&C第 &P 页 共 &N 页"
A4 = 9


class Formats:
    """Cell formats, created once per (kind, row role) so the file stays small and stable."""

    def __init__(self, book: xlsxwriter.Workbook, font_size: float | None = None):
        self.book = book
        self.font_size = font_size  # of table cells; None: the workbook's default
        self._cache: dict[tuple, object] = {}
        self.title = book.add_format({"bold": True, "font_size": 14, "align": "center",
                                      "valign": "vcenter"})
        self.unit = book.add_format({"align": "right"})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.section = book.add_format({"bold": True})

    def cell(self, kind: str, role: str = "body"):
        key = (kind, role)
        if key not in self._cache:
            spec = {"border": 1, "valign": "vcenter"}
            if self.font_size:
                spec["font_size"] = self.font_size
            if kind in NUM_FORMATS:
                spec["num_format"] = NUM_FORMATS[kind]
            if kind == t.BOOL:
                spec["align"] = "center"
            if kind == t.TEXT or role == "header":
                spec["text_wrap"] = True
            if role == "header":
                spec.update(bold=True, align="center")
            if role in SHADES:
                spec["bg_color"] = SHADES[role]
            if role in ("subtotal", "total"):
                spec["bold"] = True
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def _role(table: t.Table, index: int) -> str:
    if index in table.totals:
        return "total"
    return "subtotal" if index in table.subtotals else "body"


def _lines(text: str, width: int) -> int:
    return max(1, -(-t.display_width(text) // max(1, width - 1)))


def write_table(sheet, fmt: Formats, table: t.Table, top: int, widths: list[int],
                left: int = 0) -> int:
    """Write the header at ``top`` and the rows under it; return the row after the table.

    Rows whose text wraps get the height it needs: LibreOffice keeps the default height of
    rows in an XlsxWriter file, which would cut wrapped text off on screen and on paper.
    The loop is hoisted (formats per row role, writers per cell type, wrap checks only in
    columns whose text can wrap): 得分明细 has a row per center × indicator."""
    lines = [(table.headers, (t.TEXT,) * len(table.headers), "header")]
    lines += [(row, table.kinds, _role(table, index)) for index, row in enumerate(table.rows)]
    wrapping = [col for col, kind in enumerate(table.kinds)
                if kind == t.TEXT and _widest(row[col] for row in table.rows) > widths[col] - 1]
    header_wraps = [col for col, header in enumerate(table.headers) if _lines(header, widths[col]) > 1]
    formats: dict[str, list] = {}  # role → a format per column, made in the order cells use them
    write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
    value_of = t.sheet_value
    for row, (values, kinds, role) in enumerate(lines, start=top):
        if role not in formats:
            formats[role] = [fmt.cell(kind, role) for kind in kinds]
        for col, value, kind, cell_format in zip(range(left, left + len(values)), values, kinds,
                                                 formats[role]):
            value = value_of(value, kind)  # strings always as text: "=…" must not become a formula
            if value is None:
                write_blank(row, col, None, cell_format)
            elif isinstance(value, str):
                write_string(row, col, value, cell_format)
            else:
                write_number(row, col, value, cell_format)
        height = max([1] + [_lines(values[col], widths[col]) for col in
                            (header_wraps if role == "header" else wrapping) if values[col]])
        if height > 1:
            sheet.set_row(row, LINE_HEIGHT * height)
    return top + len(lines)


def _widest(texts) -> int:
    """The widest of the distinct texts (column values repeat: a name per indicator row)."""
    return max((t.display_width(text) for text in set(texts) if text), default=0)


def column_widths(tables: list[t.Table]) -> list[int]:
    """Widths that fit the text (CJK counts double); long headers wrap rather than widen.
    Each distinct value is measured once."""
    widths: list[int] = []
    for table in tables:
        for col, (header, kind) in enumerate(zip(table.headers, table.kinds)):
            texts = {t.cell_text(value, kind) for value in {row[col] for row in table.rows}}
            width = max([min(t.display_width(header), HEADER_WRAP)]
                        + [t.display_width(text) for text in texts]) + 2
            if col == len(widths):
                widths.append(0)
            widths[col] = min(max(widths[col], width), MAX_WIDTH)
    return widths


def set_widths(sheet, tables: list[t.Table], left: int = 0) -> list[int]:
    """Size the columns for ``tables``; return the widths for :func:`write_table`."""
    widths = column_widths(tables)
    for col, width in enumerate(widths):
        sheet.set_column(left + col, left + col, width)
    return widths


def print_setup(sheet, header_row: int | None = None) -> None:
    """A4 landscape, one page wide, header repeated on every page, 第 N 页 共 M 页 footer."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(FOOTER)
    if header_row is not None:
        sheet.repeat_rows(header_row)


def table_sheet(book, fmt: Formats, table: t.Table, settings: Settings):
    """A titled, filterable, printable sheet holding one table."""
    sheet = book.add_worksheet(table.title)
    last_col = len(table.headers) - 1
    sheet.merge_range(0, 0, 0, last_col, sheet_title(table.title, settings), fmt.title)
    sheet.set_row(0, 28)
    if t.MONEY in table.kinds:
        sheet.merge_range(1, 0, 1, last_col, UNIT_LINE, fmt.unit)
    end = write_table(sheet, fmt, table, HEADER_ROW, set_widths(sheet, [table]))
    filtered_end = end - 1 - len(table.totals)  # keep the 合计 row out of the filter
    sheet.autofilter(HEADER_ROW, 0, max(HEADER_ROW, filtered_end), last_col)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    print_setup(sheet, HEADER_ROW)
    return sheet


def about_sheet(book, fmt: Formats, outcome: Outcome) -> None:
    """说明: what was computed, from which file, with which settings and program."""
    allocation = outcome.allocation
    s = allocation.settings
    info = t.Table("基本信息", (t.ITEM_LABEL, "内容"), (t.TEXT, t.TEXT), [
        ("年度", str(s.year)),
        ("状态", status_text(s)),
        ("考核期", f"{month_text(s.period_start)} 至 {month_text(s.period_end)}"),
        ("评分方法", f"因素分析法（{s.method}）"),
        ("输入文件", outcome.book.label),
        ("输入文件 SHA-256", outcome.book.sha256),
        ("程序版本", f"JBSys-XL {__version__}"),
        ("制表日期", f"{run_date():%Y-%m-%d}"),
        *notes_elsewhere(allocation),
    ])
    method = t.Table("计算方法", (t.ITEM_LABEL, "内容"), (t.TEXT, t.TEXT), method_lines(allocation))
    sheet = book.add_worksheet(ABOUT_SHEET)
    sheet.merge_range(0, 0, 0, 1, f"{s.year}年度补助资金分配说明（{status_text(s)}）", fmt.title)
    blocks = [info, t.settings_table(s), t.pools_table(allocation.pools), method]
    widths = set_widths(sheet, blocks)
    row = 2
    for block in blocks:
        sheet.write_string(row, 0, block.title, fmt.section)
        row = write_table(sheet, fmt, block, row + 1, widths) + 1
    print_setup(sheet)


def _yuan(amount) -> str:
    return t.cell_text(amount, t.MONEY)


def method_lines(allocation: Allocation) -> list[tuple[str, str]]:
    """The rules in force, in words (spec §4–§6), for the reader of the result."""
    s = allocation.settings
    base = "该项全市最高业务量" if s.method == contract.METHOD_BENCHMARK else "该项全市业务量合计"
    forfeit = ("按实得工作量补助比例再分配给实得大于 0、本身未被扣减且未被否决的中心"
               if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE
               else contract.FORFEIT_LABELS[contract.FORFEIT_RECLAIM])
    veto = ("被一票否决的中心不计入全市合计和最高业务量，其得分为 0" if s.veto_mode == contract.VETO_EXCLUDE
            else "被一票否决的中心业务量仍计入全市合计和最高业务量")
    return [
        ("得分", f"因素得分 = 指标权重 × 业务量 ÷ {base}；得分 = 各项因素得分之和"),
        ("否决处理", f"{s.veto_mode}：{veto}"),
        ("基础达标奖励", f"A+ 类 {_yuan(s.award_a_plus)} 元，A 类 {_yuan(s.award_a)} 元，B 类 0；"
                         "评定等次按服务场所和标准化下沉可评定的等次，填写了评定等次的按所填；"
                         "一票否决的中心各项奖补均为 0"),
        ("综合优胜", f"在未被否决的 A+、A 类中心中评选 {s.winner_count} 个，"
                     f"每个奖励 {_yuan(s.winner_award)} 元"),
        ("工作量补助", "工作量绩效资金 = 工作绩效资金 − 基础达标奖励 − 优胜奖励，"
                       f"按得分比例以最大余数法分配，精确到 {t.cell_text(s.unit, t.NUMBER)} 元"),
        ("扣减", f"每件有理投诉扣减应得工作量补助的 {t.cell_text(s.complaint_rate, t.PERCENT)}"
                 "（封顶 100%，投诉编号相同的只计一次）；差错扣减按扣减表的金额和比例；扣减资金" + forfeit),
        ("硬件补助", "先建后补：已备案的按 预算补助 × min(1, 实际投入 ÷ 计划投入) 计，且不超过实际投入；"
                     "未备案的为 0"),
    ]


def short_names(names: list[str]) -> list[str]:
    """Names without their common ending (e.g. 人社服务中心), so chart axes stay legible."""
    suffix = os.path.commonprefix([name[::-1] for name in names])[::-1]
    if not suffix or any(name == suffix for name in names):
        return names
    return [name[:-len(suffix)] for name in names]


def charts_sheet(book, fmt: Formats, allocation: Allocation) -> None:
    """图表: each center's total by component (stacked), and the scores in order."""
    sheet = book.add_worksheet(CHARTS_SHEET)
    label = dict(contract.CENTER_RESULT_COLUMNS)
    centers = allocation.centers
    names = short_names([c.name for c in centers])
    parts = t.Table("构成", (label["name"], label["basic_award"],
                             f"{label['net_workload']}+{label['redistributed']}", label["winner_award"]),
                    (t.TEXT, t.MONEY, t.MONEY, t.MONEY),
                    [(name, c.basic_award, c.net_workload + c.redistributed, c.winner_award)
                     for name, c in zip(names, centers)])
    ranked = sorted(zip(names, centers), key=lambda pair: (pair[1].rank, pair[1].code))
    scores = t.Table("得分", (label["name"], label["score"]), (t.TEXT, t.SCORE),
                     [(name, score_number(c.score)) for name, c in ranked])
    score_col = len(parts.headers) + 1  # one empty column between the two tables
    chart_col = score_col + len(scores.headers) + 1
    write_table(sheet, fmt, parts, 0, set_widths(sheet, [parts]))
    write_table(sheet, fmt, scores, 0, set_widths(sheet, [scores], left=score_col), left=score_col)
    last = len(centers)

    stacked = book.add_chart({"type": "column", "subtype": "stacked"})
    for col in range(1, len(parts.headers)):
        stacked.add_series({"name": [CHARTS_SHEET, 0, col],
                            "categories": [CHARTS_SHEET, 1, 0, last, 0],
                            "values": [CHARTS_SHEET, 1, col, last, col], "gap": 60})
    stacked.set_title({"name": f"{allocation.settings.year}年度各中心补助资金构成（元）"})
    stacked.set_x_axis({"num_font": {"rotation": -45}})
    stacked.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    stacked.set_legend({"position": "bottom"})
    stacked.set_size({"width": 1000, "height": 420})
    sheet.insert_chart(0, chart_col, stacked)

    ordered = book.add_chart({"type": "column"})
    ordered.add_series({"name": [CHARTS_SHEET, 0, score_col + 1],
                        "categories": [CHARTS_SHEET, 1, score_col, last, score_col],
                        "values": [CHARTS_SHEET, 1, score_col + 1, last, score_col + 1], "gap": 60,
                        "data_labels": {"value": True, "num_format": "0.00"}})
    ordered.set_title({"name": f"{allocation.settings.year}年度各中心得分（从高到低）"})
    ordered.set_x_axis({"num_font": {"rotation": -45}})
    ordered.set_y_axis({"num_format": "0.0", "major_gridlines": {"visible": True}})
    ordered.set_legend({"none": True})
    ordered.set_size({"width": 1000, "height": 420})
    sheet.insert_chart(22, chart_col, ordered)  # 22 rows ≈ the first chart's 420 px
    print_setup(sheet)


def has_notes(allocation: Allocation) -> bool:
    """分中心说明 is for people reading it through: up to contract.NOTES_MAX_CENTERS centers."""
    return len(allocation.centers) <= contract.NOTES_MAX_CENTERS


def notes_elsewhere(allocation: Allocation) -> list[tuple[str, str]]:
    """The 说明 row that says where the explanations are when 分中心说明 is left out."""
    if has_notes(allocation):
        return []
    year = allocation.settings.year
    return [(NOTES_SHEET, f"本年度共 {len(allocation.centers)} 个中心，超过 {contract.NOTES_MAX_CENTERS} 个，"
                          f"本工作簿不含“{NOTES_SHEET}”工作表。查看任一中心的补助资金说明："
                          f"jbsys-xl explain <输入工作簿> --year {year} --center <中心编码或名称>；"
                          f"生成各中心的告知书（PDF，每个中心一页）："
                          f"jbsys-xl notices <输入工作簿> --year {year} -o 告知书.pdf")]


def notes_sheet(book, fmt: Formats, allocation: Allocation) -> None:
    """分中心说明: every center's explanation, one block after the other, a page each; left
    out above contract.NOTES_MAX_CENTERS centers (a 1,450-page sheet nobody reads through, and
    most of the writing time), where 说明 points to ``explain`` and ``notices`` instead."""
    if not has_notes(allocation):
        return
    sheet = book.add_worksheet(NOTES_SHEET)
    explanations = [explain(allocation, center.code) for center in allocation.centers]
    blocks = [sections(explanation) for explanation in explanations]
    widths = set_widths(sheet, [table for block in blocks for table in block])
    row, breaks = 0, []
    for explanation, block in zip(explanations, blocks):
        if row:
            breaks.append(row)
        sheet.write_string(row, 0, heading(explanation), fmt.heading)
        row += 1
        for table in block:
            sheet.write_string(row, 0, table.title, fmt.section)
            row = write_table(sheet, fmt, table, row + 1, widths) + 1
        row += 1
    sheet.set_h_pagebreaks(breaks)
    print_setup(sheet)


def lines_sheet(book, fmt: Formats, allocation: Allocation) -> None:
    """条线汇总: per 考核部门 its indicators' volumes and factor scores for every center, each
    block with a line for the department's 确认人 and date, a page each."""
    sheet = book.add_worksheet(t.LINES_SHEET)
    tables = t.department_tables(allocation)
    widths = set_widths(sheet, tables)
    sheet.write_string(0, 0, sheet_title(t.LINES_SHEET, allocation.settings), fmt.heading)
    row, breaks = 2, []
    for table in tables:
        if row > 2:
            breaks.append(row)
        sheet.write_string(row, 0, table.title, fmt.section)
        row = write_table(sheet, fmt, table, row + 1, widths)
        sheet.write_string(row + 1, 0, t.SIGN_LINE)
        row += 4
    sheet.set_h_pagebreaks(breaks)
    print_setup(sheet)


def previous_allocation(outcome: Outcome) -> Allocation | None:
    """The year before from the same input, when that year is there and valid."""
    previous = run(outcome.book, outcome.year - 1)
    return previous.allocation if previous.ok else None


def comparison_sheet(book, fmt: Formats, table: t.Table, settings: Settings) -> None:
    """同比, with the rows of flagged centers highlighted."""
    sheet = table_sheet(book, fmt, table, settings)
    first = HEADER_ROW + 1
    flag = f"${xl_col_to_name(table.headers.index(t.CHANGE_FLAG))}{first + 1}"
    sheet.conditional_format(first, 0, HEADER_ROW + len(table.rows), len(table.headers) - 1, {
        "type": "formula", "criteria": f'={flag}="{t.yes_no(True)}"',
        "format": book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})})


def _workbook_bytes(outcome: Outcome, build) -> bytes:
    """Run ``build(book, fmt)`` on an in-memory workbook with fixed properties."""
    settings = outcome.allocation.settings
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": sheet_title(contract.RESULT_SHEET, settings),
                         "author": "JBSys-XL", "comments": f"JBSys-XL {__version__}",
                         "created": utc_moment()})
    build(book, Formats(book))
    book.close()
    return buffer.getvalue()


def result_workbook_bytes(outcome: Outcome) -> bytes:
    """The full result workbook of a valid outcome."""
    allocation = outcome.allocation
    settings = allocation.settings
    previous = previous_allocation(outcome)

    def build(book, fmt):
        for table in (t.result_table(allocation), t.detail_table(allocation),
                      t.district_table(allocation), t.checks_table(outcome.checks)):
            table_sheet(book, fmt, table, settings)
        lines_sheet(book, fmt, allocation)
        about_sheet(book, fmt, outcome)
        charts_sheet(book, fmt, allocation)
        notes_sheet(book, fmt, allocation)
        if previous is not None:
            comparison_sheet(book, fmt, t.comparison_table(allocation, previous), settings)
        if (callbacks := t.callback_table(allocation)) is not None:
            table_sheet(book, fmt, callbacks, settings)

    return _workbook_bytes(outcome, build)


def printable_workbook_bytes(outcome: Outcome) -> bytes:
    """Only what goes on paper: 分配结果 in its print columns, and 区汇总."""
    allocation = outcome.allocation

    def build(book, fmt):
        for table in (t.print_table(allocation), t.district_table(allocation)):
            table_sheet(book, fmt, table, allocation.settings)

    return _workbook_bytes(outcome, build)
