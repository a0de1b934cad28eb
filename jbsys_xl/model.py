"""Plain records passed between the pipeline stages: checks, the validated dataset, the result.

Readers produce a :class:`Dataset` (typed, validated, one year); the rules turn it into an
:class:`Allocation`; writers only read an Allocation. Money is ``Decimal``, ratios ``Fraction``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .contract import (DECISION_NO_VETO, HARDWARE_FILING_DEADLINE, DEFAULT_FUND_SOURCE, DEFAULT_ISSUER, DEFAULT_OBJECTION_DAYS,
                       DEFAULT_PUBLICITY_DAYS, DEFAULT_TABULATOR, GRADES, STATUS_DRAFT, STATUS_FINAL,
                       VENUE_HALL, VENUE_WINDOW)

Month = tuple[int, int]  # (year, month)


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


# --- checks ---------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Check:
    """One finding of validation, pointing at the sheet and cell (A1) it is about. The same
    problem on many cells is one Check: ``cell`` is the first, ``count`` how many there are."""

    level: str  # "error" | "warning"
    sheet: str
    cell: str
    message: str
    count: int = 1

    @property
    def where(self) -> str:
        """业务量!A3, or 业务量!A3 等 1,242 处."""
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where} 等 {self.count:,} 处" if self.count > 1 and self.cell else where

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message

    def as_dict(self) -> dict:
        found = {"level": self.level, "sheet": self.sheet, "cell": self.cell, "message": self.message}
        if self.count > 1:
            found["count"] = self.count
        return found


def problem_count(checks) -> int:
    """How many problems the checks stand for: a grouped Check counts every cell it covers."""
    return sum(check.count for check in checks)


class Findings:
    """The errors and warnings of a run's ``checks``, and how many problems each stands for:
    one way of reading them for the allocation, the 金保 import and the callbacks."""

    checks: list[Check]

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.level == "error"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.level == "warning"]

    @property
    def error_count(self) -> int:
        return problem_count(self.errors)

    @property
    def warning_count(self) -> int:
        return problem_count(self.warnings)


class ValidationFailed(Exception):
    """Raised by the pipeline when errors stop the run; carries every check found."""

    def __init__(self, checks: list[Check]):
        self.checks = checks
        errors = [c for c in checks if c.level == "error"]
        super().__init__("\n".join(str(c) for c in errors))


# --- validated input for one year -------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    year: int
    total_fund: Decimal
    performance_fund: Decimal
    hardware_cap: Decimal
    award_a_plus: Decimal
    award_a: Decimal
    winner_count: int
    winner_award: Decimal
    complaint_rate: Decimal
    method: str
    forfeit_mode: str
    veto_mode: str
    unit: Decimal
    period_start: Month
    period_end: Month
    approval_number: str = ""  # 审定文号: empty while the allocation is a 草案
    approval_date: date | None = None  # 审定日期
    # Who signs and how objections are made (documents.md §0)
    issuer: str = DEFAULT_ISSUER  # 发文单位
    tabulator: str = DEFAULT_TABULATOR  # 制表单位
    fund_source: str = DEFAULT_FUND_SOURCE  # 资金来源
    objection_days: int = DEFAULT_OBJECTION_DAYS  # 异议期限, 工作日
    objection_contact: str = ""  # 异议联系人; empty: a blank line to fill by hand
    objection_phone: str = ""  # 异议电话
    publicity_days: int = DEFAULT_PUBLICITY_DAYS  # 公示期, 工作日
    publicity_date: date | None = None  # 公示日期: the 公示 is published on it
    publicity_end: date | None = None  # 公示截止日期: objections close; the 审定 comes after
    balance_use: str = ""  # 结余去向: where the money not allocated goes (e.g. 结转下年度统筹使用)
    # What 财政 pays by (documents.md §5); empty prints a blank line to fill by hand
    payment_method: str = ""  # 支付方式: 直接支付 or 转移支付
    budget_subject: str = ""  # 功能分类科目
    budget_document: str = ""  # 预算指标文号

    @property
    def period(self) -> tuple[Month, Month]:
        return self.period_start, self.period_end

    @property
    def status(self) -> str:
        """草案 until the year's 审定文号 is filled, then 审定 (spec §7)."""
        return STATUS_FINAL if self.approval_number else STATUS_DRAFT

    def in_period(self, month: Month) -> bool:
        return self.period_start <= month <= self.period_end


@dataclass(frozen=True)
class Indicator:
    seq: int
    category: str
    name: str
    weight: Decimal  # percent points
    sink: str
    department: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Center:
    code: str
    name: str
    district: str
    start_year: int | None = None
    end_year: int | None = None
    aliases: tuple[str, ...] = ()  # 金保机构: how the 金保 system names the center
    payee: str = ""  # 收款单位; empty: the center's name is used
    credit_code: str = ""  # 统一社会信用代码 of the payee, check digit verified
    bank: str = ""  # 开户银行 of the payee (a unit's account, not personal data)
    account: str = ""  # 银行账号, as typed (digits, spaces, '-')

    def active_in(self, year: int) -> bool:
        return ((self.start_year is None or self.start_year <= year)
                and (self.end_year is None or self.end_year >= year))


@dataclass(frozen=True)
class Rating:
    center: str  # 中心编码
    venue: str
    standardized: bool
    recommended: bool = False
    winner: bool = False
    vetoed: bool = False
    veto_reason: str = ""
    recorded_grade: str | None = None  # 评定等次 as the working group recorded it, if filled
    grade_note: str = ""  # 评定说明: why a grade is below its ceiling (required at 审定)
    veto_evidence: str = ""  # 否决依据: a 核查记录 number, a 12333 工单号, a document

    @property
    def ceiling(self) -> str:
        """The grade 服务场所 and 标准化下沉 allow (可评定为, spec §5): A+ own hall and
        standardized, A shared window and standardized, else B."""
        if not self.standardized:
            return "B"
        return {VENUE_HALL: "A+", VENUE_WINDOW: "A"}.get(self.venue, "B")

    @property
    def above_ceiling(self) -> bool:
        """A recorded grade higher than the ceiling: an error, never silently lowered."""
        return (self.recorded_grade is not None
                and GRADES.index(self.recorded_grade) < GRADES.index(self.ceiling))

    @property
    def grade(self) -> str:
        """The grade used: the recorded one when it is at or below the ceiling."""
        return self.recorded_grade if self.recorded_grade and not self.above_ceiling else self.ceiling

    @property
    def below_ceiling(self) -> bool:
        """A grade set lower than 服务场所/标准化下沉 allow: it needs a written reason."""
        return GRADES.index(self.grade) > GRADES.index(self.ceiling)


@dataclass(frozen=True)
class Complaint:
    """A complaint row inside the period (the rules count the 有理 ones)."""

    center: str
    day: date
    source: str = ""
    line: str = ""
    content: str = ""
    number: str = ""  # 投诉编号: rows sharing one are one matter, counted once (spec §6.4)
    cell: str = ""  # A1 cell of the row on 投诉 (its 投诉编号, else its 核实结论), for checks
    verdict: str = "有理"  # 核实结论
    verifier: str = ""  # 核实部门: the 条线, or 机关党委 with 就业处 (附件1 四(二)2)
    verified_on: date | None = None  # 核实日期
    # header → A1 cell of this row, for every header the sheet has (gates point at the empty one)
    cells: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


def complaint_count(complaints: list[Complaint]) -> int:
    """n: the complaints, those sharing a 投诉编号 counted once (spec §6.4)."""
    numbered = {c.number for c in complaints if c.number}
    return len(numbered) + sum(1 for c in complaints if not c.number)


@dataclass(frozen=True)
class Deduction:
    center: str
    reason: str
    amount: Decimal | None = None
    rate: Decimal | None = None
    cell: str = ""  # A1 cell of the row's 中心 on 扣减, for checks


@dataclass(frozen=True)
class Callback:
    """One case of the 回访 sheet: a 12333 callback, what it found and what the working group
    decided about it (金保 contract §8)."""

    year: int
    center: str  # 中心编码
    case_id: str  # 业务流水号, in normal form
    day: date | None = None
    result: str | None = None  # 属实 / 不属实 / 无法联系; None while not called yet (未回访)
    note: str = ""
    decision: str | None = None  # 处理决定: 否决 / 不否决
    decision_note: str = ""  # 决定说明
    agent: str = ""  # 回访人
    ticket: str = ""  # 工单号
    batch: str = ""  # 抽取批次: the seed of the draw
    cell: str = ""  # A1 cell of the row's 处理决定 (or 回访结果) on 回访, for checks

    @property
    def decided_no_veto(self) -> bool:
        """The working group kept the center in, in writing (what an 审定 needs)."""
        return self.decision == DECISION_NO_VETO and bool(self.decision_note)


@dataclass(frozen=True)
class Objection:
    """One row of the 异议 sheet for the year: an objection and how it was settled."""

    year: int
    center: str  # 中心编码
    received: date
    content: str
    outcome: str | None = None  # 处理结果: 维持 / 调整
    note: str = ""  # 处理说明
    decided_on: date | None = None  # 处理日期
    cell: str = ""  # A1 cell of the row's 处理结果 (or 中心) on 异议, for checks


@dataclass(frozen=True)
class HardwareRow:
    district: str
    budget: Decimal
    planned: Decimal
    actual: Decimal
    filed: bool
    filed_on: date | None = None  # 备案日期
    payee: str = ""  # 收款单位; empty: the 所属区's name is used
    credit_code: str = ""  # 统一社会信用代码
    project: str = ""  # 项目名称: what the 区 is told it is paid for
    decision: str | None = None  # 处理决定: 补助 / 不予补助, the 工作小组's on a 未备案 or late row
    decision_note: str = ""  # 决定说明
    bank: str = ""  # 开户银行
    account: str = ""  # 银行账号
    # header → A1 cell of this row, for every header the sheet has (gates point at the empty one)
    cells: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def filed_late(self, year: int) -> bool:
        """Filed after 3月31日 of the year (附件1 四(一) sets 3月底前备案): a 备案 the 工作小组
        decides on (allocation-rules §2 v4)."""
        return self.filed_on is not None and self.filed_on > date(year, *HARDWARE_FILING_DEADLINE)


@dataclass
class Dataset:
    """Everything the rules need for one year; centers are the active ones, in code order."""

    settings: Settings
    indicators: list[Indicator]
    centers: list[Center]
    ratings: dict[str, Rating]
    volumes: dict[tuple[str, str], int]  # (center code, indicator name) → 业务量 in period
    complaints: list[Complaint]
    deductions: list[Deduction]
    hardware: list[HardwareRow]
    # Centers that exist but are inactive this year: kept for name lookups in explanations.
    all_centers: list[Center] = field(default_factory=list)
    # Where a setting or a rating came from, so rules can point errors at a cell:
    # (sheet, header) or (sheet, center code) → (sheet, A1 cell).
    origins: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    callbacks: list[Callback] = field(default_factory=list)  # the year's 回访, one per case
    objections: list[Objection] = field(default_factory=list)  # the year's 异议 rows
    # 待核实 complaints inside the period: not counted, and an 审定 needs them settled
    pending_complaints: list[Complaint] = field(default_factory=list)
    # Every complaint inside the period whatever its verdict, for what changed between runs
    period_complaints: list[Complaint] = field(default_factory=list)
    # center code → the months of the period it has 业务量 > 0 in, in order (active centers;
    # none: no 业务量 at all): who was assessed on part of the year (rules.period)
    months: dict[str, tuple[Month, ...]] = field(default_factory=dict)


# --- result ---------------------------------------------------------------------------------

@dataclass
class CenterResult:
    code: str
    name: str
    district: str
    grade: str
    vetoed: bool
    veto_reason: str
    score: Fraction
    basic_award: Decimal
    gross_workload: Decimal
    complaints: int
    complaint_deduction: Decimal
    error_deduction: Decimal
    net_workload: Decimal
    redistributed: Decimal
    winner: bool
    winner_status: str | None
    winner_award: Decimal
    total: Decimal
    recommended: bool = False
    rank: int = 0  # 1 = highest score; ties share the rank
    receiver: bool = False  # may share a redistributed forfeit: N > 0, D = E = 0, not vetoed


@dataclass
class DistrictResult:
    district: str
    centers_total: Decimal
    hardware_subsidy: Decimal
    hardware_budget: Decimal
    total: Decimal


@dataclass
class Pools:
    total_fund: Decimal
    performance_fund: Decimal
    basic_total: Decimal
    winner_total: Decimal
    workload_pool: Decimal  # W', the pool actually apportioned
    gross_total: Decimal
    net_total: Decimal
    redistributed_total: Decimal
    forfeited: Decimal
    hardware_budget: Decimal
    hardware_total: Decimal
    paid_total: Decimal
    balance: Decimal


@dataclass
class Allocation:
    settings: Settings
    indicators: list[Indicator]
    pools: Pools
    centers: list[CenterResult]
    districts: list[DistrictResult]
    # (center code, indicator name) → (volume, factor score s): a Mapping, made on demand
    factors: Mapping[tuple[str, str], tuple[Fraction, Fraction]]
    dataset: Dataset
    # Centers left out of the factor base (vetoed, with 否决处理 = 剔除): their volumes count
    # in no indicator's total or maximum.
    excluded: frozenset[str] = frozenset()

    def center(self, code: str) -> CenterResult:
        for result in self.centers:
            if result.code == code:
                return result
        raise KeyError(code)

    # Totals over all centers that explanations of single centers refer to; computed once,
    # since explaining every center would otherwise redo them per center.
    @cached_property
    def indicator_totals(self) -> dict[str, Fraction]:
        """Σ_c v[c, i] over the centers of the factor base, per indicator name."""
        totals = {indicator.name: Fraction(0) for indicator in self.indicators}
        for (code, name), (volume, _score) in self.factors.items():
            if code not in self.excluded:
                totals[name] += volume
        return totals

    @cached_property
    def score_total(self) -> Fraction:
        return sum((c.score for c in self.centers), Fraction(0))

    @cached_property
    def net_receiving_total(self) -> Decimal:
        """Σ N over the centers that may receive: the base a redistribution is shared over."""
        return sum((c.net_workload for c in self.centers if c.receiver), Decimal(0))
