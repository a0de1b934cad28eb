"""The optional 回访 sheet (金保 contract §8): validated like the others, a warning for 不属实
at a center that is not vetoed, a summary per center, and never a change of money."""
from __future__ import annotations

import csv

import pytest

from jbsys_xl import contract, sample
from jbsys_xl.pipeline import run
from jbsys_xl.report import tables as t
from jbsys_xl.report.explain import explain, render_text, sections
from jbsys_xl.report.json_result import result_dict

YEAR = 2024
HEADERS = list(contract.SHEET_SPECS[contract.CALLBACKS].headers)


@pytest.fixture
def folder(tmp_path):
    return sample.write_sample_csv(tmp_path / "book", YEAR)


def write_callbacks(folder, rows) -> None:
    with open(folder / f"{contract.CALLBACKS}.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def test_sample_warns_for_the_refuted_case_of_a_center_not_vetoed(folder):
    outcome = run(folder, YEAR)
    assert outcome.ok
    [warning] = [c for c in outcome.warnings if c.sheet == contract.CALLBACKS]
    assert "中心 XB03 的 12333 回访（业务流水号 SB20240000041）结果为“不属实”" in warning.message
    assert "工作组尚未决定" in warning.message and warning.cell


def test_no_warning_for_a_vetoed_center(folder):
    write_callbacks(folder, [[YEAR, sample.VETOED, "C1", "2024-12-02", "不属实", ""]])
    assert not [c for c in run(folder, YEAR).warnings if c.sheet == contract.CALLBACKS]


def test_money_never_changes_because_of_callbacks(folder, tmp_path):
    with_callbacks = result_dict(run(folder, YEAR))
    (folder / f"{contract.CALLBACKS}.csv").unlink()  # the sheet is optional
    without = run(folder, YEAR)
    assert without.ok and not [c for c in without.checks if c.sheet == contract.CALLBACKS]
    assert result_dict(without)["centers"] == with_callbacks["centers"]
    assert result_dict(without)["pools"] == with_callbacks["pools"]


@pytest.mark.parametrize("row, message", [
    ([YEAR, "某街道", "C1", "2024-12-02", "属实", ""], "回访!B2：未知中心“某街道”"),
    ([YEAR, "TN01", "C1", "2024-12-02", "已核实", ""], "回访!E2：回访结果“已核实”不是允许的值（应为属实、不属实、无法联系之一）"),
    ([YEAR, "TN01", "", "2024-12-02", "属实", ""], "回访!C2：业务流水号不能为空"),
    ([YEAR, "TN01", "C1", "十二月", "属实", ""], "回访!D2：回访日期“十二月”不是有效日期"),
    (["", "TN01", "C1", "2024-12-02", "属实", ""], "回访!A2：年度不能为空"),
])
def test_validated_like_every_other_sheet(folder, row, message):
    write_callbacks(folder, [row])
    outcome = run(folder, YEAR)
    assert not outcome.ok
    assert any(str(c).startswith(message) for c in outcome.errors), [str(c) for c in outcome.errors]


def test_summary_per_center_in_the_result_and_explain(folder):
    write_callbacks(folder, [
        [YEAR, "TN01", "C1", "2024-12-02", "属实", ""],
        [YEAR, "雕庄街道人社服务中心（示例数据）", "C2", "2024-12-02", "无法联系", ""],
        [YEAR, "TN01", "C2", "2024-12-05", "不属实", "第二次接通"],  # a later call replaces 无法联系
        [YEAR, "TN01", "C3", "", "", ""],  # drawn, not called yet
        [YEAR - 1, "TN01", "C9", "2023-12-02", "不属实", ""],  # another year: not this summary
    ])
    outcome = run(folder, YEAR)
    table = t.callback_table(outcome.allocation)
    assert table.headers[3:] == ("抽取", "已回访", "属实", "不属实", "无法联系", "未回访", "处理决定")
    row = next(r for r in table.rows if r[0] == "TN01")
    assert row[3:] == (3, 2, 1, 1, 0, 1, "C2：待工作组决定")
    assert table.rows[-1][1] == t.TOTAL and table.rows[-1][3] == 3
    text = render_text(explain(outcome.allocation, "TN01"))
    assert "【12333 回访】" in text and "抽取 3 件，已回访 2 件：属实 1，不属实 1，未回访 1" in text
    assert "第二次接通" in text and "待工作组决定" in text
    assert "12333 回访" not in render_text(explain(outcome.allocation, "TN02"))


def test_summary_shows_the_working_groups_decisions(folder):
    write_callbacks(folder, [
        [YEAR, "TN01", "C1", "2024-12-02", "不属实", "", "不否决", "当事人记错了办理地点", "坐席01", "GD1", "77"],
        [YEAR, "TN01", "C2", "2024-12-02", "属实", "", "", "", "坐席01", "GD2", "77"],
        [YEAR, sample.VETOED, "C3", "2024-12-03", "不属实", "", "", "", "坐席02", "GD3", "77"],
        [YEAR, "TN02", "C4", "", "", "", "", "", "", "", "77"],
    ])
    outcome = run(folder, YEAR)
    rows = {r[0]: r for r in t.callback_table(outcome.allocation).rows}
    assert rows["TN01"][3:] == (2, 2, 1, 1, 0, 0, "C1：不否决（当事人记错了办理地点）")
    assert rows[sample.VETOED][3:] == (1, 1, 0, 1, 0, 0, "C3：已一票否决")
    assert rows["TN02"][3:] == (1, 0, 0, 0, 0, 1, None)
    assert rows["TN03"][3:] == (0, 0, 0, 0, 0, 0, None)  # every active center has a line
    explained = explain(outcome.allocation, "TN01")
    [section] = [s for s in sections(explained) if s.title == "12333 回访"]
    assert section.headers[-1] == "处理决定" and section.rows[0][-1] == "不否决（当事人记错了办理地点）"
    assert section.rows[1][-1] == ""  # a 属实 case needs no decision


def test_template_and_demo_carry_the_sheet():
    from python_calamine import CalamineWorkbook

    from tests.jinbao.support import DEMO

    book = CalamineWorkbook.from_path(str(DEMO))
    assert contract.CALLBACKS in book.sheet_names
    rows = book.get_sheet_by_name(contract.CALLBACKS).to_python()
    assert rows[1][:5] == HEADERS[:5]
    # XB03's case still to decide, and XB04's 专项回访 the working group decided 否决 (its veto's evidence)
    refuted = [r for r in rows[2:] if r[4] == "不属实"]
    assert [(r[1], r[HEADERS.index("处理决定")] or None) for r in refuted] == [("XB04", "否决"), ("XB03", None)]
