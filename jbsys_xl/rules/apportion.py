"""Largest-remainder apportionment (spec §6.3, §6.7): whole units, exact, ties by code."""
from __future__ import annotations

from fractions import Fraction


def largest_remainder(units: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """Split ``units`` over the keys in proportion to ``weights``.

    Each key gets ⌊q⌋ of its quota q = units × w / Σw; the units left go one each to the keys
    with the largest q − ⌊q⌋, ties broken by key (中心编码) ascending in code-point order.
    Returns all zeros when Σw = 0.
    """
    total = sum(weights.values(), Fraction(0))
    if units < 0:
        raise ValueError("units must not be negative")
    if total <= 0:
        return {key: 0 for key in weights}
    shares: dict[str, int] = {}
    remainders: list[tuple[Fraction, str]] = []
    for key, weight in weights.items():
        quota = units * weight / total
        whole = quota.numerator // quota.denominator
        shares[key] = whole
        remainders.append((quota - whole, key))
    left = units - sum(shares.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:left]:
        shares[key] += 1
    return shares
