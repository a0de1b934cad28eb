"""告知书 (documents.md §2): one A4 page per active center that the center can read alone —
its score, rank and grade, the contributions that make the score, its complaints (those still
待核实 named), deductions and 12333 callbacks with the working group's decision, every amount
down to the exact quota and the largest-remainder rule, 上年 → 本年, how to object, and who
issues it. ``--full`` adds the whole score table on a second page. Hardware notices: a page
per 所属区 that has a 硬件 row of the year.

Nothing is computed here that the rules do not fix: amounts come from the Allocation and its
explanation (:mod:`.explain`). The pages are laid out as a workbook, a sheet per page, each on
one page at 100 % or a little less (never below 8 pt), and LibreOffice renders all of them in
one conversion; a file per center is split from that PDF (pypdf).
"""
from __future__ import annotations

import io
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from pypdf import PdfReader

from .. import contract
from ..io.atomic import write_atomic
from ..model import Allocation, CenterResult, HardwareRow, month_text
from ..pipeline import Outcome
from ..rules.allocate import hardware_subsidy
from . import page as p
from . import tables as t
from .explain import LABEL, explain, find_center
from .history import previous_allocation
from .json_result import score_number
from .pdf import render, split

TOP = 10  # contributions listed on the page, largest s[c,i] first
WEIGHT = "权重"  # documents.md §2 (the 指标 sheet says 指标权重)
LISTED = 2  # records per list on the page; any more are counted
SECONDS_PER_PAGE = 0.5  # LibreOffice's time budget per page, on top of a fixed minute
NOTICE = "告知书"
HARDWARE_NOTICE = "硬件建设补助告知书"
GRID = (int(p.units_for(p.PORTRAIT_WIDTH, 14) / 14 * 10) / 10,) * 14  # a portrait page, fine enough for any table
TABLE_FONT = 9
DRAFT_BANNER = f"{contract.STATUS_DRAFT} 仅供核对"
SEAL = "（盖章）"
MORE = "完整记录可向就业处索取"
LATE = "{day} 晚于 3 月 31 日，属逾期备案"


class NoticeLayoutError(RuntimeError):
    """LibreOffice did not print the notices on the pages they were laid out for."""


def notice_title(settings) -> str:
    return p.title_with_status(f"{settings.year}年度人社基层平台建设考核结果及补助资金{NOTICE}", settings)


def _head(settings, title: str) -> p.Page:
    approval = p.approval_line(settings)
    return [p.Paragraph(title, p.TITLE),
            p.Paragraph(approval, p.SUBTITLE) if approval else p.Paragraph(DRAFT_BANNER, p.BANNER)]


def _tail(settings, number: str) -> p.Page:
    """异议 (section ``number``) and who issues it: the seal line on an 审定 notice, the draft
    banner otherwise."""
    clause = (f"　　如对考核结果有异议，请于收到本{NOTICE}之日起 {settings.objection_days} 个工作日内，"
              f"以书面形式（附相关证明材料）向{settings.tabulator}提出。{p.contact(settings)}")
    end = ([p.Paragraph(f"{settings.issuer}{SEAL}", p.RIGHT)] if settings.status == contract.STATUS_FINAL
           else [p.Paragraph(settings.issuer, p.RIGHT)])
    end.append(p.Paragraph(f"{p.document_date(settings)}　", p.RIGHT))
    return [p.Paragraph(f"{number}、异议", p.HEADING), p.Paragraph(clause), *end]


def _capped(table: t.Table) -> t.Table:
    """The first LISTED records and a row counting the rest; summary rows stay."""
    body = [row for index, row in enumerate(table.rows) if not table.is_summary(index)]
    summary = [row for index, row in enumerate(table.rows) if table.is_summary(index)]
    if len(body) <= LISTED:
        return table
    more = [None] * len(table.headers)
    text = max(col for col, kind in enumerate(table.kinds) if kind == t.TEXT)  # 内容, 原因
    more[text] = f"另有 {len(body) - LISTED} 条，{MORE}"
    rows = body[:LISTED] + [tuple(more)] + summary
    return t.Table(table.title, table.headers, table.kinds, rows,
                   totals=frozenset(range(LISTED + 1, len(rows))))


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
    return (f"精确份额 = {p.money_text(allocation.pools.workload_pool)} × 本中心得分 ÷ 全市得分合计 = "
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
    base = "标杆业务量" if benchmarks is not None else "全市业务量"
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


def _records(allocation: Allocation, e) -> p.Page:
    """三、投诉、差错和回访, each under a heading of its own."""
    r, s = e.result, allocation.settings
    rate = t.cell_text(s.complaint_rate, t.PERCENT)
    out: p.Page = [p.Paragraph("三、投诉、差错和回访", p.HEADING)]
    if e.complaints:
        rows = [(c.day.isoformat(), c.number, c.content) for c in e.complaints]
        out += [p.Paragraph(f"（一）有理投诉 {r.complaints} 件（投诉编号相同的只计一次），每件扣减应得工作量补助的 "
                            f"{rate}，投诉扣减 {p.money_text(r.complaint_deduction)} 元：", p.NOTE),
                _capped(t.Table("有理投诉", ("投诉日期", "投诉编号", "内容"), (t.TEXT,) * 3, rows))]
    else:
        out.append(p.Paragraph("（一）有理投诉：无。", p.NOTE))
    pending = [c for c in allocation.dataset.pending_complaints if c.center == r.code]
    if pending:
        each = (r.gross_workload * s.complaint_rate).quantize(s.unit)
        named = "；".join(f"{c.day.isoformat()} {c.number or '（无编号）'}" for c in pending)
        out.append(p.Paragraph(f"（二）尚待核实的投诉：{named}：尚在核实，本次未扣减；如核实为有理，每件将扣减应得工作量补助的 "
                               f"{rate}（约 {p.money_text(each)} 元）。", p.NOTE))
    else:
        out.append(p.Paragraph("（二）尚待核实的投诉：无。", p.NOTE))
    if e.deductions:
        rows = [(n, d.reason, d.amount, d.rate) for n, d in enumerate(e.deductions, start=1)]
        out += [p.Paragraph(f"（三）差错扣减 {len(e.deductions)} 条，合计 {p.money_text(r.error_deduction)} 元"
                            "（金额 + 应得工作量补助 × 比例）：", p.NOTE),
                _capped(t.Table("差错扣减", (t.SEQ, "原因", "扣减金额", "扣减比例"),
                                (t.INT, t.TEXT, t.MONEY, t.PERCENT), rows))]
    else:
        out.append(p.Paragraph("（三）差错扣减：无。", p.NOTE))
    if e.callbacks:
        results = [c.result for c in e.callbacks]
        counts = "，".join(f"{label} {results.count(label)} 件" for label in contract.CALLBACK_RESULTS
                          if results.count(label))
        waiting = results.count(None)
        counts += f"，未回访 {waiting} 件" if waiting else ""
        out.append(p.Paragraph(f"（四）12333 回访：抽查 {len(results)} 件，{counts}（回访结果不直接改变补助资金）。",
                               p.NOTE))
        refuted = [c for c in e.callbacks if c.result == contract.CALLBACK_REFUTED]
        if refuted:
            rows = [(c.case_id, c.day.isoformat() if c.day else "",
                     c.decision or ("一票否决" if r.vetoed else "工作组尚未决定"), c.decision_note)
                    for c in refuted]
            out.append(t.Table("不属实", ("业务流水号", "回访日期", "处理决定", "决定说明"), (t.TEXT,) * 4, rows))
    else:
        out.append(p.Paragraph("（四）12333 回访：本年度未抽查本中心的业务。", p.NOTE))
    return out


def _money(allocation: Allocation, e, previous: Allocation | None) -> p.Page:
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
    out: p.Page = [p.Paragraph(f"四、补助资金（{t.UNIT_LINE}）", p.HEADING), table,
                   p.Paragraph(remainder_sentence(allocation, r), p.NOTE)]
    if previous is not None:
        out.append(p.Paragraph(_year_on_year(previous, r), p.NOTE))
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


def notice_pages(allocation: Allocation, center: CenterResult, previous: Allocation | None = None,
                 full: bool = False, benchmarks: dict | None = None) -> list[p.Page]:
    """One center's notice: a page, and with ``full`` a second holding every indicator."""
    s = allocation.settings
    e = explain(allocation, center.code)
    r = e.result
    method = s.method == contract.METHOD_BENCHMARK
    if method and benchmarks is None:
        benchmarks = _benchmarks(allocation)
    base = "标杆业务量为全市最高" if method else "全市业务量为全市合计"
    base_note = base + ("（不含一票否决并剔除的中心）" if allocation.excluded else "")
    overview = t.Table("考核结果", (t.ITEM_LABEL, "内容"), (t.TEXT, t.TEXT), [
        (LABEL["score"], f"{t.cell_text(score_number(r.score), t.SCORE)} 分（{s.method}），"
                         f"第 {r.rank} 名（共 {len(allocation.centers)} 个中心）"),
        (LABEL["grade"], _grade_text(e)),
        (f"{LABEL['vetoed']}、{LABEL['winner']}",
         (f"一票否决：是（{r.veto_reason or '未填写原因'}），各项奖补均为 0" if r.vetoed else "一票否决：否")
         + f"；综合优胜：{_winner_text(r)}"),
    ])
    listed = [line for line in e.lines if line.factor_score]
    if listed:
        scores: p.Page = [
            p.Paragraph(f"二、得分构成（因素得分最高的 {min(TOP, len(listed))} 项，共 {len(e.lines)} 项"
                        + ("，全部见第二页" if full else "") + "）", p.HEADING),
            score_table(allocation, e.lines, r.score, TOP, benchmarks if method else None),
            p.Paragraph(f"因素得分 = 权重 × 本中心业务量 ÷ {'标杆' if method else '全市'}业务量，{base_note}。", p.NOTE)]
    else:  # no contribution to list: say why rather than print an empty table
        why = (f"本中心一票否决，按否决处理“{s.veto_mode}”，其业务量不计入{'标杆' if method else '全市'}业务量"
               if r.code in allocation.excluded else "本中心考核期内各项指标的业务量均为 0")
        scores = [p.Paragraph("二、得分构成", p.HEADING),
                  p.Paragraph(f"{why}，{len(e.lines)} 项指标的因素得分均为 0，得分为 0。", p.NOTE)]
    first: p.Page = [
        *_head(s, notice_title(s)),
        p.Paragraph(f"{r.name}（{LABEL['code']} {r.code}，{r.district}）："),
        p.Paragraph(f"　　根据{contract.REGULATION}，现将你中心 {s.year} 年度（考核期 "
                    f"{month_text(s.period_start)} 至 {month_text(s.period_end)}）考核结果和以奖代补资金"
                    "分配情况告知如下。"),
        p.Paragraph("一、考核结果", p.HEADING), overview,
        *scores,
        *_records(allocation, e),
        *_money(allocation, e, previous),
        *_tail(s, "五"),
    ]
    pages = [first]
    if full:
        pages.append([p.Paragraph(f"{r.name} {s.year} 年度得分构成（全部 {len(e.lines)} 项）", p.HEADING),
                      score_table(allocation, e.lines, r.score, None, benchmarks if method else None),
                      p.Paragraph(base_note + "。", p.NOTE)])
    return pages


# --- hardware notices -----------------------------------------------------------------------------

def hardware_title(settings) -> str:
    return p.title_with_status(f"{settings.year}年度人社基层平台{HARDWARE_NOTICE}", settings)


def _rule(number: int, row: HardwareRow, unit: Decimal) -> str:
    subsidy = p.money_text(hardware_subsidy(row, unit))
    late = ""
    deadline = (row.filed_on.year, *contract.HARDWARE_FILING_DEADLINE) if row.filed_on else None
    if row.filed_on and (row.filed_on.month, row.filed_on.day) > deadline[1:]:
        late = "；" + LATE.format(day=row.filed_on.isoformat())
    if not row.filed:
        return f"第 {number} 项：未备案，按先建后补的规定不予补助{late}。"
    return (f"第 {number} 项：已备案（{row.filed_on.isoformat() if row.filed_on else '备案日期未填'}），"
            f"补助 = 预算补助 {p.money_text(row.budget)} × min(1, 实际投入 {p.money_text(row.actual)} ÷ "
            f"计划投入 {p.money_text(row.planned)})，且不超过实际投入 = {subsidy} 元{late}。")


def district_page(allocation: Allocation, district: str) -> p.Page:
    s = allocation.settings
    rows = [h for h in allocation.dataset.hardware if h.district == district]
    kinds = (t.TEXT, t.MONEY, t.MONEY, t.MONEY, t.TEXT, t.TEXT, t.MONEY)
    body = [(str(n), h.budget, h.planned, h.actual, t.yes_no(h.filed),
             h.filed_on.isoformat() if h.filed_on else "", hardware_subsidy(h, s.unit))
            for n, h in enumerate(rows, start=1)]
    body.append(t.summary_row({0: t.TOTAL, 4: "", 5: ""}, body, kinds))
    table = t.Table("硬件", (t.SEQ, "预算补助", "计划投入", "实际投入", "已备案", "备案日期", "补助"), kinds, body,
                    totals=frozenset({len(body) - 1}))
    payee = next((h.payee for h in rows if h.payee), "")
    return [*_head(s, hardware_title(s)),
            p.Paragraph(f"{payee or district}："),
            p.Paragraph(f"　　根据{contract.REGULATION}（先建后补），现将{district} {s.year} 年度人社基层平台"
                        "硬件建设补助情况告知如下。"),
            p.Paragraph(f"一、硬件建设项目及补助（{t.UNIT_LINE}）", p.HEADING), table,
            p.Paragraph("二、适用规则", p.HEADING),
            *[p.Paragraph(_rule(n, h, s.unit), p.NOTE) for n, h in enumerate(rows, start=1)],
            *_tail(s, "三")]


# --- the workbook and the files ---------------------------------------------------------------------

def pages_workbook(title: str, pages: list[p.Page], per_notice: int = 1) -> bytes:
    """The pages as a workbook, a sheet per page (A4 portrait), each printing on one page and
    numbered within its notice (``per_notice`` pages each): the notice a center receives says
    第 1 页 共 1 页, not the place of its page among all the centers'."""
    def build(book, fmt):
        styles = p.letter_styles(book)
        for number, page in enumerate(pages, start=1):
            sheet = p.Sheet(book, fmt, styles, f"{number:04d}", GRID, TABLE_FONT)
            sheet.sheet.set_footer(p.page_footer((number - 1) % per_notice + 1, per_notice))
            sheet.write(page)
            if sheet.height > p.PORTRAIT_HEIGHT:  # a little smaller, never below MIN_POINTS
                scale = int(100 * p.PORTRAIT_HEIGHT / sheet.height)
                if scale * p.SMALLEST < 100 * p.MIN_POINTS:
                    raise NoticeLayoutError(f"{title}第 {number} 页内容过多，无法在一页内以不小于 "
                                            f"{p.MIN_POINTS} 磅的字号打印")
                sheet.sheet.set_print_scale(scale)
    return p.workbook_bytes(title, build)


def chosen_centers(allocation: Allocation, centers: list[str] | None) -> list[CenterResult]:
    """The centers asked for (by 中心编码 or 中心名称, in that order, once each), or all of them;
    raises UnknownCenter for a center that is not active in the year."""
    if not centers:
        return list(allocation.centers)
    found = [find_center(allocation, center) for center in centers]
    return list({result.code: result for result in found}.values())


def notices_workbook(outcome: Outcome, centers: list[CenterResult], full: bool = False) -> bytes:
    allocation = outcome.allocation
    previous = previous_allocation(outcome)
    benchmarks = _benchmarks(allocation) if allocation.settings.method == contract.METHOD_BENCHMARK else None
    pages = [page for center in centers
             for page in notice_pages(allocation, center, previous, full, benchmarks)]
    return pages_workbook(notice_title(allocation.settings), pages, 2 if full else 1)


def districts_workbook(outcome: Outcome) -> bytes | None:
    """The hardware notices, or None when the year has no 硬件 row."""
    allocation = outcome.allocation
    districts = t.hardware_districts(allocation)
    if not districts:
        return None
    return pages_workbook(hardware_title(allocation.settings),
                          [district_page(allocation, district) for district in districts])


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def file_name(code: str, name: str, year: int, kind: str = NOTICE) -> str:
    """A per-recipient file name, safe on Windows too."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{code}-{name}-{kind}-{year}") + ".pdf"


def check_pages(data: bytes, expected: int, what: str) -> list:
    pages = PdfReader(io.BytesIO(data)).pages
    if len(pages) != expected:
        raise NoticeLayoutError(f"{what}排版有误：应为 {expected} 页，LibreOffice 排成了 {len(pages)} 页")
    return list(pages)


def write_pdf_or_folder(data: bytes, target: Path, names: list[str], per_file: int) -> list[Path]:
    """``data`` at ``target`` when it ends in .pdf; else ``per_file`` pages a file, named by
    ``names``, into the folder ``target``."""
    if target.suffix.lower() == ".pdf":
        return [write_atomic(target, data)]
    return [write_atomic(target / name, part) for name, part in zip(names, split(data, per_file))]


def write_notices(outcome: Outcome, target: str | Path, centers: list[str] | None = None,
                  full: bool = False, districts: bool = False) -> list[Path]:
    """Write the notices of a valid outcome — the centers', or with ``districts`` the hardware
    notices — into one PDF when ``target`` ends in .pdf, else a PDF per recipient into the
    folder ``target``. Nothing is written unless LibreOffice printed every notice on the pages
    laid out for it. Returns the files written.

    Raises UnknownCenter, LibreOfficeMissing, LibreOfficeError or NoticeLayoutError."""
    allocation = outcome.allocation
    year = allocation.settings.year
    target = Path(target)
    if districts:
        chosen = t.hardware_districts(allocation)
        workbook = districts_workbook(outcome)
        if workbook is None:
            return []
        names, per_file = [file_name(str(n), d, year, HARDWARE_NOTICE)
                           for n, d in enumerate(chosen, start=1)], 1
    else:
        chosen = chosen_centers(allocation, centers)
        workbook = notices_workbook(outcome, chosen, full)
        per_file = 2 if full else 1
        names = [file_name(c.code, c.name, year) for c in chosen]
    data = render({NOTICE: workbook}, SECONDS_PER_PAGE * len(chosen) * per_file)[NOTICE]
    check_pages(data, len(chosen) * per_file, HARDWARE_NOTICE if districts else NOTICE)
    return write_pdf_or_folder(data, target, names, per_file)
