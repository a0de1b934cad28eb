"""拨付明细 for 财政 (documents.md §5) — xlsx and PDF, only for an 审定 result.

One row per center with money to receive and one per 所属区 with a hardware subsidy, grouped by
所属区 with 小计; 收款单位 and 统一社会信用代码 from 中心/硬件 (an empty 收款单位 means the
center's or the 所属区's name: one grouped warning); 合计 in figures and in capitals (大写);
资金来源, 文号, 制表单位, 制表日期 and the signature lines. Never a bank account.
"""
from __future__ import annotations


from .. import contract
from ..model import Allocation, Check
from ..pipeline import Outcome
from . import page as p
from . import tables as t
from .capitals import capitals

PAYMENTS = "拨付明细"
TITLE = "{year}年度市本级人社基层平台建设补助资金拨付明细"
AWARD, HARDWARE = "以奖代补", "硬件建设补助"
HEADERS = ("所属区", "项目", "中心名称", "收款单位", "统一社会信用代码", "金额（元）")
KINDS = (t.TEXT, t.TEXT, t.TEXT, t.TEXT, t.TEXT, t.MONEY)
PAYEE = contract.SHEET_SPECS[contract.CENTERS].optional[3]  # 收款单位


def refusal(allocation: Allocation) -> Check | None:
    """A payment list needs the 审定文号: the error at its 参数 cell while the year is a draft."""
    if allocation.settings.status == contract.STATUS_FINAL:
        return None
    sheet, cell = allocation.dataset.origins.get((contract.PARAMS, "审定文号"), (contract.PARAMS, ""))
    return Check("error", sheet, cell, f"{allocation.settings.year} 年度的审定文号为空，分配结果尚是草案："
                                       "拨付明细须有审定文号，请在审定后填写审定文号和审定日期再生成")


def payment_rows(allocation: Allocation) -> tuple[t.Table, list[str]]:
    """The table, and the names used where 收款单位 is empty."""
    centers = {c.code: c for c in allocation.dataset.centers}
    hardware = {d.district: d.hardware_subsidy for d in allocation.districts}
    district_payee: dict[str, tuple[str, str]] = {}
    for row in allocation.dataset.hardware:
        known = district_payee.get(row.district, ("", ""))
        district_payee[row.district] = (known[0] or row.payee, known[1] or row.credit_code)
    rows, subtotals, body, defaulted = [], set(), [], []
    for district in allocation.districts:
        group = []
        for c in allocation.centers:
            if c.district != district.district or c.total <= 0:
                continue
            center = centers[c.code]
            if not center.payee:
                defaulted.append(c.name)
            group.append((district.district, AWARD, c.name, center.payee or c.name, center.credit_code,
                          c.total))
        if hardware.get(district.district, 0) > 0:
            payee, code = district_payee.get(district.district, ("", ""))
            if not payee:
                defaulted.append(district.district)
            group.append((district.district, HARDWARE, "—", payee or district.district, code,
                          hardware[district.district]))
        if not group:
            continue
        rows += group
        body += group
        subtotals.add(len(rows))
        rows.append(t.summary_row({0: district.district, 1: t.SUBTOTAL, 2: "", 3: "", 4: ""}, group, KINDS))
    rows.append(t.summary_row({0: t.TOTAL, 1: "", 2: "", 3: "", 4: ""}, body, KINDS))
    return (t.Table(PAYMENTS, HEADERS, KINDS, rows, frozenset(subtotals), frozenset({len(rows) - 1})),
            defaulted)


def payee_warning(defaulted: list[str]) -> Check | None:
    if not defaulted:
        return None
    shown = "、".join(defaulted[:5]) + (f" 等 {len(defaulted)} 个" if len(defaulted) > 5 else "")
    return Check("warning", contract.CENTERS, "", f"{len(defaulted)} 个收款方没有填写{PAYEE}，拨付明细按中心名称"
                                                   f"或所属区名称填写：{shown}；请在“中心”“硬件”表的{PAYEE}列填写",
                 count=len(defaulted))


def payments_bytes(outcome: Outcome) -> tuple[bytes, list[Check]]:
    """The 拨付明细 as a workbook, and the grouped payee warning. Only for an 审定 outcome."""
    allocation = outcome.allocation
    s = allocation.settings
    table, defaulted = payment_rows(allocation)
    amount = table.rows[-1][-1]
    title = TITLE.format(year=s.year)

    def build(book, fmt):
        size = 9
        widths = p.stretch(p.fit_widths(table, size, p.LANDSCAPE_WIDTH), p.LANDSCAPE_WIDTH)
        sheet = p.Sheet(book, fmt, p.letter_styles(book), PAYMENTS, widths, size, landscape=True)
        sheet.write([p.Paragraph(title, p.TITLE), p.Paragraph(p.approval_line(s) or "", p.SUBTITLE),
                     p.Repeat(), table, p.Keep(),
                     p.Paragraph(f"合计金额（大写）：{capitals(amount)}　　（小写）¥{p.money_text(amount)}", p.SIGN),
                     p.Paragraph(f"{p.fund_source(s)}　　文号：{s.approval_number}", p.SIGN),
                     p.Paragraph(p.made_by(s), p.SIGN),
                     p.Paragraph(p.SIGNATURES, p.SIGN)])

    warning = payee_warning(defaulted)
    return p.workbook_bytes(title, build), [warning] if warning else []

