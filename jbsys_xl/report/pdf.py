"""The printable result as PDF: the print workbook converted by LibreOffice.

Going through the same XlsxWriter layout (A4 landscape, one page wide, repeated header, page
numbers) keeps paper and spreadsheet identical, and LibreOffice is the one renderer available
headless on every platform we run on.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..io.atomic import write_atomic
from ..office.libreoffice import convert
from ..pipeline import Outcome
from .result_workbook import printable_workbook_bytes


def write_pdf(outcome: Outcome, target: str | Path, timeout: float = 120) -> Path:
    """Write the PDF of a valid outcome to ``target`` atomically (no half-written file).

    Raises LibreOfficeMissing when soffice is not installed, LibreOfficeError when it fails.
    """
    with tempfile.TemporaryDirectory(prefix="jbsys-pdf-") as folder:
        source = Path(folder) / f"分配结果-{outcome.year}.xlsx"
        source.write_bytes(printable_workbook_bytes(outcome))
        pdf = convert(source, "pdf", Path(folder), timeout=timeout)
        return write_atomic(target, pdf.read_bytes())
