"""Why a center gets its money: every input and step behind its total, read from the Allocation.

Nothing here applies a rule again; the amounts come from :class:`~jbsys_xl.model.CenterResult`
and the inputs from the Dataset. Shares and rates are shown only to make the steps readable.
The explanation is laid out as :class:`~jbsys_xl.report.tables.Table` sections, so the terminal
(:func:`render_text`) and the result workbook (分中心说明) show the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .. import contract
from ..io.lookup import NameLookup, center_lookup
from ..model import Allocation, Callback, CenterResult, Complaint, Deduction, Indicator, Rating
from .json_result import score_number
from .tables import (AMOUNT, DECISIONS_LABEL, FACTOR_SCORE, INT, ITEM, ITEM_LABEL, MONEY, NOT_CALLED, NUMBER,
                     PERCENT, SCORE, SEQ, TEXT, TOTAL, VOLUME, WEIGHT, Table, callback_counts,
                     callback_decision, cell_text, status_text, table_text, yes_no)

LABEL = dict(contract.CENTER_RESULT_COLUMNS)
POOL = dict(contract.POOL_LABELS)
_RATING_HEADERS = contract.SHEET_SPECS[contract.RATINGS].headers
VENUE, STANDARDIZED, VETO_REASON = _RATING_HEADERS[2], _RATING_HEADERS[3], _RATING_HEADERS[7]
RECORDED_GRADE = _RATING_HEADERS[8]  # 评定等次
VETO_MODE = contract.SHEET_SPECS[contract.PARAMS].optional[9]  # 否决处理
_COMPLAINT_HEADERS = contract.SHEET_SPECS[contract.COMPLAINTS].headers
DEDUCTION_HEADERS = contract.SHEET_SPECS[contract.DEDUCTIONS].headers[2:]  # 原因, 扣减金额, 扣减比例
ITEM_TOTAL, SHARE, NOTE = "市本级合计", "占比", "说明"  # 市本级: 武进、金坛、溧阳 are not in it


class UnknownCenter(LookupError):
    """The center asked about is not an active center of the year."""


@dataclass(frozen=True)
class IndicatorLine:
    indicator: Indicator
    volume: Fraction
    indicator_total: Fraction  # Σ_c v[c, i] over the factor base
    factor_score: Fraction
    in_base: bool = True  # False: vetoed and left out of the base (否决处理 = 剔除)

    @property
    def share(self) -> Fraction:
        if not self.in_base or not self.indicator_total:
            return Fraction(0)
        return self.volume / self.indicator_total


@dataclass(frozen=True)
class Explanation:
    year: int
    status: str  # 草案, or 审定 with its 文号 and date
    method: str
    forfeit_mode: str
    veto_mode: str
    excluded: int  # centers left out of the factor base (vetoed, 剔除)
    result: CenterResult
    rating: Rating | None
    centers: int  # active centers ranked
    lines: list[IndicatorLine]
    score_total: Fraction  # Σ S over active centers
    workload_pool: Decimal  # W'
    complaint_rate: Decimal
    complaints: list[Complaint]
    deductions: list[Deduction]
    forfeit_total: Decimal  # F0 = Σ (G − N)
    net_receiving: Decimal  # Σ N over the centers that share F0 (CenterResult.receiver)
    callbacks: tuple[Callback, ...] = ()  # the year's 12333 回访 of the center

    @property
    def complaint_share(self) -> Decimal:
        """The capped share of G lost to complaints: min(1, r × n), for display."""
        return min(Decimal(1), self.complaint_rate * self.result.complaints)


def find_center(allocation: Allocation, center: str, names: NameLookup | None = None) -> CenterResult:
    """An active center by 中心编码, 中心名称 or 金保机构 alias, compared as the workbook's
    references are (:mod:`jbsys_xl.io.lookup`); ``names``: that lookup, where a caller keeps one."""
    if names is None:
        names = center_lookup(allocation.dataset.all_centers or allocation.dataset.centers)
    code = names.find(center)
    for result in allocation.centers:
        if result.code == code:
            return result
    if code is not None:
        raise UnknownCenter(f"中心“{center.strip()}”（{code}）在 {allocation.settings.year} 年度未启用，"
                            f"没有分配结果")
    raise UnknownCenter(f"找不到中心“{center.strip()}”{names.suggestion(center)}"
                        f"（请填写{LABEL['code']}、{LABEL['name']}或金保机构）")


def explain(allocation: Allocation, center: str) -> Explanation:
    """Everything that made ``center``'s money; checks that the parts add up to its total."""
    result = find_center(allocation, center)
    data = allocation.dataset
    code = result.code
    lines = []
    for indicator in allocation.indicators:
        volume, factor = allocation.factors[(code, indicator.name)]
        lines.append(IndicatorLine(indicator, volume, allocation.indicator_totals[indicator.name],
                                   factor, code not in allocation.excluded))
    parts = result.basic_award + result.net_workload + result.redistributed + result.winner_award
    assert parts == result.total, f"{code}: {parts} ≠ {result.total}"
    pools = allocation.pools
    return Explanation(
        year=allocation.settings.year, status=status_text(allocation.settings),
        method=allocation.settings.method,
        forfeit_mode=allocation.settings.forfeit_mode, veto_mode=allocation.settings.veto_mode,
        excluded=len(allocation.excluded), result=result,
        rating=data.ratings.get(code), centers=len(allocation.centers), lines=lines,
        score_total=allocation.score_total,
        workload_pool=pools.workload_pool, complaint_rate=allocation.settings.complaint_rate,
        complaints=[c for c in data.complaints if c.center == code],
        deductions=[d for d in data.deductions if d.center == code],
        forfeit_total=pools.gross_total - pools.net_total,
        net_receiving=allocation.net_receiving_total,
        callbacks=tuple(c for c in data.callbacks if c.center == code))


# --- layout ----------------------------------------------------------------------------------

def heading(explanation: Explanation) -> str:
    r = explanation.result
    return (f"{r.code} {r.name}（{r.district}）{explanation.year} 年度补助资金说明"
            f"（{explanation.status}）")


def _percent(value) -> str:
    return cell_text(value, PERCENT)


def _money(value) -> str:
    return cell_text(value, MONEY)


def _grade_note(e: Explanation) -> str:
    if e.rating is None:
        return f"没有 {e.year} 年度评定记录，按 B 类计"
    note = f"{VENUE}：{e.rating.venue}；{STANDARDIZED}：{yes_no(e.rating.standardized)}"
    if e.rating.recorded_grade:
        note += f"；可评定为 {e.rating.ceiling}，{RECORDED_GRADE}为 {e.rating.recorded_grade}"
    return note


def _veto_rule_note(e: Explanation) -> str:
    """How 否决处理 treated this center's volumes, or the vetoed centers' volumes."""
    if e.veto_mode == contract.VETO_INCLUDE:
        if e.result.vetoed:
            return (f"{e.veto_mode}：本中心业务量仍计入市本级合计，得分照算，"
                    "但应得工作量补助全部扣回")
        return f"{e.veto_mode}：被一票否决的中心业务量仍计入市本级合计"
    if e.result.vetoed:
        return f"{e.veto_mode}：本中心业务量不计入市本级合计和最高业务量，各项因素得分为 0"
    if e.excluded:
        return f"{e.veto_mode}：{e.excluded} 个被一票否决的中心业务量不计入市本级合计和最高业务量"
    return f"{e.veto_mode}：本年度没有被一票否决的中心"


def _winner_note(r: CenterResult) -> str:
    if r.winner:
        return f"综合优胜（{r.winner_status}）"
    if r.vetoed or r.grade == "B":
        return "不参评综合优胜（仅未被否决的 A+、A 类中心可评）"
    return "未评为综合优胜"


def _gross_note(e: Explanation) -> str:
    share = e.result.score / e.score_total if e.score_total else Fraction(0)
    return (f"{POOL['workload_pool']} {_money(e.workload_pool)} × 得分占比 "
            f"{cell_text(score_number(e.result.score), SCORE)} / "
            f"{cell_text(score_number(e.score_total), SCORE)}（{_percent(share)}），最大余额法取整")


def _complaint_note(e: Explanation) -> str:
    n = e.result.complaints
    if not n:
        return "无有理投诉"
    capped = "（封顶 100%）" if e.complaint_rate * n > 1 else ""
    merged = (f"（{len(e.complaints)} 条记录，投诉编号相同的只计一次）"
              if len(e.complaints) != n else "")
    return (f"有理投诉 {n} 件{merged} × {_percent(e.complaint_rate)} = "
            f"{_percent(e.complaint_share)}{capped}；"
            f"{_money(e.result.gross_workload)} × {_percent(e.complaint_share)}")


def _net_note(e: Explanation) -> str:
    if e.result.vetoed:
        return f"一票否决，不予补助（{VETO_REASON}：{e.result.veto_reason or '未填写'}）"
    return f"{LABEL['gross_workload']} − {LABEL['complaint_deduction']} − {LABEL['error_deduction']}，不低于 0"


def _redistribution_note(e: Explanation) -> str:
    r = e.result
    if e.forfeit_mode != contract.FORFEIT_REDISTRIBUTE:
        return f"扣减资金{contract.FORFEIT_LABELS[contract.FORFEIT_RECLAIM]}，不再分配"
    rule = "再分配只给实得工作量补助大于 0、本身未被扣减且未被否决的中心"
    if not r.receiver:
        why = ("被一票否决" if r.vetoed else "实得工作量补助为 0" if r.net_workload <= 0
               else "本中心有投诉扣减或差错扣减")
        return f"{why}，不参与再分配（{rule}）"
    if not e.forfeit_total:
        return f"本年度没有扣减资金可再分配（{rule}）"
    share = Fraction(r.net_workload) / Fraction(e.net_receiving)
    return (f"扣减资金 {_money(e.forfeit_total)} × 实得占比 {_money(r.net_workload)} / "
            f"{_money(e.net_receiving)}（{_percent(share)}），最大余额法取整")


def sections(e: Explanation) -> list[Table]:
    """The explanation as small tables: overview, scores, workload steps, the complaints and
    discretionary deductions (when there are any), and the total made of its four parts.

    Every section puts a short label first, the long text second and numbers after, so the
    sections stacked on one sheet (分中心说明) can share column widths."""
    r = e.result
    overview = Table("概况", (ITEM_LABEL, NOTE), (TEXT, TEXT), [
        (LABEL["score"], f"{cell_text(score_number(r.score), SCORE)} 分（{e.method}），"
                         f"第 {r.rank} 名 / 共 {e.centers} 个中心"),
        (LABEL["grade"], f"{r.grade}（{_grade_note(e)}）"),
        (LABEL["vetoed"], f"是：{r.veto_reason or '未填写原因'}，各项奖补均为 0" if r.vetoed else "否"),
        (VETO_MODE, _veto_rule_note(e)),
        (LABEL["winner"], _winner_note(r)),
    ])
    score_rows = [(line.indicator.seq, line.indicator.name, line.indicator.weight, line.volume,
                   line.indicator_total, line.share, score_number(line.factor_score))
                  for line in e.lines]
    score_rows.append((None, TOTAL, sum((line.indicator.weight for line in e.lines), Decimal(0)),
                       None, None, None, score_number(r.score)))
    scores = Table(contract.DETAIL_SHEET, (SEQ, ITEM, WEIGHT, VOLUME, ITEM_TOTAL, SHARE, FACTOR_SCORE),
                   (INT, TEXT, NUMBER, NUMBER, NUMBER, PERCENT, SCORE), score_rows,
                   totals=frozenset({len(score_rows) - 1}))
    workload = Table("工作量补助", (ITEM_LABEL, NOTE, AMOUNT), (TEXT, TEXT, MONEY), [
        (LABEL["gross_workload"], _gross_note(e), r.gross_workload),
        (LABEL["complaint_deduction"], _complaint_note(e), r.complaint_deduction),
        (LABEL["error_deduction"], f"{len(e.deductions)} 条扣减记录，见下表" if e.deductions
         else "无差错扣减", r.error_deduction),
        (LABEL["net_workload"], _net_note(e), r.net_workload),
    ], totals=frozenset({3}))
    tables = [overview, scores, workload]
    if e.complaints:
        day, source, line, content, number = (_COMPLAINT_HEADERS[i] for i in (0, 3, 4, 5, 6))
        tables.append(Table("有理投诉", (day, content, source, line, number), (TEXT,) * 5,
                            [(c.day.isoformat(), c.content, c.source, c.line, c.number)
                             for c in e.complaints]))
    if e.deductions:
        rows = [(n, d.reason, d.amount, d.rate) for n, d in enumerate(e.deductions, start=1)]
        rows.append((None, f"{TOTAL}（金额 + 应得 × 比例）", r.error_deduction,
                     sum((d.rate or Decimal(0) for d in e.deductions), Decimal(0))))
        tables.append(Table(LABEL["error_deduction"], (SEQ, *DEDUCTION_HEADERS),
                            (INT, TEXT, MONEY, PERCENT), rows, totals=frozenset({len(rows) - 1})))
    if e.callbacks:
        tables.append(_callback_section(e))
    parts = ("basic_award", "net_workload", "redistributed", "winner_award")
    tables.append(Table(LABEL["total"], (ITEM_LABEL, NOTE, AMOUNT), (TEXT, TEXT, MONEY), [
        (LABEL["basic_award"], f"{r.grade} 类" + ("，一票否决" if r.vetoed else ""), r.basic_award),
        (LABEL["net_workload"], "见工作量补助", r.net_workload),
        (LABEL["redistributed"], _redistribution_note(e), r.redistributed),
        (LABEL["winner_award"], _winner_note(r), r.winner_award),
        (TOTAL, " + ".join(LABEL[key] for key in parts), r.total),
    ], totals=frozenset({4})))
    return tables


def _callback_section(e: Explanation) -> Table:
    """12333 回访: each drawn case and what it found; 不属实 is for the working group to weigh,
    and what it decided stands beside the case."""
    drawn, called, *found = callback_counts(e.callbacks)
    counts = "，".join(f"{label} {n}" for label, n in zip((*contract.CALLBACK_RESULTS, NOT_CALLED), found) if n)
    vetoed = e.result.vetoed
    rows = [(c.case_id, c.day.isoformat() if c.day else "", c.result or NOT_CALLED, c.note,
             callback_decision(c, vetoed) if c.result == contract.CALLBACK_REFUTED else "")
            for c in e.callbacks]
    rows.append((TOTAL, "", f"抽取 {drawn} 件，已回访 {called} 件：{counts}", "回访结果不直接改变补助资金", ""))
    return Table("12333 回访", ("业务流水号", "回访日期", "回访结果", NOTE, DECISIONS_LABEL), (TEXT,) * 5, rows,
                 totals=frozenset({len(rows) - 1}))


def render_text(explanation: Explanation) -> str:
    """The explanation for a terminal: a heading, then each section."""
    parts = [heading(explanation)] + [table_text(table) for table in sections(explanation)]
    return "\n\n".join(parts) + "\n"
