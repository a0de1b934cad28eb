"""告知书 (documents.md §2): a letter per active center that the center can read alone — its
score, rank and grade, a veto with its reason and evidence, the contributions that make the
score, every 有理 complaint it paid for (those still 待核实 named), deductions and 12333
callbacks with the working group's decision, every amount down to the exact quota and the
largest-remainder rule, 上年 → 本年, and either how to object (a draft) or, once 审定, that the
result is final with the center's own objection and its outcome and where to ask for a 复核.
``--full`` adds the whole score table. Hardware notices: a letter per 所属区 that has a 硬件 row
of the year, each project by name with the rule applied and the working group's decision.

Nothing is computed here that the rules do not fix: amounts come from the Allocation and its
explanation (:mod:`.explain`). The letters are set on the 公文 page (:mod:`.letter`), a sheet
each, and LibreOffice prints all of them in one conversion; a file per center is cut from that
PDF (pypdf) by the pages each letter was laid out on.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from pypdf import PdfReader

from .. import contract
from ..clock import chinese_date
from ..io.atomic import write_atomic
from ..model import Allocation, CenterResult, Check, Complaint, HardwareRow, month_text
from ..office import fonts
from ..pipeline import Outcome
from ..rules.allocate import hardware_subsidy
from ..rules.period import part_year
from . import letter as lt
from . import page as p
from . import tables as t
from .explain import LABEL, explain, find_center
from .history import previous_allocation
from .json_result import score_number
from .pdf import render, split

TOP = 10  # contributions listed on the page, largest s[c,i] first
WEIGHT = "权重"  # documents.md §2 (the 指标 sheet says 指标权重)
SECONDS_PER_PAGE = 0.5  # LibreOffice's time budget per page, on top of a fixed minute
NOTICE = "告知书"
HARDWARE_NOTICE = "硬件建设补助告知书"
DRAFT_BANNER = f"{contract.STATUS_DRAFT} 仅供核对"
SEAL = lt.SEAL
BASE = "市本级合计"  # Σ over the centers of 市本级 (武进、金坛、溧阳 are not in it)
BENCHMARK = "标杆业务量"
NO_NUMBER = "（无编号）"
FINAL = "本结果已经审定。"
LATE = ("备案日期 {day} 晚于 " + "{} 月 {} 日".format(*contract.HARDWARE_FILING_DEADLINE)
        + "，属逾期备案")  # the deadline as the model tests it (HardwareRow.filed_late)
HEADINGS = ("一", "二", "三", "四", "五", "六", "七")


class NoticeLayoutError(RuntimeError):
    """LibreOffice did not print the notices on the pages they were laid out for."""


def notice_title(settings) -> str:
    return p.title_with_status(f"{settings.year}年度市本级人社基层平台建设考核结果及补助资金{NOTICE}", settings)


def hardware_title(settings) -> str:
    return p.title_with_status(f"{settings.year}年度市本级人社基层平台{HARDWARE_NOTICE}", settings)


def _head(settings, first: str, second: str) -> p.Page:
    """The title on two lines broken where the sense allows, and a draft's banner."""
    title = lt.title_lines(first, p.title_with_status(second, settings))
    banner = [] if settings.status == contract.STATUS_FINAL else [p.Paragraph(DRAFT_BANNER, p.BANNER)]
    return [p.Paragraph(title, p.TITLE), *banner]


def _heading(number: int, text: str) -> p.Paragraph:
    return p.Paragraph(f"{lt.INDENT}{HEADINGS[number - 1]}、{text}", p.HEADING)


def _sub(number: int, text: str) -> p.Paragraph:
    return p.Paragraph(f"{lt.INDENT}（{HEADINGS[number - 1]}）{text}", lt.SUBHEADING)


def _body(text: str, style: str = p.BODY) -> p.Paragraph:
    return p.Paragraph(f"{lt.INDENT}{text}", style)


def basis(settings, what: str) -> str:
    """The one-sentence basis: an 审定 letter cites the approval it rests on (documents.md §0:
    cited, never printed as the letter's own 文号)."""
    approved = (f"，经市人社局审定（{settings.approval_number}）" if settings.status == contract.STATUS_FINAL
                else "")
    return f"根据{contract.REGULATION}{approved}，现将{what}告知如下。"


def _closing(allocation: Allocation, number: int, code: str | None) -> p.Page:
    """The last section and who issues the letter. A draft: how to object. 审定: no new
    objection window — the result is final, the center's own objections and their outcome,
    and where to ask for a 复核 (documents.md §2.6)."""
    s = allocation.settings
    if s.status != contract.STATUS_FINAL:
        clause = (f"如对考核结果有异议，请于收到本{NOTICE}之日起 {s.objection_days} 个工作日内，"
                  f"以书面形式（附相关证明材料）向{s.tabulator}提出。{p.contact(s)}")
        section = [_heading(number, "异议"), _body(clause)]
    else:
        own = [o for o in allocation.dataset.objections if o.center == code] if code else []
        section = [_heading(number, "审定和复核"), _body(FINAL)]
        for objection in own:
            decided = f"，{chinese_date(objection.decided_on)}" if objection.decided_on else ""
            section.append(_body(
                f"你中心于 {chinese_date(objection.received)} 提出异议：{objection.content}。处理结果："
                f"{objection.outcome or '未填写'}{decided}；处理说明：{objection.note or '未填写'}。"))
        section.append(_body(f"如对审定结果有疑问，可向{s.tabulator}申请复核。{p.contact(s)}"))
    final = s.status == contract.STATUS_FINAL
    return [*section, *lt.signature(s.issuer, p.document_date(s), seal=final)]


def quota(allocation: Allocation, center: CenterResult) -> Fraction:
    """q = W′ × S ÷ ΣS: the center's exact share of the workload pool, in 元."""
    total = allocation.score_total
    return Fraction(allocation.pools.workload_pool) * center.score / total if total else Fraction(0)


def six_places(value: Fraction) -> str:
    """A non-negative amount truncated (not rounded) to 6 decimals, with thousands separators."""
    millionths = value.numerator * 1_000_000 // value.denominator
    return f"{millionths // 1_000_000:,}.{millionths % 1_000_000:06d}"


def remainder_sentence(allocation: Allocation, center: CenterResult) -> str:
    """How the last fen was decided: the largest-remainder rule, and what it gave this center."""
    unit = Fraction(allocation.settings.unit)
    q = quota(allocation, center)
    floor = Decimal(int(q / unit)) * allocation.settings.unit
    extra = center.gross_workload - floor
    place = "分" if unit < 1 else "元"
    got = (f"本中心多分得 {p.money_text(extra)} 元" if extra > 0 else "本中心未分得余下的" + place)
    return (f"精确份额 = {p.money_text(allocation.pools.workload_pool)} × 本中心得分 ÷ 各中心得分合计 = "
            f"{six_places(q)} 元（截至 6 位小数）；按最大余额法，先舍去{place}以下的部分，余下的{place}按舍去"
            f"部分从大到小逐一分配，{got}。")


def _benchmarks(allocation: Allocation) -> dict[str, Fraction]:
    """标杆业务量 (对标法): each indicator's largest volume over the factor base."""
    best = {indicator.name: Fraction(0) for indicator in allocation.indicators}
    for (code, name), (volume, _) in allocation.factors.items():
        if code not in allocation.excluded and volume > best[name]:
            best[name] = volume
    return best


def score_table(allocation: Allocation, lines, score: Fraction, top: int | None,
                benchmarks: dict | None) -> t.Table:
    """得分构成: the ``top`` largest contributions (all when None), 其余 N 项合计, 合计."""
    base = BENCHMARK if benchmarks is not None else BASE
    ordered = sorted(lines, key=lambda line: (-line.factor_score, line.indicator.seq))
    shown = [line for line in ordered if line.factor_score][:top] if top else list(lines)
    rows = [(line.indicator.seq, line.indicator.name, line.indicator.weight, line.volume,
             benchmarks[line.indicator.name] if benchmarks is not None else line.indicator_total,
             score_number(line.factor_score)) for line in shown]
    rest = [line for line in lines if line not in shown]
    if top and rest:
        rows.append((None, f"其余 {len(rest)} 项合计", None, None, None,
                     score_number(sum((line.factor_score for line in rest), Fraction(0)))))
    rows.append((None, t.TOTAL, None, None, None, score_number(score)))
    return t.Table("得分构成", (t.SEQ, t.ITEM, WEIGHT, "本中心业务量", base, "得分"),
                   (t.INT, t.TEXT, t.NUMBER, t.NUMBER, t.NUMBER, t.SCORE), rows,
                   totals=frozenset({len(rows) - 1}))


def _grade_text(e) -> str:
    r, rating = e.result, e.rating
    if rating is None:
        return f"{r.grade}（没有评定记录，按 B 类计）"
    text = f"{r.grade}（{rating.venue}，标准化下沉{t.yes_no(rating.standardized)}，可评定为 {rating.ceiling}"
    if rating.below_ceiling:
        text += f"；评定说明：{rating.grade_note or '未填写'}"
    return text + "）"


def _winner_text(r: CenterResult) -> str:
    if r.winner_status == contract.WINNER_CONFIRMED:
        return "是（工作小组确定）"
    if r.winner_status == contract.WINNER_PROPOSED:
        return "建议（按得分提出，尚待工作小组确定）"
    return "否"


def complaint_matters(complaints: list[Complaint]) -> list[tuple[str, str, str, str]]:
    """Every counted 有理 complaint as (投诉编号, 日期, 内容, 核实部门): rows sharing a 投诉编号
    are one matter, counted once, so listed once (their texts and departments joined)."""
    matters: dict[str, list[Complaint]] = {}
    for index, complaint in enumerate(sorted(complaints, key=lambda c: c.day)):
        matters.setdefault(complaint.number or f"\0{index}", []).append(complaint)

    def joined(values) -> str:
        return "；".join(dict.fromkeys(value for value in values if value))

    return [(rows[0].number or NO_NUMBER, rows[0].day.isoformat(), joined(c.content for c in rows),
             joined(c.verifier for c in rows)) for rows in matters.values()]


def _veto(allocation: Allocation, e) -> p.Page:
    """一票否决 of a vetoed center: its reason, its evidence and the 回访 rows the working group
    decided 否决 on (documents.md §2.4)."""
    r = e.result
    evidence = e.rating.veto_evidence if e.rating else ""
    out: p.Page = [_body(f"否决原因：{r.veto_reason or '未填写'}。"),
                   _body(f"否决依据：{evidence or '未填写'}。")]
    vetoing = [c for c in e.callbacks if c.decision == contract.DECISION_VETO]
    if vetoing:
        out += [_body("经工作小组决定予以否决的 12333 回访记录："),
                t.Table("否决回访", ("业务流水号", "回访日期", "工单号", "处理决定", "决定说明"), (t.TEXT,) * 5,
                        [(c.case_id, c.day.isoformat() if c.day else "", c.ticket, c.decision, c.decision_note)
                         for c in vetoing])]
    out.append(_body(f"按规定，一票否决的中心各项奖补均为 0（否决处理：{allocation.settings.veto_mode}）。"))
    return out


def _records(allocation: Allocation, e, number: int) -> p.Page:
    """投诉、差错和回访, each under a heading of its own."""
    r, s = e.result, allocation.settings
    rate = t.cell_text(s.complaint_rate, t.PERCENT)
    out: p.Page = [_heading(number, "投诉、差错和回访")]
    if e.complaints:
        matters = complaint_matters(e.complaints)
        out += [_sub(1, "有理投诉"),
                _body(f"有理投诉 {r.complaints} 件（投诉编号相同的只计一次），每件扣减应得工作量补助的 {rate}，"
                      f"投诉扣减 {p.money_text(r.complaint_deduction)} 元。逐件列明如下："),
                t.Table("有理投诉", ("投诉编号", "日期", "内容", "核实部门"), (t.TEXT,) * 4, matters)]
    else:
        out += [_sub(1, "有理投诉"), _body("无。")]
    pending = [c for c in allocation.dataset.pending_complaints if c.center == r.code]
    out.append(_sub(2, "尚待核实的投诉"))
    if pending:
        each = (r.gross_workload * s.complaint_rate).quantize(s.unit)
        named = "；".join(f"{c.day.isoformat()} {c.number or NO_NUMBER}" for c in pending)
        out.append(_body(f"{named}：尚在核实，本次未扣减；如核实为有理，每件将扣减应得工作量补助的 "
                         f"{rate}（约 {p.money_text(each)} 元）。"))
    else:
        out.append(_body("无。"))
    out.append(_sub(3, "差错扣减"))
    if e.deductions:
        rows = [(n, d.reason, d.amount, d.rate) for n, d in enumerate(e.deductions, start=1)]
        out += [_body(f"差错扣减 {len(e.deductions)} 条，合计 {p.money_text(r.error_deduction)} 元"
                      "（金额 + 应得工作量补助 × 比例）："),
                t.Table("差错扣减", (t.SEQ, "原因", "扣减金额", "扣减比例"),
                        (t.INT, t.TEXT, t.MONEY, t.PERCENT), rows)]
    else:
        out.append(_body("无。"))
    out += _callbacks(e)
    return out


def _callbacks(e) -> p.Page:
    """（四）12333 回访. A vetoed center's veto and its 回访 evidence stand in 一; here never
    "回访结果不直接改变补助资金" beside it, and no "nothing drawn" under a reason citing 12333."""
    r = e.result
    if not e.callbacks:
        return [] if r.vetoed else [_sub(4, "12333 回访"), _body("本年度未抽查本中心的业务。")]
    results = [c.result for c in e.callbacks]
    counts = "，".join(f"{label} {results.count(label)} 件" for label in contract.CALLBACK_RESULTS
                      if results.count(label))
    waiting = results.count(None)
    counts += f"，未回访 {waiting} 件" if waiting else ""
    effect = ("" if r.vetoed else "回访结果本身不改变补助资金；“不属实”的由工作小组研究是否一票否决。")
    out: p.Page = [_sub(4, "12333 回访"), _body(f"抽查 {len(results)} 件：{counts}。{effect}")]
    refuted = [c for c in e.callbacks if c.result == contract.CALLBACK_REFUTED]
    vetoing = [c for c in refuted if r.vetoed and c.decision == contract.DECISION_VETO]
    if vetoing:  # listed once, as the veto's evidence
        out.append(_body(f"其中 {len(vetoing)} 件经工作小组决定否决，已列于一、（一）。"))
        refuted = [c for c in refuted if c not in vetoing]
    if refuted:
        rows = [(c.case_id, c.day.isoformat() if c.day else "", c.ticket,
                 c.decision or ("否决" if r.vetoed else "工作小组尚未决定"), c.decision_note)
                for c in refuted]
        out += [_body("回访结果为“不属实”的业务及工作小组的决定："),
                t.Table("不属实", ("业务流水号", "回访日期", "工单号", "处理决定", "决定说明"), (t.TEXT,) * 5, rows)]
    return out


def _money(allocation: Allocation, e, previous: Allocation | None, number: int) -> p.Page:
    r = e.result
    complaint = f"有理投诉 {r.complaints} 件" if r.complaints else "无有理投诉"
    rows = [(LABEL["basic_award"], f"{r.grade} 类" + ("，一票否决" if r.vetoed else ""), r.basic_award),
            (LABEL["gross_workload"], "按得分占比分配，见下方说明", r.gross_workload),
            (LABEL["complaint_deduction"], complaint, r.complaint_deduction),
            (LABEL["error_deduction"], f"{len(e.deductions)} 条扣减记录" if e.deductions else "无",
             r.error_deduction),
            (LABEL["net_workload"], "一票否决，不予补助" if r.vetoed else "应得 − 投诉扣减 − 差错扣减",
             r.net_workload),
            (LABEL["redistributed"], "扣减资金再分配" if r.redistributed else "无", r.redistributed),
            (LABEL["winner_award"], _winner_text(r), r.winner_award),
            (t.TOTAL, "基础达标奖励 + 实得 + 再分配 + 优胜奖励", r.total)]
    table = t.Table("补助资金", (t.ITEM_LABEL, "说明", t.AMOUNT), (t.TEXT, t.TEXT, t.MONEY), rows,
                    subtotals=frozenset({4}), totals=frozenset({7}))
    out: p.Page = [_heading(number, "补助资金"), _body(f"补助资金构成如下（{t.UNIT_LINE}）："), table]
    if r.gross_workload:  # a share of the workload pool: how its last fen was decided
        out.append(_body(remainder_sentence(allocation, r), p.NOTE))
    if previous is not None:
        out.append(_body(_year_on_year(previous, r), p.NOTE))
    return out


def _change(now, before) -> str:
    change = t.change(now, before)
    return "" if change is None else f"（{'+' if change >= 0 else ''}{t.cell_text(change, t.PERCENT)}）"


def _year_on_year(previous: Allocation, r: CenterResult) -> str:
    year = previous.settings.year
    before = next((c for c in previous.centers if c.code == r.code), None)
    if before is None:
        return f"上年（{year} 年度）本中心没有考核结果。"
    return (f"上年（{year} 年度）→ 本年：补助资金合计 {p.money_text(before.total)} → "
            f"{p.money_text(r.total)} 元{_change(r.total, before.total)}；得分 "
            f"{t.cell_text(score_number(before.score), t.SCORE)} → "
            f"{t.cell_text(score_number(r.score), t.SCORE)} 分{_change(r.score, before.score)}。")


def notice_blocks(allocation: Allocation, center: CenterResult, previous: Allocation | None = None,
                  full: bool = False, benchmarks: dict | None = None) -> p.Page:
    """One center's letter; with ``full`` every indicator's score on a page of its own after it."""
    s = allocation.settings
    e = explain(allocation, center.code)
    r = e.result
    method = s.method == contract.METHOD_BENCHMARK
    if method and benchmarks is None:
        benchmarks = _benchmarks(allocation)
    base = f"{BENCHMARK}为各中心最高" if method else f"{BASE}为市本级各中心之和"
    base_note = base + ("（不含一票否决并剔除的中心）" if allocation.excluded else "")
    veto = "是，见下文" if r.vetoed else "否"
    overview = t.Table("考核结果", (t.ITEM_LABEL, "内容"), (t.TEXT, t.TEXT), [
        (LABEL["score"], f"{t.cell_text(score_number(r.score), t.SCORE)} 分（{s.method}），"
                         f"第 {r.rank} 名（共 {len(allocation.centers)} 个中心）"),
        (LABEL["grade"], _grade_text(e)),
        (LABEL["vetoed"], veto),
        (LABEL["winner"], _winner_text(r)),
    ])
    blocks: p.Page = [
        *_head(s, f"{s.year}年度市本级人社基层平台建设考核结果", f"及补助资金{NOTICE}"),
        p.Paragraph(f"{r.name}："),
        p.Paragraph(f"{LABEL['code']}：{r.code}　{LABEL['district']}：{r.district}", p.NOTE),
        _body(basis(s, f"你中心 {s.year} 年度（考核期 {month_text(s.period_start)} 至 {month_text(s.period_end)}）"
                       "考核结果和以奖代补资金分配情况")),
    ]
    if (part := part_year(allocation.dataset, r.code)) is not None:  # assessed on part of the year
        blocks.append(_body(f"考核期内有业务量的月份：{part.months_text}（按全年考核）。"))
    blocks += [_heading(1, "考核结果"), overview]
    if r.vetoed:
        blocks += [_sub(1, "一票否决"), *_veto(allocation, e)]
    listed = [line for line in e.lines if line.factor_score]
    if listed:
        blocks += [
            _heading(2, f"得分构成（因素得分最高的 {min(TOP, len(listed))} 项，共 {len(e.lines)} 项"
                        + ("，全部见后附" if full else "") + "）"),
            score_table(allocation, e.lines, r.score, TOP, benchmarks if method else None),
            _body(f"因素得分 = 权重 × 本中心业务量 ÷ {BENCHMARK if method else BASE}；{base_note}。", p.NOTE)]
    else:  # no contribution to list: say why rather than print an empty table
        why = (f"本中心一票否决，按否决处理“{s.veto_mode}”，其业务量不计入{BENCHMARK if method else BASE}"
               if r.code in allocation.excluded else "本中心考核期内各项指标的业务量均为 0")
        blocks += [_heading(2, "得分构成"),
                   _body(f"{why}，{len(e.lines)} 项指标的因素得分均为 0，得分为 0。")]
    blocks += [*_records(allocation, e, 3), *_money(allocation, e, previous, 4), *_closing(allocation, 5, r.code)]
    if full:
        blocks += [p.Break(), p.Paragraph(f"附：{r.name} {s.year} 年度得分构成（全部 {len(e.lines)} 项）", p.HEADING),
                   p.Repeat(), score_table(allocation, e.lines, r.score, None, benchmarks if method else None),
                   _body(base_note + "。", p.NOTE)]
    return blocks


# --- hardware notices -----------------------------------------------------------------------------

def _rule(number: int, row: HardwareRow, year: int, unit: Decimal) -> str:
    """The rule applied to one project. A 未备案 or late row — any row with a 处理决定 — states
    the 工作小组's decision and its 决定说明: the regulation (附件1 四(一)) sets 3月底前备案 and
    按比例扣减, nothing about refusing an unfiled project, so that is never put to it."""
    subsidy = p.money_text(hardware_subsidy(row, unit))
    name = t.project_name(row, number)
    scaled = (f"补助 = 预算补助 {p.money_text(row.budget)} × min(1, 实际投入 {p.money_text(row.actual)} ÷ "
              f"计划投入 {p.money_text(row.planned)})，且不超过实际投入 = {subsidy} 元")
    filing = (f"已备案（{row.filed_on.isoformat()}）" if row.filed and row.filed_on
              else "已备案（备案日期未填）" if row.filed else "未备案")
    if row.filed_late(year):
        filing += "，" + LATE.format(day=row.filed_on.isoformat())
    if row.decision:
        note = f"（{row.decision_note}）" if row.decision_note else "（未写明决定说明）"
        paid = scaled if row.decision == contract.HARDWARE_GRANT else f"补助 {subsidy} 元"
        return f"{name}：{filing}；考核工作小组决定：{row.decision}{note}；{paid}。"
    if row.filed and not row.filed_late(year):
        return f"{name}：{filing}，{scaled}。"
    return f"{name}：{filing}；考核工作小组尚未作出处理决定，本表暂列补助 {subsidy} 元。"


def district_blocks(allocation: Allocation, district: str) -> p.Page:
    s = allocation.settings
    rows = [h for h in allocation.dataset.hardware if h.district == district]
    kinds = (t.TEXT, t.MONEY, t.MONEY, t.MONEY, t.TEXT, t.MONEY)
    body = [(t.project_name(h, n), h.budget, h.planned, h.actual,
             (h.filed_on.isoformat() if h.filed_on else "已备案") if h.filed else "未备案",
             hardware_subsidy(h, s.unit))
            for n, h in enumerate(rows, start=1)]
    body.append(t.summary_row({0: t.TOTAL, 4: ""}, body, kinds))
    table = t.Table("硬件", ("项目名称", "预算补助", "计划投入", "实际投入", "备案", "补助"), kinds, body,
                    totals=frozenset({len(body) - 1}))
    payee = next((h.payee for h in rows if h.payee), "")
    return [*_head(s, f"{s.year}年度市本级人社基层平台", HARDWARE_NOTICE),
            p.Paragraph(f"{payee or district}："),
            _body(basis(s, f"{district} {s.year} 年度人社基层平台硬件建设补助情况")),
            _heading(1, "硬件建设项目及补助"), _body(f"各项目及补助如下（{t.UNIT_LINE}）："), table,
            _heading(2, "计算规则和处理决定"),
            _body("硬件建设补助先建后补：补助 = 预算补助 × min(1, 实际投入 ÷ 计划投入)，未达到进度的按比例扣减，"
                  "且不超过实际投入。未备案或逾期备案的项目，是否补助由考核工作小组决定。"),
            *[_body(_rule(n, h, s.year, s.unit), p.NOTE) for n, h in enumerate(rows, start=1)],
            *_closing(allocation, 3, None)]


# --- the workbook and the files ---------------------------------------------------------------------

def chosen_centers(allocation: Allocation, centers: list[str] | None) -> list[CenterResult]:
    """The centers asked for (by 中心编码 or 中心名称, in that order, once each), or all of them;
    raises UnknownCenter for a center that is not active in the year."""
    if not centers:
        return list(allocation.centers)
    found = [find_center(allocation, center) for center in centers]
    return list({result.code: result for result in found}.values())


def notices_workbook(outcome: Outcome, centers: list[CenterResult], full: bool = False,
                     faces: fonts.Faces | None = None) -> tuple[bytes, list[int]]:
    """The centers' letters as a workbook, a sheet each, and the pages each takes."""
    allocation = outcome.allocation
    previous = previous_allocation(outcome)
    benchmarks = _benchmarks(allocation) if allocation.settings.method == contract.METHOD_BENCHMARK else None
    letters = [notice_blocks(allocation, center, previous, full, benchmarks) for center in centers]
    return lt.letters_workbook(notice_title(allocation.settings), letters, faces or fonts.faces())


def districts_workbook(outcome: Outcome, faces: fonts.Faces | None = None) -> tuple[bytes, list[int]] | None:
    """The hardware notices and the pages each takes, or None when the year has no 硬件 row."""
    allocation = outcome.allocation
    districts = t.hardware_districts(allocation)
    if not districts:
        return None
    return lt.letters_workbook(hardware_title(allocation.settings),
                               [district_blocks(allocation, district) for district in districts],
                               faces or fonts.faces())


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def file_name(code: str, name: str, year: int, kind: str = NOTICE) -> str:
    """A per-recipient file name, safe on Windows too."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{code}-{name}-{kind}-{year}") + ".pdf"


def print_letters(books: dict[str, bytes], pages: dict[str, list[int]]) -> dict[str, bytes]:
    """PDF bytes of the workbooks (one LibreOffice session), each holding the pages its letters
    were laid out on (``pages``: a letter's page counts; none for a table document)."""
    printed = render(books, SECONDS_PER_PAGE * sum(sum(counts) for counts in pages.values()))
    for name, counts in pages.items():
        if counts:
            check_pages(printed[name], counts, name)
    return printed


def check_pages(data: bytes, counts: list[int], what: str) -> list:
    """The PDF's pages, once it holds the pages the letters were laid out on."""
    pages = PdfReader(io.BytesIO(data)).pages
    if len(pages) != sum(counts):
        raise NoticeLayoutError(f"{what}排版有误：应为 {sum(counts)} 页，LibreOffice 排成了 {len(pages)} 页")
    return list(pages)


def write_pdf_or_folder(data: bytes, target: Path, names: list[str], counts: list[int]) -> list[Path]:
    """``data`` at ``target`` when it ends in .pdf; else each letter's pages (``counts``) a
    file, named by ``names``, into the folder ``target``."""
    if target.suffix.lower() == ".pdf":
        return [write_atomic(target, data)]
    return [write_atomic(target / name, part) for name, part in zip(names, split(data, counts))]


def write_notices(outcome: Outcome, target: str | Path, centers: list[str] | None = None,
                  full: bool = False, districts: bool = False) -> tuple[list[Path], list[Check]]:
    """Write the notices of a valid outcome — the centers', or with ``districts`` the hardware
    notices — into one PDF when ``target`` ends in .pdf, else a PDF per recipient into the
    folder ``target``. Nothing is written unless LibreOffice printed every notice on the pages
    laid out for it. Returns the files written and the warnings found on the way (a stand-in
    face).

    Raises UnknownCenter, LibreOfficeMissing, LibreOfficeError or NoticeLayoutError."""
    allocation = outcome.allocation
    year = allocation.settings.year
    target = Path(target)
    faces = fonts.faces()
    if districts:
        chosen = t.hardware_districts(allocation)
        made = districts_workbook(outcome, faces)
        if made is None:
            return [], []
        names = [file_name(str(n), d, year, HARDWARE_NOTICE) for n, d in enumerate(chosen, start=1)]
    else:
        chosen = chosen_centers(allocation, centers)
        made = notices_workbook(outcome, chosen, full, faces)
        names = [file_name(c.code, c.name, year) for c in chosen]
    workbook, counts = made
    what = HARDWARE_NOTICE if districts else NOTICE
    data = print_letters({what: workbook}, {what: counts})[what]
    return write_pdf_or_folder(data, target, names, counts), lt.face_checks(faces)
