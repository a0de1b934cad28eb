"""Messy office files never give silently wrong money (issue 9): error cells, renamed sheets,
GBK CSV, 金保 months, full-width names, fractional counts, one pass over everything."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from jbsys_xl.io.reader import read_source
from jbsys_xl.office.libreoffice import convert
from jbsys_xl.pipeline import run
from tests.support import require_soffice
from tests.support import workbooks as wb


def money_of(outcome) -> dict:
    assert outcome.ok, outcome.errors
    return {c.code: c.total for c in outcome.allocation.centers}


def located(outcome) -> list[tuple[str, str, str]]:
    return [(c.sheet, c.cell, c.message) for c in outcome.errors]


def write_openpyxl(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Like a script or web system writes: formulas with no saved result."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
    book.save(path)
    return path


def saved_by_libreoffice(tmp_path: Path, sheets: dict, fmt: str = "xlsx") -> Path:
    """The sheets written with formulas, opened, recalculated and saved by a real office program,
    so error values are cached in the file as Excel would save them."""
    require_soffice()
    source = write_openpyxl(tmp_path / "formulas.xlsx", sheets)
    out = tmp_path / "lo"
    return convert(source, fmt, out)


@pytest.fixture(scope="module")
def base_money(tmp_path_factory):
    path = wb.write(tmp_path_factory.mktemp("base") / "base.xlsx", wb.base())
    return money_of(run(path, 2024))


# --- 1. cells that show a value are never read as blank ----------------------------------------

@pytest.mark.parametrize("sheet,row,header,cell", [
    ("参数", 2, "工作绩效资金", "C2"),  # optional: would silently fall back to 70%
    ("评定", 2, "一票否决", "G2"),  # optional: would silently read as 否
    ("业务量", 3, "业务量", "D3"),  # required: must not say 不能为空
    ("业务量", 2, "中心", "A2"),
])
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_error_values_saved_by_an_office_program_are_errors(tmp_path, sheet, row, header, cell, fmt):
    sheets = wb.set_cell(wb.base(), sheet, row, header, "=NA()")
    outcome = run(saved_by_libreoffice(tmp_path, sheets, fmt), 2024)
    assert (sheet, cell, "单元格是错误值 #N/A，请先更正公式或数据") in located(outcome)
    assert not any("不能为空" in m for _, _, m in located(outcome))


def test_division_by_zero_in_a_money_cell(tmp_path):
    sheets = wb.set_cell(wb.base(), "参数", 2, "优胜奖励", "=1/0")
    outcome = run(saved_by_libreoffice(tmp_path, sheets), 2024)
    assert ("参数", "E2", "单元格是错误值 #DIV/0!，请先更正公式或数据") in located(outcome)


def test_formula_without_saved_result_says_how_to_fix(tmp_path):
    sheets = wb.set_cell(wb.base(), "参数", 2, "工作绩效资金", "=500000+200000")
    outcome = run(write_openpyxl(tmp_path / "script.xlsx", sheets), 2024)
    [(sheet, cell, message)] = located(outcome)
    assert (sheet, cell) == ("参数", "C2")
    assert "没有保存计算结果的公式" in message and "粘贴为数值" in message


def test_formulas_with_saved_results_read_as_their_values(tmp_path, base_money):
    sheets = wb.set_cell(wb.base(), "参数", 2, "工作绩效资金", "=500000+200000")
    assert money_of(run(saved_by_libreoffice(tmp_path, sheets), 2024)) == base_money


def test_error_text_in_a_csv_is_an_error_value(tmp_path):
    folder = csv_folder(tmp_path, wb.set_cell(wb.base(), "评定", 3, "一票否决", "#N/A"), "utf-8")
    assert ("评定", "G3", "单元格是错误值 #N/A，请先更正公式或数据") in located(run(folder, 2024))


# --- 2. all eight sheets, near names, clashes ------------------------------------------------------

@pytest.mark.parametrize("wanted,renamed", [
    ("硬件", "硬件建设"), ("投诉", "投诉（2024）"), ("扣减", "扣减 (2)"), ("评定", "评定2024")])
def test_a_renamed_sheet_is_missing_and_named(tmp_path, wanted, renamed):
    sheets = wb.base()
    sheets[renamed] = sheets.pop(wanted)
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    [error] = [c for c in outcome.errors if c.sheet == wanted]
    assert f"缺少工作表“{wanted}”" in error.message and f"是否是“{renamed}”？" in error.message


def test_an_empty_sheet_is_fine_but_a_missing_one_is_not(tmp_path):
    sheets = wb.base()
    sheets["扣减"] = sheets["扣减"][:1]  # the header only
    assert run(wb.write(tmp_path / "a.xlsx", sheets), 2024).ok
    del sheets["扣减"]
    outcome = run(wb.write(tmp_path / "b.xlsx", sheets), 2024)
    assert [c.sheet for c in outcome.errors] == ["扣减"]


def test_trailing_full_width_space_in_a_sheet_name_still_matches(tmp_path, base_money):
    sheets = wb.base()
    sheets["业务量\u3000"] = sheets.pop("业务量")
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_two_sheets_that_normalise_alike_are_an_error(tmp_path):
    sheets = wb.base()
    sheets["业务量 "] = sheets["业务量"][:2]  # a stale copy next to the real one
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    [error] = outcome.errors
    assert error.sheet == "业务量" and "“业务量”、“业务量 ”" in error.message


def test_renamed_csv_file_is_named(tmp_path):
    folder = csv_folder(tmp_path, wb.base(), "utf-8")
    (folder / "投诉.csv").rename(folder / "投诉(1).csv")
    [error] = run(folder, 2024).errors
    assert error.sheet == "投诉" and "是否是“投诉(1)”？" in error.message


# --- 5. CSV as Chinese Excel saves it ----------------------------------------------------------

def csv_folder(tmp_path: Path, sheets: dict, encoding: str | dict) -> Path:
    import csv
    from datetime import date

    folder = tmp_path / "csv"
    folder.mkdir(exist_ok=True)
    for name, rows in sheets.items():
        chosen = encoding if isinstance(encoding, str) else encoding.get(name, "utf-8")
        with open(folder / f"{name}.csv", "w", encoding=chosen, newline="") as handle:
            csv.writer(handle).writerows(
                [[value.isoformat() if isinstance(value, date) else value for value in row]
                 for row in rows])
    return folder


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig",
                                      {"中心": "gbk", "业务量": "utf-8-sig", "评定": "utf-8"}])
def test_csv_in_any_chinese_excel_encoding_gives_the_same_money(tmp_path, base_money, encoding):
    assert money_of(run(csv_folder(tmp_path, wb.base(), encoding), 2024)) == base_money


def test_csv_in_an_unknown_encoding_is_named(tmp_path):
    folder = csv_folder(tmp_path, wb.base(), "utf-8")
    (folder / "扣减.csv").write_bytes(b"\x80\x80,\x80")  # neither UTF-8, GB18030 nor UTF-16
    [error] = run(folder, 2024).errors
    assert "扣减.csv" in error.message and "编码" in error.message


# --- 6. 金保 months -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["202403", 202403, "2024年3月份", "2024年3月"])
def test_jinbao_months_give_the_same_money(tmp_path, base_money, value):
    sheets = wb.set_cell(wb.base(), "业务量", 4, "月份", value)  # was 2024年3月
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


@pytest.mark.parametrize("value", ["3月", "12/01/2022"])
def test_months_without_a_year_or_in_us_order_stay_errors(tmp_path, value):
    sheets = wb.set_cell(wb.base(), "业务量", 4, "月份", value)
    assert ("业务量", "C4") in [(s, c) for s, c, _ in located(run(wb.write(tmp_path / "in.xlsx", sheets), 2024))]


# --- 7. names after NFKC and trimming; grouped near misses -------------------------------------------

def test_full_width_and_spaced_names_give_the_same_money(tmp_path, base_money):
    sheets = wb.base()
    sheets["中心"][1][1] = "甲中心（一）"
    sheets["中心"][3][2] = "天宁区"
    sheets["业务量"][4][0] = " 甲中心(一)\u3000"  # half-width brackets, full-width space
    sheets["业务量"][3][0] = "Ｃ０３"  # full-width code
    sheets["业务量"][3][1] = "居保登记 "
    sheets["硬件"][1][1] = "天宁区\u3000"
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_unknown_names_are_grouped_with_a_count_and_a_hint(tmp_path):
    sheets = wb.base()
    for _ in range(1242):
        sheets["业务量"].append(["甲中心人社所", "失业登记", "2024-05", 1])
    sheets["业务量"].append(["乙中心", "失业登记", "2024-05", "十二"])
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    unknown = [c for c in outcome.errors if "未知中心" in c.message]
    assert len(unknown) == 1 and unknown[0].count == 1242
    assert str(unknown[0]) == ("业务量!A6 等 1,242 处：未知中心“甲中心人社所”，是否指“甲中心”？"
                               "（应为“中心”表中的中心编码、中心名称或金保机构）")
    assert outcome.error_count == 1243


def test_jinbao_institution_aliases_resolve_centers(tmp_path, base_money):
    sheets = wb.base()
    sheets["中心"][0].append("金保机构")
    sheets["中心"][1].append("天宁区甲街道人社所；甲所")
    sheets["业务量"][4][0] = "甲所"
    sheets["评定"][1][1] = "天宁区甲街道人社所"
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_an_alias_of_two_centers_is_an_error(tmp_path):
    sheets = wb.base()
    sheets["中心"][0].append("金保机构")
    sheets["中心"][1].append("甲所")
    sheets["中心"][2].append("甲所")
    assert any("金保机构“甲所”同时指向中心 C01 和 C02" in m for _, _, m in
               located(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)))


# --- 8/9. nothing to apportion; counts are counts ----------------------------------------------------

def test_no_volume_inside_the_period_is_an_error(tmp_path):
    sheets = wb.base()
    for row in sheets["业务量"][1:]:
        row[2] = "2022-05"
    [error] = run(wb.write(tmp_path / "in.xlsx", sheets), 2024).errors
    assert error.sheet == "业务量" and "没有考核期（2023-12 至 2024-11）内" in error.message


def test_an_empty_volume_table_is_an_error(tmp_path):
    sheets = wb.base()
    sheets["业务量"] = sheets["业务量"][:1]
    [error] = run(wb.write(tmp_path / "in.xlsx", sheets), 2024).errors
    assert error.sheet == "业务量" and "无法按得分分配" in error.message


@pytest.mark.parametrize("value", [12.5, "7.25"])
def test_a_fractional_volume_is_an_error(tmp_path, value):
    sheets = wb.set_cell(wb.base(), "业务量", 3, "业务量", value)
    assert ("业务量", "D3", f"业务量“{value}”不是整数（业务量是办件笔数）") in \
        located(run(wb.write(tmp_path / "in.xlsx", sheets), 2024))


# --- 10. one pass finds everything -------------------------------------------------------------------

def test_errors_in_params_and_centers_do_not_hide_volume_errors(tmp_path):
    sheets = wb.set_cell(wb.base(), "参数", 2, "资金总额", "一百万")
    sheets["中心"][0].append("启用年度")
    wb.set_cell(sheets, "中心", 3, "启用年度", "去年")
    wb.set_cell(sheets, "业务量", 3, "业务量", "十二")
    found = {(s, c) for s, c, _ in located(run(wb.write(tmp_path / "in.xlsx", sheets), 2024))}
    assert {("参数", "B2"), ("中心", "D3"), ("业务量", "D3")} <= found
    # the center with a bad 启用年度 still resolves: its volume rows are not "unknown"
    assert not any("未知中心" in m for _, _, m in located(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)))


def test_a_missing_sheet_does_not_hide_the_others(tmp_path):
    sheets = wb.set_cell(wb.base(), "业务量", 3, "业务量", "十二")
    del sheets["硬件"]
    found = {(s, c) for s, c, _ in located(run(wb.write(tmp_path / "in.xlsx", sheets), 2024))}
    assert found == {("硬件", ""), ("业务量", "D3")}


# --- reading -----------------------------------------------------------------------------------------

def test_lock_file_and_password_protected_file_say_what_they_are(tmp_path):
    lock = tmp_path / "~$分配.xlsx"
    lock.write_bytes(b"\x05user" + b"\x00" * 160)
    assert "临时锁定文件" in run(lock, 2024).errors[0].message
    protected = tmp_path / "加密.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
                          + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 400)
    assert "密码保护" in run(protected, 2024).errors[0].message
    cut = tmp_path / "坏.xlsx"
    cut.write_bytes(b"PK\x03\x04 not really a zip")
    assert "文件不完整" in run(cut, 2024).errors[0].message
    import zipfile
    with zipfile.ZipFile(tmp_path / "压缩包.xlsx", "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    message = run(tmp_path / "压缩包.xlsx", 2024).errors[0].message
    assert "无法作为 Excel 工作簿打开" in message and "Error" not in message


def test_reader_keeps_every_sheet_name_for_hints(tmp_path):
    sheets = wb.base()
    sheets["备注"] = [["随便写写"]]
    book = read_source(wb.write(tmp_path / "in.xlsx", sheets))
    assert "备注" in book.sheet_names and "备注" not in book.sheets


def test_json_of_a_grouped_check_carries_its_count(tmp_path):
    from jbsys_xl.cli import main

    sheets = wb.base()
    for _ in range(3):
        sheets["业务量"].append(["无此中心", "失业登记", "2024-05", 1])
    path = wb.write(tmp_path / "in.xlsx", sheets)
    assert main(["allocate", str(path), "--json", str(tmp_path / "r.json")]) == 2
    result = json.loads((tmp_path / "r.json").read_text("utf-8"))
    [check] = result["checks"]
    assert check["count"] == 3 and check["cell"] == "A6"
