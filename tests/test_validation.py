"""One test per validation rule: the right level, sheet, cell and a plain Chinese message."""
from __future__ import annotations

import pytest

from jbsys_xl.cli import main
from jbsys_xl.pipeline import run
from tests.support import workbooks as wb


def checks_of(tmp_path, sheets, year=2024):
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), year)
    return outcome


def errors(outcome):
    return [(c.sheet, c.cell, c.message) for c in outcome.errors]


def test_base_case_is_valid(tmp_path):
    outcome = checks_of(tmp_path, wb.base())
    assert outcome.ok, outcome.errors


# (sheet, data row as on the sheet, header, planted value, expected cell, message fragment)
PLANTED = [
    ("业务量", 3, "业务量", "十二", "D3", "业务量“十二”不是数字"),
    ("业务量", 2, "业务量", -5, "D2", "业务量“-5”不能为负数"),
    ("业务量", 4, "业务量", "", "D4", "业务量不能为空"),
    ("业务量", 2, "中心", "不存在中心", "A2", "未知中心“不存在中心”"),
    ("业务量", 3, "事项", "不存在事项", "B3", "未知事项“不存在事项”"),
    ("业务量", 5, "月份", "2024-13", "C5", "月份“2024-13”不是有效月份"),
    ("业务量", 5, "月份", "三月", "C5", "月份“三月”不是有效月份"),
    ("业务量", 5, "月份", 45352, "C5", "月份“45352”不是有效月份"),
    ("指标", 2, "下沉类别", "全部下沉", "F2", "下沉类别“全部下沉”不是允许的值"),
    ("指标", 3, "指标权重", "四十", "E3", "指标权重“四十”不是数字"),
    ("评定", 2, "服务场所", "大厅", "C2", "服务场所“大厅”不是允许的值"),
    ("评定", 3, "标准化下沉", "也许", "D3", "标准化下沉“也许”应为“是”或“否”"),
    ("评定", 4, "中心", "C99", "B4", "未知中心“C99”"),
    ("投诉", 2, "核实结论", "成立", "C2", "核实结论“成立”不是允许的值"),
    ("投诉", 2, "日期", "去年", "A2", "日期“去年”不是有效日期"),
    ("扣减", 2, "扣减金额", "", "D2", "扣减金额和扣减比例至少应填写一项"),
    ("扣减", 2, "扣减比例", "150%", "E2", "扣减比例“150%”不在 0%～100% 之间"),
    ("硬件", 2, "所属区", "武进区", "B2", "未知所属区“武进区”"),
    ("硬件", 2, "计划投入", 0, "D2", "计划投入“0”应大于 0"),
    ("硬件", 2, "已备案", "已报", "F2", "已备案“已报”应为“是”或“否”"),
    ("参数", 2, "资金总额", "一百万", "B2", "资金总额“一百万”不是数字"),
    ("中心", 3, "中心编码", "C01", "A3", "中心编码“C01”重复（另见 A2）"),
    ("中心", 4, "中心名称", "甲中心", "B4", "中心名称“甲中心”重复（另见 B2）"),
]


@pytest.mark.parametrize("sheet,row,header,value,cell,fragment", PLANTED,
                         ids=[f"{p[0]}-{p[4]}-{p[3]}" for p in PLANTED])
def test_planted_error_points_at_its_cell(tmp_path, sheet, row, header, value, cell, fragment):
    outcome = checks_of(tmp_path, wb.set_cell(wb.base(), sheet, row, header, value))
    assert not outcome.ok
    found = [(s, c, m) for s, c, m in errors(outcome) if s == sheet and c == cell and fragment in m]
    assert found, errors(outcome)


def test_error_text_reads_sheet_cell_message(tmp_path):
    outcome = checks_of(tmp_path, wb.set_cell(wb.base(), "业务量", 3, "业务量", "十二"))
    assert str(outcome.errors[0]) == "业务量!D3：业务量“十二”不是数字"


def test_weights_must_sum_to_100(tmp_path):
    outcome = checks_of(tmp_path, wb.set_cell(wb.base(), "指标", 3, "指标权重", 39.9))
    assert errors(outcome) == [("指标", "E2:E3", "年度 2024 的指标权重合计为 99.9，应恰为 100")]


def test_duplicate_item_within_year(tmp_path):
    outcome = checks_of(tmp_path, wb.set_cell(wb.base(), "指标", 3, "事项名称", "失业登记"))
    assert ("指标", "D3") in [(s, c) for s, c, _ in errors(outcome)]


def test_missing_sheet_and_header(tmp_path):
    sheets = wb.base()
    del sheets["中心"]
    sheets["参数"][0][1] = "资金"
    found = errors(checks_of(tmp_path, sheets))
    assert ("中心", "", "缺少工作表“中心”（必需列：中心编码、中心名称、所属区；没有数据也须保留表头）") in found
    assert ("参数", "A1", "表头缺少必需列：资金总额") in found


def test_no_params_or_indicators_for_year(tmp_path):
    found = errors(checks_of(tmp_path, wb.base(), year=2025))
    assert ("参数", "A1", "没有年度 2025 的参数行") in found
    assert ("指标", "A1", "没有年度 2025 的指标") in found


def test_hardware_budget_over_cap(tmp_path):
    sheets = wb.set_cell(wb.base(), "硬件", 2, "预算补助", 300001)
    found = errors(checks_of(tmp_path, sheets))
    assert any(s == "硬件" and "超过硬件资金上限" in m for s, _, m in found), found
    assert any(s == "参数" and c == "C2" and "超过资金总额" in m for s, c, m in found), found


def test_workload_pool_negative(tmp_path):
    sheets = wb.set_cell(wb.base(), "参数", 2, "工作绩效资金", 20000)
    found = errors(checks_of(tmp_path, sheets))
    assert [(s, c) for s, c, m in found if "工作量绩效资金为负" in m] == [("参数", "C2")]


def test_confirmed_winner_must_be_eligible_and_within_n(tmp_path):
    sheets = wb.set_cell(wb.base(), "评定", 4, "综合优胜", "是")  # C03 is grade B
    found = errors(checks_of(tmp_path, sheets))
    assert any(c == "F4" and "评定等次为 B" in m for _, c, m in found), found
    sheets = wb.set_cell(wb.base(), "评定", 2, "综合优胜", "是")
    sheets = wb.set_cell(sheets, "评定", 3, "综合优胜", "是")
    found = errors(checks_of(tmp_path, sheets))
    assert any("超过优胜单位数 1" in m for _, _, m in found), found


def test_warnings(tmp_path):
    sheets = wb.base()
    sheets["投诉"].append(["2024-06-01", "C02", "待核实", ""])
    sheets["参数"][1][4] = ""  # 优胜奖励 blank
    outcome = checks_of(tmp_path, sheets)
    assert outcome.ok
    text = [str(c) for c in outcome.warnings]
    assert any(t.startswith("投诉!C3：投诉尚“待核实”") for t in text), text
    assert any(t.startswith("参数!E2：优胜奖励未填写") for t in text), text
    assert any("建议" in t for t in text), text


def test_inactive_center_volume_is_a_warning(tmp_path):
    sheets = wb.base()
    sheets["中心"][0].append("停用年度")
    sheets["中心"][3].append(2023)
    outcome = checks_of(tmp_path, sheets)
    assert outcome.ok
    assert any(c.sheet == "业务量" and c.cell == "A4" and "未启用" in c.message for c in outcome.warnings)
    assert [c.code for c in outcome.allocation.centers] == ["C01", "C02"]


def test_rows_outside_period_only_need_to_be_readable(tmp_path):
    sheets = wb.base()
    sheets["业务量"].append(["C01", "失业登记", "2023-11", 999])
    sheets["投诉"].append([__import__("datetime").date(2024, 12, 3), "C02", "有理", ""])
    outcome = checks_of(tmp_path, sheets)
    assert outcome.ok
    assert outcome.allocation.center("C02").complaints == 0
    assert outcome.allocation.factors[("C01", "失业登记")][0] == 30


def test_header_below_title_rows_and_shuffled_columns(tmp_path):
    sheets = wb.base()
    rows = sheets["业务量"]
    shuffled = [[r[3], "备注", r[0], r[2], r[1]] for r in rows]
    sheets["业务量"] = [["2024年业务量（示例）"], []] + shuffled
    plain = checks_of(tmp_path, wb.base()).allocation
    moved = checks_of(tmp_path, sheets).allocation
    assert [c.total for c in moved.centers] == [c.total for c in plain.centers]
    bad = wb.set_cell(sheets, "业务量", 4, "业务量", "x")  # header is on row 3 now
    found = errors(checks_of(tmp_path, bad))
    assert ("业务量", "A4", "业务量“x”不是数字") in found


def test_cli_exit_codes_and_nothing_written_on_error(tmp_path, capsys):
    source = wb.write(tmp_path / "bad.xlsx", wb.set_cell(wb.base(), "业务量", 3, "业务量", "十二"))
    before = source.read_bytes()
    code = main(["allocate", str(source), "--year", "2024", "--json", str(tmp_path / "r.json")])
    assert code == 2
    assert "业务量!D3：业务量“十二”不是数字" in capsys.readouterr().err
    assert not (tmp_path / "bad-分配结果-2024.xlsx").exists()
    assert '"ok": false' in (tmp_path / "r.json").read_text(encoding="utf-8")
    assert source.read_bytes() == before
    assert main(["check", str(source), "--year", "2024"]) == 2
    missing = tmp_path / "missing.xlsx"
    assert main(["allocate", str(missing), "--year", "2024", "--json", str(tmp_path / "m.json")]) == 2
    result = __import__("json").loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert result["ok"] is False and result["checks"][0]["message"] == f"找不到输入文件：{missing}"
    (tmp_path / "text.xlsx").write_text("not a workbook")
    assert main(["check", str(tmp_path / "text.xlsx"), "--year", "2024"]) == 2
    assert "text.xlsx：不是 Excel 文件" in capsys.readouterr().err
