"""Finishing touches on a built .xlsm package: the ribbon part, and reproducible zip bytes.

XlsxWriter cannot add a customUI part, and zip entries carry the time they were written;
both are fixed here, bytes in and bytes out.
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

CUSTOM_UI_PART = "customUI/customUI14.xml"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
UI_EXTENSIBILITY = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_RELS_PART = "_rels/.rels"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_PART = "[Content_Types].xml"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _write_zip(members: list[tuple[str, bytes]]) -> bytes:
    """Deflated zip of ``members`` in the given order with fixed times and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, data)
    return out.getvalue()


def _read_zip(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip keeping its member order, with 1980-01-01 times and deflate everywhere,
    so the same content always gives the same bytes."""
    return _write_zip(_read_zip(data))


def _append_child(xml: bytes, root_tag: str, child: str) -> bytes:
    """Insert ``child`` before the closing root tag, leaving the rest of the part as it was."""
    head, closing, tail = xml.rpartition(f"</{root_tag}>".encode())
    if not closing:
        raise ValueError(f"no </{root_tag}> in the package part")
    return head + child.encode() + closing + tail


def _next_relationship_id(rels: ElementTree.Element) -> str:
    """``rIdN`` one past the highest existing ``rIdN``."""
    ids = [re.fullmatch(r"rId(\d+)", rel.get("Id", "")) for rel in rels]
    return f"rId{max((int(m.group(1)) for m in ids if m), default=0) + 1}"


def add_custom_ui(xlsm: bytes, custom_ui_xml: bytes) -> bytes:
    """Add the ribbon part ``customUI/customUI14.xml`` and its package relationship.

    The default ``xml`` content type covers the part; it is added if a package lacks it.
    ValueError if the XML is not a 2009 ``customUI`` document (Excel would ignore it silently)
    or if the package already has a ribbon part.
    """
    try:
        ui = ElementTree.fromstring(custom_ui_xml)
    except ElementTree.ParseError as exc:
        raise ValueError(f"customUI XML is not well-formed: {exc}") from None
    if ui.tag != f"{{{CUSTOM_UI_NS}}}customUI":
        raise ValueError(f"customUI root must be <customUI xmlns=\"{CUSTOM_UI_NS}\">, "
                         f"got {ui.tag}")
    members = _read_zip(xlsm)
    parts = dict(members)
    if CUSTOM_UI_PART in parts:
        raise ValueError(f"the package already has {CUSTOM_UI_PART}")
    rels = ElementTree.fromstring(parts[_RELS_PART])
    if any(rel.get("Type") == UI_EXTENSIBILITY for rel in rels):
        raise ValueError("the package already has a ribbon (ui/extensibility) relationship")
    parts[_RELS_PART] = _append_child(parts[_RELS_PART], "Relationships", (
        f'<Relationship Id="{_next_relationship_id(rels)}" Type="{UI_EXTENSIBILITY}" '
        f'Target="{CUSTOM_UI_PART}"/>'))
    types = ElementTree.fromstring(parts[_TYPES_PART])
    defaults = types.iter(f"{{{_TYPES_NS}}}Default")
    if not any(default.get("Extension", "").lower() == "xml" for default in defaults):
        parts[_TYPES_PART] = _append_child(parts[_TYPES_PART], "Types", (
            '<Default Extension="xml" ContentType="application/xml"/>'))
    order = [name for name, _ in members] + [CUSTOM_UI_PART]
    parts[CUSTOM_UI_PART] = custom_ui_xml
    return _write_zip([(name, parts[name]) for name in order])
