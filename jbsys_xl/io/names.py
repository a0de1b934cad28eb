"""How names typed by people are compared: 中心, 事项, 所属区 and 金保 institution/item names.

One rule everywhere (spec §1, 金保 contract §4): trim, then NFKC, so full-width and half-width
forms (（）/(), １２/12, the ideographic space) are the same name. The workbook and the 金保
import share it, so a name that matches in one matches in the other.

A name that matches nothing may come with a hint (是否指“…”？). A busy clerk follows a hint, so
one is given only when it is nearly certainly the same thing (金保 contract §4 v3): no hint is
better than a wrong one. Institutions compare their cores — the name without a 区/县/市 prefix,
brackets, punctuation and the words every institution carries (人社服务中心, 劳动保障所, 街道,
a final 镇 …) — at a difflib ratio of at least :data:`INSTITUTION_RATIO`, never across a
district (武进区湖塘镇… hints only at centers of 武进区), and only when one center alone is that
close. Items hint only when equal without punctuation, brackets and the words 业务/办理/申请/受理,
or one character apart (就业见习 is not 就业困难人员认定).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping


def normalize(name: str) -> str:
    """The form names are compared in: NFKC, then trimmed (NFKC turns U+3000 into a space)."""
    return unicodedata.normalize("NFKC", name).strip()


def invisible(name: str) -> list[str]:
    """The characters of a name that show as nothing (a zero-width space U+200B pasted from a web
    page, a byte-order mark, a soft hyphen, a control character), as U+XXXX: such a name is
    not the name it looks like, and a message must say why."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in name if unicodedata.category(ch) in ("Cf", "Cc")))


def visible(name: str) -> str:
    """The name without its invisible characters (what a hint compares)."""
    return "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cc"))


def invisible_note(name: str) -> str:
    """``（名称中有不可见字符 U+200B，请删除）`` for a message about a name, or empty."""
    found = invisible(name)
    return f"（名称中有不可见字符 {'、'.join(found)}，请删除）" if found else ""


def closest(name: str, known: Iterable[str], cutoff: float = 0.5) -> str | None:
    """The known name a person most likely meant, for short closed lists (所属区): compared in
    normal form, the known name returned as it is written; None when nothing is close."""
    by_form: dict[str, str] = {}
    for candidate in known:
        by_form.setdefault(normalize(candidate), candidate)
    found = difflib.get_close_matches(normalize(name), list(by_form), n=1, cutoff=cutoff)
    return by_form[found[0]] if found else None


# --- institutions ---------------------------------------------------------------------------

INSTITUTION_RATIO = 0.8  # difflib ratio of two cores, at least (README: 是否指 hints)
_HAN = "[\u3400-\u9fff]"
# 江苏省常州市武进区…: an optional province and city, then the district (or county, or a
# county-level city such as 溧阳市) — 2 to 4 characters before the unit, so 邹区镇 is no district.
_DISTRICT = re.compile(f"^(?:{_HAN}{{2,4}}?省)?({_HAN}{{2,4}}?市)?({_HAN}{{2,4}}?[区县市])?")
_NOT_DISTRICTS = ("社区", "小区", "园区", "校区", "片区", "景区", "街区")
# Words every institution's name carries: removed wherever they stand, longest first.
INSTITUTION_WORDS = tuple(sorted((
    "人力资源和社会保障服务中心", "人力资源社会保障服务中心", "人社服务中心", "人社服务站", "人社中心",
    "人社所", "劳动和社会保障服务所", "劳动和社会保障所", "劳动保障服务所", "劳动保障服务站",
    "劳动保障所", "劳动保障站", "劳保所", "劳保站", "社保服务中心", "就业服务中心", "服务中心", "服务站", "服务所",
    "街道办事处", "办事处", "街道"), key=len, reverse=True))
_TOWN = re.compile("[镇乡]$")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>")


def plain(name: str) -> str:
    """Normal form without spaces and punctuation (brackets included)."""
    return "".join(ch for ch in normalize(name)
                   if not unicodedata.category(ch).startswith(("P", "S", "Z")))


def district_prefix(name: str) -> str | None:
    """The 区/县/市 a name begins with (武进区湖塘镇… → 武进区, 常州市天宁区… → 天宁区), or None."""
    return _administrative(plain(name))[0]


def _administrative(form: str) -> tuple[str | None, int]:
    """The district a plain name begins with, and how many characters its prefix takes."""
    match = _DISTRICT.match(form)
    district = match.group(2) or match.group(1)
    if district is None or district.endswith(_NOT_DISTRICTS):
        return None, 0
    return district, match.end()


def same_district(a: str, b: str) -> bool:
    """天宁区 and 天宁 are one district: compared without the unit character."""
    return plain(a).rstrip("区县市") == plain(b).rstrip("区县市")


def institution_core(name: str) -> str:
    """What tells one institution from another: no bracketed parts, punctuation, district
    prefix or common words (天宁区雕庄街道劳动保障所 → 雕庄)."""
    form = plain(_BRACKETED.sub("", normalize(name)))
    form = form[_administrative(form)[1]:]
    for word in INSTITUTION_WORDS:
        form = form.replace(word, "")
    return _TOWN.sub("", form)


def institution_hint(name: str, known: Iterable[tuple[str, str]],
                     districts: Mapping[str, str]) -> str | None:
    """The center an unmatched institution name nearly certainly is, as one of its names
    written in the workbook; ``known`` are (name, center code), ``districts`` code → 所属区.
    None unless exactly one center's core is at least INSTITUTION_RATIO alike — and, for a
    name that begins with a district, that center lies in it."""
    core = institution_core(name)
    if not core:
        return None
    district = district_prefix(name)
    best: dict[str, tuple[float, float, str]] = {}  # code → (core ratio, name ratio, name)
    for written, code in known:
        if district and not same_district(districts.get(code, ""), district):
            continue
        other = institution_core(written)
        score = _ratio(core, other) if other else 0.0
        if score >= INSTITUTION_RATIO:
            entry = (score, _ratio(normalize(name), normalize(written)), written)
            if code not in best or entry[:2] > best[code][:2]:
                best[code] = entry
    if len(best) != 1:
        return None
    return next(iter(best.values()))[2]


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- items ----------------------------------------------------------------------------------

ITEM_WORDS = ("业务", "办理", "申请", "受理")
NEGATIONS = frozenset("未非不无")  # 出具未参保证明 is not 出具参保证明


def item_core(name: str) -> str:
    """An item name without punctuation, brackets and the words 业务/办理/申请/受理."""
    form = plain(name)
    for word in ITEM_WORDS:
        form = form.replace(word, "")
    return form


def item_hint(name: str, known: Iterable[tuple[str, str]]) -> str | None:
    """The indicator an unmatched item name nearly certainly is; ``known`` are (name, 事项名称).
    Equal cores, else cores one character apart — a character added or dropped when the longer
    has 5 or more, one changed when both have 6 or more (失业登记 and 就业登记 are two services),
    never a negation — and only when one indicator alone qualifies."""
    core = item_core(name)
    if not core:
        return None
    known = [(written, target, item_core(written)) for written, target in known]
    for close in (lambda other: other == core, lambda other: _one_apart(core, other)):
        found: dict[str, str] = {}
        for written, target, other in known:
            if other and close(other):
                found.setdefault(target, written)
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


def _one_apart(a: str, b: str) -> bool:
    """One character added, dropped or changed, under the length rules of :func:`item_hint`."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 and len(a) >= 6 and not {a[diff[0]], b[diff[0]]} & NEGATIONS
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    return len(b) >= 5 and a[i:] == b[i + 1:] and b[i] not in NEGATIONS
