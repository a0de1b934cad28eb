"""条线确认表: what each 考核部门 (条线) signs for its indicators (documents.md §3) —
``report --confirmations``, and the 条线汇总 sheet of the result workbook, which prints the same.

One section per 条线, in 指标 order; a blank 考核部门 takes the one above it within the same 类别
(as 附件2 is laid out), and with none above the indicator goes to 未指定条线 (a warning).
Indicators are rows, centers columns: as many centers as A4 landscape holds at 9 pt go on a
page, the pages of a section follow each other (printed across, then down), and every page
repeats the 条线 and the indicator columns. The 合计 column (each indicator's volume over the
factor base) and the line `确认部门：… 确认人：… 确认日期：…` end the section's last page; every
section starts on a new page, and one that is too long for a page repeats its header rows.
"""
from __future__ import annotations

from .. import contract
from ..model import Allocation, Check, Indicator
from ..pipeline import Outcome
from . import page as p
from . import tables as t

UNASSIGNED = "未指定条线"
FONT = 9
LINE = FONT * 1.25  # points a line of the table takes (rows add 3)
# 事项名称: on at most two lines up to ITEM_MAX units, never narrower than its longest word
SEQ_WIDTH, ITEM_MIN, ITEM_MAX = 4.6, 16.0, 30.0
TOTAL_HEADER = f"{t.TOTAL}（计入因素得分）"
DEPARTMENT = contract.SHEET_SPECS[contract.INDICATORS].optional[0]  # 考核部门
CAPTION_HEIGHT = 22


def departments(allocation: Allocation) -> tuple[dict[str, list[Indicator]], list[Check]]:
    """The indicators of each 条线 in 指标 order, blanks filled down within a 类别, and a
    warning for each indicator left without one."""
    found: dict[str, list[Indicator]] = {}
    checks = []
    above: tuple[str, str] | None = None  # (类别, 考核部门) of the row above
    for indicator in allocation.indicators:
        department = indicator.department
        if not department and above and above[0] == indicator.category:
            department = above[1]
        if not department:
            department = UNASSIGNED
            sheet, cell = allocation.dataset.origins.get((contract.INDICATORS, indicator.name),
                                                         (contract.INDICATORS, ""))
            checks.append(Check("warning", sheet, cell,
                                f"事项“{indicator.name}”没有{DEPARTMENT}，上方同一类别也没有，"
                                f"条线确认表把它列入“{UNASSIGNED}”；请在“{DEPARTMENT}”列填写"))
        else:
            above = (indicator.category, department)
        found.setdefault(department, []).append(indicator)
    return found, checks


def title(allocation: Allocation) -> str:
    return p.title_with_status(t.TITLES[t.LINES_SHEET].format(year=allocation.settings.year),
                               allocation.settings)


def _chunks(widths: list[float], item_width: float) -> list[tuple[int, int]]:
    """Center columns (+ the 合计 column) per page, as (first, last) indexes into ``widths``."""
    room = p.TABLE_WIDTH - p.printed_points([SEQ_WIDTH, item_width])
    chunks, first, used = [], 0, 0.0
    for index, width in enumerate(widths):
        need = p.printed_points([width])
        if used + need > room and index > first:
            chunks.append((first, index - 1))
            first, used = index, 0.0
        used += need
    chunks.append((first, len(widths) - 1))
    while len(chunks) > 1 and _printed(widths, chunks[-1]) < room / 2 and chunks[-2][1] > chunks[-2][0]:
        (a, b), (c, d) = chunks[-2:]  # the last page holds the signature line: give it room
        chunks[-2:] = [(a, b - 1), (c - 1, d)]
    return chunks


def _printed(widths: list[float], chunk: tuple[int, int]) -> float:
    return p.printed_points(widths[chunk[0]:chunk[1] + 1])


def _across(sheet, row: int, first: int, last: int, text: str, cell_format) -> None:
    """Words across the columns ``first``–``last``: merged, but a single cell needs no merge."""
    if first == last:
        sheet.write_string(row, first, text, cell_format)
    else:
        sheet.merge_range(row, first, row, last, text, cell_format)


def _line(sheet, row: int, first: int, last: int, text: str, styles: dict, style: str,
          widths: list[float]) -> float:
    """A line of ``style`` across the columns ``first``–``last``, as tall as its wrapped text;
    its height."""
    _across(sheet, row, first, last, text, styles[style])
    spec, line = p.STYLES[style]
    height = line * p.lines(text, sum(widths[first:last + 1]), spec["font_size"]) + 8
    sheet.set_row(row, height)
    return p.written_height(height)


def _broken(text: str, units: float) -> tuple[str, int]:
    """``text`` broken between words to fit ``units`` at FONT, and its line count."""
    found = p.wrapped(text, units, FONT)
    return "\n".join(found), len(found)


def confirmation_sheet(book, fmt: p.Formats, allocation: Allocation) -> list[Check]:
    """条线汇总 in ``book``; returns the warnings about indicators without a 条线.

    A4 landscape with the tables' margins (binding side 20 mm); a center's column head is its
    code and short name broken between words (TN01 / 雕庄街道, never 龙虎/塘街道), an item's name
    likewise; a section longer than a page runs onto the next with its head repeated and never
    leaves fewer than two indicators (with the signature line) on its last page."""
    sections, checks = departments(allocation)
    sheet = book.add_worksheet(t.LINES_SHEET)
    sheet.hide_gridlines(2)
    p.print_setup(sheet, fit_width=False)
    sheet.print_across()
    sheet.repeat_columns(0, 1)
    names = p.short_names([c.name for c in allocation.centers])
    heads = [f"{c.code} {name}" for c, name in zip(allocation.centers, names)]
    totals = allocation.indicator_totals
    volume_width = max([p.line_units(f"{int(v):,}", FONT) for v in totals.values()] + [6.0])
    item_width = max([min(ITEM_MAX, p.narrowest(i.name, FONT, 2)) for i in allocation.indicators]
                     + [p.narrowest(i.name, FONT, 99) for i in allocation.indicators] + [ITEM_MIN])
    total_width = max(volume_width, p.narrowest(TOTAL_HEADER, FONT, 3), 8.0)
    layouts = []  # heads on two lines (TN01 / 雕庄街道), or three (XB03 / 龙虎塘 / 街道) if fewer pages
    for head_lines in (2, 3):
        widths = [max(volume_width, p.narrowest(head, FONT, head_lines)) for head in heads] + [total_width]
        layouts.append((len(_chunks(widths, item_width)), head_lines, widths))
    _, _, widths = min(layouts)
    columns = [SEQ_WIDTH, item_width] + widths
    for col, width in enumerate(columns):
        sheet.set_column(col, col, width)
    chunks = _chunks(widths, item_width)
    sheet.set_v_pagebreaks([2 + first for first, _ in chunks[1:]])
    styles = {name: book.add_format(spec) for name, (spec, _) in p.STYLES.items()}
    header = fmt.cell(t.TEXT, "header", FONT, centre=True)
    text = fmt.cell(t.TEXT, "body", FONT)
    number = fmt.cell(t.INT, "body", FONT, num_format="#,##0")
    total_number = fmt.cell(t.INT, "subtotal", FONT, num_format="#,##0")
    excluded = sorted(allocation.excluded)
    head_cells = [_broken(h, w) for h, w in zip([t.SEQ, t.ITEM] + heads + [TOTAL_HEADER], columns)]
    head_height = p.written_height(LINE * max(lines for _, lines in head_cells) + 4)
    row, breaks = 0, []
    caption = f"{title(allocation)}　单位：件"
    first, last = chunks[-1]

    def head(department: str) -> None:
        nonlocal row
        sheet.merge_range(row, 0, row, 1, f"{DEPARTMENT}：{department}", styles[p.HEADING])
        for a, b in chunks:
            _across(sheet, row, 2 + a, 2 + b, caption, styles[p.SUBTITLE])
        sheet.set_row(row, CAPTION_HEIGHT)
        row += 1
        sheet.write_row(row, 0, [cell for cell, _ in head_cells], header)
        sheet.set_row(row, head_height)
        row += 1

    for department, indicators in sections.items():
        items = [_broken(indicator.name, item_width) for indicator in indicators]
        heights = [p.written_height(LINE * lines + 3) for _, lines in items]
        note = (f"一票否决并剔除的中心（{'、'.join(excluded)}）的业务量不计入合计。" if excluded else "")
        sign = f"确认部门：{department}　　确认人：__________　　确认日期：______年____月____日"
        closing = [line for line in (note, sign) if line]
        closing_heights = [p.written_height(p.STYLES[style][1] * p.lines(line, sum(columns[2 + first:3 + last]),
                                                                        p.STYLES[style][0]["font_size"]) + 8)
                           for line, style in zip(closing, (p.NOTE, p.SIGN) if note else (p.SIGN,))]
        top = CAPTION_HEIGHT + head_height
        _, starts = p.plan_breaks(0.0, p.TABLE_HEIGHT, 0.0, top, top, heights + closing_heights,
                                  [True] * len(heights) + [False] * len(closing),
                                  [(0, len(heights) + len(closing) - 1)])
        if row:
            breaks.append(row)
        head(department)
        for index, (indicator, (name, _)) in enumerate(zip(indicators, items)):
            if index in starts:
                breaks.append(row)
                head(department)
            sheet.write_number(row, 0, indicator.seq, text)
            sheet.write_string(row, 1, name, text)
            for col, center in enumerate(allocation.centers, start=2):
                volume, _ = allocation.factors[(center.code, indicator.name)]
                sheet.write_number(row, col, float(volume), number)
            sheet.write_number(row, 2 + len(allocation.centers), float(totals[indicator.name]),
                               total_number)
            sheet.set_row(row, heights[index])
            row += 1
        if note:
            _line(sheet, row, 2 + first, 2 + last, note, styles, p.NOTE, columns)
            row += 1
        _line(sheet, row, 2 + first, 2 + last, sign, styles, p.SIGN, columns)
        row += 2
    sheet.set_h_pagebreaks(breaks)
    return checks


def confirmations_bytes(outcome: Outcome) -> tuple[bytes, list[Check]]:
    """The 条线确认表 as a workbook, and the warnings about indicators without a 条线."""
    allocation = outcome.allocation
    found: list[Check] = []
    data = p.workbook_bytes(title(allocation),
                            lambda book, fmt: found.extend(confirmation_sheet(book, fmt, allocation)))
    return data, found
