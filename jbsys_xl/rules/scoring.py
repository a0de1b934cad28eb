"""Factor scores by the 因素分析法 (spec §4), as exact rationals.

占比法: s = w × v / Σ_c v;  对标法: s = w × v / max_c v;  0 where the denominator is 0.
The sums and maxima run over the factor base: the active centers minus ``excluded`` (vetoed
centers under 否决处理 = 剔除), whose s and S are 0 so padded volumes dilute no one.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from math import lcm

from .. import contract
from ..model import Center, Indicator


class Factors(Mapping):
    """(center code, indicator name) → (volume v, factor score s), each s made when asked for:
    the money needs only S, and at province scale the 87,000 pairs' Fractions cost more than
    the rest of the rules together. Iterates center by center, indicators in order."""

    def __init__(self, codes: list[str], names: list[str], volumes: dict, base: dict,
                 rates: dict[str, Fraction]):
        self._codes, self._names, self._volumes = codes, names, volumes
        self._base, self._rates = base, rates
        self._known = set(codes), set(names)

    def __getitem__(self, key: tuple[str, str]) -> tuple[Fraction, Fraction]:
        code, name = key
        if code not in self._known[0] or name not in self._known[1]:
            raise KeyError(key)
        rate, volume = self._rates.get(name), self._base.get(key)
        score = Fraction(rate.numerator * volume, rate.denominator) if rate and volume else _ZERO
        return self._volumes.get(key, 0), score

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((code, name) for code in self._codes for name in self._names)

    def __len__(self) -> int:
        return len(self._codes) * len(self._names)


_ZERO = Fraction(0)


def factor_scores(method: str, indicators: list[Indicator], centers: list[Center],
                  volumes: dict[tuple[str, str], int], excluded: frozenset[str] = frozenset()
                  ) -> tuple[dict[str, Fraction], Factors]:
    """Per center S = Σ_i s[c, i], and every (v, s[c, i]) (for 得分明细, explain, =JBFACTOR).

    Volumes are whole counts, so with B[i] the base (Σ or max) and a[i] = w[i] / B[i],
    s[c, i] = a[i] × v[c, i] is one Fraction per pair, and S is summed in integers over one
    common denominator (adding 60 fractions with unrelated denominators one by one would
    grow and reduce large numbers 60 times per center).
    """
    codes = [center.code for center in centers]
    names = [indicator.name for indicator in indicators]
    base = {key: volume for key, volume in volumes.items() if key[0] not in excluded}
    rates: dict[str, Fraction] = {}  # a[i] = w[i] / B[i]
    for indicator in indicators:
        column = [base[key] for key in ((code, indicator.name) for code in codes) if key in base]
        total = max(column, default=0) if method == contract.METHOD_BENCHMARK else sum(column)
        if total:
            weight = Fraction(indicator.weight)
            rates[indicator.name] = Fraction(weight.numerator, weight.denominator * total)
    common = lcm(*(rate.denominator for rate in rates.values()))
    numerators = {name: rate.numerator * (common // rate.denominator) for name, rate in rates.items()}
    scores = {}
    for code in codes:
        total = 0
        for name, numerator in numerators.items():
            v = base.get((code, name))
            if v:
                total += numerator * v
        scores[code] = Fraction(total, common)
    return scores, Factors(codes, names, volumes, base, rates)


def empty_indicators(indicators: list[Indicator], volumes: dict[tuple[str, str], int],
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
