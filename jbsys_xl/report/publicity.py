"""公示: the result published before 审定 (documents.md §4) — PDF and xlsx, on the 公文 page
(:mod:`.letter`).

Stage. The 公示 shows figures that only objections may still move: it is made before 审定 and
titled without 草案, and refused (errors at their cells, :func:`publicity_refusal`) once the
year is 审定 or while a matter that moves money is open (:func:`~jbsys_xl.rules.signoff.
publicity_blockers`); proposed winners are fine — their 优胜奖励 is marked 拟.

Content. A basis paragraph, the 公示期 from 参数 公示日期/公示截止日期 (blank lines to fill by
hand, and a warning, when empty), then — on a landscape page when the table is too wide for the
upright 版心, as GB/T 9704 allows — only what the public may see: 所属区, 中心名称, 评定等次
(a vetoed center: 一票否决, no reason), 得分 and the money; no complaint text, callback rows,
deduction reasons, case ids or personal data. Last, where and how to object, the issuer with
（盖章） and the date (公示日期, else the 制表日期).
"""
from __future__ import annotations

from datetime import date

from .. import contract
from ..clock import chinese_date
from ..model import Allocation, Check
from ..office import fonts
from ..pipeline import Outcome
from ..rules.signoff import publicity_blockers
from . import letter as lt
from . import page as p
from . import tables as t
from .json_result import score_number

PUBLICITY = "公示"
TITLE = "{year}年度市本级人社基层平台建设考核结果公示"
TITLE_LINES = ("{year}年度市本级人社基层平台", "建设考核结果公示")
VETOED = "一票否决"
PROPOSED_FORMAT = '"拟 "#,##0.00'  # a proposed 优胜奖励 stays a number and reads 拟 20,000.00
BLANK_DATE = "____年__月__日"
LABEL = t.CENTER_LABELS
HEADERS = (t.SEQ, LABEL["district"], LABEL["name"], LABEL["grade"], LABEL["score"], LABEL["basic_award"],
           LABEL["net_workload"], LABEL["winner_award"], LABEL["total"])
KINDS = (t.INT, t.TEXT, t.TEXT, t.TEXT, t.SCORE, t.MONEY, t.MONEY, t.MONEY, t.MONEY)
DATES = ("公示日期", "公示截止日期")  # 参数 columns (documents.md §0 v4)


def publicity_refusal(allocation: Allocation) -> list[Check]:
    """Why there is no 公示 of this run, errors at their cells: the year is 审定 (the 公示
    comes before it), or matters that move money are still open; [] when it may be made."""
    s = allocation.settings
    if s.status == contract.STATUS_FINAL:
        sheet, cell = allocation.dataset.origins.get((contract.PARAMS, "审定文号"), (contract.PARAMS, ""))
        return [Check("error", sheet, cell,
                      f"{s.year} 年度已审定（{s.approval_number}）：公示在审定之前，审定后不再生成公示"
                      "（审定结果以附件和告知书送达）")]
    return publicity_blockers(allocation.dataset)


def publicity_table(allocation: Allocation) -> t.Table:
    """One row per center (工作量补助 is N + R, as paid), then 合计."""
    rows = [(n, c.district, c.name, VETOED if c.vetoed else c.grade, score_number(c.score),
             c.basic_award, c.net_workload + c.redistributed, c.winner_award, c.total)
            for n, c in enumerate(allocation.centers, start=1)]
    rows.append(t.summary_row({0: t.TOTAL, 1: "", 2: "", 3: "", 4: None}, rows, KINDS))
    return t.Table(PUBLICITY, HEADERS, KINDS, rows, totals=frozenset({len(rows) - 1}))


def title(allocation: Allocation) -> str:
    return TITLE.format(year=allocation.settings.year)


def period(allocation: Allocation) -> tuple[str, list[Check]]:
    """公示期 as printed — from 公示日期 to 公示截止日期, or blank lines to fill by hand with a
    warning at the empty cell."""
    s = allocation.settings
    days: list[date | None] = [s.publicity_date, s.publicity_end]
    checks = []
    for header, day in zip(DATES, days):
        if day is None:
            sheet, cell = allocation.dataset.origins.get((contract.PARAMS, header), (contract.PARAMS, ""))
            checks.append(Check("warning", sheet, cell, f"{s.year} 年度的{header}为空：公示上的公示期留空，"
                                                         f"请在“{contract.PARAMS}”表填写{header}，或打印后手工填写"))
    first, last = (chinese_date(day) if day else BLANK_DATE for day in days)
    return f"{first}至{last}", checks


def publicity_blocks(allocation: Allocation, table: t.Table) -> tuple[p.Page, list[Check]]:
    s = allocation.settings
    year = s.year
    when, checks = period(allocation)
    proposed = any(c.winner_status == contract.WINNER_PROPOSED for c in allocation.centers)
    mark = "标“拟”的优胜奖励尚待考核工作小组确定。" if proposed else ""
    day = s.publicity_date
    blocks = [
        p.Paragraph(lt.title_lines(*(line.format(year=year) for line in TITLE_LINES)), p.TITLE),
        p.Paragraph(f"{lt.INDENT}根据{contract.REGULATION}，经各条线考评、考核工作小组研究，现将{year}年度市本级"
                    "人社基层平台建设考核结果及补助资金分配情况予以公示。"),
        p.Paragraph(f"{lt.INDENT}公示期：{when}（{s.publicity_days} 个工作日）。"),
        p.Paragraph(f"{lt.INDENT}公示期间，如有异议，请以书面形式（附相关证明材料）向{s.tabulator}反映。{p.contact(s)}"),
        p.Repeat(), table,
        p.Keep(),
        p.Paragraph(f"{lt.INDENT}注：金额单位为元；工作量补助为实得工作量补助（含再分配）。{mark}", p.NOTE),
        *lt.signature(s.issuer, chinese_date(day) if day else p.document_date(s), seal=True),
    ]
    return blocks, checks


def publicity_bytes(outcome: Outcome, faces: fonts.Faces | None = None) -> tuple[bytes, list[Check]]:
    """The 公示 as a workbook on the letter page (its header repeated on every page), and the
    warnings found on the way (公示期 left blank). ``faces``: those it is printed in (the run's)
    or, handed out as .xlsx, an office's."""
    allocation = outcome.allocation
    table = publicity_table(allocation)
    proposed = [index for index, c in enumerate(allocation.centers)
                if c.winner_status == contract.WINNER_PROPOSED]
    blocks, checks = publicity_blocks(allocation, table)
    column = HEADERS.index(LABEL["winner_award"])

    def write(sheet: lt.LetterSheet, letter: p.Page) -> None:
        lt.LetterSheet.write(sheet, letter)
        [(top, placed)] = sheet.tables
        marked = sheet.fmt.cell(t.MONEY, "body", lt.TABLE_POINTS, num_format=PROPOSED_FORMAT)
        for index in proposed:
            sheet.sheet.write_number(top + 1 + index, placed[column][0],
                                     float(allocation.centers[index].winner_award), marked)

    geometry = lt.PORTRAIT if lt.fits(table, lt.PORTRAIT) else lt.LANDSCAPE
    data, _ = lt.letters_workbook(title(allocation), [blocks], faces or fonts.standard_faces(), write,
                                  geometry, [PUBLICITY])
    return data, checks
