"""大写 amounts (documents.md §6): every example of the spec word for word, and one case per rule
(v4: an amount ending in 角 ends in 整, 会计基础工作规范 第五十二条)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jbsys_xl.report.capitals import capitals

CASES = [
    # documents.md §6, verbatim
    ("2438420.97", "人民币贰佰肆拾叁万捌仟肆佰贰拾元玖角柒分"),
    ("385000.00", "人民币叁拾捌万伍仟元整"),
    ("1005.00", "人民币壹仟零伍元整"),
    ("100000010.05", "人民币壹亿零壹拾元零伍分"),
    ("0.30", "人民币叁角整"),  # v4: 角整
    ("0.05", "人民币伍分"),
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),  # the optional 零 after 元 is not written
    ("107000.53", "人民币壹拾万零柒仟元伍角叁分"),  # the optional 零 after 万 is written
    # zero
    ("0.00", "人民币零元整"),
    ("0", "人民币零元整"),
    # 0.xx: no 元, 分 alone without 零
    ("0.35", "人民币叁角伍分"),
    ("0.01", "人民币壹分"),
    # 角 only → X角整; 分 only after 元 → 零X分 (no 整 after 分)
    ("12.50", "人民币壹拾贰元伍角整"),
    ("0.10", "人民币壹角整"),
    ("2500100.50", "人民币贰佰伍拾万零壹佰元伍角整"),
    ("1680.30", "人民币壹仟陆佰捌拾元叁角整"),
    ("12.05", "人民币壹拾贰元零伍分"),
    # 10–19 at the start: 壹拾
    ("10.00", "人民币壹拾元整"),
    ("15.00", "人民币壹拾伍元整"),
    ("110000.00", "人民币壹拾壹万元整"),
    # zeros at the end of the integer part are not written
    ("200.00", "人民币贰佰元整"),
    ("30000.00", "人民币叁万元整"),
    ("100000000.00", "人民币壹亿元整"),
    # a run of zeros inside is one 零
    ("10001.00", "人民币壹万零壹元整"),
    ("1050000.00", "人民币壹佰零伍万元整"),
    ("100500.00", "人民币壹拾万零伍佰元整"),
    ("2003.40", "人民币贰仟零叁元肆角整"),
    # across an empty 万 group
    ("100000001.00", "人民币壹亿零壹元整"),
    ("500001000.00", "人民币伍亿零壹仟元整"),
    ("120000345.67", "人民币壹亿贰仟万零叁佰肆拾伍元陆角柒分"),
    ("1000000000000.00", "人民币壹万亿元整"),
    # inside a group
    ("101.00", "人民币壹佰零壹元整"),
    ("69520.81", "人民币陆万玖仟伍佰贰拾元捌角壹分"),
    # rounded to the fen first
    ("1.005", "人民币壹元零壹分"),
]


@pytest.mark.parametrize("amount, text", CASES)
def test_capitals(amount, text):
    assert capitals(Decimal(amount)) == text


def test_only_an_amount_ending_in_yuan_or_jiao_ends_in_zheng():
    """整 closes 元 and 角, never 分 (会计基础工作规范 第五十二条)."""
    for fen in range(0, 1000):
        text = capitals(Decimal(fen) / 100 + 7)
        assert text.endswith("整") == (fen % 10 == 0), text


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        capitals(Decimal("-1"))
