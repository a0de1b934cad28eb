"""Spec v3: the decision record an 审定 needs (allocation-rules §1–§2).

Each rule is reproduced on a small workbook and must name its cell; the gate's rules are errors
once 审定文号 is filled and warnings in a draft. Then the worked example: the demo's draft,
walked to its 审定 the way the working group does it, allocates with unchanged money.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from jbsys_xl import contract, sample
from jbsys_xl.cli import main
from jbsys_xl.io.codes import check_character, credit_code
from jbsys_xl.io.values import BadValue
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict
from support.approved import NUMBER, approved_demo, opened_mid_year, write_objection_upheld
from support.workbooks import approved, base, set_cell, write

YEAR = 2024
VALID_CODE = "91350100M000100Y43"  # documents.md §5


def outcome(tmp_path, sheets):
    return run(write(tmp_path / "case.xlsx", sheets), YEAR)


def at(outcome, level: str, where: str, fragment: str = "") -> list:
    """The checks of ``level`` at ``where`` (工作表!单元格) whose message holds ``fragment``."""
    return [c for c in outcome.checks
            if c.level == level and f"{c.sheet}!{c.cell}" == where and fragment in c.message]


def final(sheets, number: str = NUMBER):
    """The same workbook with 审定文号 and 审定日期 filled, its one winner confirmed (C01) and its
    one 有理 complaint recorded as an 审定 needs it (内容, 核实部门)."""
    return approved(sheets, number)


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
    assert [str(c) for c in found.errors] == [
        "业务量!D6：C01“失业登记”2024-01 有 2 行业务量（D2、D6），一行是来源“金保导出.xlsx”，"
        "一行是手工填写（来源为空）：一个中心、事项和月份只能有一行，否则会重复计算；请只保留一行：导入中断或"
        "重复粘贴留下的行，重新导入（Excel“导入金保数据”或 jbsys-xl import --into）即可替换；手工填写的行核对后删除"]


def test_two_imports_of_one_month_are_an_error(tmp_path):
    sheets = with_sources(base(), "一月导出.xlsx", "", "", "")
    sheets["业务量"].append(["C01", "失业登记", date(YEAR, 1, 15), 30, "全年导出.xlsx"])
    assert at(outcome(tmp_path, sheets), "error", "业务量!D6", "一行是来源“一月导出.xlsx”，一行是来源“全年导出.xlsx”")


def test_two_rows_of_one_import_or_by_hand_are_an_error_too_never_summed(tmp_path):
    """v4: an interrupted re-import leaves two rows with the same 来源, a clerk types a month
    twice — one 金保 figure is one row, so either stops the run instead of doubling money."""
    sheets = with_sources(base(), "金保导出.xlsx", "", "", "")
    sheets["业务量"].append(["C01", "失业登记", "2024-01", 5, "金保导出.xlsx"])
    sheets["业务量"].append(["C02", "失业登记", "2024-02", 1, None])
    found = outcome(tmp_path, sheets)
    assert not found.ok and found.error_count == 2
    assert at(found, "error", "业务量!D6", "C01“失业登记”2024-01 有 2 行业务量（D2、D6），"
                                          "两行都是来源“金保导出.xlsx”")
    assert at(found, "error", "业务量!D7", "C02“失业登记”2024-02 有 2 行业务量（D3、D7），"
                                          "两行都是手工填写（来源为空）：一个中心、事项和月份只能有一行，"
                                          "否则会重复计算；请核对后只保留一行")
    assert not found.warnings or all("合计" not in c.message for c in found.warnings)


def test_many_repeated_rows_are_grouped_with_a_true_count(tmp_path):
    """A whole import pasted twice: one line per kind of pair, naming the first two cells and
    counting every 中心/事项/月份; three rows of one key are still one."""
    sheets = with_sources(base(), "a.xlsx", "a.xlsx", "a.xlsx", "a.xlsx")
    sheets["业务量"] += [row[:] for row in sheets["业务量"][1:]]
    sheets["业务量"].append(["C01", "失业登记", "2024-01", 7, "a.xlsx"])
    found = outcome(tmp_path, sheets)
    assert [(c.cell, c.count) for c in found.errors] == [("D6", 4)]
    assert found.errors[0].message.startswith(
        "C01“失业登记”2024-01 等 4 组中心、事项和月份各有两行或更多业务量（如 D2、D6等），两行都是来源“a.xlsx”")
    assert found.error_count == 4


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


def vetoed_c02(sheets, reason="虚报业务量", evidence="核查记录〔2024〕3号"):
    """C02 vetoed in 评定, with its 否决原因 and 否决依据 (a column 否决依据 added)."""
    set_cell(sheets, "评定", 3, "一票否决", "是")
    set_cell(sheets, "评定", 3, "否决原因", reason)
    sheets["评定"][0].append("否决依据")
    set_cell(sheets, "评定", 3, "否决依据", evidence)
    return sheets


def test_a_vetoed_center_needs_no_decision_on_its_callbacks(tmp_path):
    sheets = final(with_callbacks(base(), [YEAR, "C02", "B7", date(YEAR, 12, 2), "不属实", "", "", ""]))
    assert outcome(tmp_path, vetoed_c02(sheets)).ok


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
    # every decision recorded: what stays is no open matter, only what the signer should know
    assert sorted(c["sheet"] for c in approved["checks"]) == ["参数", "投诉"], approved["checks"]
    assert any("结余去向：结转下年度统筹使用" in c["message"] for c in approved["checks"])


def test_the_worked_objection_is_recorded_and_moves_xb06_only_by_its_grade(tmp_path):
    """XB06's objection (收到 12月12日, during the 公示 9–13 December) upheld: B → A, the 异议 row
    调整 with its 处理说明 and 处理日期 (16 December), before the 审定日期 (20 December)."""
    found = run(write_objection_upheld(tmp_path / "异议.xlsx"), YEAR)
    assert found.ok, [str(c) for c in found.errors]
    [objection] = found.dataset.objections
    assert (objection.center, objection.outcome, objection.decided_on) == ("XB06", "调整", date(YEAR, 12, 16))
    xb06 = found.allocation.center("XB06")
    assert (xb06.grade, xb06.basic_award) == ("A", Decimal("10000.00"))
    assert found.allocation.pools.workload_pool == Decimal("1784000.00")  # 10,000.00 less than the draft
    assert not [c for c in found.checks if c.sheet == contract.OBJECTIONS]


def test_a_center_opened_mid_year_is_named_with_its_months(tmp_path):
    found = run(sample.write_rows(tmp_path / "年中.xlsx", opened_mid_year(), YEAR), YEAR)
    assert found.ok, [str(c) for c in found.errors]
    [warning] = [c for c in found.warnings if "XB10 只有部分时间参加考核" in c.message]
    assert "启用年度为 2024；第一个有业务量的月份 2024-06 比考核期起 2023-12 晚 3 个月或以上，" \
        "考核期内有业务量的月份：2024-06 至 2024-11（6 个月）" in warning.message
    assert found.allocation.center("XB10").basic_award == Decimal("12000.00")  # not pro-rated


def test_the_demo_as_审定_without_the_decisions_stops_at_each_cell(tmp_path):
    data = approved_demo()
    for row in data[contract.CALLBACKS]:
        row.update(处理决定=None, 决定说明=None)
    for row in data[contract.RATINGS]:
        row.update(评定说明=None, 否决依据=None)
    for row in data[contract.HARDWARE]:
        row.update(处理决定=None, 决定说明=None)
    for row in data[contract.COMPLAINTS]:
        row["核实部门"] = None
    next(row for row in data[contract.PARAMS] if row["年度"] == YEAR)["审定日期"] = None
    found = run(sample.write_rows(tmp_path / "half.xlsx", data, YEAR), YEAR)
    assert not found.ok
    assert {f"{c.sheet}!{c.cell}": c.count for c in found.errors} == {
        "回访!G7": 1,  # XB03's 不属实 undecided
        "评定!J39": 1,  # ZL08 below its ceiling
        "评定!K43": 1,  # XB04 vetoed on no evidence (its 回访 row lost its 否决 too)
        "投诉!H3": 1,  # the 有理 complaints without 核实部门, one line for all of them
        "硬件!K4": 1, "硬件!K5": 1,  # the unfiled project, the late one
        "参数!Q3": 1}  # 审定日期
    [verifiers] = [c for c in found.errors if c.sheet == contract.COMPLAINTS]
    assert "考核期内有理投诉 5 件没有填写核实部门" in verifiers.message


# --- v4: every money-moving decision with its ground and date (allocation-rules §2 v4) --------------

def with_params(sheets, **values):
    for header, value in values.items():
        sheets["参数"][0].append(header)
        sheets["参数"][1].append(value)
    return sheets


def test_an_empty_approval_date_stops_the_审定_at_its_cell(tmp_path):
    sheets = final(base())
    set_cell(sheets, "参数", 2, "审定日期", None)
    found = outcome(tmp_path, sheets)
    assert [str(c) for c in found.errors] == [
        "参数!G2：已填写审定文号（参数!F2），但审定日期为空：审定稿须写明审定日期（工作小组审定的那一天）"]


def test_an_approval_date_column_missing_is_named(tmp_path):
    sheets = base()
    with_params(sheets, 审定文号=NUMBER)
    set_cell(sheets, "评定", 2, "综合优胜", "是")
    found = outcome(tmp_path, final_complaint(sheets))
    assert at(found, "error", "参数!A1", "（“参数”表没有“审定日期”列，请增加这一列）")


def final_complaint(sheets):
    sheets["投诉"][0] += ["内容", "核实部门"]
    sheets["投诉"][1] += ["窗口服务态度生硬", "机关党委、就业处"]
    return sheets


@pytest.mark.parametrize("number", [NUMBER, ""])
def test_an_approval_date_in_the_future_is_an_error_in_every_run(tmp_path, number):
    """The tests run on 2024-12-20 (tests/conftest.py)."""
    sheets = final(base(), number)
    set_cell(sheets, "参数", 2, "审定日期", date(2027, 3, 1))
    found = outcome(tmp_path, sheets)
    assert at(found, "error", "参数!G2", "审定日期 2027-03-01 晚于今天（2024-12-20）")


OBJECTION_DONE = [YEAR, "C03", date(YEAR, 12, 12), "业务量偏少", "调整", "已更正业务量", date(YEAR, 12, 16)]


@pytest.mark.parametrize("number, level", [(NUMBER, "error"), ("", "warning")])
def test_an_approval_before_the_objection_it_settles(tmp_path, number, level):
    sheets = final(base(), number)
    set_cell(sheets, "参数", 2, "审定日期", date(YEAR, 12, 10))
    sheets["异议"] = [OBJECTION_HEADER, OBJECTION_DONE]
    found = outcome(tmp_path, sheets)
    assert at(found, level, "参数!G2", "审定日期 2024-12-10 早于异议（中心 C03）的处理日期 2024-12-16（异议!E2）")
    set_cell(sheets, "参数", 2, "审定日期", date(YEAR, 12, 16))
    assert not at(outcome(tmp_path, sheets), level, "参数!G2", "早于")


def test_an_approval_before_a_callback_decision(tmp_path):
    sheets = final(with_callbacks(base(), [YEAR, "C02", "B7", date(YEAR, 12, 12), "不属实", "", "不否决", "已核实"]))
    set_cell(sheets, "参数", 2, "审定日期", date(YEAR, 12, 11))
    assert at(outcome(tmp_path, sheets), "error", "参数!G2",
              "早于12333 回访（中心 C02，业务流水号 B7）的回访日期 2024-12-12（回访!G2）")


def test_an_approval_inside_the_publicity(tmp_path):
    sheets = with_params(final(base()), 公示日期=date(YEAR, 12, 16), 公示截止日期=date(YEAR, 12, 20))
    set_cell(sheets, "参数", 2, "审定日期", date(YEAR, 12, 19))
    assert at(outcome(tmp_path, sheets), "error", "参数!G2",
              "审定日期 2024-12-19 早于公示截止日期 2024-12-20（参数!I2）：审定应在公示期满、异议处理之后")


def test_a_veto_needs_its_reason_and_evidence(tmp_path):
    sheets = final(base())
    set_cell(sheets, "评定", 3, "一票否决", "是")
    found = outcome(tmp_path, sheets)
    assert at(found, "error", "评定!H3", "中心 C02 一票否决为“是”，但否决原因为空")
    assert at(found, "error", "评定!H3", "但没有否决的依据：既没有“否决依据”（核查记录编号、12333 工单号或文件），"
              "“回访”表中也没有该中心 2024 年度处理决定为“否决”的回访（“评定”表没有“否决依据”列，请增加这一列）")
    assert outcome(tmp_path, vetoed_c02(sheets)).ok


def test_a_callback_decided_veto_is_evidence_enough(tmp_path):
    sheets = final(with_callbacks(base(), [YEAR, "C02", "B7", date(YEAR, 12, 2), "不属实", "", "否决", "虚报"]))
    set_cell(sheets, "评定", 3, "一票否决", "是")
    set_cell(sheets, "评定", 3, "否决原因", "12333 回访发现虚报业务量")
    found = outcome(tmp_path, sheets)
    assert found.ok, [str(c) for c in found.errors]
    assert not [c for c in found.checks if c.sheet == contract.RATINGS and "否决" in c.message]


def test_in_a_draft_an_unfounded_veto_is_a_warning(tmp_path):
    sheets = base()
    set_cell(sheets, "评定", 3, "一票否决", "是")
    found = outcome(tmp_path, sheets)
    assert found.ok and at(found, "warning", "评定!H3", "否决原因为空")


@pytest.mark.parametrize("number", [NUMBER, ""])
def test_a_reason_citing_12333_without_a_callback_row_is_a_warning_in_every_run(tmp_path, number):
    """The demo's XB04 before v4: its reason cited 12333 while no case was drawn."""
    sheets = vetoed_c02(final(base(), number), reason="12333回访发现虚报业务量")
    found = outcome(tmp_path, sheets)
    assert found.ok
    assert at(found, "warning", "评定!H3", "中心 C02 的否决原因“12333回访发现虚报业务量”提到 12333/回访，"
              "但“回访”表中没有该中心 2024 年度的回访记录")


def test_a_valid_complaint_needs_its_content_and_verifier_at_审定(tmp_path):
    sheets = final(base())
    sheets["投诉"].append([date(YEAR, 6, 1), "C02", "有理", "信访", "", "就管中心"])
    sheets["投诉"].append([date(YEAR, 7, 1), "C03", "有理", "12333", "等候时间过长", ""])
    sheets["投诉"].append([date(YEAR, 8, 1), "C03", "有理", "12333", "等候时间过长", ""])
    found = outcome(tmp_path, sheets)
    assert [str(c) for c in found.errors] == [
        "投诉!E3：考核期内有理投诉 1 件没有填写投诉内容（2024-06-01）：每件有理投诉扣减 5% 的工作量补助，须写明内容",
        "投诉!F4：考核期内有理投诉 2 件没有填写核实部门（条线，或机关党委会同就业处）（2024-07-01、2024-08-01）："
        "每件有理投诉扣减 5% 的工作量补助，须写明核实部门"]


def test_a_complaint_outside_the_period_or_not_valid_needs_neither(tmp_path):
    sheets = final(base())
    sheets["投诉"].append([date(YEAR, 12, 5), "C02", "有理", "信访"])  # after the period
    sheets["投诉"].append([date(YEAR, 6, 1), "C02", "无理", "信访"])
    assert outcome(tmp_path, sheets).ok


HARDWARE_V4 = ["备案日期", "项目名称", "处理决定", "决定说明"]


def hardware_rows(sheets, *rows):
    """硬件 with the v4 columns; each row: 所属区, 预算补助, 计划投入, 实际投入, 已备案, 备案日期,
    项目名称, 处理决定, 决定说明."""
    sheets["硬件"] = [sheets["硬件"][0] + HARDWARE_V4] + [[YEAR, *row] for row in rows]
    return sheets


ON_TIME = ["天宁区", 100000, 100000, 100000, "是", date(YEAR, 3, 1), "大厅改造", "", ""]


@pytest.mark.parametrize("number, level", [(NUMBER, "error"), ("", "warning")])
def test_an_unfiled_or_late_project_needs_the_working_groups_decision(tmp_path, number, level):
    sheets = hardware_rows(final(base(), number), ON_TIME,
                           ["钟楼区", 50000, 40000, 45000, "是", date(YEAR, 4, 18), "自助区", "", ""],
                           ["钟楼区", 20000, 20000, 20000, "否", None, "窗口", "", ""],
                           ["天宁区", 10000, 10000, 10000, "是", None, "标识", "补助", ""])
    found = outcome(tmp_path, sheets)
    assert at(found, level, "硬件!I3", "钟楼区的“自助区”备案日期 2024-04-18 晚于 2024 年3月31日，尚无工作小组的处理决定")
    assert at(found, level, "硬件!I4", "钟楼区的“窗口”未备案（已备案为“否”），尚无工作小组的处理决定")
    assert at(found, level, "硬件!J5", "天宁区的“标识”的处理决定为“补助”，但决定说明为空")
    assert not at(found, level, "硬件!I2")
    assert len([c for c in found.checks if c.sheet == contract.HARDWARE and c.level == level]) == 3


def test_a_part_year_center_is_a_warning_naming_its_months(tmp_path):
    """C03's first 业务量 (2024-03) is three months after the period's start (2023-12); C02's
    (2024-02) two; C04 opened this year."""
    sheets = base()
    sheets["中心"][0].append("启用年度")
    sheets["中心"].append(["C04", "丁中心", "钟楼区", YEAR])
    sheets["评定"].append([YEAR, "C04", "无", "否", "", "", "", ""])
    sheets["业务量"].append(["C04", "失业登记", "2023-12", 5])
    found = outcome(tmp_path, sheets)
    assert at(found, "warning", "评定!B4", "中心 C03 只有部分时间参加考核（第一个有业务量的月份 2024-03 比考核期起 "
              "2023-12 晚 3 个月或以上，考核期内有业务量的月份：2024-03（1 个月）），按全年考核计算，未按月份折算")
    assert at(found, "warning", "评定!B5", "中心 C04 只有部分时间参加考核（启用年度为 2024，考核期内有业务量的月份："
              "2023-12（1 个月））")
    assert not [c for c in found.checks if "C02 只有部分时间" in c.message or "C01 只有部分时间" in c.message]


def test_part_year_tells_the_notice_its_months(tmp_path):
    from jbsys_xl.rules.period import part_year

    sheets = base()
    sheets["业务量"] += [["C03", "失业登记", "2024-11", 5], ["C03", "失业登记", "2024-06", 0]]
    data = outcome(tmp_path, sheets).dataset
    found = part_year(data, "C03")
    assert (found.first, found.last, found.count, found.late, found.opened) == ((2024, 3), (2024, 11), 2, True, False)
    assert found.months_text == "2024-03 至 2024-11"  # a month of 0 is no month with 业务量
    assert part_year(data, "C01") is None and part_year(data, "C02") is None


def test_a_deduction_with_amount_and_rate_is_a_warning(tmp_path):
    sheets = base()
    set_cell(sheets, "扣减", 2, "扣减比例", "5%")
    assert at(outcome(tmp_path, sheets), "warning", "扣减!B2",
              "中心 C02 的扣减“业务差错”同时填写了扣减金额 500.00 元和扣减比例 5%，两者都扣")


def test_a_project_without_a_name_is_a_warning(tmp_path):
    found = outcome(tmp_path, base())
    assert at(found, "warning", "硬件!B2", "天宁区预算补助 100,000.00 元的项目没有项目名称"
              "，硬件建设补助告知书无法写明是哪个项目；请填写项目名称（“硬件”表没有“项目名称”列，请增加这一列）")
    found = outcome(tmp_path, hardware_rows(base(), ON_TIME))
    assert not [c for c in found.checks if c.sheet == contract.HARDWARE]
    many = hardware_rows(base(), ON_TIME, ["钟楼区", 1000, 1000, 1000, "是", None, "", "", ""],
                         ["天宁区", 2000, 2000, 2000, "是", None, "", "", ""])
    [unnamed] = [c for c in outcome(tmp_path, many).warnings if c.sheet == contract.HARDWARE]
    assert str(unnamed).startswith("硬件!H3 等 2 处：2 个硬件建设项目（钟楼区预算补助 1,000.00 元的项目等）没有项目名称")


# --- §6.9 v4: the hardware money follows the 工作小组's 处理决定 ---------------------------------

@pytest.mark.parametrize("filed, day, decision, paid", [
    ("是", date(YEAR, 3, 1), "", "80000.00"),  # on time: the amount
    ("是", date(YEAR, 5, 1), "", "80000.00"),  # late, undecided: still the amount (a gate asks)
    ("否", None, "", "0.00"),  # not filed, undecided: 0 (as before v4)
    ("否", None, "补助", "80000.00"),  # not filed, but the 工作小组 pays it
    ("是", date(YEAR, 5, 1), "不予补助", "0.00"),  # late, refused
    ("是", date(YEAR, 3, 1), "不予补助", "0.00"),  # refused whatever its filing
])
def test_hardware_money_follows_the_decision(tmp_path, filed, day, decision, paid):
    sheets = hardware_rows(base(), ["天宁区", 100000, 100000, 80000, filed, day, "大厅改造", decision,
                                    "工作小组研究决定" if decision else ""])
    found = outcome(tmp_path, sheets)
    assert found.ok, [str(c) for c in found.errors]
    [district] = [d for d in result_dict(found)["districts"] if d["district"] == "天宁区"]
    assert district["hardware_subsidy"] == paid
