"""Any file (documents.md §8 v4, issue 27 item 1): no input can crash the process or exhaust its
memory. A stray value in XFD1048576, a row numbered 99,999,999, a zip bomb (the directory
truthful or lying), billion laughs — each run in a child process whose address space is capped
at 1.5 GB, each ending in exit 2 with a Chinese message naming the file, sheet and cell, the
input unchanged. Without the checks the first two abort the child (calamine asks for 512 GiB)
and the bombs take gigabytes."""
from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from jbsys_xl.io import bounds, extents
from jbsys_xl.io.reader import SourceError, read_source
from jbsys_xl.pipeline import run
from tests.support import hostile
from tests.support import workbooks as wb

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux's")

# What must never reach a person: a Rust abort, an English parser message, a Python traceback.
FOREIGN = ("memory allocation", "panicked", "Traceback", "limit on input amplification", "out of memory",
           "ParseError", "line 1, column")


def money_of(outcome) -> dict:
    assert outcome.ok, [str(c) for c in outcome.errors]
    return {c.code: c.total for c in outcome.allocation.centers}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return wb.write(tmp_path_factory.mktemp("base") / "base.xlsx", wb.base())


@pytest.fixture(scope="module")
def base_money(base):
    return money_of(run(base, 2024))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path, *expected: str) -> str:
    """`jbsys-xl check` on the file under the memory cap: exit 2, the expected words, nothing
    foreign, the file untouched."""
    before = digest(path)
    done = hostile.run_capped("check", str(path), "--year", "2024")
    shown = done.stdout + done.stderr
    assert done.returncode == 2, shown[-3000:]
    for words in expected:
        assert words in shown, shown
    assert not any(word in shown for word in FOREIGN), shown
    assert digest(path) == before
    return shown


# --- far cells ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("sheet", ["扣减", "业务量"])  # read row-wise (calamine), and column-wise (fastexcel)
def test_a_stray_value_in_xfd1048576_is_named_not_a_crash(base, tmp_path, sheet):
    stray = hostile.with_cell(base, tmp_path / "stray.xlsx", sheet, "XFD1048576")
    refused(stray, f"stray.xlsx!{sheet}!XFD1048576：这个单元格有内容，却远在表格之外",
            "读取时要把整个 A1:XFD1048576（约 172 亿个单元格）读进内存", "请在 Excel 中删除这个单元格")


def test_a_row_numbered_99999999_is_a_damaged_file(base, tmp_path):
    far = hostile.with_cell(base, tmp_path / "far.xlsx", "扣减", "A99999999")
    refused(far, "far.xlsx!扣减!A99999999：单元格在第 99,999,999 行，超出 Excel 工作表的上限（1,048,576 行），"
                 "文件已损坏或不是 Excel/WPS 保存的")


def test_a_column_beyond_xfd_is_a_damaged_file(base, tmp_path):
    wide = hostile.with_cell(base, tmp_path / "wide.xlsx", "参数", "XFE2")
    refused(wide, "wide.xlsx!参数!XFE2：单元格在第 XFE 列，超出 Excel 工作表的上限（16,384 列，到 XFD 列为止）")


def test_several_stray_cells_are_listed(base, tmp_path):
    first = hostile.with_cell(base, tmp_path / "one.xlsx", "评定", "XFD1048576")
    second = hostile.with_cell(first, tmp_path / "two.xlsx", "评定", "A1048576")
    with pytest.raises(SourceError) as raised:
        read_source(hostile.with_cell(second, tmp_path / "three.xlsx", "评定", "XFD1"))
    message = str(raised.value)
    assert message.startswith("three.xlsx!评定!XFD1048576：这个单元格和另外 2 个单元格（A1048576、XFD1）有内容，"
                              "却远在表格之外"), message
    assert "其余内容都在 A1:H4 内" in message


def test_a_value_a_little_outside_the_table_is_read_as_before(base, tmp_path, base_money):
    """A note typed at Z2000 beside a three-row table costs 52,000 blank cells: read, ignored
    (no contract column), the money unchanged."""
    noted = hostile.with_cell(base, tmp_path / "noted.xlsx", "扣减", "Z2000", "备注")
    assert money_of(run(noted, 2024)) == base_money


def test_a_formatted_blank_far_cell_is_no_problem(base, tmp_path, base_money):
    """Formatting without a value (``<c r="XFD1048576" s="1"/>``) is no cell the readers keep."""
    def blank(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')

    formatted = hostile.replaced(base, tmp_path / "formatted.xlsx", hostile.sheet_part(base, "扣减"), blank)
    assert money_of(run(formatted, 2024)) == base_money


def test_a_sheet_spread_out_beyond_a_few_slips_is_refused_as_a_whole(base, tmp_path):
    spread = base
    for number, ref in enumerate(["XFD1", "XFD1048576", "A1048576", "HZ500000", "X800000"] +
                                 [f"C{row}" for row in range(100_000, 1_048_576, 1_000)]):
        spread = hostile.with_cell(spread, tmp_path / f"spread{number % 2}.xlsx", "投诉", ref)
    with pytest.raises(SourceError, match=r"投诉：有内容的单元格分散在整个 A1:XFD1048576（约 172 亿个单元格）的范围内"):
        read_source(spread)


# --- the package ----------------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_before_anything_inflates_it(base, tmp_path):
    """1.5 GB of shared strings in a 2 MB file: the directory says so, and that is enough."""
    bomb = hostile.bomb(base, tmp_path / "bomb.xlsx", "xl/sharedStrings.xml",
                        before=hostile.SHARED_STRINGS_HEAD, after=hostile.SHARED_STRINGS_TAIL)
    assert bomb.stat().st_size < 3_000_000
    refused(bomb, "bomb.xlsx：文件解压后的内容超过", "超出安全读取的上限", "压缩炸弹")


@pytest.mark.parametrize("left_out", ["[Content_Types].xml", "xl/_rels/workbook.xml.rels"])
def test_a_package_without_a_part_that_says_where_the_sheets_are_is_damaged(base, tmp_path, left_out):
    """A zip holding xl/workbook.xml but not its content types or relationships (a half-copied
    file, another program's): the file is named as damaged, not an internal error."""
    broken = tmp_path / "半个文件.xlsx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(broken, "w") as out:
        for info in source.infolist():
            if info.filename != left_out:
                out.writestr(info, source.read(info))
    refused(broken, "半个文件.xlsx：无法作为 Excel 工作簿打开，文件可能已损坏")


def test_a_zip_bomb_whose_directory_lies_is_caught_while_inflating(base, tmp_path):
    """The directory claims 1 KB for a part that inflates to 1.5 GB: counting stops it at 1 KB."""
    bomb = hostile.bomb(base, tmp_path / "liar.xlsx", "xl/sharedStrings.xml", declared=1024,
                        before=hostile.SHARED_STRINGS_HEAD, after=hostile.SHARED_STRINGS_TAIL)
    refused(bomb, "liar.xlsx：文件已损坏（压缩包中记录的大小与实际内容不符）")


def test_a_sheet_inflating_to_gigabytes_is_refused(base, tmp_path):
    part = hostile.sheet_part(base, "扣减")
    with zipfile.ZipFile(base) as archive:
        head, tail = archive.read(part).split(b"<sheetData>")
    bomb = hostile.bomb(base, tmp_path / "sheet.xlsx", part, before=head + b"<sheetData>", after=tail)
    refused(bomb, "sheet.xlsx：文件解压后的内容超过")


@pytest.mark.parametrize("where", ["workbook", "sheet"])
def test_billion_laughs_is_refused_in_chinese(base, tmp_path, where):
    part = "xl/workbook.xml" if where == "workbook" else hostile.sheet_part(base, "指标")
    laughs = hostile.billion_laughs(base, tmp_path / "laughs.xlsx", part)
    refused(laughs, "laughs.xlsx：文件中含有 XML 文档类型或实体定义（DOCTYPE/ENTITY）")


def test_a_source_error_keeps_its_place_across_processes():
    import pickle

    error = pickle.loads(pickle.dumps(SourceError("这个单元格有内容", "a.xlsx!扣减", "XFD1048576")))
    assert (str(error), error.parts("a.xlsx")) == ("a.xlsx!扣减!XFD1048576：这个单元格有内容",
                                                   ("a.xlsx!扣减", "XFD1048576", "这个单元格有内容"))


def test_limits_of_the_package():
    assert bounds.inflate_limit(2_000_000) == 200_000_000  # 100 × the file
    assert bounds.inflate_limit(50_000_000) == 1 << 30  # at most 1 GiB
    assert bounds.inflate_limit(20_000) == 16 << 20  # a tiny file may still hold 16 MiB


# --- the scan against an exact parse ---------------------------------------------------------------

def sheet_xml(cells: list[tuple[int, int]], prefix: str = "", quote: str = '"', values: bool = True) -> bytes:
    """A worksheet's XML holding ``cells`` (0-based), as writers write it."""
    p = f"{prefix}:" if prefix else ""
    body = []
    for row, col in sorted(cells):
        value = f"<{p}v>1</{p}v>" if values else ""
        body.append(f"<{p}row r={quote}{row + 1}{quote}><{p}c r={quote}{bounds.cell_name(row, col)}{quote}>"
                    f"{value}</{p}c></{p}row>")
    ns = f' xmlns:{prefix}="x"' if prefix else ' xmlns="x"'
    return (f'<?xml version="1.0"?><{p}worksheet{ns}><{p}dimension ref="A1"/><{p}sheetData>'
            + "".join(body) + f"</{p}sheetData></{p}worksheet>").encode()


def chunked(data: bytes, size: int):
    return iter([data[at:at + size] for at in range(0, len(data), size)] or [b""])


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("size", [7, 61, 1 << 22])  # chunk edges cut tags and references anywhere
def test_the_fast_scan_finds_what_the_exact_parse_finds(prefix, size):
    rng = np.random.default_rng(size)
    cells = {(int(r), int(c)) for r, c in zip(rng.integers(0, 1_048_576, 300), rng.integers(0, 16_384, 300))}
    cells |= {(0, 0), (1_048_575, 16_383), (9, 25), (99, 26), (999, 701), (9_999, 702)}
    xml = sheet_xml(sorted(cells), prefix)
    extent, formulas = extents.fast_extent(chunked(xml, size), "t")
    assert not formulas
    exact = extents.exact_points(bounds.ChunkReader(chunked(xml, 4096)), "t")
    assert extent is not None and extent.cells == len(cells)
    assert (extent.top, extent.bottom, extent.left, extent.right) == \
           (exact.rows.min(), exact.rows.max(), exact.cols.min(), exact.cols.max()) == (0, 1_048_575, 0, 16_383)
    points = extents.fast_points(chunked(xml, size))
    assert sorted(zip(points.rows.tolist(), points.cols.tolist())) == sorted(cells)


@pytest.mark.parametrize("xml", [
    sheet_xml([(0, 0), (5, 3)], quote="'"),  # single quotes
    b'<worksheet><sheetData><row r="1"><c s="1" r="A1"><v>1</v></c></row></sheetData></worksheet>',
    b"<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c></row></sheetData></worksheet>",
    b'<worksheet><sheetData><row r="1"><c r="a1"><v>1</v></c></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="1"><c r="A01"><v>1</v></c></row></sheetData></worksheet>',
])
def test_unusual_xml_goes_to_the_exact_parse(xml):
    assert extents.fast_extent(chunked(xml, 1 << 22), "t")[0] is None


@pytest.mark.parametrize("formula", ["<f>SUM(A1:A2)</f>", '<f t="shared" ref="A3:A9" si="0"/>', "<x:f>A1</x:f>"])
@pytest.mark.parametrize("size", [5, 1 << 22])
def test_the_scan_notes_a_formula_wherever_the_chunks_cut(formula, size):
    xml = sheet_xml([(0, 0), (1, 0)]).replace(b"<v>1</v></c></row></sheetData>",
                                              formula.encode() + b"<v>1</v></c></row></sheetData>")
    assert extents.fast_extent(chunked(xml, size), "t")[1]


def test_the_exact_parse_places_cells_without_references_as_calamine_does():
    xml = b"<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row r=\"7\"><c><v>3</v></c></row>" \
          b"</sheetData></worksheet>"
    points = extents.exact_points(bounds.ChunkReader(iter([xml])), "t")
    assert list(zip(points.rows.tolist(), points.cols.tolist())) == [(0, 0), (0, 1), (6, 0)]


@pytest.mark.parametrize("ref, shown", [("A10000000", "A10000000：单元格在第 10,000,000 行"),
                                        ("AAAA1", "AAAA1：单元格在第 AAAA 列")])
def test_references_past_the_fast_scan_are_judged_exactly(ref, shown):
    xml = f'<worksheet><sheetData><row r="1"><c r="{ref}"><v>1</v></c></row></sheetData></worksheet>'.encode()
    assert extents.fast_extent(chunked(xml, 1 << 22), "t")[0] is None
    with pytest.raises(SourceError, match=shown):
        extents.check_points(extents.exact_points(bounds.ChunkReader(iter([xml])), "book!表"), "book!表")


# --- text -------------------------------------------------------------------------------------------

def csv_folder(folder: Path, sheet: str, appended: str) -> Path:
    """The base sheets as a CSV folder, ``appended`` written at the end of one file."""
    folder.mkdir()
    for name, rows in wb.base().items():
        text = "\n".join(",".join(str(v) for v in row) for row in rows)
        (folder / f"{name}.csv").write_text(text + (appended if name == sheet else ""), "utf-8")
    return folder


def test_a_csv_beyond_excel_rows_is_refused(tmp_path):
    folder = csv_folder(tmp_path / "csv", "投诉", "\n" * 1_048_577)
    with pytest.raises(SourceError, match=r"投诉.csv：超过 1,048,576 行，超出 Excel 工作表的上限"):
        read_source(folder)


def test_a_csv_row_wider_than_excel_is_refused(tmp_path):
    folder = csv_folder(tmp_path / "csv", "扣减", "\n" + "," * 20_000)
    with pytest.raises(SourceError, match=r"扣减.csv：第 3 行有 20,001 列，超出 Excel 工作表的上限（16,384 列）"):
        read_source(folder)


def test_a_binary_workbook_is_refused_before_calamine_reads_it(tmp_path):
    """.xlsb keeps its cells as binary records the checks do not read: it is not read either."""
    path = tmp_path / "分配.xlsb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\0" * 64)
    with pytest.raises(SourceError, match="分配.xlsb：这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 再试"):
        read_source(path)
