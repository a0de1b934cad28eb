"""Spec v3: the decision record an 审定 needs (allocation-rules §1–§2).

Each rule is reproduced on a small workbook and must name its cell; the gate's rules are errors
once 审定文号 is filled and warnings in a draft. Then the worked example: the demo's draft,
walked to its 审定 the way the working group does it, allocates with unchanged money.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from jbsys_xl import contract, sample
from jbsys_xl.cli import main
from jbsys_xl.io.codes import check_character, credit_code
from jbsys_xl.io.values import BadValue
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict
from support.approved import NUMBER, approved_demo
from support.workbooks import base, set_cell, write

YEAR = 2024
VALID_CODE = "91350100M000100Y43"  # documents.md §5


def outcome(tmp_path, sheets):
    return run(write(tmp_path / "case.xlsx", sheets), YEAR)


def at(outcome, level: str, where: str, fragment: str = "") -> list:
    """The checks of ``level`` at ``where`` (工作表!单元格) whose message holds ``fragment``."""
    return [c for c in outcome.checks
            if c.level == level and f"{c.sheet}!{c.cell}" == where and fragment in c.message]


def final(sheets, number: str = NUMBER):
    """The same workbook with 审定文号 filled and its one winner confirmed (C01)."""
    sheets["参数"][0] += ["审定文号", "审定日期"]
    sheets["参数"][1] += [number, date(YEAR, 12, 20)]
    set_cell(sheets, "评定", 2, "综合优胜", "是")
    return sheets


# --- 统一社会信用代码 ----------------------------------------------------------------------------

@pytest.mark.parametrize("first17, check", [("91350100M000100Y4", "3"), ("11320400MB0000001", "5")])
def test_check_character_follows_gb_32100(first17, check):
    assert check_character(first17) == check
    assert credit_code(first17 + check) == first17 + check


@pytest.mark.parametrize("code, why", [
    ("91350100M000100Y44", "校验码不对"),
    ("91350100M000100Y4", "应为 18 位"),
    ("91350100I000100Y43", "不允许的字符“I”"),
    ("91350100m000100Y43", "不允许的字符“m”（只能是数字和除 I、O、S、V、Z 以外的大写字母，请改为大写）"),
])
def test_a_bad_credit_code_says_what_is_wrong(code, why):
    with pytest.raises(BadValue, match=why):
        credit_code(code)


def test_a_credit_code_failing_its_check_is_an_error_at_its_cell_in_a_draft(tmp_path):
    sheets = base()
    sheets["中心"][0] += ["收款单位", "统一社会信用代码"]
    sheets["中心"][1] += ["甲街道办事处", VALID_CODE]
    sheets["中心"][2] += ["乙街道办事处", "91350100M000100Y44"]
    found = outcome(tmp_path, sheets)
    assert not found.ok
    assert at(found, "error", "中心!E3", "校验码不对：按 GB 32100-2015 最后一位应为“3”")
    assert found.error_count == 1


def test_hardware_rows_of_one_district_name_one_payee(tmp_path):
    sheets = base()
    sheets["硬件"][0] += ["收款单位"]
    sheets["硬件"][1] += ["天宁区人社局"]
    sheets["硬件"].append([YEAR, "天宁区", 10000, 10000, 10000, "是", "天宁区财政局"])
    found = outcome(tmp_path, sheets)
    assert at(found, "error", "硬件!G3", "与该区另一行（G2）的“天宁区人社局”不一致")


# --- 回访 decisions and 异议 values -------------------------------------------------------------

CALLBACK_HEADER = ["年度", "中心", "业务流水号", "回访日期", "回访结果", "说明", "处理决定", "决定说明"]


def with_callbacks(sheets, *rows):
    sheets["回访"] = [CALLBACK_HEADER, *[list(row) for row in rows]]
    return sheets


def test_a_decision_not_in_the_list_is_an_error_at_its_cell(tmp_path):
    sheets = with_callbacks(base(), [YEAR, "C02", "B1", date(YEAR, 12, 2), "不属实", "", "待定", ""])
    assert at(outcome(tmp_path, sheets), "error", "回访!G2", "处理决定“待定”不是允许的值（应为否决、不否决之一）")


def test_a_veto_decision_needs_the_veto_in_ratings(tmp_path):
    sheets = with_callbacks(base(), [YEAR, "C02", "B1", date(YEAR, 12, 2), "不属实", "", "否决", ""])
    found = outcome(tmp_path, sheets)
    assert at(found, "error", "回访!G2", "但“评定”表中该中心 2024 年度的一票否决不是“是”")
    set_cell(sheets, "评定", 3, "一票否决", "是")
    assert outcome(tmp_path, sheets).ok


def test_a_decision_on_a_case_that_is_not_refuted_is_a_warning(tmp_path):
    sheets = with_callbacks(base(), [YEAR, "C02", "B1", date(YEAR, 12, 2), "属实", "", "不否决", "无"])
    found = outcome(tmp_path, sheets)
    assert found.ok and at(found, "warning", "回访!G2", "不起作用")


def test_a_drawn_case_not_called_yet_is_fine(tmp_path):
    sheets = with_callbacks(base(), [YEAR, "C02", "B1", None, None, "", "", ""])
    found = outcome(tmp_path, sheets)
    assert found.ok and not [c for c in found.checks if c.sheet == contract.CALLBACKS]
    [case] = found.dataset.callbacks
    assert case.result is None and case.day is None


OBJECTION_HEADER = ["年度", "中心", "收到日期", "异议内容", "处理结果", "处理说明", "处理日期"]


def test_an_objection_outcome_not_in_the_list_is_an_error(tmp_path):
    sheets = base()
    sheets["异议"] = [OBJECTION_HEADER, [YEAR, "C02", date(YEAR, 12, 10), "业务量偏少", "驳回", "核对无误", None]]
    assert at(outcome(tmp_path, sheets), "error", "异议!E2", "处理结果“驳回”不是允许的值（应为维持、调整之一）")


def test_an_objection_settled_before_it_arrived_is_an_error(tmp_path):
    sheets = base()
    sheets["异议"] = [OBJECTION_HEADER, [YEAR, "C02", date(YEAR, 12, 10), "偏少", "维持", "核对无误",
                                       date(YEAR, 12, 9)]]
    assert at(outcome(tmp_path, sheets), "error", "异议!G2", "早于收到日期")


@pytest.mark.parametrize("value", [0, "五"])
def test_an_objection_period_must_be_whole_working_days(tmp_path, value):
    sheets = base()
    sheets["参数"][0].append("异议期限")
    sheets["参数"][1].append(value)
    assert at(outcome(tmp_path, sheets), "error", "参数!F2", "异议期限")


def test_document_settings_default_as_documents_md_says(tmp_path):
    s = outcome(tmp_path, base()).allocation.settings
    assert (s.issuer, s.tabulator, s.fund_source, s.objection_days, s.objection_contact,
            s.objection_phone, s.publicity_days) == (
        "常州市人力资源和社会保障局", "常州市人力资源和社会保障局就业处", "就业专项资金", 5, "", "", 5)


# --- the same month imported and typed by hand ----------------------------------------------------

def with_sources(sheets, *sources):
    sheets["业务量"][0].append("来源")
    for row, source in zip(sheets["业务量"][1:], sources):
        row.append(source)
    return sheets


def test_an_imported_row_beside_a_hand_typed_one_is_an_error_naming_both(tmp_path):
    sheets = with_sources(base(), "金保导出.xlsx", "", "", "")
    sheets["业务量"].append(["甲中心", "失业登记", "2024-01", 30, ""])  # typed by hand as well
    found = outcome(tmp_path, sheets)
    assert not found.ok
    assert at(found, "error", "业务量!E6", "既有来源“金保导出.xlsx”的业务量（D2），又有手工填写（来源为空）的业务量")


def test_two_imports_of_one_month_are_an_error(tmp_path):
    sheets = with_sources(base(), "一月导出.xlsx", "", "", "")
    sheets["业务量"].append(["C01", "失业登记", date(YEAR, 1, 15), 30, "全年导出.xlsx"])
    assert at(outcome(tmp_path, sheets), "error", "业务量!E6", "重复计算")


def test_rows_of_one_import_or_by_hand_are_still_summed_with_a_warning(tmp_path):
    sheets = with_sources(base(), "金保导出.xlsx", "", "", "")
    sheets["业务量"].append(["C01", "失业登记", "2024-01", 5, "金保导出.xlsx"])
    sheets["业务量"].append(["C02", "失业登记", "2024-02", 1, None])
    found = outcome(tmp_path, sheets)
    assert found.ok
    assert found.dataset.volumes[("C01", "失业登记")] == 35
    assert at(found, "warning", "业务量!D6", "重复填报，已合计")
    assert at(found, "warning", "业务量!D7", "重复填报，已合计")


def test_an_import_and_a_hand_row_outside_the_period_are_left_alone(tmp_path):
    sheets = with_sources(base(), "金保导出.xlsx", "", "", "")
    sheets["业务量"].append(["C01", "失业登记", "2024-12", 1, "金保导出.xlsx"])
    sheets["业务量"].append(["C01", "失业登记", "2024-12", 1, ""])
    assert outcome(tmp_path, sheets).ok


# --- the 审定 gate ---------------------------------------------------------------------------------

def gate_case(sheets):
    """One matter of each gate rule: a 待核实 complaint, a 不属实 callback of a center not vetoed,
    a grade below its ceiling without a reason, an open objection."""
    sheets["投诉"].append([date(YEAR, 6, 1), "C02", "待核实", "信访"])
    with_callbacks(sheets, [YEAR, "C02", "B7", date(YEAR, 12, 2), "不属实", "称未办理", "", ""])
    sheets["评定"][0] += ["评定等次", "评定说明"]
    sheets["评定"][1] += ["A", ""]
    sheets["异议"] = [OBJECTION_HEADER, [YEAR, "C03", date(YEAR, 12, 10), "业务量偏少", "", "", None]]
    return sheets


GATE = (("投诉!C3", "待核实"), ("回访!G2", "工作组尚未决定"), ("评定!J2", "基础达标奖励因此少 2,000.00 元"),
        ("异议!E2", "处理结果、处理说明为空"))


def test_in_a_draft_each_open_matter_is_a_warning_at_its_cell(tmp_path):
    found = outcome(tmp_path, gate_case(base()))
    assert found.ok
    for where, fragment in GATE:
        assert at(found, "warning", where, fragment), where


def test_at_审定_each_open_matter_is_an_error_at_its_cell(tmp_path):
    found = outcome(tmp_path, final(gate_case(base())))
    assert not found.ok
    for where, fragment in GATE:
        assert at(found, "error", where, fragment), (where, [str(c) for c in found.errors])
    assert found.error_count == len(GATE)


def test_settled_matters_let_the_审定_through(tmp_path):
    sheets = final(gate_case(base()))
    sheets["投诉"][-1][2] = "无理"
    set_cell(sheets, "回访", 2, "处理决定", "不否决")
    set_cell(sheets, "回访", 2, "决定说明", "经核查业务确已办理，当事人记忆有误")
    set_cell(sheets, "评定", 2, "评定说明", "大厅两个月未按标准开放")
    set_cell(sheets, "异议", 2, "处理结果", "维持")
    set_cell(sheets, "异议", 2, "处理说明", "经核对，业务量无误")
    found = outcome(tmp_path, sheets)
    assert found.ok, [str(c) for c in found.errors]
    assert found.allocation.settings.status == contract.STATUS_FINAL


def test_no_to_veto_without_a_reason_still_stops_the_审定(tmp_path):
    sheets = final(with_callbacks(base(), [YEAR, "C02", "B7", date(YEAR, 12, 2), "不属实", "", "不否决", ""]))
    assert at(outcome(tmp_path, sheets), "error", "回访!G2", "处理决定为“不否决”但没有决定说明")


def test_a_vetoed_center_needs_no_decision_on_its_callbacks(tmp_path):
    sheets = final(with_callbacks(base(), [YEAR, "C02", "B7", date(YEAR, 12, 2), "不属实", "", "", ""]))
    set_cell(sheets, "评定", 3, "一票否决", "是")
    assert outcome(tmp_path, sheets).ok


def test_a_closed_centers_refuted_case_needs_a_decision_too(tmp_path):
    """The spec names no exception: a center closed during the period had its cases called."""
    sheets = final(with_callbacks(base(), [YEAR, "C04", "B9", date(YEAR, 12, 2), "不属实", "", "", ""]))
    sheets["中心"][0].append("停用年度")
    sheets["中心"].append(["C04", "丁中心", "天宁区", YEAR - 1])
    assert at(outcome(tmp_path, sheets), "error", "回访!G2", "中心 C04 的 12333 回访")


def test_a_decision_of_another_year_is_not_checked(tmp_path):
    sheets = with_callbacks(base(), [YEAR - 1, "C02", "B1", date(YEAR - 1, 12, 2), "不属实", "", "待定", ""])
    assert outcome(tmp_path, sheets).ok


def test_every_signoff_check_names_a_cell(tmp_path):
    found = outcome(tmp_path, final(gate_case(base())))
    assert all(c.cell for c in found.checks if c.sheet in (contract.COMPLAINTS, contract.CALLBACKS,
                                                            contract.RATINGS, contract.OBJECTIONS))


# --- the demo's proposed winners and the worked 审定 ----------------------------------------------

def test_the_proposed_winners_warning_names_each_open_matter():
    found = run("workbook/demo.xlsm", YEAR)
    [proposal] = [c for c in found.warnings if "未确定综合优胜单位" in c.message]
    assert "XB03 12333 回访“不属实”尚未决定（业务流水号 SB20240000041）" in proposal.message
    assert "ZL03 有“待核实”的投诉" in proposal.message
    assert "所有中心的资金都会变化" in proposal.message


def test_the_demo_walked_to_its_审定_allocates_with_unchanged_money(tmp_path):
    path = sample.write_rows(tmp_path / "审定.xlsx", approved_demo(), YEAR)
    target = tmp_path / "审定.json"
    assert main(["allocate", str(path), "-o", str(tmp_path / "out.xlsx"), "--json", str(target)]) == 0
    approved = json.loads(target.read_text("utf-8"))
    draft = result_dict(run("workbook/demo.xlsm", YEAR))
    assert (draft["status"], approved["status"]) == ("草案", "审定")
    assert approved["approval"] == {"number": NUMBER, "date": "2024-12-20"}
    assert approved["pools"] == draft["pools"]
    for before, after in zip(draft["centers"], approved["centers"], strict=True):
        assert after["winner_status"] == (contract.WINNER_CONFIRMED if before["winner"] else None)
        money = {k: v for k, v in before.items() if k != "winner_status"}
        assert {k: after[k] for k in money} == money
    assert not [c for c in approved["checks"] if c["sheet"] in (contract.CALLBACKS, contract.OBJECTIONS)]


def test_the_demo_as_审定_without_the_decisions_stops_at_each_cell(tmp_path):
    data = approved_demo()
    for row in data[contract.CALLBACKS]:
        row.update(处理决定=None, 决定说明=None)
    for row in data[contract.RATINGS]:
        row["评定说明"] = None
    found = run(sample.write_rows(tmp_path / "half.xlsx", data, YEAR), YEAR)
    assert not found.ok
    assert {f"{c.sheet}!{c.cell}" for c in found.errors} == {"回访!G6", "评定!J39"}
