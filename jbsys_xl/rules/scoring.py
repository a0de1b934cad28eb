"""Factor scores by the 因素分析法 (spec §4), as exact rationals.

占比法: s = w × v / Σ_c v;  对标法: s = w × v / max_c v;  0 where the denominator is 0.
"""
from __future__ import annotations

from fractions import Fraction
from math import lcm

from .. import contract
from ..model import Center, Indicator


def factor_scores(method: str, indicators: list[Indicator], centers: list[Center],
                  volumes: dict[tuple[str, str], Fraction]
                  ) -> tuple[dict[str, Fraction], dict[tuple[str, str], Fraction]]:
    """Per center S = Σ_i s[c, i], and every s[c, i] (for the 得分明细 sheet and =JBFACTOR).

    s[c, i] = a[i] × v[c, i] with a[i] = w[i] / base[i]. S is summed over one common
    denominator in plain integers: adding 60 fractions with unrelated denominators one by one
    would grow and reduce large numbers 60 times per center.
    """
    codes = [center.code for center in centers]
    names = [indicator.name for indicator in indicators]
    rates: dict[str, Fraction] = {}
    for indicator in indicators:
        column = [volumes.get((code, indicator.name), Fraction(0)) for code in codes]
        base = max(column, default=0) if method == contract.METHOD_BENCHMARK else sum(column)
        if base:
            rates[indicator.name] = Fraction(indicator.weight) / base
    zero = Fraction(0)
    factors = {(code, name): rates[name] * volumes[(code, name)]
               if name in rates and (code, name) in volumes else zero
               for code in codes for name in names}
    rate_den = lcm(*(rate.denominator for rate in rates.values()))
    volume_den = lcm(*(volume.denominator for volume in volumes.values()))
    rate_num = {name: rate.numerator * (rate_den // rate.denominator) for name, rate in rates.items()}
    scores = {}
    for code in codes:
        total = 0
        for name, numerator in rate_num.items():
            volume = volumes.get((code, name))
            if volume:
                total += numerator * volume.numerator * (volume_den // volume.denominator)
        scores[code] = Fraction(total, rate_den * volume_den)
    return scores, factors


def ranks(scores: dict[str, Fraction]) -> dict[str, int]:
    """Competition ranks by score, highest first; equal scores share a rank."""
    ordered = sorted(scores.values(), reverse=True)
    first_place = {}
    for place, score in enumerate(ordered, start=1):
        first_place.setdefault(score, place)
    return {code: first_place[score] for code, score in scores.items()}
