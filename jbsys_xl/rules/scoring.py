"""Factor scores by the 因素分析法 (spec §4), as exact rationals.

占比法: s = w × v / Σ_c v;  对标法: s = w × v / max_c v;  0 where the denominator is 0.
The sums and maxima run over the factor base: the active centers minus ``excluded`` (vetoed
centers under 否决处理 = 剔除), whose s and S are 0 so padded volumes dilute no one.
"""
from __future__ import annotations

from fractions import Fraction
from math import lcm

from .. import contract
from ..model import Center, Indicator


def factor_scores(method: str, indicators: list[Indicator], centers: list[Center],
                  volumes: dict[tuple[str, str], Fraction], excluded: frozenset[str] = frozenset()
                  ) -> tuple[dict[str, Fraction], dict[tuple[str, str], Fraction]]:
    """Per center S = Σ_i s[c, i], and every s[c, i] (for the 得分明细 sheet and =JBFACTOR).

    Worked in plain integers: with D the common denominator of all volumes, V = v × D is an
    integer and base[i] = B[i] / D, so s[c, i] = w[i] × v / base[i] = w[i] × V / B[i] —
    one Fraction per pair instead of a chain of Fraction products, and S is summed over one
    common denominator (adding 60 fractions with unrelated denominators one by one would
    grow and reduce large numbers 60 times per center).
    """
    codes = [center.code for center in centers]
    names = [indicator.name for indicator in indicators]
    volumes = {key: volume for key, volume in volumes.items() if key[0] not in excluded}
    den = lcm(*(volume.denominator for volume in volumes.values()))
    scaled = {key: volume.numerator * (den // volume.denominator) for key, volume in volumes.items()}
    rates: dict[str, Fraction] = {}  # a[i] = w[i] / B[i], so that s[c, i] = a[i] × V[c, i]
    for indicator in indicators:
        column = [scaled[key] for key in ((code, indicator.name) for code in codes) if key in scaled]
        base = max(column, default=0) if method == contract.METHOD_BENCHMARK else sum(column)
        if base:
            weight = Fraction(indicator.weight)
            rates[indicator.name] = Fraction(weight.numerator, weight.denominator * base)
    zero = Fraction(0)
    factors = {(code, name): Fraction(rates[name].numerator * scaled[(code, name)],
                                      rates[name].denominator)
               if name in rates and (code, name) in scaled else zero
               for code in codes for name in names}
    common = lcm(*(rate.denominator for rate in rates.values()))
    numerators = {name: rate.numerator * (common // rate.denominator) for name, rate in rates.items()}
    scores = {}
    for code in codes:
        total = 0
        for name, numerator in numerators.items():
            v = scaled.get((code, name))
            if v:
                total += numerator * v
        scores[code] = Fraction(total, common)
    return scores, factors


def empty_indicators(indicators: list[Indicator], volumes: dict[tuple[str, str], Fraction],
                     excluded: frozenset[str] = frozenset()) -> list[Indicator]:
    """Indicators with no volume in the factor base (city total v[i] = 0): every s is 0, so
    their weight counts for nothing."""
    filled = {name for (code, name), volume in volumes.items() if volume and code not in excluded}
    return [indicator for indicator in indicators if indicator.name not in filled]


def ranks(scores: dict[str, Fraction]) -> dict[str, int]:
    """Competition ranks by score, highest first; equal scores share a rank."""
    ordered = sorted(scores.values(), reverse=True)
    first_place = {}
    for place, score in enumerate(ordered, start=1):
        first_place.setdefault(score, place)
    return {code: first_place[score] for code, score in scores.items()}
