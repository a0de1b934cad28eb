"""Every center's explanation adds up to its money and reads back on the terminal."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from jbsys_xl.cli import main
from jbsys_xl.report.explain import UnknownCenter, explain, render_text, sections
from jbsys_xl.report.tables import MONEY, cell_text


def total_section(explanation):
    return sections(explanation)[-1]


@pytest.mark.parametrize("which", ["outcome", "small_outcome"])
def test_every_explanation_adds_up_to_the_center_total(which, request):
    allocation = request.getfixturevalue(which).allocation
    for center in allocation.centers:
        e = explain(allocation, center.code)
        r = e.result
        assert r.basic_award + r.net_workload + r.redistributed + r.winner_award == center.total
        table = total_section(e)
        amount = table.headers.index("金额（元）")
        *parts, total = [row[amount] for row in table.rows]
        assert total == center.total == sum(parts, Decimal(0))
        assert sum((line.factor_score for line in e.lines), Fraction(0)) == center.score
        numbers = {c.number for c in e.complaints if c.number}
        assert len(numbers) + sum(1 for c in e.complaints if not c.number) == center.complaints


def test_indicator_shares_cover_the_whole_city(outcome):
    allocation = outcome.allocation
    lines = [explain(allocation, c.code).lines for c in allocation.centers]
    for per_indicator in zip(*lines):
        if per_indicator[0].indicator_total:
            assert sum(line.share for line in per_indicator) == 1


def test_center_by_code_or_name(outcome):
    allocation = outcome.allocation
    center = allocation.centers[4]
    assert explain(allocation, center.name).result is explain(allocation, f" {center.code} ").result


def test_unknown_and_inactive_centers_are_refused(outcome):
    with pytest.raises(UnknownCenter, match="找不到"):
        explain(outcome.allocation, "不存在的中心")
    with pytest.raises(UnknownCenter, match="未启用"):
        explain(outcome.allocation, "ZL06")  # closed before the sample year


def test_text_shows_total_complaints_and_veto(outcome):
    allocation = outcome.allocation
    for center in allocation.centers:
        text = render_text(explain(allocation, center.code))
        assert center.code in text and center.name in text
        assert cell_text(center.total, MONEY) in text.splitlines()[-1]
    vetoed = next(c for c in allocation.centers if c.vetoed)
    assert "一票否决" in render_text(explain(allocation, vetoed.code))
    complained = next(c for c in allocation.centers if c.complaints)
    text = render_text(explain(allocation, complained.code))
    for complaint in explain(allocation, complained.code).complaints:
        assert complaint.day.isoformat() in text
    assert f"有理投诉 {complained.complaints} 件" in text


def test_redistribution_is_explained(small_outcome):
    """C03 has no deduction of its own: it shares the forfeit; C02 (a 扣减) and C01 (a
    complaint) do not, and say why."""
    text = render_text(explain(small_outcome.allocation, "C03"))
    assert "扣减资金 " in text and "实得占比" in text
    text = render_text(explain(small_outcome.allocation, "C02"))
    assert "本中心有投诉扣减或差错扣减，不参与再分配" in text
    assert "再分配只给实得工作量补助大于 0、本身未被扣减且未被否决的中心" in text


def test_veto_rule_is_explained(outcome):
    """The sample year uses 剔除 (default): the vetoed center and the others say so."""
    allocation = outcome.allocation
    vetoed = next(c for c in allocation.centers if c.vetoed)
    text = render_text(explain(allocation, vetoed.code))
    assert "否决处理  剔除：本中心业务量不计入市本级合计和最高业务量，各项因素得分为 0" in text
    assert vetoed.score == 0 and all(not line.share for line in explain(allocation, vetoed.code).lines)
    honest = next(c for c in allocation.centers if not c.vetoed)
    assert "剔除：1 个被一票否决的中心业务量不计入市本级合计和最高业务量" in \
        render_text(explain(allocation, honest.code))


def test_recorded_grade_and_counted_once_are_explained(outcome):
    allocation = outcome.allocation
    assert "可评定为 A+，评定等次为 A" in render_text(explain(allocation, "ZL08"))
    twice = next(c for c in allocation.centers
                 if len(explain(allocation, c.code).complaints) > c.complaints)
    assert "投诉编号相同的只计一次" in render_text(explain(allocation, twice.code))


def test_cli_explain(sample_path, outcome, capsys):
    center = outcome.allocation.centers[-1]
    assert main(["explain", str(sample_path), "--year", "2024", "--center", center.name]) == 0
    out = capsys.readouterr().out
    assert cell_text(center.total, MONEY) in out and center.code in out
    assert main(["explain", str(sample_path), "--year", "2024", "--center", "nope"]) == 2
    assert "找不到中心" in capsys.readouterr().err
    assert main(["explain", str(sample_path), "--year", "2019", "--center", "XB09"]) == 2
    assert "错误" in capsys.readouterr().err
