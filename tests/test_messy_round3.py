"""Messy office files, round 3 (issue 27 item 6): full-width closed-list values, a refused 评定 row
that used to be reported twice, optional sheets under a near name, a workbook saved in manual
calculation mode, names holding invisible characters. Each file is made the way an office
program makes it; each test asserts the money of the clean file or the message at the cell."""
from __future__ import annotations

from pathlib import Path

import pytest

from jbsys_xl.io.tables import STALE
from jbsys_xl.pipeline import run
from tests.support import workbooks as wb


def money_of(outcome) -> dict:
    assert outcome.ok, [str(c) for c in outcome.errors]
    return {c.code: c.total for c in outcome.allocation.centers}


def errors_of(outcome) -> list[tuple[str, str, str]]:
    return [(c.sheet, c.cell, c.message) for c in outcome.errors]


def typed_in(sheets: dict, sheet: str, row: int, header: str, value) -> dict:
    """wb.set_cell, adding the (optional) column first where the base sheet has none."""
    if header not in sheets[sheet][0]:
        sheets[sheet][0].append(header)
    return wb.set_cell(sheets, sheet, row, header, value)


@pytest.fixture(scope="module")
def base_money(tmp_path_factory):
    return money_of(run(wb.write(tmp_path_factory.mktemp("base") / "base.xlsx", wb.base()), 2024))


# --- closed lists in normal form ---------------------------------------------------------------

@pytest.mark.parametrize("sheet, row, header, typed", [
    ("评定", 2, "评定等次", "Ａ＋"),  # the IME in full-width mode
    ("评定", 2, "一票否决", "Ｎ"),
    ("评定", 3, "标准化下沉", "是\u00a0"),  # a no-break space pasted after it
    ("评定", 4, "服务场所", "\u3000无"),
    ("投诉", 2, "核实结论", "有理\u3000"),
    ("参数", 2, "评分方法", "占比法\n"),
    ("指标", 2, "下沉类别", "标准化下沉 "),
])
def test_closed_list_values_compare_after_nfkc_and_trimming(tmp_path, base_money, sheet, row, header, typed):
    sheets = typed_in(wb.base(), sheet, row, header, typed)
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_a_value_outside_the_list_is_still_refused_as_typed(tmp_path):
    sheets = typed_in(wb.base(), "评定", 2, "评定等次", "Ａ＋＋")
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [
        ("评定", "I2", "评定等次“Ａ＋＋”不是允许的值（应为A+、A、B之一）")]


# --- a refused 评定 row is reported once ----------------------------------------------------------

@pytest.mark.parametrize("header, typed, cell, message", [
    ("服务场所", "大厅", "C3", "服务场所“大厅”不是允许的值（应为独立服务大厅、综合服务窗口、无之一）"),
    ("标准化下沉", "也许", "D3", "标准化下沉“也许”应为“是”或“否”"),
    ("年度", "二〇二四", "A3", "年度“二〇二四”不是数字"),
    ("中心", "乙中心x", "B3", "未知中心“乙中心x”，是否指“乙中心”？（应为“中心”表中的中心编码、中心名称或金保机构）"),
])
def test_a_refused_rating_row_is_not_also_missing(tmp_path, header, typed, cell, message):
    sheets = wb.set_cell(wb.base(), "评定", 3, header, typed)
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [("评定", cell, message)]


VETO_CALLBACK = [["年度", "中心", "业务流水号", "回访日期", "回访结果", "处理决定", "决定说明"],
                 [2024, "C02", "A1", "2024-12-12", "不属实", "否决", "虚报业务量"]]


@pytest.mark.parametrize("change, wanted", [
    (lambda sheets: wb.set_cell(sheets, "评定", 3, "服务场所", "大厅"),
     ("评定", "C3", "服务场所“大厅”不是允许的值（应为独立服务大厅、综合服务窗口、无之一）")),
    (lambda sheets: sheets | {"评定（2024）": sheets.pop("评定")},
     ("评定", "", "缺少工作表“评定”（必需列：年度、中心、服务场所、标准化下沉；没有数据也须保留表头）；"
                  "是否是“评定（2024）”？若是，请把它改名为“评定”")),
])
def test_a_veto_decided_on_a_callback_is_not_compared_with_a_rating_that_cannot_be_read(tmp_path, change, wanted):
    """The 回访 否决 needs 评定.一票否决 = 是; where that 评定 is refused or its sheet is missing,
    the one error is the 评定's, not a second one at the 回访 row."""
    sheets = change(wb.base() | {"回访": VETO_CALLBACK})
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [wanted]


def test_a_veto_decided_on_a_callback_still_needs_the_rating_to_say_so(tmp_path):
    found = errors_of(run(wb.write(tmp_path / "in.xlsx", wb.base() | {"回访": VETO_CALLBACK}), 2024))
    assert [(sheet, cell) for sheet, cell, _ in found] == [("回访", "F2")]
    assert "一票否决不是“是”" in found[0][2]


def test_a_center_without_any_rating_row_is_still_missing(tmp_path):
    sheets = wb.base()
    del sheets["评定"][2]
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [
        ("评定", "B1", "中心“乙中心”（C02）没有 2024 年度的评定记录；每个启用的中心都须有一行评定（服务场所、标准化下沉等）")]


# --- optional sheets under a near name -------------------------------------------------------------

OBJECTION = [["年度", "中心", "收到日期", "异议内容", "处理结果"], [2024, "C01", "2024-12-10", "得分有误", ""]]
CALLBACK = [["年度", "中心", "业务流水号", "回访日期", "回访结果"], [2024, "C01", "A1", "2024-12-12", "不属实"]]


@pytest.mark.parametrize("name, rows, wanted", [
    ("异议（2024）", OBJECTION, "异议"),  # an unsettled objection kept beside the year's sheets
    ("回访表", CALLBACK, "回访"),
    ("12333回访", CALLBACK, "回访"),
])
def test_an_optional_sheet_under_a_near_name_is_an_error_naming_it(tmp_path, name, rows, wanted):
    sheets = wb.base() | {name: rows}
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [
        (wanted, "", f"工作簿中没有“{wanted}”表，却有“{name}”表：它的内容不会被读取。若它就是{wanted}表，请把它改名为"
                     f"“{wanted}”；若不是，请删除它或改用与“{wanted}”无关的名称")]


@pytest.mark.parametrize("name", ["回访汇总", "回访清单", "异议处理说明书x"])
def test_sheets_that_only_mention_an_optional_sheet_are_none(tmp_path, base_money, name):
    sheets = wb.base() | {name: [["中心编码", "抽取"], ["C01", 2]]}
    assert money_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == base_money


def test_an_optional_sheet_named_with_a_trailing_space_is_that_sheet(tmp_path):
    sheets = wb.base() | {"回访 ": CALLBACK}
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    assert outcome.ok and [c.case_id for c in outcome.dataset.callbacks] == ["A1"]


# --- manual calculation -----------------------------------------------------------------------------

def write_calculated(path: Path, mode: str) -> Path:
    """The base workbook with 资金总额 as a formula whose saved result is the same figure."""
    def dress(book, sheet, name, rows):
        book.set_calc_mode(mode)
        if name == "参数":
            sheet.write_formula(1, 1, "=600000+400000", None, 1000000)
            rows[1][1] = None  # written above; wb.write skips an empty cell
        if name == "业务量":
            sheet.write_formula(2, 3, "=5*2", None, 10)
            rows[2][3] = None
    return wb.write(path, wb.base(), dress)


def test_formulas_read_from_a_workbook_saved_in_manual_mode_are_warned_about(tmp_path, base_money):
    outcome = run(write_calculated(tmp_path / "manual.xlsx", "manual"), 2024)
    assert money_of(outcome) == base_money
    stale = [(c.sheet, c.cell) for c in outcome.warnings if c.message == STALE]
    assert stale == [("参数", "B2"), ("业务量", "D3")]


def test_automatic_calculation_gives_no_such_warning(tmp_path, base_money):
    outcome = run(write_calculated(tmp_path / "auto.xlsx", "auto"), 2024)
    assert money_of(outcome) == base_money
    assert not [c for c in outcome.warnings if c.message == STALE]


# --- invisible characters --------------------------------------------------------------------------

@pytest.mark.parametrize("sheet, row, header, typed, cell, message", [
    ("扣减", 2, "中心", "乙中心\u200b", "B2",
     "未知中心“乙中心\u200b”，是否指“乙中心”？（名称中有不可见字符 U+200B，请删除）"
     "（应为“中心”表中的中心编码、中心名称或金保机构）"),
    ("业务量", 3, "事项", "失业登记\ufeff", "B3",
     "未知事项“失业登记\ufeff”，是否指“失业登记”？（名称中有不可见字符 U+FEFF，请删除）（应为“指标”表中的事项名称或金保事项）"),
    ("硬件", 2, "所属区", "天宁\u200d区", "B2",
     "未知所属区“天宁\u200d区”，是否指“天宁区”？（名称中有不可见字符 U+200D，请删除）（应为“中心”表中出现的所属区）"),
])
def test_invisible_characters_are_named_beside_a_hint_that_looks_the_same(tmp_path, sheet, row, header, typed,
                                                                           cell, message):
    sheets = wb.set_cell(wb.base(), sheet, row, header, typed)
    assert errors_of(run(wb.write(tmp_path / "in.xlsx", sheets), 2024)) == [(sheet, cell, message)]
