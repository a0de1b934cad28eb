"""What people type in 中心 and 事项 cells (and 金保 exports' institution and item columns),
resolved to a center code or an indicator name.

One lookup for the workbook and the 金保 import: names are compared in normal form
(:func:`~jbsys_xl.io.names.normalize`), a center is found by its 中心编码, 中心名称 or a 金保机构
alias, an indicator by its 事项名称 or a 金保事项 alias, and a miss may come with a hint — only
one nearly certainly right (:func:`~jbsys_xl.io.names.institution_hint`,
:func:`~jbsys_xl.io.names.item_hint`): the same hints in the workbook's 未知中心/未知事项
errors and in the 金保 import's 未匹配 list.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from .. import contract
from ..model import Center, Indicator
from .names import institution_hint, invisible_note, item_hint, normalize, visible
from .values import text


def split_aliases(cell: str | None) -> tuple[str, ...]:
    """An alias cell (金保机构, 金保事项): names separated by ; or ；, blanks dropped."""
    if not cell:
        return ()
    for sep in contract.ALIAS_SEPARATORS[1:]:
        cell = cell.replace(sep, contract.ALIAS_SEPARATORS[0])
    return tuple(part.strip() for part in cell.split(contract.ALIAS_SEPARATORS[0]) if part.strip())


class NameLookup:
    """Normal form of a name → its target (a center code, an indicator name).

    Names are added strongest first; a weaker name never replaces a stronger one (a 中心编码
    beats another center's 中心名称), and an alias claimed by two targets is a conflict the
    caller reports. ``near`` gives the hint for a miss from the known (name, target) pairs."""

    def __init__(self, near: Callable[[str, list[tuple[str, str]]], str | None]) -> None:
        self.near = near
        self.targets: dict[str, str] = {}
        self.known: list[tuple[str, str]] = []  # (name as written, target), for hints
        self.conflicts: list[tuple[str, str, str]] = []  # (name, first target, second target)

    def add(self, name: str, target: str, *, conflict_is_error: bool = False) -> None:
        form = normalize(name)
        if not form:
            return
        owner = self.targets.setdefault(form, target)
        if owner == target:
            self.known.append((name, target))
        elif conflict_is_error:
            self.conflicts.append((name, owner, target))

    def find(self, raw) -> str | None:
        """The target of a cell value (text or a number typed as a code), or None."""
        key = text(raw)
        return None if key is None else self.targets.get(normalize(key))

    def hint(self, raw) -> str | None:
        """A known name (as written in the workbook) the unmatched value nearly certainly
        means, or None. Invisible characters are not compared: a name that differs only by
        them is that name (and the message says what is in it)."""
        key = text(raw)
        if key is None:
            return None
        seen = visible(key)
        target = self.targets.get(normalize(seen))
        if target is not None:
            return next((name for name, owner in self.known if owner == target and normalize(name) == normalize(seen)),
                        None)
        return self.near(seen, self.known)

    def suggestion(self, raw) -> str:
        """``，是否指“…”？`` for a message, with the invisible characters the value holds
        (beside a hint that looks just like it), or empty."""
        near = self.hint(raw)
        key = text(raw) or ""
        return (f"，是否指“{near}”？" if near else "") + invisible_note(key)


def center_lookup(centers: Iterable[Center]) -> NameLookup:
    """中心编码 first, then 中心名称, then 金保机构 aliases (an alias naming two centers is a
    conflict); hints stay inside the 所属区 a name begins with."""
    centers = list(centers)
    near = partial(institution_hint, districts={c.code: c.district for c in centers})
    return _lookup(near, [(c.code, c.code) for c in centers] + [(c.name, c.code) for c in centers],
                   [(alias, c.code) for c in centers for alias in c.aliases])


def item_lookup(indicators: Iterable[Indicator]) -> NameLookup:
    """事项名称 first, then 金保事项 aliases (an alias naming two indicators is a conflict)."""
    indicators = list(indicators)
    return _lookup(item_hint, [(i.name, i.name) for i in indicators],
                   [(alias, i.name) for i in indicators for alias in i.aliases])


def _lookup(near, names: list[tuple[str, str]], aliases: list[tuple[str, str]]) -> NameLookup:
    lookup = NameLookup(near)
    for name, target in names:
        lookup.add(name, target)
    for alias, target in aliases:
        lookup.add(alias, target, conflict_is_error=True)
    return lookup
