"""附件: the allocation table a reviewer signs (documents.md §1) — ``report --pdf``, and the
分配结果 and 资金平衡 sheets of the result workbook.

Page one: the centers grouped by 所属区 with 小计 and 合计, a 序号 per center, every row adding
up (基础达标奖励 + 工作量补助（实得） + 再分配 + 优胜奖励 = 合计); under it, in a draft, the share of
the 合计 that only proposed winners make, and a note on each confirmed winner with a 有理
complaint or a deduction (the 工作小组 chose it knowing that). The pages after: each hardware
project by its 项目名称 with its 备案 and, when late or not filed, the 工作小组's decision; the
资金平衡 that reconciles the fund to the fen, saying what the 结余 holds and where it goes, and
where a vetoed center's money went; 资金来源 and the rounding rule; in an 审定 附件 the year's
异议 and how each was settled; with ``--since`` what changed since the 公示; last, every warning
of the run (审定时已知悉的事项, in a draft 尚待处理的事项) — then 制表单位, 制表日期 and the
three signatures. The 审定文号 is cited (依据：…), never printed as this document's own 文号.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from .. import contract
from ..clock import chinese_date
from ..model import Allocation, Check, HardwareRow
from ..pipeline import Outcome
from ..rules.allocate import hardware_subsidy
from . import page as p
from . import tables as t
from .confirmations import departments
from .diff import Since
from .json_result import score_number
from .payments import payee_warning, payments, refusal

ATTACHMENT = "附件"
BALANCE_SHEET = "资金平衡"
HARDWARE = "硬件建设补助"
LABEL = t.CENTER_LABELS
VETO_MARK = "否决"
COLUMNS = ("code", "name", "grade", "vetoed", "score", "basic_award", "gross_workload", "complaints",
           "complaint_deduction", "error_deduction", "net_workload", "redistributed", "winner_award",
           "winner_status", "total")
TEXT_KEYS = ("code", "name", "grade", "vetoed", "winner_status")
HARDWARE_HEADERS = ("序号", "所属区", "项目名称", "预算补助", "计划投入", "实际投入", "已备案", "备案日期",
                    "处理决定", "决定说明", "补助")
HARDWARE_KINDS = (t.INT, t.TEXT, t.TEXT, t.MONEY, t.MONEY, t.MONEY, t.TEXT, t.TEXT, t.TEXT, t.TEXT,
                  t.MONEY)
LATE = "逾期备案"
OBJECTION_HEADERS = ("序号", "中心名称", "收到日期", "异议内容", "处理结果", "处理说明", "处理日期")
CHANGE_HEADERS = ("序号", "中心编码", "中心名称", "原合计", "新合计", "变化", "变化原因")
CAUSES_SHOWN = 6  # input changes named per center; more are counted
# v4 wording of 资金平衡 (documents.md §1): what the forfeited line holds, where a veto's money went
FORFEITED = "扣减收回（投诉扣减、差错扣减，不予拨付）"
VETO_WITHHELD = "一票否决不予拨付"
VETO_SHARED = "一票否决中心不参加分配，其份额已按规则由其他中心分得，不单独收回"
NO_OBJECTIONS = "本年度未收到异议"


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


def winner_note(allocation: Allocation) -> str | None:
    """A note on each confirmed winner with a 有理 complaint or a deduction (review m10): the
    working group chose it knowing that, and the signer should see it."""
    found = []
    for c in allocation.centers:
        if c.winner_status != contract.WINNER_CONFIRMED:
            continue
        reasons = ([f"有理投诉 {c.complaints} 件"] if c.complaints else []) + \
                  ([f"差错扣减 {p.money_text(c.error_deduction)} 元"] if c.error_deduction else [])
        if reasons:
            found.append(f"{c.name}（{c.code}）{'、'.join(reasons)}")
    if not found:
        return None
    return f"注：综合优胜单位中，{'；'.join(found)}，经工作小组研究仍确定为优胜单位。"


def _filing(row: HardwareRow, year: int) -> str:
    if not row.filed:
        return t.yes_no(False)
    return LATE if row.filed_late(year) else t.yes_no(True)


def hardware_table(allocation: Allocation) -> t.Table:
    """Each 硬件 row of the year by its 项目名称 (:func:`~.tables.project_name`) with its subsidy; the
    工作小组's 处理决定 and 决定说明 where it decided (a 未备案 or late row: the columns stay,
    empty, while such a row is undecided), a 小计 for a 所属区 of several rows, 合计."""
    s = allocation.settings
    table = _hardware_rows(allocation)
    rows = allocation.dataset.hardware
    if any(h.decision or not h.filed or h.filed_late(s.year) for h in rows):
        return table
    keep = [col for col, header in enumerate(table.headers) if header not in ("处理决定", "决定说明")]
    return t.Table(table.title, tuple(table.headers[col] for col in keep), tuple(table.kinds[col] for col in keep),
                   [tuple(row[col] for col in keep) for row in table.rows], table.subtotals, table.totals)


def _hardware_rows(allocation: Allocation) -> t.Table:
    s = allocation.settings
    rows, subtotals, body, number = [], set(), [], 0
    for district in t.hardware_districts(allocation):
        group = []
        for within, h in enumerate((h for h in allocation.dataset.hardware if h.district == district), start=1):
            number += 1
            group.append((number, h.district, t.project_name(h, within), h.budget, h.planned,
                          h.actual, _filing(h, s.year), h.filed_on.isoformat() if h.filed_on else "",
                          h.decision or "", h.decision_note, hardware_subsidy(h, s.unit)))
        rows += group
        body += group
        if len(group) > 1:
            subtotals.add(len(rows))
            rows.append(t.summary_row({0: None, 1: f"{district} {t.SUBTOTAL}", 2: "", 6: "", 7: "",
                                       8: "", 9: ""}, group, HARDWARE_KINDS))
    rows.append(t.summary_row({0: None, 1: t.TOTAL, 2: "", 6: "", 7: "", 8: "", 9: ""}, body,
                              HARDWARE_KINDS))
    return t.Table(HARDWARE, HARDWARE_HEADERS, HARDWARE_KINDS, rows, frozenset(subtotals),
                   frozenset({len(rows) - 1}))


def veto_withheld(allocation: Allocation) -> Decimal:
    """What vetoed centers' workload money is withheld as such: only under 否决处理 = 计入 (their
    G is counted, their N is 0) when the forfeits are not redistributed; under 剔除 they had no
    share to withhold, under 再分配 it went to the other centers."""
    pools = allocation.pools
    forfeits = pools.gross_total - pools.net_total
    if pools.forfeited != forfeits:  # redistributed
        return Decimal(0)
    return sum((c.gross_workload - c.net_workload for c in allocation.centers if c.vetoed), Decimal(0))


def balance_table(allocation: Allocation) -> t.Table:
    """资金平衡: the fund, what is paid, and the 结余 in parts that add up to it — each saying
    what it holds (v4): the deductions withheld, a veto's money only where it is withheld."""
    pools, s = allocation.pools, allocation.settings
    centers = pools.paid_total - pools.hardware_total
    amounts = t.balance_parts(pools)
    vetoed = veto_withheld(allocation)
    unit = "分" if s.unit < 1 else "元"
    notes = {"hardware_unused": "各区预算补助合计 − 硬件补助合计",
             "rounding": f"工作量绩效资金 − 按最大余额法分配到{unit}的合计",
             "other": "资金总额 − 工作绩效资金 − 硬件资金预算"}
    parts = [(FORFEITED, "未能再分配的扣减资金" if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE
              else "各中心投诉扣减、差错扣减合计", amounts["forfeited"] - vetoed)]
    if vetoed:
        parts.append((VETO_WITHHELD, "一票否决中心按“计入”处理的应得工作量补助，不予拨付", vetoed))
    parts += [(label, notes[key], amounts[key]) for key, label in t.BALANCE_PARTS if key != "forfeited"]
    destination = s.balance_use or "____________________"
    paid = [("实际拨付", "中心合计 + 硬件补助", pools.paid_total),
            ("　中心合计", "分配表合计", centers)]
    if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE and pools.redistributed_total:
        shared = [c.name for c in allocation.centers if c.vetoed and c.gross_workload]
        paid.append(("　　其中再分配", "扣减资金" + ("及一票否决中心（" + "、".join(shared) + "）的应得工作量补助"
                                                     if shared else "") + "按规则再分配给其他中心",
                     pools.redistributed_total))
    rows = [("资金总额", "工作绩效资金 + 硬件资金预算 + 其他", pools.total_fund),
            ("　工作绩效资金", "", pools.performance_fund),
            ("　硬件资金预算", "各区预算补助合计", pools.hardware_budget),
            ("　其他", "", amounts["other"]),
            *paid,
            ("　硬件补助", "硬件建设补助合计", pools.hardware_total),
            ("结余", f"资金总额 − 实际拨付 = 以下各项之和；结余去向：{destination}", pools.balance),
            *(("　" + label, note, amount) for label, note, amount in parts)]
    assert sum((amount for _, _, amount in parts), Decimal(0)) == pools.balance, "资金平衡不平"
    return t.Table(BALANCE_SHEET, (t.ITEM_LABEL, "说明", t.AMOUNT), (t.TEXT, t.TEXT, t.MONEY), rows,
                   subtotals=frozenset({0, 4, 5 + len(paid)}))


def veto_note(allocation: Allocation) -> str | None:
    """Where a vetoed center's money went under 否决处理 = 剔除: to nobody in particular — it
    never had a share (documents.md §1 v4: never called withheld)."""
    excluded = [c.name for c in allocation.centers if c.code in allocation.excluded]
    if not excluded:
        return None
    return f"注：{VETO_SHARED}（{'、'.join(excluded)}）。"


def objection_table(allocation: Allocation) -> t.Table | None:
    """异议处理情况: each 异议 row of the year and how it was settled; None when there is none."""
    objections = allocation.dataset.objections
    if not objections:
        return None
    names = {c.code: c.name for c in allocation.dataset.all_centers or allocation.dataset.centers}
    rows = [(n, names.get(o.center, o.center), chinese_date(o.received), o.content, o.outcome or "",
             o.note, chinese_date(o.decided_on) if o.decided_on else "")
            for n, o in enumerate(sorted(objections, key=lambda o: (o.received, o.center)), start=1)]
    return t.Table("异议处理情况", OBJECTION_HEADERS, (t.INT,) + (t.TEXT,) * 6, rows)


def since_table(since: Since) -> t.Table:
    """与公示稿相比的变化: each center whose 合计 changed, old → new, and the inputs behind it."""
    rows = []
    for n, change in enumerate(since.changes, start=1):
        moved = (change.new - change.old) if change.old is not None and change.new is not None else None
        causes = [f"{i['sheet']}!{i['cell']} {i['what']}：{i['old'] or '（空）'} → {i['new'] or '（空）'}"
                  for i in change.inputs[:CAUSES_SHOWN]]
        if len(change.inputs) > CAUSES_SHOWN:
            causes.append(f"等 {len(change.inputs)} 处")
        rows.append((n, change.code, change.name, change.old, change.new, moved, "；".join(causes)))
    return t.Table("与公示稿相比的变化", CHANGE_HEADERS,
                   (t.INT, t.TEXT, t.TEXT, t.MONEY, t.MONEY, t.MONEY, t.TEXT), rows)


def since_warning(allocation: Allocation, since: Since | None) -> Check | None:
    """An 审定 附件 whose year has an 异议 settled 调整 but no ``--since``: the figures differ
    from the 公示 and the 附件 cannot say how (documents.md §1)."""
    if since is not None or allocation.settings.status != contract.STATUS_FINAL:
        return None
    upheld = [o for o in allocation.dataset.objections if o.outcome == contract.OBJECTION_OUTCOMES[1]]
    if not upheld:
        return None
    return Check("warning", contract.OBJECTIONS, upheld[0].cell,
                 f"{len(upheld)} 条异议处理结果为“调整”，审定结果与公示稿不同，附件中没有“与公示稿相比的变化”："
                 "请用 report --since 公示时的结果（分配工作簿、分配结果工作簿或 JSON）重新生成附件",
                 count=len(upheld))


def title(allocation: Allocation) -> str:
    return t.TITLES[contract.RESULT_SHEET].format(year=allocation.settings.year)


def first_page(allocation: Allocation, table: t.Table) -> p.Page:
    s = allocation.settings
    blocks: p.Page = [p.Paragraph(ATTACHMENT, p.LABEL),
                      p.Paragraph(p.title_with_status(title(allocation), s), p.TITLE)]
    if basis := p.basis_line(s):
        blocks.append(p.Paragraph(basis, p.SUBTITLE))
    blocks += [p.Paragraph(t.UNIT_LINE, p.RIGHT), p.Repeat(), table]
    notes = [note for note in (proposed_note(allocation), winner_note(allocation)) if note]
    if notes:
        blocks += [p.Keep(), *(p.Paragraph(note, p.NOTE) for note in notes)]
    return blocks


NUMBERS = "一二三四五六七八九十"


def second_page(allocation: Allocation, warnings: list[Check] = (), since: Since | None = None) -> p.Page:
    s = allocation.settings
    sections: list[tuple[str, p.Page]] = []
    hardware = ([hardware_table(allocation)] if allocation.dataset.hardware
                else [p.Paragraph("本年度没有硬件建设补助项目。", p.NOTE)])
    sections.append((f"{HARDWARE}（{t.UNIT_LINE}）", hardware))
    veto = veto_note(allocation)
    sections.append((f"资金平衡（{t.UNIT_LINE}）", [
        balance_table(allocation),
        p.Paragraph(f"{p.fund_source(s)}。注：{p.rounding_note(s)}；先建后补的硬件补助按"
                    "预算补助 × min(1, 实际投入 ÷ 计划投入) 计，且不超过实际投入；未备案或逾期备案的项目"
                    "按工作小组的处理决定。" + (veto[2:] if veto else ""), p.NOTE)]))
    if s.status == contract.STATUS_FINAL:
        objections = objection_table(allocation)
        sections.append(("异议处理情况", [objections] if objections else [p.Paragraph(NO_OBJECTIONS + "。", p.NOTE)]))
    if since is not None:
        sections.append(("与公示稿相比的变化", since_blocks(since)))
    known = "审定时已知悉的事项" if s.status == contract.STATUS_FINAL else "尚待处理的事项"
    sections.append((known, warning_blocks(warnings)))
    blocks: p.Page = [p.Paragraph(p.title_with_status(f"{title(allocation)}（续）", s), p.SUBTITLE)]
    for number, (heading, content) in zip(NUMBERS, sections):
        blocks += [p.Paragraph(f"{number}、{heading}", p.HEADING), *content]
    # the closing lines never stand alone on a page: the last two lines above go along
    return blocks + [p.Keep(rows=2), p.Paragraph(p.made_by(s), p.SIGN), p.Paragraph(p.SIGNATURES, p.SIGN)]


def since_blocks(since: Since) -> p.Page:
    """与公示稿相比的变化: which run it compares with, the table, the centers a pool moved."""
    old = Path(since.file).name + (f"（{since.status}）" if since.status else "")
    blocks: p.Page = [p.Paragraph(f"比较对象：{old}。", p.NOTE)]
    if since.changes:
        blocks.append(since_table(since))
    else:
        blocks.append(p.Paragraph("与公示稿相比，各中心的合计没有变化。", p.NOTE))
    if since.pool_note:
        blocks.append(p.Paragraph(f"注：{since.pool_note}。", p.NOTE))
    if not since.inputs_compared:
        blocks.append(p.Paragraph("注：比较对象是分配结果工作簿或 JSON 结果，只比较结果，未列出引起变化的输入；"
                                  "用公示时的分配工作簿比较可列出输入的变化。", p.NOTE))
    return blocks


def warning_blocks(warnings: list[Check]) -> p.Page:
    """Every warning of the run, one line each as on screen (a grouped one with its count)."""
    if not warnings:
        return [p.Paragraph("无。", p.NOTE)]
    return [p.Paragraph(f"{n}. {check}", p.NOTE) for n, check in enumerate(warnings, start=1)]


def attachment_sheets(book, fmt: p.Formats, allocation: Allocation, warnings: list[Check] = (),
                      since: Since | None = None, printed: bool = True) -> None:
    """The two sheets of the 附件 (分配结果, 资金平衡) in ``book``: A4 landscape with the tables'
    margins, a 序号 column, names broken only between words, each 所属区 kept with its 小计 on
    one page where it fits (:class:`page.Sheet` with ``paginate``). Not ``printed`` (the result
    workbook people work in), names keep their values and only headers carry line ends."""
    table = t.numbered(allocation_table(allocation))
    name = table.headers.index(LABEL["name"])
    size, widths = p.fit_document(table, p.TABLE_WIDTH, wrap=frozenset({name}))
    styles = p.letter_styles(book)
    first = p.Sheet(book, fmt, styles, contract.RESULT_SHEET, widths, size, landscape=True,
                    margins=p.TABLE_MARGINS, paginate=True, hard_breaks=printed)
    blocks = first_page(allocation, table)
    at = blocks.index(table)
    first.write(blocks[:at])
    top = first.row
    first.table(table, widths, groups=p.subtotal_groups(table))
    first.sheet.freeze_panes(top + 1, name + 1)
    first.write(blocks[at + 1:])
    first.sheet.repeat_columns(0, name)  # a table too wide for the paper keeps its names
    rest = second_page(allocation, list(warnings), since)
    grid = p.grid_for([block for block in rest if isinstance(block, t.Table)], size, p.TABLE_WIDTH)
    second = p.Sheet(book, fmt, styles, BALANCE_SHEET, grid, size, landscape=True,
                     margins=p.TABLE_MARGINS, paginate=True, hard_breaks=printed)
    second.write(rest)


def run_warnings(outcome: Outcome) -> list[Check]:
    """Every warning of the run a signer should know (documents.md §0): the run's own, then
    those its documents add — an indicator without a 条线, and once 审定 a 收款单位 filled by
    the name — whichever documents are made, so the 附件 reads the same from every door."""
    allocation = outcome.allocation
    found = list(outcome.warnings) + departments(allocation)[1]
    if refusal(allocation) is None:
        found += [check for check in [payee_warning(payments(allocation)[1])] if check]
    return found


def attachment_bytes(outcome: Outcome, since: Since | None = None) -> tuple[bytes, list[Check]]:
    """The 附件 as a workbook of its two sheets, ready to print or convert, and the warning that
    an 审定 附件 lacks its comparison with the 公示 (with ``since`` absent); its last section
    lists :func:`run_warnings` and that one."""
    allocation = outcome.allocation
    found = [check for check in [since_warning(allocation, since)] if check]
    listed = run_warnings(outcome) + found
    data = p.workbook_bytes(p.title_with_status(title(allocation), allocation.settings),
                            lambda book, fmt: attachment_sheets(book, fmt, allocation, listed, since))
    return data, found
