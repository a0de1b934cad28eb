"""Messy 金保 exports, round 2 (issue 20, contract §1 v3 “nothing lost in silence”): files told
by content whatever their name, every file of a folder read or named, twin headers, merged
institutions, pasted IDs, Excel's number-ised case ids, month ranges and month-named sheets.
Each file is made the way the office program or web system makes it."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from jbsys_xl.jinbao.output import import_workbook_bytes
from jbsys_xl.office.libreoffice import convert
from tests.jinbao.support import (DEMO, ITEM, ITEM2, ITEM_ALIAS, TN01, TN01_ALIAS, TN02, detail, imported,
                                  messages, volumes, write_csv, write_html, write_xlsx)
from tests.support import require_soffice

CASES = [("A1", TN02, ITEM, "2024-03-05", "办结"), ("A2", TN01, ITEM2, "2024/3/6", "已办结"),
         ("A3", TN01_ALIAS, ITEM_ALIAS, "2024年3月7日", "")]
EXPECTED = {("TN02", ITEM, "2024-03"): 1, ("TN01", ITEM2, "2024-03"): 1, ("TN01", ITEM, "2024-03"): 1}
MARCH = ("TN02", ITEM, "2024-03")


def office(tmp_path: Path, rows: list[list], fmt: str, name: str = "导出") -> Path:
    """The sheet saved by LibreOffice (``soffice --convert-to fmt``) from an .xlsx."""
    require_soffice()
    source = write_xlsx(tmp_path / "src" / f"{name}.xlsx", {"明细": rows}) \
        if (tmp_path / "src").mkdir(exist_ok=True) is None else None
    return convert(source, fmt, tmp_path / "lo")


def text_file(path: Path, rows: list[list], encoding: str, delimiter: str = "\t") -> Path:
    """Tab-separated text as Excel's “文本文件（制表符分隔）” / “Unicode 文本” writes it: CRLF line
    ends, and for Unicode 文本 UTF-16 little-endian with a BOM."""
    text = "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


# --- 3. recognised by content, whatever the extension --------------------------------------------

@pytest.mark.parametrize("name, write", [
    ("导出.xls", lambda p, rows: text_file(p, rows, "utf-16")),  # Unicode 文本 renamed .xls
    ("导出.csv", lambda p, rows: text_file(p, rows, "utf-16")),
    ("导出.txt", lambda p, rows: text_file(p, rows, "utf-16-le")),  # no BOM
    ("导出.txt", lambda p, rows: text_file(p, rows, "gbk")),  # 文本文件（制表符分隔）, ANSI
    ("导出.xls", lambda p, rows: text_file(p, rows, "utf-8")),  # a web system's tab-separated "xls"
    ("导出.csv", lambda p, rows: write_csv(p, [[f'="{v}"' if v else v for v in row] for row in rows], "utf-8-sig")),
])
def test_text_exports_in_every_encoding_and_separator(tmp_path, name, write):
    result = imported([write(tmp_path / name, detail(*CASES))])
    assert result.ok, messages(result)
    assert volumes(result) == EXPECTED


@pytest.mark.parametrize("fmt, rename", [
    ("ods", None),
    ("xls", ".et"),  # an .xls saved under WPS's name
    ("txt:Text - txt - csv (StarCalc):9,34,65535", ".xls"),  # Unicode 文本 (UTF-16, tabs) named .xls
    ("csv:Text - txt - csv (StarCalc):9,34,56", ".txt"),  # GBK (code page 936), tab-separated
])
def test_files_saved_by_libreoffice_are_read_whatever_their_name(tmp_path, fmt, rename):
    path = office(tmp_path, detail(*CASES), fmt)
    if rename:
        path = path.rename(path.with_suffix(rename))
    result = imported([path])
    assert result.ok, messages(result)
    assert volumes(result) == EXPECTED


# --- every file in a folder is read or named ------------------------------------------------------

@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_xlsx(folder / "1月.xlsx", {"明细": detail(*CASES)})
    return folder


def errors_and_notes(result) -> tuple[list[str], list[str]]:
    return messages(result, "error"), messages(result, "warning")


def test_a_zero_byte_file_is_an_error(folder):
    (folder / "3月.xlsx").write_bytes(b"")
    errors, _ = errors_and_notes(imported([folder]))
    assert errors == ["exports/3月.xlsx：文件是空的（0 字节），可能下载未完成；请重新下载或导出"]


def test_a_truncated_file_says_it_is_cut_short_not_empty(folder):
    data = (folder / "1月.xlsx").read_bytes()
    (folder / "3月.xlsx").write_bytes(data[: len(data) // 2])
    errors, _ = errors_and_notes(imported([folder]))
    assert errors == [f"exports/3月.xlsx：文件不完整（只有 {len(data) // 2:,} 字节，结尾缺失），可能下载或复制未完成；"
                      f"请重新下载或复制后再试"]


def test_a_truncated_xls_says_so_too(tmp_path):
    xls = office(tmp_path, detail(*CASES), "xls")
    data = xls.read_bytes()
    xls.write_bytes(data[:len(data) - 700])
    [error] = messages(imported([xls]), "error")
    assert error.startswith("导出.xls：文件不完整（")


@pytest.mark.parametrize("name, data, what", [
    ("说明.docx", None, "Word 文档"),
    ("报表.pdf", b"%PDF-1.7\n...", "PDF 文件"),
    ("截图.png", b"\x89PNG\r\n\x1a\n....", "图片"),
])
def test_a_file_that_is_no_spreadsheet_is_named_in_an_error(folder, name, data, what):
    if data is None:  # a real .docx: a zip package with word/document.xml
        import zipfile
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
    else:
        (folder / name).write_bytes(data)
    result = imported([folder])
    errors, _ = errors_and_notes(result)
    assert errors == [f"exports/{name}：这是{what}，不是金保导出表；请从金保系统导出 Excel、CSV 或网页表格格式；"
                      f"若不是导出文件，请把它移出导出文件夹"]
    assert volumes(result) == EXPECTED  # the export beside it is still read (for the JSON)


def test_a_workbook_of_which_no_sheet_is_an_export_is_an_error(folder):
    write_xlsx(folder / "通讯录.xlsx", {"Sheet1": [["姓名", "电话"], ["某人", "13900000000"]]})
    errors, _ = errors_and_notes(imported([folder]))
    assert errors == ["exports/通讯录.xlsx：没有一个工作表是金保导出表（前 30 行中没有可识别的表头，如 业务流水号、经办机构、"
                      "业务事项、业务量）；若是导出文件，请检查表头，否则请把它移出导出文件夹"]


def test_a_workbook_with_only_empty_sheets_says_the_export_is_empty(folder):
    write_xlsx(folder / "3月.xlsx", {"Sheet1": []})
    errors, _ = errors_and_notes(imported([folder]))
    assert errors == ["exports/3月.xlsx：文件中没有任何数据（每个工作表都是空的），可能导出或下载未完成；请重新导出"]


def test_lock_files_hidden_files_and_windows_files_pass_silently(folder):
    for name in ("~$1月.xlsx", ".DS_Store", "Thumbs.db", "desktop.ini", "Desktop.ini"):
        (folder / name).write_bytes(b"\0\1junk")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x")
    result = imported([folder])
    assert result.ok and not result.checks and volumes(result) == EXPECTED


def test_the_workbook_and_our_own_outputs_in_the_folder_are_skipped_with_a_note(folder, tmp_path):
    shutil.copy(DEMO, folder / "考核-副本.xlsm")  # a copy of the allocation workbook
    (folder / "考核-金保导入-2024.xlsx").write_bytes(import_workbook_bytes(imported([folder / "1月.xlsx"])))
    result = imported([folder])
    assert result.ok and volumes(result) == EXPECTED
    assert messages(result, "warning") == [
        "exports/考核-副本.xlsm：这是考核分配工作簿（有“参数”“指标”“中心”等工作表），不是金保导出，已跳过",
        "exports/考核-金保导入-2024.xlsx：这是本程序（JBSys-XL）生成的文件，不是金保导出，已跳过"]


# --- 1. twin headers ----------------------------------------------------------------------------

def test_a_hidden_stale_institution_column_is_an_error_naming_both(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "m.xlsx"))
    sheet = book.add_worksheet("明细")
    sheet.write_row(0, 0, ["业务流水号", "经办机构", "业务事项", "受理时间", "经办机构"])
    sheet.write_row(1, 0, ["A1", TN02, ITEM, "2024-03-05", "旧名称"])
    sheet.set_column(4, 4, None, None, {"hidden": True})
    book.close()
    assert messages(imported([tmp_path / "m.xlsx"]), "error") == [
        "m.xlsx!明细!B1：有 2 列的表头都是“经办机构”（B1、E1），无法确定用哪一列（可能有隐藏的旧列，或表头带空格）；"
        "请删除多余的列后重新导入"]


@pytest.mark.parametrize("twin", ["业务流水号\u3000", " 业务流水号", "业务流水号\u00a0"])
def test_twins_after_normalisation_in_a_web_export(tmp_path, twin):
    path = write_html(tmp_path / "web.xls", [["业务流水号", "经办机构", "业务事项", "受理时间", twin],
                                             ["A1", TN02, ITEM, "2024-03-05", "B1"]])
    [error] = messages(imported([path]), "error")
    assert error.startswith("web.xls!web!A1：有 2 列的表头都是“业务流水号”（A1、E1）")


def test_twin_item_columns_of_a_wide_report(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"2024年3月": [["经办机构", ITEM, ITEM2, ITEM], [TN02, 1, 2, 3]]})
    [error] = messages(imported([path]), "error")
    assert error.startswith(f"w.xlsx!2024年3月!B1：有 2 列的表头都是“{ITEM}”（B1、D1）")


def test_synonyms_of_one_field_are_no_twins(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "2024-04-09"),
                                                        headers=["业务流水号", "经办机构", "业务事项", "受理时间", "办结时间"])})
    assert volumes(imported([path])) == {MARCH: 1}


def test_two_unread_columns_of_one_name_are_no_error(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结", "x", "y"),
                                                        headers=["业务流水号", "经办机构", "业务事项", "受理时间",
                                                                 "办理状态", "备注", "备注"])})
    assert volumes(imported([path])) == {MARCH: 1}


# --- 2. counts of a million or more -----------------------------------------------------------

@pytest.mark.parametrize("value, digits", [(1_000_000, 7), ("320402199001011234", 18), (1e20, 21),
                                           ("9" * 30, 30)])
def test_a_count_of_a_million_or_more_is_an_error_at_its_cell(tmp_path, value, digits):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["月份", "经办机构", "业务事项", "数量"], ["2024-03", TN02, ITEM, value]]})
    assert messages(imported([path]), "error") == [
        f"s.xlsx!S!D2：数量是一个 {digits} 位的数：一行不应达到 1,000,000 件，可能误粘贴了证件号码、卡号或编号，请核对"]


def test_a_count_of_999999_counts(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["月份", "经办机构", "业务事项", "数量"], ["2024-03", TN02, ITEM, 999_999]]})
    assert volumes(imported([path])) == {MARCH: 999_999}


# --- 4. values -----------------------------------------------------------------------------------

def test_text_forcing_form_of_a_csv_with_a_bom(tmp_path):
    """Codes written ="0101" keep their zeros: institution 0101 is nobody, TN02 is TN02."""
    rows = [["业务流水号", "经办机构", "业务事项", "受理时间"],
            ['="000123"', '="TN02"', ITEM, '="2024-03-05"'],
            ['="000124"', '="0101"', ITEM, "2024-03-06"]]
    result = imported([write_csv(tmp_path / "m.csv", rows, "utf-8-sig")])
    assert volumes(result) == {MARCH: 1}
    [unmatched] = result.unmatched
    assert (unmatched.value, unmatched.where) == ("0101", "m.csv!m!B3")


def numbered_ids(tmp_path, ids) -> Path:
    book = xlsxwriter.Workbook(str(tmp_path / "m.xlsx"))
    sheet = book.add_worksheet("明细")
    sheet.write_row(0, 0, ["业务流水号", "经办机构", "业务事项", "受理时间"])
    for r, case in enumerate(ids, start=1):
        (sheet.write_number if isinstance(case, (int, float)) else sheet.write_string)(r, 0, case)
        sheet.write_row(r, 1, [TN02, ITEM, "2024-03-05"])
    book.close()
    return tmp_path / "m.xlsx"


NUMBER_ISED = ("“业务流水号”列是数字格式（如 A2 的“{shown}”）：16 位以上的编号存成数字只保留 15 位有效数字，"
               "不同的业务会被当成同一笔；请在金保系统把此列按文本导出，或在 Excel 中先把此列设置为“文本”格式再导入原始数据")


def test_case_ids_excel_turned_into_numbers_are_an_error_naming_the_column(tmp_path):
    path = numbered_ids(tmp_path, [202403011234567000.0, 202403011234568000.0])
    assert messages(imported([path]), "error") == [
        "m.xlsx!明细!A1：" + NUMBER_ISED.format(shown="202403011234567008")]


def test_long_case_ids_stored_as_text_are_fine(tmp_path):
    path = numbered_ids(tmp_path, ["202403011234567890", "202403011234567891"])
    assert volumes(imported([path])) == {MARCH: 2}


def test_short_numeric_case_ids_are_exact_and_fine(tmp_path):
    assert volumes(imported([numbered_ids(tmp_path, [123456789012345, 123456789012346])])) == {MARCH: 2}


def test_scientific_case_ids_of_a_csv_excel_saved_are_an_error(tmp_path):
    rows = [["业务流水号", "经办机构", "业务事项", "受理时间"], ["2.02403E+17", TN02, ITEM, "2024-03-05"]]
    assert messages(imported([write_csv(tmp_path / "m.csv", rows, "gbk")]), "error") == [
        "m.csv!m!A1：" + NUMBER_ISED.format(shown="2.02403E+17")]


def test_number_ised_case_ids_in_an_xls_and_ods_saved_by_libreoffice(tmp_path):
    source = numbered_ids(tmp_path, [202403011234567000.0])
    for fmt in ("xls", "ods"):
        converted = convert(source, fmt, tmp_path / fmt) if require_soffice() else None
        [error] = messages(imported([converted]), "error")
        assert error.startswith(f"m.{fmt}!明细!A1：“业务流水号”列是数字格式")


def merged_report(path: Path) -> Path:
    """A long 统计 report with each institution merged over its item rows (XlsxWriter)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("2024年3月")
    sheet.write_row(0, 0, ["经办机构", "业务事项", "数量"])
    sheet.merge_range(1, 0, 2, 0, TN02)
    sheet.merge_range(3, 0, 4, 0, TN01)
    for r, (item, count) in enumerate([(ITEM, 5), (ITEM2, 6), (ITEM, 7), (ITEM2, 8)], start=1):
        sheet.write_row(r, 1, [item, count])
    book.close()
    return path


MERGED_EXPECTED = {("TN02", ITEM, "2024-03"): 5, ("TN02", ITEM2, "2024-03"): 6,
                   ("TN01", ITEM, "2024-03"): 7, ("TN01", ITEM2, "2024-03"): 8}


def test_merged_institution_cells_of_an_xlsx_apply_to_every_row(tmp_path):
    result = imported([merged_report(tmp_path / "r.xlsx")])
    assert result.ok, messages(result)
    assert volumes(result) == MERGED_EXPECTED


def test_merged_institution_cells_made_by_openpyxl(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2024年3月"
    for row in [["经办机构", "业务事项", "数量"], [TN02, ITEM, 5], [None, ITEM2, 6], [TN01, ITEM, 7], [None, ITEM2, 8]]:
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("A4:A5")
    book.save(tmp_path / "r.xlsx")
    assert volumes(imported([tmp_path / "r.xlsx"])) == MERGED_EXPECTED


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_merged_institution_cells_saved_by_libreoffice(tmp_path, fmt):
    require_soffice()
    converted = convert(merged_report(tmp_path / "r.xlsx"), fmt, tmp_path / fmt)
    assert volumes(imported([converted])) == MERGED_EXPECTED


def test_merged_institution_cells_of_a_web_export(tmp_path):
    path = tmp_path / "2024年3月.xls"
    path.write_text(
        "<html><body><table><tr><th>序号</th><th>经办机构</th><th>业务事项</th><th>数量</th></tr>"
        f"<tr><td>1</td><td rowspan='2'>{TN02}</td><td>{ITEM}</td><td>5</td></tr>"
        f"<tr><td>2</td><td>{ITEM2}</td><td>6</td></tr>"
        f"<tr><td colspan='2'>{TN01}</td><td>{ITEM}</td><td>7</td></tr>"
        f"<tr><td>4</td><td>{TN01}</td><td>{ITEM2}</td><td>8</td></tr>"
        "<tr><td colspan='3'>合计</td><td>26</td></tr></table></body></html>", encoding="utf-8")
    result = imported([path])
    assert result.ok, messages(result)
    assert volumes(result) == MERGED_EXPECTED


def test_a_blank_institution_under_no_merge_is_a_group_filled_down_and_said(tmp_path):
    """Round 3 (issue 27): no longer 未匹配 — the grouped layout's rule (test_messy_round3_exports)."""
    path = write_xlsx(tmp_path / "r.xlsx", {"2024年3月": [["经办机构", "业务事项", "数量"], [TN02, ITEM, 5], [None, ITEM2, 6]]})
    result = imported([path])
    assert volumes(result) == {MARCH: 5, ("TN02", ITEM2, "2024-03"): 6} and not result.unmatched
    assert [p.label for p in result.parts] == ["统计（长表，经办机构按分组向下填充 1 行）"]


@pytest.mark.parametrize("title", ["2024年1月—12月业务量统计", "2024年1月至11月", "1月至11月各街道业务量",
                                   "2024年1-11月", "统计时间：2024-01-01 至 2024-11-30", "202401-202411"])
def test_a_stats_title_naming_a_month_range_is_an_error(tmp_path, title):
    path = write_xlsx(tmp_path / "w.xlsx", {"S": [[title], ["经办机构", ITEM], [TN02, 40]]})
    [error] = messages(imported([path]), "error")
    assert error.startswith("w.xlsx!S!A2：统计表的标题是一段时间（") and "无法把业务量分到各月" in error


def test_a_month_range_title_is_fine_with_a_month_column(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"S": [["2024年1月—12月业务量统计"], ["统计月份", "经办机构", ITEM],
                                                  ["2024-03", TN02, 4]]})
    assert volumes(imported([path])) == {MARCH: 4}


def test_a_range_inside_one_month_is_that_month(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"S": [["统计时间：2024年3月1日至3月31日"], ["经办机构", ITEM], [TN02, 4]]})
    assert volumes(imported([path])) == {MARCH: 4}


@pytest.mark.parametrize("sheet", ["2024年3月", "2024-03", "202403", "2024年3月份"])
def test_a_sheet_named_like_a_month_gives_its_rows_that_month(tmp_path, sheet):
    path = write_xlsx(tmp_path / "w.xlsx", {sheet: [["经办机构", ITEM], [TN02, 4]],
                                            "2024年4月": [["经办机构", ITEM], [TN02, 6]]})
    assert volumes(imported([path])) == {MARCH: 4, ("TN02", ITEM, "2024-04"): 6}


def test_a_sheet_month_disagreeing_with_its_title_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"2024年3月": [["2024年4月统计"], ["经办机构", ITEM], [TN02, 4]]})
    [error] = messages(imported([path]), "error")
    assert "多个月份（2024-04、2024-03）" in error


def test_an_excel_table_totals_row_of_an_export_is_not_data(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    sheet = book.add_worksheet("明细")
    sheet.add_table(0, 0, 3, 3, {"columns": [{"header": "业务流水号", "total_string": "汇总"}, {"header": "经办机构"},
                                             {"header": "业务事项"}, {"header": "受理时间", "total_function": "count"}],
                                 "data": [["A1", TN02, ITEM, "2024-03-05"], ["A2", TN02, ITEM, "2024-03-06"]],
                                 "total_row": True})
    stats = book.add_worksheet("2024年4月")
    stats.add_table(0, 0, 2, 1, {"columns": [{"header": "经办机构", "total_string": "汇总"},
                                             {"header": ITEM2, "total_function": "sum"}],
                                 "data": [[TN02, 9]], "total_row": True})
    book.close()
    result = imported([tmp_path / "t.xlsx"])
    assert result.ok, messages(result)
    assert volumes(result) == {MARCH: 2, ("TN02", ITEM2, "2024-04"): 9}
    assert [p.rows for p in result.parts] == [2, 1]


def test_a_date_cell_title_row_is_no_month(tmp_path):
    """制表日期 as a real date cell above a 统计 header is a day, not the month of the report."""
    path = write_xlsx(tmp_path / "w.xlsx", {"2024年3月": [["制表日期", datetime(2024, 4, 2)],
                                                          ["经办机构", ITEM], [TN02, 4]]})
    assert volumes(imported([path])) == {MARCH: 4}


# --- found trying it as a new user ----------------------------------------------------------------

def test_lines_below_the_table_are_no_data(tmp_path):
    """A system's footer (共 N 条记录, 导出人：…) under a 明细 whose first column is read."""
    rows = detail(("A1", TN02, ITEM, "2024-03-05", "办结"), ("A2", TN02, ITEM, "2024-03-06", "办结"))
    rows += [["共 2 条记录"], ["导出人：某某  导出时间：2024-12-20 10:00"]]
    result = imported([write_csv(tmp_path / "m.csv", rows, "utf-8-sig")])
    assert result.ok and not result.checks and volumes(result) == {MARCH: 2} and result.parts[0].rows == 2


def test_a_one_cell_row_inside_the_table_is_still_reported(tmp_path):
    rows = detail(("A1", TN02, ITEM, "2024-03-05", "办结"), ("A2",), ("A3", TN02, ITEM, "2024-03-06", "办结"))
    assert messages(imported([write_csv(tmp_path / "m.csv", rows)]), "error") == ["m.csv!m!D4：受理时间不能为空"]


def test_a_hidden_sheet_of_an_export_is_read_and_said_so(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "m.xlsx"))
    for name, case in (("明细", ("B1", TN02, ITEM, "2024-03-05", "办结")), ("旧", ("B0", TN02, ITEM, "2024-03-01", "办结"))):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(detail(case)):
            sheet.write_row(r, 0, row)
    sheet.hide()
    book.close()
    result = imported([tmp_path / "m.xlsx"])
    assert volumes(result) == {MARCH: 2}
    assert messages(result, "warning") == ["m.xlsx!旧：这是隐藏的工作表，其中的数据也已导入；如是旧数据，"
                                           "请在 Excel 中取消隐藏后删除此工作表，再重新导入"]


@pytest.mark.parametrize("member, message", [
    ("3月.csv", "这是压缩包（zip），不是金保导出表；请先解压，再导入其中的导出文件"),
    ("xl/workbook.bin", "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 再导入"),
])
def test_zip_archives_and_binary_workbooks_are_named(tmp_path, member, message):
    import zipfile
    with zipfile.ZipFile(tmp_path / "导出.xlsb", "w") as archive:
        archive.writestr(member, "x")
    assert messages(imported([tmp_path / "导出.xlsb"]), "error") == [f"导出.xlsb：{message}"]
