"""Messy office files, round 2 (issue 20): hidden stale columns, pasted IDs, Table totals rows.
Each file is made the way an office program makes it; each test asserts either the exact money
of the clean file or the error at the named cells."""
from __future__ import annotations

import csv
import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table as OpenpyxlTable

from jbsys_xl.io.bounds import column_letter
from jbsys_xl.office.libreoffice import convert
from jbsys_xl.pipeline import run
from tests.support import require_soffice
from tests.support import workbooks as wb


def money_of(outcome) -> dict:
    assert outcome.ok, [str(c) for c in outcome.errors]
    return {c.code: c.total for c in outcome.allocation.centers}


def errors_of(outcome) -> list[tuple[str, str, str]]:
    return [(c.sheet, c.cell, c.message) for c in outcome.errors]


@pytest.fixture(scope="module")
def base_money(tmp_path_factory):
    return money_of(run(wb.write(tmp_path_factory.mktemp("base") / "base.xlsx", wb.base()), 2024))


def with_stale_column(sheets: dict, sheet: str, header: str, values: list, hidden_header: str | None = None) -> int:
    """Append a column headed ``hidden_header`` (default: ``header``) holding ``values`` on the
    data rows, as an office keeps an old column beside the current one; its 0-based index."""
    rows = sheets[sheet]
    col = max(len(row) for row in rows) + 1  # one blank column between, as people leave it
    for r, row in enumerate(rows):
        row.extend([""] * (col + 1 - len(row)))
        row[col] = (hidden_header or header) if r == 0 else values[r - 1] if r - 1 < len(values) else ""
    return col


def write_hiding(path: Path, sheets: dict, hidden: dict[str, int]) -> Path:
    """wb.write, with the columns ``hidden`` (sheet → 0-based column) hidden as Excel hides them."""
    def hide(book, sheet, name, rows):
        if name in hidden:
            sheet.set_column(hidden[name], hidden[name], None, None, {"hidden": True})
    return wb.write(path, sheets, hide)


# --- 1. two columns under one header: an error naming both cells, hidden or not -------------------

@pytest.mark.parametrize("sheet, header, stale, first_cell", [
    ("评定", "一票否决", ["否", "是", "否"], "G1"),  # a hidden old 一票否决 paid a vetoed center
    ("参数", "资金总额", [800000], "B1"),  # a hidden old 资金总额 cut the fund
    ("业务量", "业务量", [99, 1, 2, 3], "D1"),  # the million-row sheet, read column-wise
])
def test_a_hidden_stale_column_is_an_error_naming_both_header_cells(tmp_path, sheet, header, stale, first_cell):
    sheets = wb.base()
    col = with_stale_column(sheets, sheet, header, stale)
    outcome = run(write_hiding(tmp_path / "in.xlsx", sheets, {sheet: col}), 2024)
    second = f"{column_letter(col)}1"
    assert errors_of(outcome) == [(sheet, first_cell,
                                   f"有 2 列的表头都是“{header}”（{first_cell}、{second}），无法确定用哪一列"
                                   f"（可能有隐藏的旧列，或表头带空格）；请删除多余的列，只保留一列“{header}”")]


@pytest.mark.parametrize("written", ["一票否决\u3000", " 一票否决", "一票否决\u00a0"])
def test_a_header_equal_after_normalisation_is_the_same_header(tmp_path, written):
    sheets = wb.base()
    col = with_stale_column(sheets, "评定", "一票否决", ["", "", ""], hidden_header=written)
    outcome = run(write_hiding(tmp_path / "in.xlsx", sheets, {"评定": col}), 2024)
    [(sheet, cell, message)] = errors_of(outcome)
    assert (sheet, cell) == ("评定", "G1") and f"（G1、{column_letter(col)}1）" in message


def test_a_header_with_a_full_width_space_alone_still_matches(tmp_path, base_money):
    sheets = wb.base()
    sheets["评定"][0][6] = "一票否决\u3000"
    sheets["参数"][0][1] = "资金总额 "
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_extra_columns_outside_the_contract_are_still_ignored(tmp_path, base_money):
    sheets = wb.base()
    with_stale_column(sheets, "评定", "备注", ["旧", "旧", "旧"])
    with_stale_column(sheets, "评定", "备注", ["新", "新", "新"])
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_twin_columns_in_a_csv_folder(tmp_path):
    sheets = wb.base()
    col = with_stale_column(sheets, "扣减", "扣减金额", [50000])
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8-sig") as out:
            csv.writer(out).writerows([["" if v is None else (v.isoformat() if isinstance(v, datetime.date) else v)
                                        for v in row] for row in rows])
    [(sheet, cell, message)] = errors_of(run(folder, 2024))
    assert (sheet, cell) == ("扣减", "D1") and f"（D1、{column_letter(col)}1）" in message


def test_twin_columns_in_an_ods_saved_by_libreoffice(tmp_path):
    require_soffice()
    sheets = wb.base()
    col = with_stale_column(sheets, "评定", "一票否决", ["否", "是", "否"])
    ods = convert(write_hiding(tmp_path / "in.xlsx", sheets, {"评定": col}), "ods", tmp_path / "lo")
    [(sheet, cell, message)] = errors_of(run(ods, 2024))
    assert (sheet, cell) == ("评定", "G1") and f"（G1、{column_letter(col)}1）" in message


# --- 2. an ID pasted into 业务量 -------------------------------------------------------------------

@pytest.mark.parametrize("value, digits", [
    (1_000_000, 7), ("1,000,000", 7), ("320402199001011234", 18), (320402199001011234, 18),
    (1e20, 21), ("123456789012345678901234567890", 30), ("1E+400", 401)])
def test_a_million_or_more_in_one_row_is_an_error_at_the_cell(tmp_path, value, digits):
    sheets = wb.set_cell(wb.base(), "业务量", 3, "业务量", value)
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    assert errors_of(outcome) == [("业务量", "D3", f"业务量是一个 {digits:,} 位的数：一行不应达到 1,000,000 件，"
                                                   f"可能误粘贴了证件号码、卡号或编号，请核对")]


def test_the_bound_holds_in_a_csv_folder_and_keeps_no_id_in_the_message(tmp_path):
    sheets = wb.set_cell(wb.base(), "业务量", 2, "业务量", "320402199001011234")
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)
    [(sheet, cell, message)] = errors_of(run(folder, 2024))
    assert (sheet, cell) == ("业务量", "D2") and "320402" not in message


def test_999999_is_still_a_count(tmp_path):
    sheets = wb.set_cell(wb.base(), "业务量", 3, "业务量", 999_999)
    assert run(wb.write(tmp_path / "in.xlsx", sheets), 2024).ok


@pytest.mark.parametrize("sheet, row, header", [("指标", 2, "序号"), ("参数", 2, "优胜单位数"), ("参数", 2, "年度")])
def test_integers_beyond_64_bits_are_errors_not_crashes(tmp_path, sheet, row, header):
    sheets = wb.set_cell(wb.base(), sheet, row, header, "9" * 25)
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    assert not outcome.ok and outcome.errors
    assert not any("Error" in m for _, _, m in errors_of(outcome))


def test_money_beyond_a_trillion_is_an_error_not_a_crash(tmp_path):
    sheets = wb.set_cell(wb.base(), "参数", 2, "资金总额", "1E+30")
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [
        ("参数", "B2", "资金总额“1E+30”太大（超过 1 万亿元），请核对")]


# --- 3. the totals row of an Excel Table is not data -------------------------------------------------

def write_tables(path: Path, sheets: dict, tables: set[str]) -> Path:
    """The sheets, those in ``tables`` as Excel Tables with a totals row (汇总 under the first
    column, a SUBTOTAL sum under the last), as XlsxWriter writes ``total_row``."""
    def as_table(book, sheet, name, rows):
        if name in tables:
            columns = [{"header": h} for h in rows[0]]
            columns[0]["total_string"] = "汇总"
            columns[-1]["total_function"] = "sum"
            sheet.add_table(0, 0, len(rows), len(rows[0]) - 1,
                            {"columns": columns, "total_row": True, "name": f"Tbl_{len(book.worksheets())}"})
    return wb.write(path, sheets, as_table)


def test_table_totals_rows_are_not_data(tmp_path, base_money):
    path = write_tables(tmp_path / "in.xlsx", wb.base(), {"业务量", "扣减", "投诉", "硬件", "评定"})
    assert money_of(run(path, 2024)) == base_money


def test_a_totals_row_with_an_unsaved_subtotal_formula_is_not_data(tmp_path, base_money):
    """openpyxl (like scripts) saves the 汇总 row's SUBTOTAL without a result: still no data."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in wb.base().items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
        if name == "扣减":
            sheet.append(["汇总", None, None, "=SUBTOTAL(109,T1[扣减金额])", None])
            table = OpenpyxlTable(displayName="T1", ref=f"A1:E{len(rows) + 1}")
            table.totalsRowCount = 1
            sheet.add_table(table)
    book.save(tmp_path / "in.xlsx")
    assert money_of(run(tmp_path / "in.xlsx", 2024)) == base_money


def test_a_row_typed_below_a_table_is_still_data(tmp_path):
    """Only the Table's own totals row is left out: a 汇总 typed by hand is an error at its cell."""
    sheets = wb.base()
    sheets["扣减"].append(["汇总", "", "", 500, ""])
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    assert ("扣减", "A3", "年度“汇总”不是数字") in errors_of(outcome)


# --- 4. text files and damaged files ----------------------------------------------------------------

def write_text_folder(folder: Path, sheets: dict, encoding: str, delimiter: str, forced: bool = False) -> Path:
    """The sheets as ``<sheet>.csv`` text files; ``forced`` writes text cells ="…" as systems do."""
    folder.mkdir()
    for name, rows in sheets.items():
        lines = []
        for row in rows:
            cells = [(v.isoformat() if isinstance(v, datetime.date) else "" if v is None else str(v)) for v in row]
            lines.append(delimiter.join(f'="{c}"' if forced and c and isinstance(v, str) else c
                                        for c, v in zip(cells, row)))
        (folder / f"{name}.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return folder


@pytest.mark.parametrize("encoding, delimiter, forced", [
    ("utf-16", "\t", False),  # Excel's “Unicode 文本” (UTF-16 with BOM, tabs), renamed .csv
    ("gbk", "\t", False),  # 文本文件（制表符分隔）
    ("utf-8-sig", ",", True),  # codes written ="C01" by a system export
])
def test_csv_folders_in_every_text_form_give_the_same_money(tmp_path, base_money, encoding, delimiter, forced):
    folder = write_text_folder(tmp_path / "csv", wb.base(), encoding, delimiter, forced)
    assert money_of(run(folder, 2024)) == base_money


def test_an_empty_and_a_truncated_workbook_get_different_messages(tmp_path):
    good = wb.write(tmp_path / "good.xlsx", wb.base()).read_bytes()
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 2])
    assert [c.message for c in run(tmp_path / "empty.xlsx", 2024).errors] == [
        "empty.xlsx：文件是空的（0 字节），可能下载未完成；请重新下载或导出"]
    assert [c.message for c in run(tmp_path / "cut.xlsx", 2024).errors] == [
        f"cut.xlsx：文件不完整（只有 {len(good) // 2:,} 字节，结尾缺失），可能下载或复制未完成；请重新下载或复制后再试"]
