"""Workbooks to PDF: every printed document is laid out as a workbook (:mod:`.page`) and
LibreOffice renders it — several documents in one LibreOffice session, which starts once.

Raises LibreOfficeMissing when soffice is not installed, LibreOfficeError when it fails.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..office.libreoffice import convert_many

SECONDS_PER_DOCUMENT = 60  # LibreOffice's time budget per workbook, on top of what callers add


def render(workbooks: dict[str, bytes], timeout: float = 0) -> dict[str, bytes]:
    """PDF bytes for each named workbook, in one LibreOffice session."""
    with tempfile.TemporaryDirectory(prefix="jbsys-pdf-") as folder:
        sources = []
        for name, data in workbooks.items():
            source = Path(folder) / f"{name}.xlsx"
            source.write_bytes(data)
            sources.append(source)
        pdfs = convert_many(sources, "pdf", Path(folder) / "pdf",
                            timeout=timeout + SECONDS_PER_DOCUMENT * len(sources))
        return {name: pdf.read_bytes() for name, pdf in zip(workbooks, pdfs)}
