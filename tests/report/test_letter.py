"""The letter page (report/letter.py) without LibreOffice: its grid prints no wider than the
版心, lines are counted as LibreOffice breaks them (CJK rules kept by glue), headings stay with
their text, tables with their caption and the signature with the last paragraph, pages end at
breaks of our own, odd and even pages carry their own footers, and the signature follows
GB/T 9704-2012 7.3.5.1. What only the renderer knows is in test_letter_pdf.py."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from jbsys_xl.office import fonts
from jbsys_xl.report import letter as lt
from jbsys_xl.report import page as p
from jbsys_xl.report import tables as t


def test_the_grid_prints_as_wide_as_the_block_and_never_wider():
    for geometry in (lt.PORTRAIT, lt.LANDSCAPE):
        widths = geometry.grid
        stored = [int(width * 7 + 0.5) + 5 for width in widths]  # as XlsxWriter stores them
        assert [(px - 5) / 7 for px in stored] == list(widths)  # whole pixels: nothing rounds up
        assert geometry.width - 3 <= p.printed_points(widths) <= geometry.width - 2
    assert round(lt.PORTRAIT.width / lt.POINTS_PER_MM) == 156 and round(lt.LANDSCAPE.width / lt.POINTS_PER_MM) == 225


def test_lines_are_counted_as_the_office_programs_break_them():
    width = 16 * 10  # ten characters of 3号
    assert lt.text_lines("一二三四五六七八九十", 16, width) == 1
    assert lt.text_lines("一二三四五六七八九十一", 16, width) == 2
    assert lt.text_lines("一二三四五六七八九十。", 16, width) == 2  # 。 never starts a line: 十。 moves
    assert lt.text_lines("一二三四五六七八“九十", 16, width) == 2  # “ never ends one: “九 moves
    assert lt.text_lines("一二三四五六七八九十 ", 16, width) == 1  # a space hangs past the edge
    assert lt.text_lines("一二三四 1,794,000.00", 16, width) == 2  # an amount never breaks
    assert lt.text_lines("一二三四五六七八2024-06", 16, width) == 2  # … a date may, after its hyphen
    assert lt.text_lines("标题第一行\n第二行", 22, 1000) == 2


def test_glue_keeps_punctuation_with_its_neighbour():
    assert lt.glued("分。") == "分\ufeff。" and lt.glued("（元）") == "（\ufeff元\ufeff）"
    assert lt.glued("甲 ，") == "甲 ，"  # nothing to hold on to
    assert lt.text_lines(lt.glued("一二三四五六七八九十。"), 16, 160) == 2  # glue has no width
    assert lt.glued("（-32.46%）").replace("\ufeff", "") == "（-32.46%）"
    assert "-\ufeff3" in lt.glued("（-32.46%）") and "4-\ufeff0" not in lt.glued("2024-06")  # a sign, not a hyphen
    assert lt.text_lines("一二三四五六七八（-32.46%）", 16, 16 * 10) == 2  # moves whole, as glued


def test_the_signature_stands_two_characters_from_the_right_with_the_date_under_it():
    keep, blank, issuer, day = lt.signature("常州市人力资源和社会保障局", "2024年12月20日", seal=False)
    assert isinstance(keep, p.Keep) and blank.text == ""
    assert issuer.text == "常州市人力资源和社会保障局　　" and issuer.style == p.RIGHT
    # the date starts two characters right of the issuer: 13 + 2 − 2 − 7.34 (digits half wide)
    assert day.text == "2024年12月20日" + "　" * 5 + " "
    _, _, sealed, _ = lt.signature("常州市人力资源和社会保障局", "2024年12月20日", seal=True)
    assert sealed.text == "常州市人力资源和社会保障局（盖章）"
    _, _, short, late = lt.signature("某局", "2024年12月20日", seal=False)
    assert late.text.endswith("　　") and short.text.startswith("某局")  # a longer date: two from the right


FACES = fonts.choose({"Noto Serif CJK SC", "Noto Sans CJK SC"})


def letter(blocks, geometry=lt.PORTRAIT, office=False):
    """``blocks`` as a one-letter workbook: the sheet as written (ours) and as read back."""
    made = []

    def write(sheet, page):
        lt.LetterSheet.write(sheet, page)
        made.append(sheet)

    faces = fonts.standard_faces() if office else FACES
    data, pages = lt.letters_workbook("测试", [blocks], faces, write, geometry)
    assert pages == [made[0].pages]
    return made[0], data


def paragraphs(count: int, text: str = "正文" * 30) -> list:
    return [p.Paragraph(lt.INDENT + text) for _ in range(count)]


def test_a_heading_at_the_foot_of_a_page_moves_to_the_next_with_its_text():
    body = paragraphs(8)
    sheet, _ = letter(body + [p.Paragraph("一、标题", p.HEADING)] + paragraphs(2))
    heading = len(body)
    pages = sheet.row_pages()
    assert pages[heading - 1] == 0 and pages[heading] == pages[heading + 1] == 1
    assert heading in sheet.breaks


def money_table(rows: int) -> t.Table:
    body = [(n, f"第 {n} 行", Decimal(n)) for n in range(1, rows + 1)]
    return t.Table("表", ("序号", "名称", "金额"), (t.INT, t.TEXT, t.MONEY),
                   body + [t.summary_row({0: t.TOTAL}, body, (t.INT, t.TEXT, t.MONEY))],
                   totals=frozenset({rows}))


def test_a_short_table_is_not_split_and_keeps_its_caption():
    body = paragraphs(7)  # the table would start near the foot of page 1
    sheet, _ = letter(body + [p.Paragraph(lt.INDENT + "如下表："), money_table(lt.LONG_TABLE - 1)])
    pages = sheet.row_pages()
    caption = len(body)
    assert pages[caption - 1] == 0 and set(pages[caption:]) == {1}


def test_a_long_table_runs_on_under_its_header_again():
    table = money_table(30)
    blocks = lt._laid_out(paragraphs(5) + [p.Paragraph(lt.INDENT + "如下表："), table], lt.specs(FACES),
                          lt.PORTRAIT, False)
    first, rest = [block for block in blocks if isinstance(block, t.Table)]
    assert first.headers == rest.headers == table.headers
    assert first.rows + rest.rows == table.rows and len(rest.rows) >= lt.HEAD_ROWS
    assert rest.totals == {len(rest.rows) - 1} and not first.totals  # 合计 stays with the last rows
    assert isinstance(blocks[blocks.index(rest) - 1], p.Break)
    sheet, _ = letter(blocks)
    pages = sheet.row_pages()
    assert sheet.pages == 2 and pages[sheet.tables[1][0]] == 1  # the repeated header tops page 2
    assert pages[sheet.tables[0][0] + len(first.rows)] == 0  # the first part fills page 1


def test_every_page_ends_at_a_break_of_ours():
    sheet, data = letter(paragraphs(40))
    pages = sheet.row_pages()
    assert sheet.pages == pages[-1] + 1 > 2
    starts = [row for row in range(1, len(pages)) if pages[row] != pages[row - 1]]
    assert sheet.breaks == starts
    read = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [brk.id for brk in read.row_breaks.brk] == starts
    for page in range(sheet.pages):
        assert sum(h for h, n in zip(sheet._heights, pages) if n == page) <= lt.PORTRAIT.height


def test_the_signature_never_stands_alone_on_a_page():
    sheet, _ = letter(paragraphs(9) + lt.signature("常州市人力资源和社会保障局", "2024年12月20日", True))
    pages = sheet.row_pages()
    assert pages[-1] == pages[-4]  # the issuer and date share the page of the last paragraph


def test_odd_and_even_pages_carry_their_own_footer_and_each_letter_starts_at_one():
    _, data = letter(paragraphs(3))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert '<headerFooter differentOddEven="1"' in sheet
    assert "<oddFooter>&amp;R&amp;\"宋体,常规\"&amp;14— &amp;P —　</oddFooter>" in sheet
    assert "<evenFooter>&amp;L&amp;\"宋体,常规\"&amp;14　— &amp;P —</evenFooter>" in sheet
    assert 'useFirstPageNumber="1"' in sheet  # from 1 (Excel's default first number)
    assert '<pageMargins left="1.1023622047244095" right="1.0236220472440944" top="1.4566929133858268" ' \
           'bottom="1.3779527559055118"' in sheet  # 28, 26, 37, 35 mm
    assert 'horizontalCentered' not in sheet


def test_the_faces_are_named_in_the_cells_and_recorded_in_the_properties():
    _, data = letter([p.Paragraph("标题", p.TITLE), *paragraphs(1)])
    book = zipfile.ZipFile(io.BytesIO(data))
    assert "<dc:subject>字体：标题：Noto Serif CJK SC（代替小标宋）；正文：Noto Serif CJK SC（代替仿宋）" in \
        book.read("docProps/core.xml").decode()
    styles = book.read("xl/styles.xml").decode()
    assert '<sz val="22"/>' in styles and '<sz val="16"/>' in styles
    _, office = letter([p.Paragraph("标题", p.TITLE), *paragraphs(1)], office=True)
    styles = zipfile.ZipFile(io.BytesIO(office)).read("xl/styles.xml").decode()
    assert '<name val="方正小标宋简体"/>' in styles and '<name val="仿宋"/>' in styles


def test_no_running_text_is_set_below_4hao_nor_a_table_below_5hao():
    sizes = {name: spec["font_size"] for name, (spec, _) in lt.specs(fonts.standard_faces()).items()}
    assert sizes[p.TITLE] == 22 and sizes[p.BODY] == 16 and min(sizes.values()) >= 14
    assert lt.TABLE_POINTS == 10.5


def test_a_table_too_wide_for_the_upright_block_turns_the_page():
    narrow = t.Table("表", ("项目", "金额"), (t.TEXT, t.MONEY), [("甲", Decimal("1.00"))])
    wide = t.Table("表", tuple(f"金额{n}" for n in range(7)), (t.MONEY,) * 7, [(Decimal("1234567.89"),) * 7])
    assert lt.fits(narrow, lt.PORTRAIT) and not lt.fits(wide, lt.PORTRAIT) and lt.fits(wide, lt.LANDSCAPE)


def test_table_columns_get_the_grid_columns_their_text_needs():
    table = t.Table("有理投诉", ("投诉编号", "日期", "内容", "核实部门"), (t.TEXT,) * 4,
                    [("TS2024-007", "2024-08-04", "灵活就业人员社保补贴受理后未按时反馈", "就管中心")])
    widths = lt.fitting_widths(table, lt.GRID)
    placed = p.spans(widths, lt.GRID)
    assert placed[-1][1] == len(lt.GRID) - 1  # the table spans the 版心
    assert max(range(4), key=lambda col: widths[col]) == 2  # the spare room went to 内容, which wraps
    needs = lt.needs(table)
    assert all(p.printed_points(lt.GRID[first:last + 1]) >= p.printed_points([need])  # a merged cell
               for (first, last), need in zip(placed, needs))  # prints over its columns' padding too


def test_an_amount_needs_its_width_in_5hao_and_excel_needs_more_units():
    table = t.Table("表", ("金额",), (t.MONEY,), [(Decimal("200000"),)])
    [printed] = lt.needs(table)
    [shown] = lt.needs(table, office=True)
    assert p.printed_points([printed]) == pytest.approx(lt.ems("200,000.00") * 10.5 + lt.CELL_PADDING, abs=0.6)
    assert shown > printed


def test_a_letter_whose_table_the_grid_cannot_hold_gets_a_finer_grid():
    """Four amounts and a date beside a name (the 硬件建设补助告知书) need more than 16 columns."""
    money = Decimal("310000")
    hardware = t.Table("硬件", ("项目名称", "预算补助", "计划投入", "实际投入", "备案", "补助"),
                       (t.TEXT, t.MONEY, t.MONEY, t.MONEY, t.TEXT, t.MONEY),
                       [("春江镇人社服务中心综合窗口改造", money, money, money, "2024-04-18", money)])
    assert not lt.holds(hardware, lt.PORTRAIT.grid)
    page = lt.fine_enough([hardware], lt.PORTRAIT)
    assert page.columns > lt.PORTRAIT.columns and lt.holds(hardware, page.grid)
    assert lt.fine_enough(paragraphs(2), lt.PORTRAIT) == lt.PORTRAIT  # a coarse grid prints faster
    placed = p.spans(lt.fitting_widths(hardware, page.grid), page.grid)
    needs = lt.needs(hardware)
    assert all(p.printed_points(page.grid[first:last + 1]) >= p.printed_points([need]) - 0.5
               for (first, last), need, kind in zip(placed, needs, hardware.kinds) if kind == t.MONEY)
