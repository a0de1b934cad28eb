"""The few typed fields of the page's forms (年度, 件数, 种子), read with a message in Chinese."""
from __future__ import annotations


class FormError(ValueError):
    """A field the user filled in wrongly; the message says which and how."""


def optional_int(fields: dict[str, str], name: str, label: str, minimum: int | None = None) -> int | None:
    """The field as an integer, None when left empty."""
    text = fields.get(name, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise FormError(f"{label}“{text}”不是整数，请重新填写。") from None
    if minimum is not None and value < minimum:
        raise FormError(f"{label}应不小于 {minimum}，请重新填写。")
    return value
