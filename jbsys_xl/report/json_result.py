"""The machine-readable result of spec §7."""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

from .. import contract
from ..model import Allocation, month_text
from ..pipeline import Outcome

TWO_PLACES = Decimal("0.01")


def money(amount: Decimal) -> str:
    return f"{amount.quantize(TWO_PLACES):f}"


def score_number(score: Fraction) -> float:
    """Rounded half-up to 6 decimals, like every rounding the spec names and Excel's ROUND."""
    millionths = (score.numerator * 2_000_000 + score.denominator) // (2 * score.denominator)
    return float(Fraction(millionths, 1_000_000))


def center_record(result) -> dict:
    record = {}
    for key, _label in contract.CENTER_RESULT_COLUMNS:
        value = getattr(result, key)
        if key in contract.MONEY_KEYS:
            value = money(value)
        elif key == "score":
            value = score_number(value)
        record[key] = value
    return record


def result_dict(outcome: Outcome) -> dict:
    result: dict = {"ok": outcome.ok, "year": outcome.year}
    allocation: Allocation | None = outcome.allocation
    if allocation is not None and outcome.ok:
        s = allocation.settings
        result["status"] = s.status
        if s.status == contract.STATUS_FINAL:  # what the 审定 rests on, as typed in 参数
            result["approval"] = {"number": s.approval_number,
                                  "date": s.approval_date.isoformat() if s.approval_date else None}
        result["period"] = [month_text(s.period_start), month_text(s.period_end)]
        result["method"] = s.method
        result["pools"] = {key: money(getattr(allocation.pools, key)) for key, _ in contract.POOL_LABELS}
        result["centers"] = [center_record(c) for c in allocation.centers]
        result["districts"] = [
            {key: d.district if key == "district" else money(getattr(d, key))
             for key, _ in contract.DISTRICT_RESULT_COLUMNS}
            for d in allocation.districts]
    result["checks"] = [c.as_dict() for c in outcome.checks]
    return result


def to_json(outcome: Outcome) -> str:
    return json.dumps(result_dict(outcome), ensure_ascii=False, indent=2) + "\n"
