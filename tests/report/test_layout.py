"""The v4 table layout (documents.md §0): words never broken, each 所属区 kept with its 小计,
no lone row, 序号, the binding margin — first on the functions that decide it, then on the
PDFs LibreOffice prints, read back with pdfplumber (every character's box and size, every
table cell's lines)."""
from __future__ import annotations

from decimal import Decimal

import pdfplumber
import pytest

from jbsys_xl.cli import main
from jbsys_xl.report import breaks
from jbsys_xl.report import page as p
from jbsys_xl.report import tables as t
from tests.support import require_soffice

MM = 72 / 25.4


# --- words -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("中心编码", ("中心", "编码")),
    ("评定等次", ("评定", "等次")),
    ("一票否决", ("一票", "否决")),
    ("有理投诉数", ("有理", "投诉数")),
    ("工作量补助（应得）", ("工作量", "补助", "（应得）")),
    ("统一社会信用代码", ("统一社会", "信用代码")),
    ("雕庄街道人社服务中心（示例数据）", ("雕庄", "街道", "人社", "服务中心", "（示例数据）")),
    ("邹区镇人社服务中心", ("邹区镇", "人社", "服务中心")),  # 邹区|镇 would leave 镇 alone
    ("常州市天宁区雕庄街道办事处", ("常州市", "天宁区", "雕庄", "街道", "办事处")),
    ("中国工商银行股份有限公司常州天宁支行", ("中国工商银行", "股份有限公司", "常州天宁", "支行")),
    ("TN01 雕庄街道", ("TN01 ", "雕庄", "街道")),
    ("91320400MB0000015X", ("91320400MB0000015X",)),  # a code is one piece
    ("1105-0200-0900", ("1105-0200-0900",)),  # so is an account, grouped or not
    ("合计 1,747,420.97 元", ("合计 ", "1,747,420.97 元")),  # a number keeps its separators and unit
    ("第1项", ("第1项",)),
])
def test_a_text_breaks_only_between_its_pieces(text, expected):
    assert breaks.pieces(text) == expected
    assert "".join(expected) == text


@pytest.mark.parametrize("text, bad", [("中心编码", 3), ("评定等次", 3), ("一票否决", 3), ("有理投诉数", 4),
                                       ("优胜状态", 3), ("龙虎塘街道", 2)])
def test_the_breaks_the_review_found_are_not_allowed(text, bad):
    """中心编/码, 评定等/次, 一票否/决, 有理投/诉数, 优胜状/态 (review m4) and 龙虎/塘 inside a name."""
    assert bad not in breaks.allowed(text)


@pytest.mark.parametrize("points", [8, 9])
def test_wrapped_lines_fit_and_a_column_is_never_narrower_than_a_piece(points):
    for text in ("龙虎塘街道人社服务中心（示例数据）", "常州市新北区人力资源和社会保障局（示例数据）",
                 "江苏江南农村商业银行股份有限公司新北支行", "工作量补助（实得）"):
        for lines in (1, 2, 3):
            width = p.narrowest(text, points, lines)
            found = p.wrapped(text, width, points)
            assert "".join(found) == text and len(found) <= lines
            assert all(p.line_units(line, points) <= width + 1e-9 for line in found)
            assert {len("".join(found[:n])) for n in range(1, len(found))} <= breaks.allowed(text)


def test_a_piece_too_long_for_any_line_is_cut_and_counted():
    """Running text with no place to break still gets the lines LibreOffice will give it."""
    text = "一" * 40
    found = p.wrapped(text, p.line_units("一" * 10, 9), 9)
    assert found == ["一" * 10] * 4


# --- pages -------------------------------------------------------------------------------------

def test_a_group_that_does_not_fit_moves_whole_to_the_next_page():
    heights, data = [20.0] * 10 + [10.0], [True] * 10 + [False]
    groups = [(0, 4), (5, 10)]  # five rows; five rows and the 小计
    before, starts = p.plan_breaks(200.0, 400.0, 0.0, 30.0, 30.0, heights, data, groups)
    assert not before and starts == {5}  # 200 + 30 + 100 fits; the second group would not


def test_a_long_group_leaves_no_lone_row_at_its_end():
    heights = [20.0] * 20 + [10.0]
    data = [True] * 20 + [False]
    # 19 rows fit under the header on the first page: the 20th and the 小计 would be alone
    before, starts = p.plan_breaks(0.0, 30.0 + 19 * 20.0, 0.0, 30.0, 30.0, heights, data, [(0, 20)])
    assert not before and starts == {18}  # two rows go along with the 小计


def test_a_table_starts_on_a_new_page_when_one_row_would_fit_under_its_header():
    heights, data = [20.0] * 30, [True] * 30
    before, starts = p.plan_breaks(350.0, 400.0, 0.0, 30.0, 30.0, heights, data, [(0, 29)])
    assert before and starts == {18}  # the header and 18 rows on a page of their own; 12 follow


def test_groups_of_a_grouped_table_end_at_their_subtotals():
    table = t.Table("x", ("a", "b"), (t.TEXT, t.MONEY),
                    [("甲", 1), ("乙", 2), ("小计", 3), ("丙", 4), ("小计", 4), ("合计", 7)],
                    subtotals=frozenset({2, 4}), totals=frozenset({5}))
    assert p.subtotal_groups(table) == [(0, 2), (3, 5)]  # the 合计 goes with the last group
    assert t.numbered(table).rows[0][0] == 1 and t.numbered(table).rows[2][0] is None


# --- the printed tables ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed(tmp_path_factory, sample_path, paid_demo):
    """附件 and 条线确认表 of the draft demo, 附件 and 拨付明细 of the 审定 one with accounts
    (the widest 拨付明细: names, payees and banks wrap)."""
    require_soffice()
    folder = tmp_path_factory.mktemp("layout")
    assert main(["report", str(sample_path), "--year", "2024", "--pdf", str(folder / "附件-草案.pdf"),
                 "--confirmations", str(folder / "条线确认表.pdf")]) == 0
    assert main(["report", str(paid_demo), "--pdf", str(folder / "附件-审定.pdf")]) == 0
    assert main(["payments", str(paid_demo), "-o", str(folder / "拨付明细.pdf")]) == 0
    return folder


DOCUMENTS = ("附件-草案.pdf", "附件-审定.pdf", "条线确认表.pdf", "拨付明细.pdf")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_margins_and_type_size(printed, name):
    """Nothing nearer the binding edge (left, and top: a landscape table may be turned into a
    portrait file) than 20 mm, nor nearer the other edges than 15 mm; nothing below 8 pt."""
    with pdfplumber.open(printed / name) as pdf:
        for page in pdf.pages:
            chars = page.chars
            assert min(c["x0"] for c in chars) >= 20 * MM and min(c["top"] for c in chars) >= 20 * MM
            assert page.width - max(c["x1"] for c in chars) >= 15 * MM
            assert page.height - max(c["bottom"] for c in chars) >= 15 * MM
            assert min(c["size"] for c in chars) >= p.MIN_POINTS - 0.01


def cells(path):
    """Every table cell of the PDF as (page, table, row, column, text with its line ends)."""
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages):
            for index, table in enumerate(page.extract_tables()):
                for row_index, row in enumerate(table):
                    for col, text in enumerate(row):
                        if text:
                            yield number, index, row_index, col, text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_header_or_name_is_broken_inside_a_word(printed, name):
    """Every line end LibreOffice printed in a cell is one the text allows (中心/编码, never
    中心编/码): it broke nothing on its own."""
    broken = 0
    for _, _, _, _, text in cells(printed / name):
        if "\n" not in text:
            continue
        broken += 1
        lines = text.split("\n")
        joined = "".join(lines)
        ends = {len("".join(lines[:n])) for n in range(1, len(lines))}
        assert ends <= breaks.allowed(joined), lines
    assert broken  # headers and names do wrap in these tables: the test saw some


def data_rows(path) -> dict[int, list[list[str]]]:
    """Per page, the rows of the document's main table (the first page's) that carry a 序号
    (data rows, not 小计/合计)."""
    found, header = {}, None
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages):
            tables = page.extract_tables()
            header = header or (tables[0][0] if tables else None)
            if tables and tables[0][0] == header:
                found[number] = [row for row in tables[0][1:] if (row[0] or "").isdigit()]
    assert header[0] == t.NUMBER_LABEL
    return found


@pytest.mark.parametrize("name", ("附件-草案.pdf", "附件-审定.pdf", "拨付明细.pdf"))
def test_numbered_rows_no_lone_row_and_each_district_with_its_subtotal(printed, name):
    pages = data_rows(printed / name)
    numbers = [int(row[0]) for rows in pages.values() for row in rows]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 23
    assert all(len(rows) >= 2 for rows in pages.values())  # no page with a lone data row
    with pdfplumber.open(printed / name) as pdf:
        for number in pages:
            table = pdf.pages[number].extract_tables()[0]
            text = ["".join(cell or "" for cell in row) for row in table]
            # each page's last table row is a 小计 or the 合计: no group is cut
            assert t.SUBTOTAL in text[-1] or t.TOTAL in text[-1], (name, number, text[-1])


def test_the_confirmation_heads_break_between_code_and_name(printed):
    heads = [text for _, _, row, _, text in cells(printed / "条线确认表.pdf") if row == 0 and "\n" in text]
    assert "TN01\n雕庄街道" in heads or "TN01\n雕庄\n街道" in heads
    assert not [head for head in heads if "龙虎\n塘" in head]


def test_the_attachment_money_still_adds_up(printed, outcome):
    """Layout aside, the 合计 printed is the allocation's."""
    pools = outcome.allocation.pools
    with pdfplumber.open(printed / "附件-草案.pdf") as pdf:
        text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "").replace(" ", "")
    assert t.cell_text(pools.paid_total - pools.hardware_total, t.MONEY) in text
    assert t.cell_text(Decimal(pools.balance), t.MONEY) in text


def test_a_table_under_its_title_alone_stays_on_the_page():
    """Under other content a table that would start with one row moves to a new page; under
    nothing but its own title it starts there (moving would leave the title alone)."""
    heights, data = [20.0] * 30, [True] * 30
    moved, _ = p.plan_breaks(350.0, 400.0, 0.0, 30.0, 30.0, heights, data, [(0, 29)])
    before, starts = p.plan_breaks(350.0, 400.0, 0.0, 30.0, 30.0, heights, data, [(0, 29)], movable=False)
    assert moved and not before and starts == {1, 19}
