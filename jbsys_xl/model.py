"""Plain records passed between the pipeline stages: checks, the validated dataset, the result.

Readers produce a :class:`Dataset` (typed, validated, one year); the rules turn it into an
:class:`Allocation`; writers only read an Allocation. Money is ``Decimal``, ratios ``Fraction``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .contract import STATUS_DRAFT, STATUS_FINAL

Month = tuple[int, int]  # (year, month)


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


# --- checks ---------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Check:
    """One finding of validation, pointing at the sheet and cell (A1) it is about."""

    level: str  # "error" | "warning"
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"level": self.level, "sheet": self.sheet, "cell": self.cell, "message": self.message}


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


@dataclass(frozen=True)
class Complaint:
    """A valid (有理) complaint inside the period."""

    center: str
    day: date
    source: str = ""
    line: str = ""
    content: str = ""


@dataclass(frozen=True)
class Deduction:
    center: str
    reason: str
    amount: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class Callback:
    """One case of the 回访 sheet: a 12333 callback and what it found (金保 contract §8)."""

    year: int
    center: str  # 中心编码
    case_id: str  # 业务流水号, in normal form
    day: date | None = None
    result: str | None = None  # 属实 / 不属实 / 无法联系; None while not called yet
    note: str = ""


@dataclass(frozen=True)
class HardwareRow:
    district: str
    budget: Decimal
    planned: Decimal
    actual: Decimal
    filed: bool


@dataclass
class Dataset:
    """Everything the rules need for one year; centers are the active ones, in code order."""

    settings: Settings
    indicators: list[Indicator]
    centers: list[Center]
    ratings: dict[str, Rating]
    volumes: dict[tuple[str, str], Fraction]  # (center code, indicator name) → volume in period
    complaints: list[Complaint]
    deductions: list[Deduction]
    hardware: list[HardwareRow]
    # Centers that exist but are inactive this year: kept for name lookups in explanations.
    all_centers: list[Center] = field(default_factory=list)
    # Where a setting or a rating came from, so rules can point errors at a cell:
    # (sheet, header) or (sheet, center code) → (sheet, A1 cell).
    origins: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    callbacks: list[Callback] = field(default_factory=list)  # the year's 回访 of active centers


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
    # (center code, indicator name) → (volume, factor score s)
    factors: dict[tuple[str, str], tuple[Fraction, Fraction]]
    dataset: Dataset

    def center(self, code: str) -> CenterResult:
        for result in self.centers:
            if result.code == code:
                return result
        raise KeyError(code)

    # Totals over all centers that explanations of single centers refer to; computed once,
    # since explaining every center would otherwise redo them per center.
    @cached_property
    def indicator_totals(self) -> dict[str, Fraction]:
        """Σ_c v[c, i] over the active centers, per indicator name."""
        totals = {indicator.name: Fraction(0) for indicator in self.indicators}
        for (_code, name), (volume, _score) in self.factors.items():
            totals[name] += volume
        return totals

    @cached_property
    def score_total(self) -> Fraction:
        return sum((c.score for c in self.centers), Fraction(0))

    @cached_property
    def net_receiving_total(self) -> Decimal:
        """Σ N over the centers with N > 0: the base a redistribution is shared over."""
        return sum((c.net_workload for c in self.centers if c.net_workload > 0), Decimal(0))
