"""How names typed by people are compared: 中心, 事项, 所属区 and 金保 institution/item names.

One rule everywhere (spec §1, 金保 contract §4): trim, then NFKC, so full-width and half-width
forms (（）/(), １２/12, the ideographic space) are the same name. The workbook and the 金保
import share it, so a name that matches in one matches in the other.
"""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def normalize(name: str) -> str:
    """The form names are compared in: NFKC, then trimmed (NFKC turns U+3000 into a space)."""
    return unicodedata.normalize("NFKC", name).strip()


def closest(name: str, known: Iterable[str], cutoff: float = 0.5) -> str | None:
    """The known name a person most likely meant, for a 是否指“…”？ hint; None when nothing
    is close. Compared in normal form; the known name is returned as it is written."""
    by_form: dict[str, str] = {}
    for candidate in known:
        by_form.setdefault(normalize(candidate), candidate)
    target = normalize(name)
    found = difflib.get_close_matches(target, list(by_form), n=1, cutoff=cutoff)
    if found:
        return by_form[found[0]]
    # A name that contains a known one (or is contained in it), e.g. 雕庄街道人社所 for
    # 雕庄街道人社服务中心, shares a long prefix: take the longest shared prefix of 2+ characters.
    best, best_len = None, 1
    for form, candidate in by_form.items():
        shared = len(_common_prefix(form, target))
        if shared > best_len:
            best, best_len = candidate, shared
    return best


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]
