"""附件: the allocation table a reviewer signs (documents.md §1) — ``report --pdf``, and the
分配结果 and 资金平衡 sheets of the result workbook.

Page one: the centers grouped by 所属区 with 小计 and 合计, every row adding up (基础达标奖励 +
工作量补助（实得） + 再分配 + 优胜奖励 = 合计), and in a draft the share of the 合计 that only
proposed winners make. Page two: the hardware subsidies, the 资金平衡 that reconciles the fund
to the fen (结余 split into four parts that add up to it), 资金来源, the rounding rule, and the
lines for 制表单位, 制表日期 and the three signatures.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .. import contract
from ..model import Allocation
from ..pipeline import Outcome
from ..rules.allocate import hardware_subsidy
from . import page as p
from . import tables as t
from .json_result import score_number

ATTACHMENT = "附件"
BALANCE_SHEET = "资金平衡"
HARDWARE = "硬件建设补助"
LABEL = t.CENTER_LABELS
VETO_MARK = "否决"
COLUMNS = ("code", "name", "grade", "vetoed", "score", "basic_award", "gross_workload", "complaints",
           "complaint_deduction", "error_deduction", "net_workload", "redistributed", "winner_award",
           "winner_status", "total")
TEXT_KEYS = ("code", "name", "grade", "vetoed", "winner_status")
_HARDWARE_HEADERS = contract.SHEET_SPECS[contract.HARDWARE].headers
# 所属区, 预算补助, 计划投入, 实际投入, 已备案, 备案日期
HARDWARE_HEADERS = (_HARDWARE_HEADERS[1], *_HARDWARE_HEADERS[2:7], "补助")


def allocation_table(allocation: Allocation) -> t.Table:
    """The centers in §1's columns, grouped by 所属区 with 小计 and 合计."""
    kinds = tuple(t.TEXT if key in TEXT_KEYS else t.CENTER_KINDS.get(key, t.TEXT) for key in COLUMNS)

    def row(c) -> tuple:
        values = {"vetoed": VETO_MARK if c.vetoed else "", "score": score_number(c.score),
                  "winner_status": c.winner_status or ""}
        return tuple(values.get(key, getattr(c, key)) for key in COLUMNS)

    table = t.grouped(allocation, tuple(LABEL[key] for key in COLUMNS), kinds, row,
                      name_at=COLUMNS.index("name"))
    return t.Table(contract.RESULT_SHEET, table.headers, table.kinds, table.rows, table.subtotals,
                   table.totals)


def proposed_note(allocation: Allocation) -> str | None:
    """A draft's warning that some 优胜奖励 are proposals, and how much of the 合计 they are."""
    proposed = [c for c in allocation.centers if c.winner_status == contract.WINNER_PROPOSED]
    if not proposed:
        return None
    amount = sum((c.winner_award for c in proposed), Decimal(0))
    total = sum((c.total for c in allocation.centers), Decimal(0))
    share = t.cell_text(Fraction(amount) / Fraction(total) if total else 0, t.PERCENT)
    return (f"注：优胜状态为“{contract.WINNER_PROPOSED}”的 {len(proposed)} 个中心的优胜奖励共 "
            f"{p.money_text(amount)} 元是按得分提出的建议，尚未经工作小组确定，占合计 "
            f"{p.money_text(total)} 元的 {share}；确定前不得据此拨付。")


def hardware_table(allocation: Allocation) -> t.Table:
    """Each 硬件 row of the year with its subsidy, a 小计 for a 所属区 of several rows, 合计."""
    kinds = (t.TEXT, t.MONEY, t.MONEY, t.MONEY, t.TEXT, t.TEXT, t.MONEY)
    unit = allocation.settings.unit
    rows, subtotals, body = [], set(), []
    for district in t.hardware_districts(allocation):
        group = [(h.district, h.budget, h.planned, h.actual, t.yes_no(h.filed),
                  h.filed_on.isoformat() if h.filed_on else "", hardware_subsidy(h, unit))
                 for h in allocation.dataset.hardware if h.district == district]
        rows += group
        body += group
        if len(group) > 1:
            subtotals.add(len(rows))
            rows.append(t.summary_row({0: f"{district} {t.SUBTOTAL}", 4: "", 5: ""}, group, kinds))
    rows.append(t.summary_row({0: t.TOTAL, 4: "", 5: ""}, body, kinds))
    return t.Table(HARDWARE, HARDWARE_HEADERS, kinds, rows, frozenset(subtotals),
                   frozenset({len(rows) - 1}))


def balance_table(allocation: Allocation) -> t.Table:
    """资金平衡: the fund, what is paid, and the 结余 in four parts that add up to it."""
    pools, s = allocation.pools, allocation.settings
    centers = pools.paid_total - pools.hardware_total
    amounts = t.balance_parts(pools)
    other = amounts["other"]
    notes = {"forfeited": "投诉扣减、差错扣减和一票否决不予拨付的资金"
                          + ("（再分配后的余额）" if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE else ""),
             "hardware_unused": "各区预算补助合计 − 硬件补助合计",
             "rounding": "工作量绩效资金 − 按最大余额法分配到" + ("分" if s.unit < 1 else "元") + "的合计",
             "other": "资金总额 − 工作绩效资金 − 硬件资金预算"}
    parts = [(label, notes[key], amounts[key]) for key, label in t.BALANCE_PARTS]
    rows = [("资金总额", "工作绩效资金 + 硬件资金预算 + 其他", pools.total_fund),
            ("　工作绩效资金", "", pools.performance_fund),
            ("　硬件资金预算", "各区预算补助合计", pools.hardware_budget),
            ("　其他", "", other),
            ("实际拨付", "中心合计 + 硬件补助", pools.paid_total),
            ("　中心合计", "分配表合计", centers),
            ("　硬件补助", "硬件建设补助合计", pools.hardware_total),
            ("结余", "资金总额 − 实际拨付 = 以下四项之和", pools.balance),
            *(("　" + label, note, amount) for label, note, amount in parts)]
    return t.Table(BALANCE_SHEET, (t.ITEM_LABEL, "说明", t.AMOUNT), (t.TEXT, t.TEXT, t.MONEY), rows,
                   subtotals=frozenset({0, 4, 7}))


def title(allocation: Allocation) -> str:
    return t.TITLES[contract.RESULT_SHEET].format(year=allocation.settings.year)


def first_page(allocation: Allocation, table: t.Table) -> p.Page:
    s = allocation.settings
    blocks: p.Page = [p.Paragraph(ATTACHMENT, p.LABEL),
                      p.Paragraph(p.title_with_status(title(allocation), s), p.TITLE)]
    if approval := p.approval_line(s):
        blocks.append(p.Paragraph(approval, p.SUBTITLE))
    blocks += [p.Paragraph(t.UNIT_LINE, p.RIGHT), p.Repeat(), table]
    if note := proposed_note(allocation):
        blocks += [p.Keep(), p.Paragraph(note, p.NOTE)]
    return blocks


def second_page(allocation: Allocation) -> p.Page:
    s = allocation.settings
    return [p.Paragraph(p.title_with_status(f"{title(allocation)}（续）", s), p.SUBTITLE),
            p.Paragraph(f"一、{HARDWARE}（{t.UNIT_LINE}）", p.HEADING), hardware_table(allocation),
            p.Paragraph(f"二、资金平衡（{t.UNIT_LINE}）", p.HEADING), balance_table(allocation),
            p.Paragraph(f"{p.fund_source(s)}。注：{p.rounding_note(s)}；先建后补的硬件补助按"
                        "预算补助 × min(1, 实际投入 ÷ 计划投入) 计，且不超过实际投入，未备案的不予补助。",
                        p.NOTE),
            p.Paragraph(p.made_by(s), p.SIGN),
            p.Paragraph(p.SIGNATURES, p.SIGN)]


def pages(allocation: Allocation) -> list[p.Page]:
    return [first_page(allocation, allocation_table(allocation)), second_page(allocation)]


def attachment_sheets(book, fmt: p.Formats, allocation: Allocation) -> None:
    """The two sheets of the 附件 (分配结果, 资金平衡) in ``book``: A4 landscape with the tables'
    margins, a 序号 column, names broken only between words, each 所属区 kept with its 小计 on
    one page where it fits (:class:`page.Sheet` with ``paginate``)."""
    table = t.numbered(allocation_table(allocation))
    name = table.headers.index(LABEL["name"])
    size, widths = p.fit_document(table, p.TABLE_WIDTH, wrap=frozenset({name}))
    styles = p.letter_styles(book)
    first = p.Sheet(book, fmt, styles, contract.RESULT_SHEET, widths, size, landscape=True,
                    margins=p.TABLE_MARGINS, paginate=True)
    blocks = first_page(allocation, table)
    at = blocks.index(table)
    first.write(blocks[:at])
    top = first.row
    first.table(table, widths, groups=p.subtotal_groups(table))
    first.sheet.freeze_panes(top + 1, name + 1)
    first.write(blocks[at + 1:])
    first.sheet.repeat_columns(0, name)  # a table too wide for the paper keeps its names
    hardware = hardware_table(allocation)
    grid = p.stretch(p.document_widths(hardware, size), p.TABLE_WIDTH)
    second = p.Sheet(book, fmt, styles, BALANCE_SHEET, grid, size, landscape=True,
                     margins=p.TABLE_MARGINS, paginate=True)
    second.write(second_page(allocation))


def attachment_bytes(outcome: Outcome) -> bytes:
    """The 附件 as a workbook of its two sheets, ready to print or convert."""
    allocation = outcome.allocation
    return p.workbook_bytes(p.title_with_status(title(allocation), allocation.settings),
                            lambda book, fmt: attachment_sheets(book, fmt, allocation))
