"""The checks of spec §2 that rules and per-year validation raise: each at its sheet and cell,
with the oracle agreeing where the spec says the run stops; and the 草案/审定 status (§7)."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from xlsxwriter.utility import xl_col_to_name

import oracle
import scenarios
from jbsys_xl.cli import main
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict
from test_rules_examples import book, center, indicator, rating, unrated, volume

YEAR = 2024


def base(**changes) -> dict:
    """Two A+ centers and a B one, one indicator; N 1 with an award; draft."""
    data = book(
        参数=[{"年度": YEAR, "资金总额": D(100000), "工作绩效资金": D(60000), "优胜单位数": 1,
             "优胜奖励": D(3000)}],
        指标=[indicator(YEAR, 1, "甲", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心"), center("C3", "三中心")],
        评定=[rating(YEAR, "C1", "独立服务大厅", True, 区局推荐=True),
            rating(YEAR, "C2", "独立服务大厅", True, 区局推荐=True),
            rating(YEAR, "C3", "无", False)],
        业务量=[volume("C1", "甲", (2024, 3), 5), volume("C2", "甲", (2024, 3), 3),
             volume("C3", "甲", (2024, 3), 2)])
    data.update(changes)
    return data


def cell(data: dict, sheet: str, index: int, header: str) -> str:
    """Where scenarios.write_plain puts ``header`` of data row ``index`` of ``sheet``."""
    keys = list(scenarios.SHEET_HEADERS[sheet][0])
    keys += [k for row in data[sheet] for k in row if k not in keys]
    return f"{xl_col_to_name(list(dict.fromkeys(keys)).index(header))}{index + 2}"


def outcome_of(data: dict, tmp_path):
    return run(scenarios.write_plain(data, tmp_path / "case.xlsx"), YEAR)


def found(outcome, level: str, sheet: str, at: str, fragment: str) -> bool:
    return any(c.level == level and c.sheet == sheet and c.cell == at and fragment in c.message
               for c in outcome.checks)


def stops(data: dict, tmp_path, sheet: str, at: str, fragment: str) -> None:
    """The product refuses with this error, and the oracle (from the spec) refuses too."""
    outcome = outcome_of(data, tmp_path)
    assert not outcome.ok
    assert found(outcome, "error", sheet, at, fragment), [str(c) for c in outcome.errors]
    with pytest.raises(oracle.OracleError):
        oracle.allocate(data, YEAR)


def passes(data: dict, tmp_path):
    outcome = outcome_of(data, tmp_path)
    assert outcome.ok, [str(c) for c in outcome.errors]
    oracle.allocate(data, YEAR)  # the spec agrees it runs
    return outcome


# --- errors ---------------------------------------------------------------------------------------

def test_an_active_center_without_its_rating_row_is_an_error(tmp_path):
    data = base()
    del data["评定"][2]
    stops(data, tmp_path, "评定", "B1", "中心“三中心”（C3）没有 2024 年度的评定记录")


def test_recorded_grade_above_its_ceiling_is_an_error_at_the_cell(tmp_path):
    data = base()
    data["评定"][2]["评定等次"] = "A"  # 无 + 否 allows B only
    stops(data, tmp_path, "评定", cell(data, "评定", 2, "评定等次"), "评定等次“A”高于可评定的等次 B")


def test_one_complaint_number_for_two_centers_is_an_error(tmp_path):
    data = base(投诉=[{"日期": date(2024, 3, 1), "中心": "C1", "核实结论": "有理", "投诉编号": "TS-9"},
                    {"日期": date(2024, 4, 1), "中心": "C2", "核实结论": "无理", "投诉编号": "TS-9"}])
    stops(data, tmp_path, "投诉", cell(data, "投诉", 0, "投诉编号"), "投诉编号“TS-9”用于不同中心的投诉（C1、C2")


def test_complaints_sharing_a_number_are_a_warning_and_count_once(tmp_path):
    data = base(投诉=[{"日期": date(2024, 3, 1), "中心": "C1", "核实结论": "有理", "投诉编号": "TS-9"},
                    {"日期": date(2024, 3, 2), "中心": "一中心", "核实结论": "有理", "投诉编号": " TS-9 "}])
    outcome = passes(data, tmp_path)
    cells = [cell(data, "投诉", k, "投诉编号") for k in (0, 1)]
    assert found(outcome, "warning", "投诉", cells[0], f"有 2 行（{'、'.join(cells)}），按同一件投诉只计一次")
    assert outcome.allocation.center("C1").complaints == 1


def test_confirmed_winners_need_an_award(tmp_path):
    data = base()
    data["参数"][0]["优胜奖励"] = D(0)
    data["评定"][0]["综合优胜"] = True
    stops(data, tmp_path, "参数", cell(data, "参数", 0, "优胜奖励"), "优胜奖励为 0 元")


def test_all_scores_zero_is_an_error(tmp_path):
    data = base()
    for row in data["业务量"]:
        row["业务量"] = 0
    stops(data, tmp_path, "业务量", "D1", "所有中心的得分均为 0")


def test_with_veto_excluded_a_vetoed_center_alone_cannot_carry_the_scores(tmp_path):
    """剔除: only the vetoed center has volume → every S is 0 → error; 计入 runs."""
    data = base(业务量=[volume("C1", "甲", (2024, 3), 5)])
    data["评定"][0]["一票否决"] = True
    stops(data, tmp_path, "业务量", "D1", "按“剔除”处理的 1 个中心不计")
    data["参数"][0]["否决处理"] = "计入"
    outcome = passes(data, tmp_path)
    assert outcome.allocation.center("C1").gross_workload > 0
    assert outcome.allocation.center("C1").total == 0


# --- final run (审定) and status ---------------------------------------------------------------

def final(data: dict, number="常人社〔2024〕12号", day=date(2024, 12, 20)) -> dict:
    data["参数"][0].update(审定文号=number, 审定日期=day)
    return data


def test_final_run_refuses_pending_complaints_inside_the_period(tmp_path):
    pending = [{"日期": date(2024, 11, 30), "中心": "C3", "核实结论": "待核实"},
               {"日期": date(2024, 12, 1), "中心": "C3", "核实结论": "待核实"}]  # after: ignored
    data = base(投诉=pending)
    data["评定"][0]["综合优胜"] = True
    draft = passes(data, tmp_path)
    at = cell(data, "投诉", 0, "核实结论")
    assert found(draft, "warning", "投诉", at, "投诉尚“待核实”，本次不计入扣减")
    assert not any(c.cell == cell(data, "投诉", 1, "核实结论") for c in draft.checks)
    stops(final(data), tmp_path, "投诉", at, "审定前须核实全部考核期内的投诉")


def test_final_run_refuses_winners_only_proposed(tmp_path):
    data = base()
    draft = passes(data, tmp_path)
    assert any("未确定综合优胜单位" in c.message for c in draft.warnings)
    stops(final(data), tmp_path, "评定", cell(data, "评定", 0, "中心"), "综合优胜单位尚未确定")


def test_json_status_on_draft_and_final_runs(tmp_path):
    data = base()
    data["评定"][0]["综合优胜"] = True
    draft = result_dict(outcome_of(data, tmp_path))
    assert draft["status"] == "草案" and "approval" not in draft
    assert oracle.allocate(data, YEAR)["status"] == "草案"
    done = result_dict(outcome_of(final(data), tmp_path))
    assert done["status"] == "审定"
    assert done["approval"] == {"number": "常人社〔2024〕12号", "date": "2024-12-20"}
    assert oracle.allocate(data, YEAR)["status"] == "审定"
    assert list(done)[:3] == ["ok", "year", "status"]


def test_outputs_say_draft_or_show_the_approval(tmp_path, capsys):
    data = base()
    data["评定"][0]["综合优胜"] = True
    path = scenarios.write_plain(data, tmp_path / "draft.xlsx")
    assert main(["allocate", str(path), "--year", "2024", "-o", str(tmp_path / "d.xlsx")]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("2024 年度分配【草案】")
    path = scenarios.write_plain(final(data), tmp_path / "final.xlsx")
    assert main(["allocate", str(path), "--year", "2024", "-o", str(tmp_path / "f.xlsx"),
                 "--json", str(tmp_path / "f.json")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("2024 年度分配【审定 常人社〔2024〕12号 2024-12-20】")
    assert json.loads((tmp_path / "f.json").read_text("utf-8"))["status"] == "审定"
    assert main(["explain", str(path), "--year", "2024", "--center", "C1"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("（审定 常人社〔2024〕12号 2024-12-20）")


def test_an_approval_date_alone_leaves_a_draft_with_a_warning(tmp_path):
    data = base()
    data["评定"][0]["综合优胜"] = True
    data["参数"][0]["审定日期"] = date(2024, 12, 20)
    outcome = passes(data, tmp_path)
    assert outcome.allocation.settings.status == "草案"
    assert found(outcome, "warning", "参数", cell(data, "参数", 0, "审定日期"), "本次结果仍为草案")


# --- warnings -------------------------------------------------------------------------------------

def test_winner_warnings(tmp_path):
    """N 2 with 2 eligible but 1 confirmed; that one not recommended, with a complaint."""
    data = base(投诉=[{"日期": date(2024, 5, 1), "中心": "C1", "核实结论": "有理"}])
    data["参数"][0]["优胜单位数"] = 2
    data["评定"][0].update(综合优胜=True, 区局推荐=False)
    outcome = passes(data, tmp_path)
    assert found(outcome, "warning", "参数", cell(data, "参数", 0, "优胜单位数"),
                 "只确定了 1 个综合优胜单位，少于优胜单位数 2，而符合条件的中心有 2 个")
    assert found(outcome, "warning", "评定", cell(data, "评定", 0, "区局推荐"), "综合优胜单位 C1 没有区局推荐")
    assert found(outcome, "warning", "评定", cell(data, "评定", 0, "综合优胜"),
                 "综合优胜单位 C1 本年度有有理投诉 1 件")


def test_indicator_with_no_volume_is_a_warning(tmp_path):
    data = base()
    data["指标"] = [indicator(YEAR, 1, "甲", 70), indicator(YEAR, 2, "乙", 30)]
    outcome = passes(data, tmp_path)
    assert found(outcome, "warning", "指标", cell(data, "指标", 1, "事项名称"),
                 "指标“乙”（序号 2）考核期内市本级业务量为 0，其权重 30 分不计入任何中心的得分")


def test_late_filing_date_without_a_decision_is_a_warning_in_a_draft(tmp_path):
    """v4: paying a late project is the 工作小组's recorded decision (an error at 审定)."""
    def row(day, name):
        return {"年度": YEAR, "所属区": "天宁区", "预算补助": D(1000), "计划投入": D(1000),
                "实际投入": D(1000), "已备案": True, "备案日期": day, "项目名称": name}
    data = base(硬件=[row(date(2024, 3, 31), "甲项目"), row(date(2024, 4, 1), "乙项目")])
    outcome = passes(data, tmp_path)
    late = [c for c in outcome.warnings if c.sheet == "硬件"]
    assert [(c.cell, c.message) for c in late] == [
        (cell(data, "硬件", 1, "备案日期"), "天宁区的“乙项目”备案日期 2024-04-01 晚于 2024 年3月31日，尚无工作小组的"
         "处理决定：补助或不予补助须由工作小组决定，请在处理决定填“补助”或“不予补助”并写明决定说明"
         "（“硬件”表没有“处理决定”列，请增加这一列）（未决定前按计算的金额补助）")]
    assert outcome.allocation.pools.hardware_total == D(2000)


def test_deduction_beyond_what_complaints_left_is_a_warning(tmp_path):
    """G3 = (60000 − 24000 − 3000) × 2/10 = 6600.00; D3 = 100 % (r = 1); E3 = 10 is lost."""
    data = base(投诉=[{"日期": date(2024, 5, 1), "中心": "C3", "核实结论": "有理"}],
                扣减=[{"年度": YEAR, "中心": "C3", "原因": "差错", "扣减金额": D(10)}])
    data["参数"][0]["投诉扣减比例"] = D(1)
    outcome = passes(data, tmp_path)
    assert found(outcome, "warning", "扣减", cell(data, "扣减", 0, "中心"),
                 "中心 C3 的差错扣减 10.00 元超过投诉扣减后剩余的工作量补助 0.00 元，超出的 10.00 元不再扣减")


def test_balance_left_is_a_warning_with_its_amount(tmp_path):
    data = base()
    data["评定"][0]["综合优胜"] = True
    outcome = passes(data, tmp_path)
    assert outcome.allocation.pools.balance == D("40000.00")
    assert found(outcome, "warning", "参数", cell(data, "参数", 0, "资金总额"),
                 "资金总额中有 40,000.00 元未分配（结余）")
    data["参数"][0]["资金总额"] = D(60000)
    assert not any("未分配" in c.message for c in passes(data, tmp_path).warnings)


def test_forfeit_without_receivers_is_a_warning(tmp_path):
    data = base(评定=unrated(YEAR, "C1", "C2", "C3"),
                投诉=[{"日期": date(2024, 5, 1), "中心": c, "核实结论": "有理"} for c in ("C1", "C2", "C3")])
    data["参数"][0]["扣减资金处理"] = "再分配"
    outcome = passes(data, tmp_path)
    assert found(outcome, "warning", "参数", cell(data, "参数", 0, "扣减资金处理"),
                 "无法再分配：没有实得工作量补助大于 0 且本身未被扣减、未被否决的中心")
    assert outcome.allocation.pools.redistributed_total == 0
    assert outcome.allocation.pools.forfeited == D("3000.00")  # 5 % of W' = 60000
