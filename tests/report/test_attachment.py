"""The 附件's v4 content (documents.md §1), read from its pages as text (no LibreOffice): the
资金平衡 says what each line holds and where a veto's money went, the 结余 its destination;
hardware by project with the 工作小组's decisions; an 审定 附件's 异议处理情况, its comparison
with the 公示 (``--since``) and every warning of the run; the 文号 cited, never its own."""
from __future__ import annotations

import copy
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from jbsys_xl import contract, sample
from jbsys_xl.cli import main
from jbsys_xl.pipeline import run
from jbsys_xl.report import attachment as a
from jbsys_xl.report import page as p
from jbsys_xl.report import tables as t
from jbsys_xl.report.diff import since as since_of
from tests.report.conftest import ROUTE
from tests.support import require_soffice
from tests.support import workbooks as wb
from tests.support.approved import NUMBER, approved_demo


def text(outcome, since=None) -> str:
    allocation = outcome.allocation
    first = a.first_page(allocation, t.numbered(a.allocation_table(allocation)))
    pages = [first, a.second_page(allocation, a.run_warnings(outcome), since)]
    return "".join(p.page_text(pages).split())


def balance(allocation) -> dict[str, Decimal]:
    return {row[0].strip("　"): row[2] for row in a.balance_table(allocation).rows}


@pytest.fixture(scope="module")
def final(paid_demo):
    outcome = run(paid_demo)
    assert outcome.ok and outcome.allocation.settings.status == contract.STATUS_FINAL
    return outcome


def test_the_final_attachment_cites_its_basis_and_lists_what_the_signer_accepts(final):
    found = text(final)
    assert f"依据：{NUMBER}（2024年12月20日审定）" in found
    assert f"{NUMBER}　审定日期" not in found  # no longer printed as the document's own 文号
    assert "异议处理情况" in found and a.NO_OBJECTIONS in found
    assert "审定时已知悉的事项" in found and "尚待处理的事项" not in found
    for check in final.warnings:
        assert "".join(str(check).split()) in found


def test_the_draft_attachment_lists_the_open_matters_and_no_objection_section(outcome):
    found = text(outcome)
    assert "尚待处理的事项" in found and "异议处理情况" not in found and "依据：" not in found
    assert len(outcome.warnings) > 3 and all("".join(str(c).split()) in found for c in outcome.warnings)


def test_balance_says_what_it_holds_and_where_the_surplus_goes(final):
    allocation = final.allocation
    lines = balance(allocation)
    assert a.FORFEITED in lines and a.VETO_WITHHELD not in lines  # 剔除: nothing of a veto withheld
    parts = (a.FORFEITED, "硬件预算未用", "工作量取整余额", "其他未分配")
    assert sum(lines[part] for part in parts) == lines["结余"] == allocation.pools.balance
    found = text(final)
    assert f"结余去向：{ROUTE['结余去向']}" in found
    assert a.VETO_SHARED in found and "春江镇人社服务中心" in found.split(a.VETO_SHARED)[1]
    assert "一票否决不予拨付的资金" not in found  # v3's wording, which the review refused


def test_an_empty_surplus_destination_is_a_line_to_fill(outcome):
    assert "结余去向：____" in text(outcome)


def veto_counted(tmp_path, forfeit: str):
    """The small book with 否决处理 = 计入 and 乙中心 vetoed."""
    sheets = wb.base()
    sheets["参数"][0] += ["否决处理", "扣减资金处理"]
    sheets["参数"][1] += ["计入", forfeit]
    wb.set_cell(sheets, "评定", 3, "一票否决", "是")
    wb.set_cell(sheets, "评定", 3, "否决原因", "业务量弄虚作假")
    outcome = run(wb.write(tmp_path / f"{forfeit}.xlsx", sheets), 2024)
    assert outcome.ok, outcome.errors
    return outcome


def test_a_counted_veto_withheld_is_its_own_line(tmp_path):
    """计入 + 收回: the vetoed center's workload money is withheld as such, apart from the
    deductions; together they are the forfeited pool."""
    allocation = veto_counted(tmp_path, "收回").allocation
    vetoed = next(c for c in allocation.centers if c.vetoed)
    lines = balance(allocation)
    assert vetoed.gross_workload > 0 and lines[a.VETO_WITHHELD] == vetoed.gross_workload
    assert lines[a.FORFEITED] + lines[a.VETO_WITHHELD] == allocation.pools.forfeited


def test_a_counted_veto_redistributed_is_named_with_the_redistribution(tmp_path):
    allocation = veto_counted(tmp_path, "再分配").allocation
    lines = balance(allocation)
    assert a.VETO_WITHHELD not in lines and lines["其中再分配"] == allocation.pools.redistributed_total > 0
    note = next(row[1] for row in a.balance_table(allocation).rows if row[0].strip("　") == "其中再分配")
    assert "乙中心" in note


def test_hardware_is_listed_by_project_with_the_working_groups_decisions(final):
    table = a.hardware_table(final.allocation)
    rows = [dict(zip(table.headers, row)) for index, row in enumerate(table.rows) if not table.is_summary(index)]
    projects = {h.project for h in final.allocation.dataset.hardware}
    assert {row["项目名称"] for row in rows} == projects and all("标准化改造" in name for name in projects)
    assert [row["序号"] for row in rows] == list(range(1, len(rows) + 1))
    late = next(row for row in rows if row["已备案"] == a.LATE)
    assert late["处理决定"] == "补助" and "逾期备案" in late["决定说明"] and late["备案日期"] == "2024-04-18"
    unfiled = next(row for row in rows if row["已备案"] == "否")
    assert unfiled["处理决定"] == "不予补助" and unfiled["补助"] == 0
    assert "未备案的不予补助" not in text(final)  # not the regulation's rule (附件1 四(一))


def test_a_confirmed_winner_with_a_complaint_is_footnoted(tmp_path):
    """Review m10: the working group confirmed 甲中心 although it has a 有理 complaint."""
    sheets = wb.base()
    wb.set_cell(sheets, "评定", 2, "综合优胜", "是")
    allocation = run(wb.write(tmp_path / "w.xlsx", sheets), 2024).allocation
    assert a.winner_note(allocation) == "注：综合优胜单位中，甲中心（C01）有理投诉 1 件，经工作小组研究仍确定为优胜单位。"
    assert a.winner_note(run(wb.write(tmp_path / "n.xlsx", wb.base()), 2024).allocation) is None  # proposed


# --- objections and the comparison with the 公示 ------------------------------------------------------

@pytest.fixture(scope="module")
def objection(tmp_path_factory):
    """The 公示 run (the demo settled, not yet 审定) and the 审定 after XB06's objection was
    upheld (B → A: 服务场所 综合服务窗口)."""
    folder = tmp_path_factory.mktemp("objection")
    final_rows = approved_demo()
    public = copy.deepcopy(final_rows)
    next(row for row in public[contract.PARAMS] if row["年度"] == 2024).update(审定文号=None, 审定日期=None)
    name = sample.center_name("新桥街道")
    for row in final_rows[contract.RATINGS]:
        if row["年度"] == 2024 and row["中心"] == name:
            row["服务场所"] = "综合服务窗口"
    final_rows[contract.OBJECTIONS].append(dict(
        final_rows[contract.OBJECTIONS][0], 年度=2024, 中心="XB06", 收到日期=date(2024, 12, 12),
        异议内容="本中心已设综合服务窗口，评定为 B 类有误", 处理结果="调整",
        处理说明="经现场核查，综合服务窗口 2024 年 3 月起运行，按 A 类评定", 处理日期=date(2024, 12, 16)))
    return (sample.write_rows(folder / "公示.xlsx", public, 2024),
            sample.write_rows(folder / "审定.xlsx", final_rows, 2024))


def test_the_objection_and_what_changed_since_the_publicity(objection):
    public, approved = objection
    outcome = run(approved)
    since = since_of(public, outcome)
    found = text(outcome, since)
    assert "异议处理情况" in found and "本中心已设综合服务窗口，评定为B类有误" in found and "调整" in found
    assert "2024年12月12日" in found and "2024年12月16日" in found
    assert "与公示稿相比的变化" in found and "比较对象：公示.xlsx（草案）" in found
    xb06 = next(change for change in since.changes if change.code == "XB06")
    assert xb06.new - xb06.old > 9000  # A's award and more workload money
    assert any(cause["what"] == "服务场所" and cause["new"] == "综合服务窗口" for cause in xb06.inputs)
    assert len(since.changes) == len(outcome.allocation.centers) - 1  # every paid center moved (W′)
    assert a.since_warning(outcome.allocation, since) is None


def test_an_upheld_objection_without_since_warns_at_its_cell(objection):
    _, approved = objection
    outcome = run(approved)
    warning = a.since_warning(outcome.allocation, None)
    assert warning is not None and warning.sheet == "异议" and warning.cell
    assert "report --since" in warning.message
    _, found = a.attachment_bytes(outcome)
    assert found == [warning]


def test_report_since_refuses_what_it_cannot_compare(objection, tmp_path, capsys):
    public, approved = objection
    pdf = tmp_path / "附件.pdf"
    stray = tmp_path / "说明.txt"
    stray.write_text("不是结果", encoding="utf-8")
    assert main(["report", str(approved), "--pdf", str(pdf), "--since", str(stray)]) == 2
    assert "--since" in capsys.readouterr().err and not pdf.exists()
    assert main(["report", str(approved), "--pdf", str(approved), "--since", str(public)]) == 2  # over an input
    assert main(["documents", str(approved), "-o", str(tmp_path / "set"), "--since", str(stray)]) == 2
    assert not (tmp_path / "set").exists()


def test_report_since_prints_the_comparison(objection, tmp_path, pdftotext):
    require_soffice()
    public, approved = objection
    pdf = tmp_path / "附件.pdf"
    assert main(["report", str(approved), "--pdf", str(pdf), "--since", str(public)]) == 0
    found = "".join(subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "与公示稿相比的变化" in found and "评定!" in found and "服务场所：无→综合服务窗口" in found


def test_decision_columns_only_where_a_project_needs_a_decision(tmp_path, final):
    """Every project filed in time: no 处理决定/决定说明 columns; a late or unfiled one: they
    stay (blank while the 工作小组 has not decided)."""
    on_time = a.hardware_table(run(wb.write(tmp_path / "h.xlsx", wb.base()), 2024).allocation)
    assert "处理决定" not in on_time.headers and on_time.headers[2] == "项目名称"
    assert on_time.rows[0][2] == "第 1 项"  # unnamed: numbered, as the notice names it
    assert {"处理决定", "决定说明"} <= set(a.hardware_table(final.allocation).headers)


def test_the_last_section_lists_what_the_documents_warn_about_too(tmp_path):
    """An 审定 run whose 收款单位 are empty and whose indicators have no 条线: those warnings
    (the 拨付明细's and the 条线确认表's) are on the 附件 too, whichever documents are made."""
    sheets = wb.approved(wb.base(), "常人社〔2024〕1号")
    outcome = run(wb.write(tmp_path / "b.xlsx", sheets), 2024)
    assert outcome.ok, outcome.errors
    listed = a.run_warnings(outcome)
    assert any("收款单位" in check.message for check in listed)
    assert any("未指定条线" in check.message for check in listed)
    found = text(outcome)
    assert all("".join(str(check).split()) in found for check in listed)
