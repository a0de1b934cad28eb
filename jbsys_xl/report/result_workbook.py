"""The result workbook (.xlsx), written in memory with XlsxWriter.

Byte-for-byte reproducible: the only moment in the file is the run's (SOURCE_DATE_EPOCH fixes it), so re-running an unchanged input gives an identical file (auditable by
hash). The content comes from :mod:`.tables` and :mod:`.explain`; this module only lays it out.
"""
from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from .. import __version__, contract
from ..clock import run_date
from ..model import Allocation, Settings, month_text
from ..pipeline import Outcome
from . import tables as t
from .attachment import attachment_sheets, run_warnings
from .confirmations import confirmation_sheet
from .explain import explain, heading, sections
from .history import previous_allocation
from .json_result import score_number
from .page import Formats, print_setup, set_widths, short_names, workbook_bytes, write_table
from .tables import UNIT_LINE, sheet_title, status_text

ABOUT_SHEET, CHARTS_SHEET, NOTES_SHEET = contract.ABOUT_SHEET, "图表", "分中心说明"
HEADER_ROW = 2  # a table sheet: title, unit line, then the table's header


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
    base = "该项市本级最高业务量" if s.method == contract.METHOD_BENCHMARK else "该项市本级业务量合计"
    forfeit = ("按实得工作量补助比例再分配给实得大于 0、本身未被扣减且未被否决的中心"
               if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE
               else contract.FORFEIT_LABELS[contract.FORFEIT_RECLAIM])
    veto = ("被一票否决的中心不计入市本级合计和最高业务量，其得分为 0" if s.veto_mode == contract.VETO_EXCLUDE
            else "被一票否决的中心业务量仍计入市本级合计和最高业务量")
    return [
        ("得分", f"因素得分 = 指标权重 × 业务量 ÷ {base}；得分 = 各项因素得分之和"),
        ("否决处理", f"{s.veto_mode}：{veto}"),
        ("基础达标奖励", f"A+ 类 {_yuan(s.award_a_plus)} 元，A 类 {_yuan(s.award_a)} 元，B 类 0；"
                         "评定等次按服务场所和标准化下沉可评定的等次，填写了评定等次的按所填；"
                         "一票否决的中心各项奖补均为 0"),
        ("综合优胜", f"在未被否决的 A+、A 类中心中评选 {s.winner_count} 个，"
                     f"每个奖励 {_yuan(s.winner_award)} 元"),
        ("工作量补助", "工作量绩效资金 = 工作绩效资金 − 基础达标奖励 − 优胜奖励，"
                       f"按得分比例以最大余额法分配，精确到 {t.cell_text(s.unit, t.NUMBER)} 元"),
        ("扣减", f"每件有理投诉扣减应得工作量补助的 {t.cell_text(s.complaint_rate, t.PERCENT)}"
                 "（封顶 100%，投诉编号相同的只计一次）；差错扣减按扣减表的金额和比例；扣减资金" + forfeit),
        ("硬件补助", "先建后补：已备案的按 预算补助 × min(1, 实际投入 ÷ 计划投入) 计，且不超过实际投入；"
                     "未备案的为 0"),
    ]


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
                          f"生成各中心的告知书（PDF，每个中心单独编页）："
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


def comparison_sheet(book, fmt: Formats, table: t.Table, settings: Settings) -> None:
    """同比, with the rows of flagged centers highlighted."""
    sheet = table_sheet(book, fmt, table, settings)
    first = HEADER_ROW + 1
    flag = f"${xl_col_to_name(table.headers.index(t.CHANGE_FLAG))}{first + 1}"
    sheet.conditional_format(first, 0, HEADER_ROW + len(table.rows), len(table.headers) - 1, {
        "type": "formula", "criteria": f'={flag}="{t.yes_no(True)}"',
        "format": book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})})


def result_workbook_bytes(outcome: Outcome) -> bytes:
    """The full result workbook of a valid outcome: the 附件 (分配结果, 资金平衡) and 条线汇总
    as they print, then the sheets people browse and filter."""
    allocation = outcome.allocation
    settings = allocation.settings
    previous = previous_allocation(outcome)

    def build(book, fmt):
        attachment_sheets(book, fmt, allocation, run_warnings(outcome), printed=False)
        for table in (t.detail_table(allocation), t.district_table(allocation),
                      t.checks_table(outcome.checks)):
            table_sheet(book, fmt, table, settings)
        confirmation_sheet(book, fmt, allocation)
        about_sheet(book, fmt, outcome)
        charts_sheet(book, fmt, allocation)
        notes_sheet(book, fmt, allocation)
        if previous is not None:
            comparison_sheet(book, fmt, t.comparison_table(allocation, previous), settings)
        if (callbacks := t.callback_table(allocation)) is not None:
            table_sheet(book, fmt, callbacks, settings)

    return workbook_bytes(sheet_title(contract.RESULT_SHEET, settings), build)
