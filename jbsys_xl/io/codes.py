"""统一社会信用代码 (GB 32100-2015): the payee's code on 拨付明细, checked in every run because a
wrong digit sends money to nobody (documents.md §5)."""
from __future__ import annotations

from ..contract import ACCOUNT_CHARS, CREDIT_CODE_CHARS, CREDIT_CODE_WEIGHTS
from . import values as v
from .names import normalize

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


EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number: longer accounts lose their tail


@v.refuse_cell_errors
def bank_account(value, label: str = "银行账号") -> str | None:
    """A unit's 银行账号 as typed: digits, grouped by spaces or '-' if people like (documents.md
    §5). A number cell is accepted only while Excel can hold it exactly: a 19-digit account
    typed as a number has already lost its last digits, and money would go nowhere."""
    if v.is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = v.show(value)
        if not digits.isdigit() or len(digits) > EXCEL_DIGITS:
            raise v.BadValue(f"{label}“{digits}”存为数字，Excel 只保留 {EXCEL_DIGITS} 位有效数字，"
                             "账号的末几位可能已经变了；请把该列设为文本后按开户许可证重新输入")
        return digits
    account = normalize(v.text(value))  # full-width digits typed with the IME are digits
    wrong = next((ch for ch in account if ch not in ACCOUNT_CHARS), None)
    if wrong is not None or not any(ch.isdigit() for ch in account):
        shown = f"有“{wrong}”" if wrong is not None else "没有数字"
        raise v.BadValue(f"{label}“{account}”{shown}：账号只能由数字组成（可用空格或“-”分组）")
    return account


def account_digits(account: str) -> str:
    """An account without its grouping, to tell whether two rows name the same account."""
    return "".join(ch for ch in account if ch.isdigit())
