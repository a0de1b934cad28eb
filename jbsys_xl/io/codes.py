"""统一社会信用代码 (GB 32100-2015): the payee's code on 拨付明细, checked in every run because a
wrong digit sends money to nobody (documents.md §5)."""
from __future__ import annotations

from ..contract import CREDIT_CODE_CHARS, CREDIT_CODE_WEIGHTS
from . import values as v

CREDIT_CODE_LENGTH = 18


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (all in the code alphabet)."""
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


@v.refuse_cell_errors
def credit_code(value, label: str = "统一社会信用代码") -> str | None:
    """The code, or BadValue saying what is wrong with it. Letters I, O, S, V, Z are not in
    the alphabet (they read like 1, 0, 5, U, 2); lower case is refused too, as the standard
    writes the code (a payment list must carry it exactly as registered)."""
    code = v.text(value)
    if code is None:
        return None
    if len(code) != CREDIT_CODE_LENGTH:
        raise v.BadValue(f"{label}“{code}”应为 {CREDIT_CODE_LENGTH} 位，实为 {len(code)} 位")
    wrong = [ch for ch in code if ch not in CREDIT_CODE_CHARS]
    if wrong:
        case = "，请改为大写" if wrong[0].upper() in CREDIT_CODE_CHARS else ""
        raise v.BadValue(f"{label}“{code}”含有不允许的字符“{wrong[0]}”（只能是数字和除 I、O、S、V、Z "
                         f"以外的大写字母{case}）")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise v.BadValue(f"{label}“{code}”的校验码不对：按 GB 32100-2015 最后一位应为“{expected}”，"
                         "请核对营业执照或登记证书上的代码")
    return code
