"""The shared page (report/page.py) without LibreOffice: the heights it counts are the heights
the file holds, closing lines keep with the last rows of their table, whole volumes print with
thousands separators, and a section's signature line of the 条线确认表 has room."""
from __future__ import annotations

import io
from decimal import Decimal
import warnings

import openpyxl

from jbsys_xl.pipeline import run
from jbsys_xl.report import confirmations
from jbsys_xl.report import page as p
from jbsys_xl.report import tables as t
from tests.support.approved import DEMO

GRID = (6.0,) * 10


def sheet_of(build) -> tuple[openpyxl.worksheet.worksheet.Worksheet, p.Sheet]:
    """``build(sheet)`` on a new portrait document sheet; the sheet as read back, and ours."""
    made = []

    def lay_out(book, fmt):
        sheet = p.Sheet(book, fmt, p.letter_styles(book), "x", GRID, 9)
        build(sheet)
        made.append(sheet)

    data = p.workbook_bytes("t", lay_out)
    return openpyxl.load_workbook(io.BytesIO(data)).active, made[0]


def table(rows: int) -> t.Table:
    return t.Table("t", ("序号", "名称", "金额"), (t.INT, t.TEXT, t.MONEY),
                   [(n, f"第 {n} 行", Decimal(n * 100)) for n in range(1, rows + 1)])


def test_the_height_counted_is_the_height_the_file_holds():
    """XlsxWriter stores whole pixels: 13.25 pt rows become 13.5 — 50 of them a line's worth."""
    read, sheet = sheet_of(lambda s: s.write([p.Paragraph("标题", p.TITLE), p.Paragraph("正文"),
                                              p.Paragraph("注" * 200, p.NOTE), table(50)]))
    held = sum(read.row_dimensions[row].height or 15 for row in range(1, sheet.row + 1))
    assert held == sheet.height
    assert sheet.height > sum([22, 15, 12.5 * 3 + 3] + [9 * 1.25 + 2] * 51)  # what was asked for


def test_closing_lines_move_to_the_next_page_with_the_last_rows():
    closing = [p.Keep(), *(p.Paragraph(f"第 {n} 行字", p.SIGN) for n in range(4))]
    rows = int(p.printable_height(False) // p.written_height(9 * 1.25 + 2)) - 3  # the table fills the page
    read, sheet = sheet_of(lambda s: s.write([p.Repeat(), table(rows), *closing]))
    last = rows  # 0-based: the header is row 0, the body rows 1…rows
    assert sheet.breaks == [last - 2]  # the last three rows go along with the signatures
    assert [brk.id for brk in read.row_breaks.brk] == [last - 2]
    _, short = sheet_of(lambda s: s.write([p.Repeat(), table(10), *closing]))
    assert short.breaks == []  # room enough: nothing moves


def test_whole_volumes_get_thousands_separators_and_weights_stay_as_they_are():
    assert p.count_format(10151, t.NUMBER) == "#,##0"
    assert p.count_format(5.5, t.NUMBER) == "" and p.count_format(3, t.MONEY) == ""


def test_a_sections_last_page_has_room_for_its_signature():
    """The demo's 2023 has 24 centers: 24 + 合计 columns filled two pages and left 合计 alone on
    a third, the signature line squeezed into one cell. The last page now takes half a page of
    columns, and no single cell is merged."""
    outcome = run(DEMO, 2023)
    allocation = outcome.allocation
    assert len(allocation.centers) == 24
    item = 30.0
    room = p.TABLE_WIDTH - p.printed_points([confirmations.SEQ_WIDTH, item])
    widths = [9.0] * 25
    chunks = confirmations._chunks(widths, item)
    assert chunks[-1][1] == 24 and confirmations._printed(widths, chunks[-1]) >= room / 2
    assert [i for first, last in chunks for i in range(first, last + 1)] == list(range(25))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # XlsxWriter warns "Can't merge single cell"
        confirmations.confirmations_bytes(outcome)


def paginated(build) -> tuple[p.Sheet, openpyxl.worksheet.worksheet.Worksheet]:
    """``build(sheet)`` on a paginated landscape sheet with the tables' margins; ours and as read back."""
    made = []

    def lay_out(book, fmt):
        sheet = p.Sheet(book, fmt, p.letter_styles(book), "x", GRID, 9, landscape=True,
                        margins=p.TABLE_MARGINS, paginate=True)
        build(sheet)
        made.append(sheet)

    data = p.workbook_bytes("t", lay_out)
    return made[0], openpyxl.load_workbook(io.BytesIO(data)).active


def test_closing_lines_after_text_take_the_last_lines_not_the_table_above():
    """A Keep under paragraphs moves those paragraphs along, not the last table written
    further up (the 附件's signatures under its list of warnings)."""
    notes = [p.Paragraph(f"{n}. 警告", p.NOTE) for n in range(1, 60)]
    closing = [p.Keep(rows=2), p.Paragraph("制表单位：……", p.SIGN), p.Paragraph(p.SIGNATURES, p.SIGN)]
    sheet, _ = paginated(lambda s: s.write([p.Repeat(), table(5), *notes, *closing]))
    last = sheet.row - 2  # the two closing lines
    assert max(sheet.breaks) >= last - 2 > 6  # the last notes went along; the table stayed


def test_a_paginated_table_keeps_its_groups_and_repeats_a_header_it_does_not_own():
    """Two groups of 20 rows and a 小计 under a page of text: each group starts a page of its
    own rather than be split, and each of those pages starts with a copy of the header (the
    table is not the sheet's repeated one)."""
    rows = [(n, f"第 {n} 行", Decimal(n)) for n in range(1, 41)]
    grouped = t.Table("t", ("序号", "名称", "金额"), (t.INT, t.TEXT, t.MONEY),
                      rows[:20] + [(None, "小计", Decimal(1))] + rows[20:] + [(None, "小计", Decimal(1))],
                      subtotals=frozenset({20, 41}))
    filler = [p.Paragraph("正文", p.NOTE) for _ in range(20)]
    sheet, read = paginated(lambda s: (s.write(filler), s.table(grouped, groups=p.subtotal_groups(grouped))))
    top = len(filler)  # the table's header row
    inside = [brk for brk in sheet.breaks if brk > top]
    assert inside  # the second group did not fit under the first
    for brk in inside:
        assert read.cell(brk + 1, 1).value == "序号"  # a header copy opens the page
        assert "小计" in [cell.value for cell in read[brk]]  # the page before ended with a whole group
