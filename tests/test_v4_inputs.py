"""Spec v4 input columns (allocation-rules §1): read into the dataset, and each bad value an
error at its cell in every run — the 审定 gates over these columns live in rules/signoff.py and
are tested with them."""
from __future__ import annotations

from datetime import date

import pytest

from jbsys_xl.io.codes import bank_account
from jbsys_xl.io.values import BadValue
from jbsys_xl.pipeline import run
from support.workbooks import base, write

YEAR = 2024


def outcome(tmp_path, sheets):
    return run(write(tmp_path / "case.xlsx", sheets), YEAR)


def errors_at(outcome, where: str) -> list[str]:
    return [c.message for c in outcome.errors if f"{c.sheet}!{c.cell}" == where]


def with_columns(sheets, sheet: str, **values) -> dict:
    """Add columns (header = value) to the sheet's header row and its first data row."""
    sheets[sheet][0] += list(values)
    sheets[sheet][1] += list(values.values())
    return sheets


def test_v4_columns_reach_the_dataset(tmp_path):
    sheets = base()
    with_columns(sheets, "参数", 公示日期=date(YEAR, 12, 9), 公示截止日期=date(YEAR, 12, 13),
                 结余去向="结转下年度统筹使用", 支付方式="转移支付", 功能分类科目="2080799",
                 预算指标文号="常财社〔2024〕12号")
    with_columns(sheets, "中心", 开户银行="工商银行常州分行", 银行账号="1105 0200 0900 0012 345")
    with_columns(sheets, "评定", 否决依据="核查记录 HC-2024-07")
    with_columns(sheets, "投诉", 内容="窗口未按时开放", 投诉编号="TS-1", 核实部门="就管中心",
                 核实日期=date(YEAR, 3, 20))
    with_columns(sheets, "硬件", 项目名称="天宁区服务大厅改造", 处理决定="补助", 决定说明="工作组同意",
                 开户银行="农业银行", 银行账号="6228-4800-1234")
    found = outcome(tmp_path, sheets)
    assert found.ok, found.errors
    data = found.dataset
    s = data.settings
    assert (s.publicity_date, s.publicity_end) == (date(YEAR, 12, 9), date(YEAR, 12, 13))
    assert (s.balance_use, s.payment_method, s.budget_subject, s.budget_document) == \
        ("结转下年度统筹使用", "转移支付", "2080799", "常财社〔2024〕12号")
    c01 = next(c for c in data.centers if c.code == "C01")
    assert (c01.bank, c01.account) == ("工商银行常州分行", "1105 0200 0900 0012 345")
    assert data.ratings["C01"].veto_evidence == "核查记录 HC-2024-07"
    complaint = data.complaints[0]
    assert (complaint.verifier, complaint.verified_on) == ("就管中心", date(YEAR, 3, 20))
    assert complaint.cells["核实部门"] == "G2" and complaint.cells["内容"] == "E2"
    row = data.hardware[0]
    assert (row.project, row.decision, row.decision_note, row.bank, row.account) == \
        ("天宁区服务大厅改造", "补助", "工作组同意", "农业银行", "6228-4800-1234")
    assert row.cells["处理决定"] == "H2" and "项目名称" in row.cells


@pytest.mark.parametrize("sheet, header, value, where, message", [
    ("硬件", "处理决定", "同意", "硬件!G2", "处理决定“同意”不是允许的值"),
    ("参数", "支付方式", "国库集中支付", "参数!F2", "支付方式“国库集中支付”不是允许的值"),
    ("参数", "公示日期", "下周一", "参数!F2", "公示日期“下周一”不是有效日期"),
    ("投诉", "核实日期", "三月", "投诉!E2", "核实日期“三月”不是有效日期"),
    ("中心", "银行账号", "6222O21234", "中心!D2", "银行账号“6222O21234”有“O”"),
    ("硬件", "银行账号", 6222021234567890123, "硬件!G2", "Excel 只保留 15 位有效数字"),
])
def test_a_bad_v4_value_is_an_error_at_its_cell(tmp_path, sheet, header, value, where, message):
    found = outcome(tmp_path, with_columns(base(), sheet, **{header: value}))
    assert not found.ok
    assert any(message in m for m in errors_at(found, where)), found.errors


def test_the_publicity_may_not_close_before_it_opens(tmp_path):
    sheets = with_columns(base(), "参数", 公示日期=date(YEAR, 12, 13), 公示截止日期=date(YEAR, 12, 9))
    found = outcome(tmp_path, sheets)
    assert errors_at(found, "参数!G2") == ["公示截止日期 2024-12-09 早于公示日期 2024-12-13"]


def test_one_district_is_paid_into_one_account(tmp_path):
    sheets = with_columns(base(), "硬件", 开户银行="农业银行", 银行账号="6228 4800 1234")
    sheets["硬件"].append([YEAR, "天宁区", 10000, 10000, 10000, "是", "农业银行", "6228-4800-1234"])
    assert outcome(tmp_path, sheets).ok  # the same account, grouped differently
    sheets["硬件"][2][-1] = "6228 4800 9999"
    found = outcome(tmp_path, sheets)
    assert [m for m in errors_at(found, "硬件!H3") if "与该区另一行（H2）的“622848001234”不一致" in m]


@pytest.mark.parametrize("typed, read", [
    ("６２２８ ４８００ １２３４", "6228 4800 1234"),  # full-width digits typed with the IME
    (62284800123, "62284800123"),  # a number cell Excel holds exactly
    ("  1105-0200-0900  ", "1105-0200-0900"),
])
def test_accounts_read_as_typed(typed, read):
    assert bank_account(typed) == read


@pytest.mark.parametrize("typed", ["------", "账号待补", 6.2e18])
def test_an_account_without_its_digits_is_refused(typed):
    with pytest.raises(BadValue):
        bank_account(typed)
