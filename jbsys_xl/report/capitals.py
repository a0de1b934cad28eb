"""Amounts in Chinese capitals (大写) for the payment list (documents.md §6).

The integer part is read digit by digit: a run of zeros inside the number is one 零 (also across
an empty 万 group), zeros at its end are not written, and 万/亿 close a group that holds a digit.
Where the 人民银行 rules leave a choice we take one: no 零 between 元 and 角, and a 零 after
万/亿 when the 仟 digit is 0 (¥107,000.53 → 壹拾万零柒仟元伍角叁分). An amount that ends in 元
or in 角 ends in 整 (会计基础工作规范 第五十二条: 到元或者角为止的，在“元”或者“角”字之后应当写
“整”字): ¥12.50 → 壹拾贰元伍角整, the form a 财政 reviewer checks against.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
PREFIX = "人民币"
CENT = Decimal("0.01")


def _integer(number: int) -> str:
    digits = str(number)
    if len(digits) > 4 * len(GROUPS):
        raise ValueError(f"金额过大，无法写成大写：{number}")
    out, zero = [], False
    for index, digit in enumerate(digits):
        position = len(digits) - 1 - index
        if digit == "0":
            zero = True
        else:
            if zero:
                out.append(DIGITS[0])
                zero = False
            out.append(DIGITS[int(digit)] + PLACES[position % 4])
        group = position // 4
        if position % 4 == 0 and group and int(digits[max(0, index - 3):index + 1]):
            out.append(GROUPS[group])
    return "".join(out)


def capitals(amount: Decimal) -> str:
    """人民币… for an amount of 元 (rounded to the fen), e.g. 人民币叁拾捌万伍仟元整."""
    amount = Decimal(amount).quantize(CENT, ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(f"金额不能为负：{amount}")
    fen = int(amount * 100)
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    head = _integer(yuan) + "元" if yuan else ""
    if not jiao and not cents:
        return PREFIX + (head or "零元") + "整"
    tail = (DIGITS[jiao] + "角" if jiao else (DIGITS[0] if head else ""))
    tail += DIGITS[cents] + "分" if cents else "整"  # 角 without 分: X角整
    return PREFIX + head + tail
