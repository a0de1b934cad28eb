"""Any file, 金保 side (documents.md §8 v4, issue 27 item 1): an export or a filled-in 回访清单 with a
stray value far outside its table, a far row, a zip bomb, or a format's repeat counts blown up
(.ods, .xls, an HTML colspan) ends in exit 2 with a Chinese message naming the file, sheet and
cell — run in a child process whose address space is capped at 1.5 GB, nothing written, the
input unchanged. (Each of the first kind aborted the process before: calamine asked for the
claimed rectangle, 512 GiB for an .xlsx, 0.5–137 GB for an .xls.)"""
from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from jbsys_xl.cli import main
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.office.libreoffice import convert
from tests.jinbao.support import (DEMO, ITEM, TN02, detail, imported, messages, volumes, write_csv, write_html,
                                  write_xlsx)
from tests.support import hostile, require_soffice
from tests.test_hostile_files import FOREIGN

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux's")

CASES = [("A1", TN02, ITEM, "2024-03-05", "办结"), ("A2", TN02, ITEM, "2024-03-06", "办结")]
MARCH = {("TN02", ITEM, "2024-03"): 2}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused_import(tmp_path: Path, export: Path, *expected: str) -> str:
    before = digest(export)
    out = tmp_path / "导入结果.xlsx"
    done = hostile.run_capped("import", str(DEMO), str(export), "--year", "2024", "-o", str(out))
    shown = done.stdout + done.stderr
    assert done.returncode == 2, shown[-3000:]
    for words in expected:
        assert words in shown, shown
    assert not any(word in shown for word in FOREIGN), shown
    assert not out.exists() and digest(export) == before
    return shown


@pytest.fixture
def export(tmp_path) -> Path:
    path = write_xlsx(tmp_path / "src" / "导出.xlsx", {"明细": detail(*CASES)}) \
        if (tmp_path / "src").mkdir() is None else None
    assert volumes(imported([path])) == MARCH
    return path


def test_an_export_with_a_stray_value_in_xfd1048576(tmp_path, export):
    stray = hostile.with_cell(export, tmp_path / "stray.xlsx", "明细", "XFD1048576")
    refused_import(tmp_path, stray, "stray.xlsx!明细!XFD1048576：这个单元格有内容，却远在表格之外（其余内容都在 A1:E4 内）")


def test_an_export_with_a_row_beyond_excel(tmp_path, export):
    far = hostile.with_cell(export, tmp_path / "far.xlsx", "明细", "B99999999")
    refused_import(tmp_path, far, "far.xlsx!明细!B99999999：单元格在第 99,999,999 行，超出 Excel 工作表的上限")


def test_an_export_that_is_a_zip_bomb(tmp_path, export):
    bomb = hostile.bomb(export, tmp_path / "bomb.xlsx", "xl/sharedStrings.xml",
                        before=hostile.SHARED_STRINGS_HEAD, after=hostile.SHARED_STRINGS_TAIL)
    refused_import(tmp_path, bomb, "bomb.xlsx：文件解压后的内容超过")


def test_a_sample_export_a_clerk_touched_in_the_last_cell(tmp_path):
    """The trial's file: the demo's export of 900 people with one character in XFD1048576."""
    first = write_sample_exports(tmp_path / "exports", 2024)[0]
    stray = hostile.with_cell(first, tmp_path / first.name, "业务明细", "XFD1048576")
    shown = refused_import(tmp_path, stray, f"{first.name}!业务明细!XFD1048576：这个单元格有内容")
    assert "其余内容都在 A1:" in shown


# --- formats with repeat counts -------------------------------------------------------------------

ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="明细">{rows}</table:table>'
    '</office:spreadsheet></office:body></office:document-content>')


def ods(path: Path, rows: list[list], extra: str = "") -> Path:
    """An .ods as LibreOffice lays it out (mimetype first and stored), the rows as string cells."""
    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows) + extra
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
                         zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", ODS_CONTENT.format(rows=body), zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_whose_repeat_counts_fill_the_sheet(tmp_path):
    rows = detail(*CASES)
    assert volumes(imported([ods(tmp_path / "plain.ods", rows)])) == MARCH  # calamine reads the layout
    # LibreOffice writes an empty tail as one repeated row; here the repeated cell holds a value.
    filled = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
              'table:number-columns-repeated="16384" office:value-type="string"><text:p>.</text:p>'
              '</table:table-cell></table:table-row>')
    refused_import(tmp_path, ods(tmp_path / "filled.ods", rows, filled),
                   "filled.ods!明细!A5：从这个单元格起的 1,048,000 行 × 16,384 列都是同一个值（文件中记为“重复”），"
                   "读取时要展开成约 172 亿个单元格，无法读取")


def test_an_ods_with_a_stray_value(tmp_path):
    far = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
           'table:number-columns-repeated="16384"/></table:table-row><table:table-row>'
           '<table:table-cell table:number-columns-repeated="16383"/>'
           '<table:table-cell office:value-type="string"><text:p>.</text:p></table:table-cell></table:table-row>')
    refused_import(tmp_path, ods(tmp_path / "stray.ods", detail(*CASES), far),
                   "stray.ods!明细!XFD1048005：这个单元格有内容，却远在表格之外")


def test_an_xls_with_a_stray_value_in_its_last_cell(tmp_path):
    """An .xls stops at IV65536, yet calamine builds every sheet while opening: 16.7 million
    cells, more than the capped child has."""
    require_soffice()
    source = tmp_path / "src" / "旧格式.xlsx"
    source.parent.mkdir()
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("明细")
    for r, row in enumerate(detail(*CASES)):
        sheet.write_row(r, 0, row)
    sheet.write(65535, 255, ".")
    book.close()
    xls = convert(source, "xls", tmp_path / "lo")
    refused_import(tmp_path, xls, "旧格式.xls!明细!IV65536：这个单元格有内容，却远在表格之外")


def test_an_html_table_whose_colspans_multiply_it(tmp_path):
    rows = "".join('<tr><td colspan="1000">x</td><td colspan="1000">y</td></tr>' for _ in range(2000))
    page = tmp_path / "web.xls"
    page.write_text(f"<html><body><table>{rows}</table></body></html>", "utf-8")
    result = imported([page])
    assert any("web.xls：网页表格中合并单元格（colspan/rowspan）展开后的格子远多于文件的内容" in m
               for m in messages(result, "error")), messages(result)


def test_an_html_table_with_ordinary_spans_still_reads(tmp_path):
    page = write_html(tmp_path / "web.xls", detail(*CASES), title="2024年3月")
    assert volumes(imported([page])) == MARCH


def test_a_csv_export_longer_than_a_sheet(tmp_path):
    rows = detail(*CASES) + [["", "", "", "", ""]] * 1_048_576
    result = imported([write_csv(tmp_path / "长.csv", rows)])
    assert any("长.csv：超过 1,048,576 行，超出 Excel 工作表的上限；请分成几个文件（例如按月）导出" in m
               for m in messages(result, "error")), messages(result)


# --- a filled-in 回访清单 ------------------------------------------------------------------------------

def test_a_callback_list_with_a_stray_value_is_refused(tmp_path):
    exports = write_sample_exports(tmp_path / "exports", 2024)
    drawn = tmp_path / "回访清单.xlsx"
    assert main(["callbacks", str(DEMO), *map(str, exports), "--seed", "7", "--per-center", "1",
                 "--operator", "抽取员", "-o", str(drawn)]) == 0
    stray = hostile.with_cell(drawn, tmp_path / "已回访.xlsx", "回访清单", "XFD1048576", "属实")
    out = tmp_path / "回访结果.xlsx"
    done = hostile.run_capped("callback-results", str(DEMO), str(stray), "--year", "2024", "-o", str(out))
    shown = done.stdout + done.stderr
    assert done.returncode == 2, shown[-3000:]
    assert "已回访.xlsx!回访清单!XFD1048576：这个单元格有内容，却远在表格之外" in shown, shown
    assert not out.exists()
