"""公示: the result published before 审定 (documents.md §4) — PDF and xlsx.

Allowed in a draft and titled without 草案 (公示 comes before 审定). Only what the public may
see: 所属区, 中心名称, 评定等次 (a vetoed center: 一票否决, no reason), 得分 and the money; a
proposed winner's 优胜奖励 is marked 拟. No complaint text, callback rows, deduction reasons,
case ids or personal data.
"""
from __future__ import annotations


from .. import contract
from ..model import Allocation
from ..pipeline import Outcome
from . import page as p
from . import tables as t
from .json_result import score_number

PUBLICITY = "公示"
TITLE = "{year}年度市本级人社基层平台建设考核结果公示"
VETOED = "一票否决"
PROPOSED_FORMAT = '"拟 "#,##0.00'  # a proposed 优胜奖励 stays a number and reads 拟 20,000.00
LABEL = t.CENTER_LABELS
HEADERS = (LABEL["district"], LABEL["name"], LABEL["grade"], LABEL["score"], LABEL["basic_award"],
           LABEL["net_workload"], LABEL["winner_award"], LABEL["total"])
KINDS = (t.TEXT, t.TEXT, t.TEXT, t.SCORE, t.MONEY, t.MONEY, t.MONEY, t.MONEY)


def publicity_table(allocation: Allocation) -> t.Table:
    """One row per center (工作量补助 is N + R, as paid), then 合计."""
    rows = [(c.district, c.name, VETOED if c.vetoed else c.grade, score_number(c.score),
             c.basic_award, c.net_workload + c.redistributed, c.winner_award, c.total)
            for c in allocation.centers]
    rows.append(t.summary_row({0: t.TOTAL, 1: "", 2: "", 3: None}, rows, KINDS))
    return t.Table(PUBLICITY, HEADERS, KINDS, rows, totals=frozenset({len(rows) - 1}))


def title(allocation: Allocation) -> str:
    return TITLE.format(year=allocation.settings.year)


def closing(allocation: Allocation) -> list[p.Paragraph]:
    s = allocation.settings
    proposed = any(c.winner_status == contract.WINNER_PROPOSED for c in allocation.centers)
    mark = "标“拟”的优胜奖励尚待工作小组确定。" if proposed else ""
    return [p.Paragraph(f"注：金额单位为元；工作量补助为实得工作量补助（含再分配）。{mark}", p.NOTE),
            p.Paragraph(f"　　公示期为 {s.publicity_days} 个工作日（自发布之日起）。如有异议，请在公示期内以书面形式"
                        f"（附相关证明材料）向{s.tabulator}反映。{p.contact(s)}"),
            p.Paragraph(s.issuer, p.RIGHT),
            p.Paragraph(f"{p.document_date(s)}　", p.RIGHT)]


def publicity_bytes(outcome: Outcome) -> bytes:
    """The 公示 as a workbook (A4 portrait, header repeated on every page)."""
    allocation = outcome.allocation
    table = publicity_table(allocation)
    proposed = {index for index, c in enumerate(allocation.centers)
                if c.winner_status == contract.WINNER_PROPOSED}

    def build(book, fmt):
        size = 9
        widths = p.stretch(p.fit_widths(table, size, p.PORTRAIT_WIDTH), p.PORTRAIT_WIDTH)
        sheet = p.Sheet(book, fmt, p.letter_styles(book), PUBLICITY, widths, size)
        sheet.write([p.Paragraph(title(allocation), p.TITLE), p.Repeat()])
        top = sheet.row
        sheet.table(table, widths)
        marked = fmt.cell(t.MONEY, "body", size, num_format=PROPOSED_FORMAT)
        column = HEADERS.index(LABEL["winner_award"])
        for index in proposed:
            sheet.sheet.write_number(top + 1 + index, column,
                                     float(allocation.centers[index].winner_award), marked)
        sheet.write([p.Keep(), *closing(allocation)])

    return p.workbook_bytes(title(allocation), build)

