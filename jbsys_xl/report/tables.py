"""The result sheets as plain data, independent of any writer.

The XlsxWriter file, the PDF and the in-Excel (xlwings) writer all lay out these tables, so every
door shows the same rows, sums and labels. Money stays ``Decimal``, scores are rounded numbers;
writers only choose how a kind looks (:func:`cell_text`, :func:`sheet_value`).
"""
from __future__ import annotations

from collections.abc import Iterable
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache
from decimal import Decimal
from fractions import Fraction

from .. import contract
from ..model import Allocation, Check, Pools, Settings, month_text
from .json_result import money, score_number

# Kinds of column: how a writer formats the values (NUMBER: weights, volumes; PERCENT: shares).
TEXT, MONEY, SCORE, INT, BOOL = "text", "money", "score", "int", "bool"
NUMBER, PERCENT = "number", "percent"
SUMMED_KINDS = (MONEY, INT)  # what a 小计/合计 row adds up

SUBTOTAL, TOTAL = "小计", "合计"
FACTOR_SCORE = "因素得分"
PARAMETER, VALUE, ITEM_LABEL, AMOUNT = "参数", "取值", "项目", "金额（元）"
COMPARISON_SHEET = "同比"
LINES_SHEET = "条线汇总"
NO_DEPARTMENT = "（未填考核部门）"
SIGN_LINE = "确认人：____________　　确认日期：______年____月____日"
CHANGE_LIMIT = Fraction(3, 10)
CHANGE_FLAG = "变动超过±30%"
THIS_YEAR, LAST_YEAR, CHANGE = "本年", "上年", "变动"
HARDWARE_BUDGET = contract.SHEET_SPECS[contract.HARDWARE].required[2]  # 预算补助
_INDICATOR_HEADERS = contract.SHEET_SPECS[contract.INDICATORS].required
SEQ, ITEM, WEIGHT = (_INDICATOR_HEADERS[i] for i in (1, 3, 4))  # 序号, 事项名称, 指标权重
VOLUME = contract.SHEET_SPECS[contract.VOLUMES].required[3]  # 业务量
CENTER_LABELS = dict(contract.CENTER_RESULT_COLUMNS)
CENTER_KINDS = {"vetoed": BOOL, "winner": BOOL, "score": SCORE, "complaints": INT,
                **{key: MONEY for key in contract.MONEY_KEYS}}
_SETTING_KINDS = {"hardware_cap": PERCENT, "complaint_rate": PERCENT, "unit": NUMBER}


@dataclass(frozen=True)
class Table:
    """One table of a result sheet: a row is a tuple with one value per header."""

    title: str
    headers: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    subtotals: frozenset[int] = frozenset()  # row indexes of 小计 rows
    totals: frozenset[int] = frozenset()  # row indexes of 合计 rows

    def __post_init__(self):
        if len(self.headers) != len(self.kinds) or any(len(r) != len(self.headers) for r in self.rows):
            raise ValueError(f"{self.title}: every row needs one value per header")

    def is_summary(self, index: int) -> bool:
        return index in self.subtotals or index in self.totals


def yes_no(value: bool) -> str:
    return contract.YES_NO[0] if value else contract.YES_NO[1]


def sheet_value(value, kind: str):
    """What a spreadsheet cell holds: numbers as float (money keeps its 2-decimal value), 是/否."""
    if value is None:
        return None
    if kind == BOOL:
        return yes_no(value)
    if isinstance(value, (Decimal, Fraction)):
        return float(value)
    return value


def cell_text(value, kind: str) -> str:
    """How a value reads on a terminal or in a text report."""
    if value is None:
        return ""
    if kind == BOOL:
        return yes_no(value)
    if kind == MONEY:
        return f"{Decimal(money(value)):,.2f}"
    if kind == SCORE:
        return f"{float(value):.6f}"
    if kind == PERCENT:
        return f"{float(value) * 100:.2f}%"
    if kind == NUMBER:
        return f"{float(value):,.4f}".rstrip("0").rstrip(".")
    return str(value)


@lru_cache(maxsize=65536)  # sizing columns measures the same names and amounts many times
def display_width(text: str) -> int:
    """Terminal/column width: CJK and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def table_text(table: Table) -> str:
    """A table as aligned text: numbers right-aligned, CJK counted as two columns."""
    cells = [list(table.headers)] + [[cell_text(v, k) for v, k in zip(row, table.kinds)]
                                     for row in table.rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(table.headers))]
    right = [kind != TEXT for kind in table.kinds]
    rule = "  ".join("-" * w for w in widths)
    out = [f"【{table.title}】"]
    for index, row in enumerate(cells):
        if index - 1 in table.totals:
            out.append(rule)
        out.append("  ".join(_pad(text, w, r) for text, w, r in zip(row, widths, right)).rstrip())
        if index == 0:
            out.append(rule)
    return "\n".join(out)


def summary_row(label_cells: dict[int, object], rows: list[tuple], kinds: tuple[str, ...]) -> tuple:
    """A 小计/合计 row: Σ of the money and count columns of ``rows``, labels where given."""
    return tuple(label_cells.get(i, sum((r[i] for r in rows), Decimal(0) if kind == MONEY else 0)
                                 if kind in SUMMED_KINDS else None)
                 for i, kind in enumerate(kinds))


NUMBER_LABEL = "序号"


def numbered(table: Table) -> Table:
    """``table`` with a 序号 column first: its data rows numbered 1, 2, … across the groups (a
    reader and 财政 cite a row by it); 小计 and 合计 rows get none."""
    rows, count = [], 0
    for index, row in enumerate(table.rows):
        if table.is_summary(index):
            rows.append((None, *row))
        else:
            count += 1
            rows.append((count, *row))
    return Table(table.title, (NUMBER_LABEL, *table.headers), (INT, *table.kinds), rows,
                 table.subtotals, table.totals)


def _center_row(result) -> tuple:
    values = []
    for key, _label in contract.CENTER_RESULT_COLUMNS:
        value = getattr(result, key)
        values.append(score_number(value) if key == "score" else value)
    return tuple(values)


def result_table(allocation: Allocation) -> Table:
    """分配结果: every column of the result, centers grouped by district with 小计 and 合计."""
    keys = [key for key, _ in contract.CENTER_RESULT_COLUMNS]
    kinds = tuple(CENTER_KINDS.get(key, TEXT) for key in keys)
    return grouped(allocation, tuple(CENTER_LABELS[key] for key in keys), kinds, _center_row,
                    name_at=keys.index("name"), district_at=keys.index("district"))


def hardware_districts(allocation: Allocation) -> list[str]:
    """所属区 with a 硬件 row of the year, in the order of the allocation's 所属区 (as every
    table groups them), then any other by name."""
    order = {d.district: n for n, d in enumerate(allocation.districts)}
    return sorted(dict.fromkeys(h.district for h in allocation.dataset.hardware),
                  key=lambda d: (order.get(d, len(order)), d))


def with_lines(table: Table, lines: Iterable[str], title: str | None = None) -> Table:
    """``table`` followed by a blank row and one row per line in its first column (a record sheet
    that ends by saying what was done)."""
    width = len(table.headers)
    extra = [(None,) * width] + [(line,) + (None,) * (width - 1) for line in lines]
    return Table(title or table.title, table.headers, table.kinds, table.rows + extra, totals=table.totals)


def project_name(row, number: int) -> str:
    """A 硬件 row by its 项目名称; unnamed, ``第 N 项`` counted within its 所属区 — the same
    words in the 附件 and in that 区's 告知书 (and as ``diff`` names the row)."""
    return row.project or f"第 {number} 项"


def grouped(allocation: Allocation, headers: tuple, kinds: tuple, row, name_at: int,
             district_at: int | None = None) -> Table:
    """Centers grouped by district (result order), a 小计 per district, then 合计."""
    rows: list[tuple] = []
    subtotals = set()
    center_rows = []
    for district in allocation.districts:
        group = [row(c) for c in allocation.centers if c.district == district.district]
        rows.extend(group)
        center_rows.extend(group)
        subtotals.add(len(rows))
        labels = {name_at: f"{district.district} {SUBTOTAL}"}
        if district_at is not None:
            labels[district_at] = district.district
        rows.append(summary_row(labels, group, kinds))
    rows.append(summary_row({name_at: TOTAL}, center_rows, kinds))
    return Table(contract.RESULT_SHEET, headers, kinds, rows, frozenset(subtotals),
                 frozenset({len(rows) - 1}))


def detail_table(allocation: Allocation) -> Table:
    """得分明细: one row per center × indicator with its volume and factor score s."""
    headers = (CENTER_LABELS["code"], CENTER_LABELS["name"], SEQ, ITEM, WEIGHT, VOLUME, FACTOR_SCORE)
    kinds = (TEXT, TEXT, INT, TEXT, NUMBER, NUMBER, SCORE)
    rows = []
    for center in allocation.centers:
        for indicator in allocation.indicators:
            volume, score = allocation.factors[(center.code, indicator.name)]
            rows.append((center.code, center.name, indicator.seq, indicator.name, indicator.weight,
                         volume, score_number(score)))
    return Table(contract.DETAIL_SHEET, headers, kinds, rows)


def district_table(allocation: Allocation) -> Table:
    """区汇总: each district's centers, its hardware budget and subsidy, and a 合计 row."""
    keys = [key for key, _ in contract.DISTRICT_RESULT_COLUMNS]
    labels = dict(contract.DISTRICT_RESULT_COLUMNS)
    keys.insert(keys.index("hardware_subsidy"), "hardware_budget")
    labels["hardware_budget"] = HARDWARE_BUDGET
    kinds = tuple(TEXT if key == "district" else MONEY for key in keys)
    rows = [tuple(getattr(d, key) for key in keys) for d in allocation.districts]
    rows.append(summary_row({0: TOTAL}, rows, kinds))
    return Table(contract.DISTRICT_SHEET, tuple(labels[key] for key in keys), kinds, rows,
                 totals=frozenset({len(rows) - 1}))


def department_tables(allocation: Allocation) -> list[Table]:
    """条线汇总: one table per 考核部门 (in 指标 order) with its indicators' volumes and factor
    scores for every center and a 合计 row, for the line department to check and sign."""
    departments: dict[str, list] = {}
    for indicator in allocation.indicators:
        departments.setdefault(indicator.department or NO_DEPARTMENT, []).append(indicator)
    excluded = allocation.excluded
    tables = []
    for department, indicators in departments.items():
        headers = [CENTER_LABELS["code"], CENTER_LABELS["name"], CENTER_LABELS["vetoed"]]
        kinds = [TEXT, TEXT, BOOL]
        for indicator in indicators:
            headers += [f"{indicator.seq}.{indicator.name} {VOLUME}",
                        f"{indicator.seq}.{indicator.name} {FACTOR_SCORE}"]
            kinds += [NUMBER, SCORE]
        headers.append(f"{FACTOR_SCORE}{SUBTOTAL}")
        kinds.append(SCORE)
        rows = []
        score_sums = {indicator.name: Fraction(0) for indicator in indicators}
        for center in allocation.centers:
            row: list = [center.code, center.name, center.vetoed]
            subtotal = Fraction(0)
            for indicator in indicators:
                volume, score = allocation.factors[(center.code, indicator.name)]
                row += [volume, score_number(score)]
                subtotal += score
                score_sums[indicator.name] += score
            rows.append(tuple(row + [score_number(subtotal)]))
        total: list = [None, TOTAL, None]
        for indicator in indicators:  # volumes over the factor base: what shares were taken of
            total += [allocation.indicator_totals[indicator.name],
                      score_number(score_sums[indicator.name])]
        total.append(score_number(sum(score_sums.values(), Fraction(0))))
        rows.append(tuple(total))
        title = f"{contract.SHEET_SPECS[contract.INDICATORS].optional[0]}：{department}"
        if excluded:
            title += f"（一票否决并剔除的中心业务量不计入合计：{'、'.join(sorted(excluded))}）"
        tables.append(Table(title, tuple(headers), tuple(kinds), rows,
                            totals=frozenset({len(rows) - 1})))
    return tables


def checks_table(checks: list[Check]) -> Table:
    """校验: every error and warning, errors first, with the level in Chinese."""
    ordered = sorted(checks, key=lambda c: c.level != "error")
    rows = [(contract.LEVEL_LABELS[c.level], c.sheet, c.cell, c.message) for c in ordered]
    return Table(contract.CHECKS_SHEET, tuple(label for _, label in contract.CHECK_COLUMNS),
                 (TEXT,) * len(contract.CHECK_COLUMNS), rows)


def settings_table(settings: Settings) -> Table:
    """Every 参数 value in force (defaults filled in), labelled with its 参数 header.

    Settings holds the 参数 headers' values in the sheet's header order, so the two zip."""
    headers = contract.SHEET_SPECS[contract.PARAMS].headers
    names = [f.name for f in fields(Settings)]
    assert len(names) == len(headers), "Settings and the 参数 headers no longer line up"
    rows = []
    for name, header in zip(names, headers):
        value = getattr(settings, name)
        text = month_text(value) if isinstance(value, tuple) else cell_text(
            value, _SETTING_KINDS.get(name, MONEY if isinstance(value, Decimal) else TEXT))
        rows.append((header, text))
    return Table(contract.PARAMS, (PARAMETER, VALUE), (TEXT, TEXT), rows)


BALANCE_PARTS = (("forfeited", "扣减及否决收回"), ("hardware_unused", "硬件预算未用"),
                 ("rounding", "工作量取整余额"), ("other", "其他未分配"))


def balance_parts(pools: Pools) -> dict[str, Decimal]:
    """结余 in the four parts of documents.md §1, keyed as BALANCE_PARTS; they add up to 结余."""
    workload = pools.performance_fund - pools.basic_total - pools.winner_total  # W, before rounding
    parts = {"forfeited": pools.forfeited,
             "hardware_unused": pools.hardware_budget - pools.hardware_total,
             "rounding": workload - pools.workload_pool,
             "other": pools.total_fund - pools.performance_fund - pools.hardware_budget}
    assert sum(parts.values(), Decimal(0)) == pools.balance, "资金平衡不平"
    return parts


def pools_table(pools: Pools) -> Table:
    """The fund's pools, from 资金总额 down to 结余."""
    rows = [(label, getattr(pools, key)) for key, label in contract.POOL_LABELS]
    return Table("资金汇总", (ITEM_LABEL, AMOUNT), (TEXT, MONEY), rows)


def change(now, before) -> Fraction | None:
    """Relative change now vs before; None when there is no base to compare with."""
    if now is None or before is None or before == 0:
        return None
    return Fraction(now) / Fraction(before) - 1


def _beyond_limit(now, before) -> bool:
    if now is None or before is None:
        return False
    if before == 0:
        return now != 0
    return abs(change(now, before)) > CHANGE_LIMIT


def status_text(settings: Settings) -> str:
    """草案 on a draft; 审定 with its 文号 and 审定日期 once 审定文号 is filled (spec §7)."""
    if settings.status == contract.STATUS_DRAFT:
        return contract.STATUS_DRAFT
    day = f" {settings.approval_date.isoformat()}" if settings.approval_date else ""
    return f"{contract.STATUS_FINAL} {settings.approval_number}{day}"


def sheet_title(title: str, settings: Settings) -> str:
    """A result sheet's title for people, with the status: drafts must never pass for final."""
    return f"{TITLES.get(title, title).format(year=settings.year)}（{status_text(settings)}）"


CALLBACK_SHEET = "回访汇总"  # not 回访: the Excel layer writes result sheets beside the input sheets
NOT_CALLED = "未回访"
CALLBACK_COUNTS = ("抽取", "已回访", *contract.CALLBACK_RESULTS, NOT_CALLED)
DECISIONS_LABEL = "处理决定"
UNDECIDED = "待工作组决定"


def callback_counts(callbacks) -> tuple[int, ...]:
    """(抽取, 已回访, 属实, 不属实, 无法联系, 未回访) of some 回访 cases: every drawn case is a
    row, an empty 回访结果 one not called yet."""
    results = [c.result for c in callbacks]
    return (len(results), len(results) - results.count(None),
            *(results.count(r) for r in contract.CALLBACK_RESULTS), results.count(None))


def callback_decision(callback, vetoed: bool) -> str:
    """What was decided about a 不属实 case: the center's 一票否决, or the working group's
    处理决定 with its 决定说明, or that it is still open."""
    if vetoed:
        return "已一票否决"
    if callback.decision is None:
        return UNDECIDED
    return callback.decision + (f"（{callback.decision_note}）" if callback.decision_note else "")


def callback_decisions(callbacks, vetoed: bool) -> str:
    """The decisions on a center's 不属实 cases, one per case; empty without such a case."""
    return "；".join(f"{c.case_id}：{callback_decision(c, vetoed)}" for c in callbacks
                     if c.result == contract.CALLBACK_REFUTED)


def callback_table(allocation: Allocation) -> Table | None:
    """回访汇总: each active center's 12333 callbacks of the year — drawn, called, by result,
    not called yet — and the decisions on 不属实 cases; None without any."""
    callbacks = allocation.dataset.callbacks
    if not callbacks:
        return None
    headers = (CENTER_LABELS["code"], CENTER_LABELS["name"], CENTER_LABELS["vetoed"], *CALLBACK_COUNTS,
               DECISIONS_LABEL)
    kinds = (TEXT, TEXT, BOOL) + (INT,) * len(CALLBACK_COUNTS) + (TEXT,)
    by_center: dict[str, list] = {}
    for callback in callbacks:
        by_center.setdefault(callback.center, []).append(callback)
    rows = [(c.code, c.name, c.vetoed, *callback_counts(by_center.get(c.code, [])),
             callback_decisions(by_center.get(c.code, []), c.vetoed) or None)
            for c in allocation.centers]
    rows.append(summary_row({1: TOTAL}, rows, kinds))
    return Table(CALLBACK_SHEET, headers, kinds, rows, totals=frozenset({len(rows) - 1}))


UNIT_LINE = "单位：元"
# Sheet titles for people, by table title (= sheet name); the first is the official 附件 title.
TITLES = {
    contract.RESULT_SHEET: "{year}年度市本级人社基层平台建设考核结果及补助资金分配表",
    contract.DETAIL_SHEET: "{year}年度各中心因素得分明细",
    contract.DISTRICT_SHEET: "{year}年度各区补助资金汇总",
    contract.CHECKS_SHEET: "{year}年度数据校验结果",
    COMPARISON_SHEET: "{year}年度与上年度补助资金及得分对比",
    LINES_SHEET: "{year}年度各条线考核指标业务量确认表",
    CALLBACK_SHEET: "{year}年度12333回访结果汇总（回访结果不直接改变补助资金）",
}


def comparison_table(current: Allocation, previous: Allocation) -> Table:
    """同比: each center's total and score this year vs last year, flagging changes beyond ±30%."""
    this = {c.code: c for c in current.centers}
    last = {c.code: c for c in previous.centers}
    codes = list(this) + sorted(code for code in last if code not in this)
    total, score = CENTER_LABELS["total"], CENTER_LABELS["score"]
    headers = (CENTER_LABELS["code"], CENTER_LABELS["name"], CENTER_LABELS["district"],
               THIS_YEAR + total, LAST_YEAR + total, total + CHANGE,
               THIS_YEAR + score, LAST_YEAR + score, score + CHANGE, CHANGE_FLAG)
    kinds = (TEXT, TEXT, TEXT, MONEY, MONEY, PERCENT, SCORE, SCORE, PERCENT, BOOL)
    rows = []
    for code in codes:
        now, before = this.get(code), last.get(code)
        known = now or before
        totals = tuple(r.total if r else None for r in (now, before))
        scores = tuple(r.score if r else None for r in (now, before))
        rows.append((code, known.name, known.district, *totals, change(*totals),
                     *(score_number(s) if s is not None else None for s in scores), change(*scores),
                     _beyond_limit(*totals) or _beyond_limit(*scores)))
    return Table(COMPARISON_SHEET, headers, kinds, rows)
