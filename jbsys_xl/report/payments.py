"""拨付明细 for 财政 (documents.md §5) — PDF and xlsx, only for an 审定 result with its date.

One payment per center with money to receive (以奖代补) and one per 所属区 with a hardware
subsidy, grouped by 所属区 with 小计, each with its 序号; 收款单位 and 统一社会信用代码 from
中心/硬件 (an empty 收款单位 means the center's or the 所属区's name: one grouped warning), and
开户银行/银行账号 columns when any 中心/硬件 row has them (units' accounts, not personal data; an
empty cell is left blank to fill by hand). Above the table the 审定文号 it rests on (依据：…), the
支付方式, 功能分类科目 and 预算指标文号 (参数; blank lines when empty); under it `共 N 笔`, the
合计 in figures and in capitals (大写), 资金来源, 制表单位 and 制表日期, the three signatures,
and the issuer with （盖章） and the 审定日期.

The .xlsx is what a 财务 clerk pastes into the 预算管理一体化 system: its first sheet holds one
row per payment, header in row 1, every field as a column (amounts as numbers, no 小计 rows to
paste by mistake); its second sheet is the signed list as printed.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import contract
from ..model import Allocation, Check
from ..pipeline import Outcome
from . import page as p
from . import tables as t
from .capitals import capitals

PAYMENTS = "拨付明细"
PRINTED = "拨付明细（打印）"
TITLE = "{year}年度市本级人社基层平台建设补助资金拨付明细"
AWARD, HARDWARE = "以奖代补", "硬件建设补助"
PAYEE = contract.SHEET_SPECS[contract.CENTERS].optional[3]  # 收款单位
BANK, ACCOUNT = "开户银行", "银行账号"
AMOUNT = "金额（元）"
PURPOSES = {AWARD: "{year}年度市本级人社基层平台建设以奖代补资金",
            HARDWARE: "{year}年度市本级人社基层平台硬件建设补助资金"}
BLANK = "____________________"  # a field of 参数 left empty: filled in by hand


@dataclass(frozen=True)
class Payment:
    """One payment to one payee."""

    district: str
    item: str  # 以奖代补 / 硬件建设补助
    center: str  # 中心名称; — for a 所属区's hardware
    payee: str
    credit_code: str
    bank: str
    account: str
    amount: Decimal


def refusal(allocation: Allocation) -> Check | None:
    """A payment list needs the 审定文号 and the 审定日期: the error at the 参数 cell to fill
    while the year is a draft or its 审定 has no date (allocation-rules §2 v4)."""
    s = allocation.settings
    if s.status == contract.STATUS_FINAL and s.approval_date is not None:
        return None
    header = "审定文号" if s.status != contract.STATUS_FINAL else "审定日期"
    sheet, cell = allocation.dataset.origins.get((contract.PARAMS, header), (contract.PARAMS, ""))
    if s.status != contract.STATUS_FINAL:
        return Check("error", sheet, cell, f"{s.year} 年度的审定文号为空，分配结果尚是草案："
                                           "拨付明细须有审定文号，请在审定后填写审定文号和审定日期再生成")
    return Check("error", sheet, cell, f"{s.year} 年度已有审定文号 {s.approval_number}，但审定日期为空："
                                       "拨付明细须注明审定日期，请在“参数”表填写审定日期再生成")


def payments(allocation: Allocation) -> tuple[list[Payment], list[str]]:
    """The payments in 所属区 order (centers in result order, then the 所属区's hardware), and
    the names used where 收款单位 is empty."""
    centers = {c.code: c for c in allocation.dataset.centers}
    hardware = {d.district: d.hardware_subsidy for d in allocation.districts}
    district_payee: dict[str, list[str]] = {}
    for row in allocation.dataset.hardware:  # rows of one 所属区 agree (checked on reading)
        known = district_payee.setdefault(row.district, ["", "", "", ""])
        for index, value in enumerate((row.payee, row.credit_code, row.bank, row.account)):
            known[index] = known[index] or value
    found, defaulted = [], []
    for district in allocation.districts:
        for c in allocation.centers:
            if c.district != district.district or c.total <= 0:
                continue
            center = centers[c.code]
            if not center.payee:
                defaulted.append(c.name)
            found.append(Payment(district.district, AWARD, c.name, center.payee or c.name,
                                 center.credit_code, center.bank, center.account, c.total))
        if hardware.get(district.district, 0) > 0:
            payee, code, bank, account = district_payee.get(district.district, ["", "", "", ""])
            if not payee:
                defaulted.append(district.district)
            found.append(Payment(district.district, HARDWARE, "—", payee or district.district, code,
                                 bank, account, hardware[district.district]))
    return found, defaulted


def with_accounts(found: list[Payment]) -> bool:
    """开户银行/银行账号 are printed when any payee has them (documents.md §5)."""
    return any(payment.bank or payment.account for payment in found)


def payment_table(found: list[Payment]) -> t.Table:
    """The printed table: 序号, the payee, its account when any has one, the amount; a 小计
    per 所属区 and the 合计."""
    accounts = with_accounts(found)
    headers = ("所属区", "项目", "中心名称", PAYEE, "统一社会信用代码",
               *((BANK, ACCOUNT) if accounts else ()), AMOUNT)
    kinds = (t.TEXT,) * (len(headers) - 1) + (t.MONEY,)
    blank = {index: "" for index in range(1, len(headers) - 1)}
    rows, subtotals, body = [], set(), []
    for district in dict.fromkeys(payment.district for payment in found):
        group = [(payment.district, payment.item, payment.center, payment.payee, payment.credit_code,
                  *((payment.bank, payment.account) if accounts else ()), payment.amount)
                 for payment in found if payment.district == district]
        rows += group
        body += group
        subtotals.add(len(rows))
        rows.append(t.summary_row({**blank, 0: district, 1: t.SUBTOTAL}, group, kinds))
    rows.append(t.summary_row({**blank, 0: t.TOTAL}, body, kinds))
    return t.numbered(t.Table(PAYMENTS, headers, kinds, rows, frozenset(subtotals),
                              frozenset({len(rows) - 1})))


def payment_rows(allocation: Allocation) -> tuple[t.Table, list[str]]:
    """The printed table, and the names used where 收款单位 is empty."""
    found, defaulted = payments(allocation)
    return payment_table(found), defaulted


def payee_warning(defaulted: list[str]) -> Check | None:
    if not defaulted:
        return None
    shown = "、".join(defaulted[:5]) + (f" 等 {len(defaulted)} 个" if len(defaulted) > 5 else "")
    return Check("warning", contract.CENTERS, "", f"{len(defaulted)} 个收款方没有填写{PAYEE}，拨付明细按中心名称"
                                                   f"或所属区名称填写：{shown}；请在“中心”“硬件”表的{PAYEE}列填写",
                 count=len(defaulted))


def route_line(allocation: Allocation) -> str:
    """支付方式, 功能分类科目 and 预算指标文号 from 参数; each empty one a line to fill in."""
    s = allocation.settings
    return (f"支付方式：{s.payment_method or BLANK}　　功能分类科目：{s.budget_subject or BLANK}　　"
            f"预算指标文号：{s.budget_document or BLANK}")


def closing(allocation: Allocation, found: list[Payment]) -> p.Page:
    s = allocation.settings
    amount = sum((payment.amount for payment in found), Decimal(0))
    return [p.Paragraph(f"共 {len(found)} 笔　　合计金额（大写）：{capitals(amount)}　　"
                        f"（小写）¥{p.money_text(amount)}", p.SIGN),
            p.Paragraph(p.fund_source(s), p.SIGN),
            p.Paragraph(p.made_by(s), p.SIGN),
            p.Paragraph(p.SIGNATURES, p.SIGN),
            p.Paragraph(f"{s.issuer}（盖章）　　", p.RIGHT),
            p.Paragraph(f"{p.document_date(s)}　　", p.RIGHT)]


def printed_sheet(book, fmt: p.Formats, allocation: Allocation, found: list[Payment], name: str) -> None:
    """The signed list (A4 landscape, the tables' margins), each 所属区 with its 小计 on one
    page where it fits, and the closing lines never alone on a page."""
    s = allocation.settings
    table = payment_table(found)
    wrap = frozenset(table.headers.index(header) for header in ("中心名称", PAYEE, BANK)
                     if header in table.headers)
    size, widths = p.fit_document(table, p.TABLE_WIDTH, wrap)
    sheet = p.Sheet(book, fmt, p.letter_styles(book), name, widths, size, landscape=True,
                    margins=p.TABLE_MARGINS, paginate=True)
    sheet.write([p.Paragraph(TITLE.format(year=s.year), p.TITLE),
                 p.Paragraph(p.basis_line(s) or "", p.SUBTITLE),
                 p.Paragraph(route_line(allocation), p.SIGN),
                 p.Paragraph(t.UNIT_LINE, p.RIGHT), p.Repeat()])
    sheet.table(table, widths, groups=p.subtotal_groups(table))
    sheet.write([p.Keep(), *closing(allocation, found)])


DATA_HEADERS = ("序号", "所属区", "项目", "中心名称", PAYEE, "统一社会信用代码", BANK, ACCOUNT, AMOUNT,
                "用途", "支付方式", "功能分类科目", "预算指标文号", "依据文号", "资金来源")


def data_table(allocation: Allocation, found: list[Payment]) -> t.Table:
    """One row per payment with every field a 一体化 payment needs, for pasting."""
    s = allocation.settings
    rows = [(n, payment.district, payment.item, payment.center, payment.payee, payment.credit_code,
             payment.bank, payment.account, payment.amount, PURPOSES[payment.item].format(year=s.year),
             s.payment_method, s.budget_subject, s.budget_document, s.approval_number, s.fund_source)
            for n, payment in enumerate(found, start=1)]
    kinds = (t.INT,) + (t.TEXT,) * 7 + (t.MONEY,) + (t.TEXT,) * 6
    return t.Table(PAYMENTS, DATA_HEADERS, kinds, rows)


def data_sheet(book, fmt: p.Formats, table: t.Table) -> None:
    """The payments as a plain list: header in row 1, frozen; text stays text (a 银行账号 or a
    统一社会信用代码 never becomes a number)."""
    sheet = book.add_worksheet(PAYMENTS)
    p.write_table(sheet, fmt, table, 0, p.set_widths(sheet, [table]))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(0, len(table.rows)), len(table.headers) - 1)
    p.print_setup(sheet, 0)


def payments_bytes(outcome: Outcome) -> tuple[bytes, list[Check]]:
    """The 拨付明细 as the workbook that prints it (one sheet), and the grouped payee warning.
    Only for an 审定 outcome with its date (:func:`refusal`)."""
    allocation = outcome.allocation
    found, defaulted = payments(allocation)
    data = p.workbook_bytes(TITLE.format(year=allocation.settings.year),
                            lambda book, fmt: printed_sheet(book, fmt, allocation, found, PAYMENTS))
    warning = payee_warning(defaulted)
    return data, [warning] if warning else []


def payments_xlsx(outcome: Outcome) -> tuple[bytes, list[Check]]:
    """The 拨付明细 for 财务: the list to paste (first sheet) and the printed one."""
    allocation = outcome.allocation
    found, defaulted = payments(allocation)

    def build(book, fmt):
        data_sheet(book, fmt, data_table(allocation, found))
        printed_sheet(book, fmt, allocation, found, PRINTED)

    data = p.workbook_bytes(TITLE.format(year=allocation.settings.year), build)
    warning = payee_warning(defaulted)
    return data, [warning] if warning else []
