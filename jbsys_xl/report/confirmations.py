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
LINE = FONT * 1.45
SEQ_WIDTH, ITEM_WIDTH = 4.6, 30
TOTAL_HEADER = f"{t.TOTAL}（计入因素得分）"
DEPARTMENT = contract.SHEET_SPECS[contract.INDICATORS].optional[0]  # 考核部门


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


def _chunks(widths: list[float]) -> list[tuple[int, int]]:
    """Center columns (+ the 合计 column) per page, as (first, last) indexes into ``widths``."""
    room = p.LANDSCAPE_WIDTH - p.printed_points([SEQ_WIDTH, ITEM_WIDTH])
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
          widths: list[float]) -> None:
    """A line of ``style`` across the columns ``first``–``last``, as tall as its wrapped text."""
    _across(sheet, row, first, last, text, styles[style])
    spec, line = p.STYLES[style]
    sheet.set_row(row, line * p.lines(text, sum(widths[first:last + 1]), spec["font_size"]) + 8)


def confirmation_sheet(book, fmt: p.Formats, allocation: Allocation) -> list[Check]:
    """条线汇总 in ``book``; returns the warnings about indicators without a 条线."""
    sections, checks = departments(allocation)
    sheet = book.add_worksheet(t.LINES_SHEET)
    sheet.hide_gridlines(2)
    p.print_setup(sheet, fit_width=False)
    sheet.print_across()
    sheet.repeat_columns(0, 1)
    names = p.short_names([c.name for c in allocation.centers])
    heads = [f"{c.code} {name}" for c, name in zip(allocation.centers, names)]
    widths = [max(7.0, min(9.0, p.text_units(name, FONT) / 2 + 1)) for name in names]
    totals = allocation.indicator_totals
    volume_width = max([p.text_units(f"{int(v):,}", FONT) for v in totals.values()] + [7.0])
    widths = [max(width, volume_width) for width in widths] + [max(volume_width, 8.0)]
    columns = [SEQ_WIDTH, ITEM_WIDTH] + widths
    for col, width in enumerate(columns):
        sheet.set_column(col, col, width)
    chunks = _chunks(widths)
    sheet.set_v_pagebreaks([2 + first for first, _ in chunks[1:]])
    styles = {name: book.add_format(spec) for name, (spec, _) in p.STYLES.items()}
    header = fmt.cell(t.TEXT, "header", FONT, centre=True)
    text = fmt.cell(t.TEXT, "body", FONT)
    number = fmt.cell(t.INT, "body", FONT, num_format="#,##0")
    total_number = fmt.cell(t.INT, "subtotal", FONT, num_format="#,##0")
    excluded = sorted(allocation.excluded)
    row, breaks = 0, []
    caption = f"{title(allocation)}　单位：件"

    def head(department: str) -> None:
        nonlocal row
        sheet.merge_range(row, 0, row, 1, f"{DEPARTMENT}：{department}", styles[p.HEADING])
        for first, last in chunks:
            _across(sheet, row, 2 + first, 2 + last, caption, styles[p.SUBTITLE])
        sheet.set_row(row, 22)
        row += 1
        sheet.write_row(row, 0, [t.SEQ, t.ITEM] + heads + [TOTAL_HEADER], header)
        sheet.set_row(row, LINE * max(p.lines(h, w, FONT) for h, w in zip(heads + [TOTAL_HEADER], widths)) + 4)
        row += 1

    for department, indicators in sections.items():
        if row:
            breaks.append(row)
        head(department)
        used = 0.0
        for indicator in indicators:
            height = LINE * p.lines(indicator.name, ITEM_WIDTH, FONT) + 4
            if used + height > p.LANDSCAPE_HEIGHT - 120:  # room for the header and the signature
                breaks.append(row)
                head(department)
                used = 0.0
            used += height
            sheet.write_number(row, 0, indicator.seq, text)
            sheet.write_string(row, 1, indicator.name, text)
            for col, center in enumerate(allocation.centers, start=2):
                volume, _ = allocation.factors[(center.code, indicator.name)]
                sheet.write_number(row, col, float(volume), number)
            sheet.write_number(row, 2 + len(allocation.centers), float(totals[indicator.name]),
                               total_number)
            sheet.set_row(row, height)
            row += 1
        first, last = chunks[-1]
        note = (f"一票否决并剔除的中心（{'、'.join(excluded)}）的业务量不计入合计。" if excluded else "")
        if note:
            _line(sheet, row, 2 + first, 2 + last, note, styles, p.NOTE, columns)
            row += 1
        sign = f"确认部门：{department}　　确认人：__________　　确认日期：______年____月____日"
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
