"""Workbooks to PDF: every printed document is laid out as a workbook (:mod:`.page`) and
LibreOffice renders it — several documents in one LibreOffice session, which starts once.

Every PDF is PDF/A-2b (documents.md §0, v4 archive form): the archives accept PDF/A as a long-term
format (GB/T 23286, ISO 19005) and no offline OFD writer keeps the text searchable. LibreOffice's
PDF export does it with one option (SelectPdfVersion 2: fonts embedded, the XMP declares
pdfaid:part 2, conformance B); :func:`split` keeps the declaration in the files cut from one PDF.

Raises LibreOfficeMissing when soffice is not installed, LibreOfficeError when it fails.
"""
from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from ..office.libreoffice import convert_many

SECONDS_PER_DOCUMENT = 60  # LibreOffice's time budget per workbook, on top of what callers add
PDF_A_PART = 2
# calc_pdf_Export's options in the JSON form soffice --convert-to takes (LibreOffice ≥ 7.4).
PDF_A = "pdf:calc_pdf_Export:" + json.dumps({"SelectPdfVersion": {"type": "long", "value": str(PDF_A_PART)}},
                                             separators=(",", ":"))


def render(workbooks: dict[str, bytes], timeout: float = 0) -> dict[str, bytes]:
    """PDF/A-2b bytes for each named workbook, in one LibreOffice session."""
    with tempfile.TemporaryDirectory(prefix="jbsys-pdf-") as folder:
        sources = []
        for name, data in workbooks.items():
            source = Path(folder) / f"{name}.xlsx"
            source.write_bytes(data)
            sources.append(source)
        pdfs = convert_many(sources, PDF_A, Path(folder) / "pdf",
                            timeout=timeout + SECONDS_PER_DOCUMENT * len(sources))
        return {name: pdf.read_bytes() for name, pdf in zip(workbooks, pdfs)}


ARCHIVE_KEYS = ("/Metadata", "/OutputIntents", "/MarkInfo", "/Lang")  # what makes a file PDF/A


def split(data: bytes, counts: list[int]) -> list[bytes]:
    """``data`` cut into files of ``counts`` pages each, in order (a 告知书 per center: each
    takes the pages it was laid out on), each still PDF/A: the catalogue's XMP (pdfaid), output
    intent and language are carried over, and the document information kept as LibreOffice
    wrote it (a PDF/A's Info must agree with its XMP; pypdf would otherwise name itself the
    Producer)."""
    reader = PdfReader(io.BytesIO(data))
    pages = reader.pages
    info = {key: value for key, value in (reader.metadata or {}).items() if isinstance(value, str)}
    files, first = [], 0
    for count in counts:
        writer = PdfWriter()
        for page in pages[first:first + count]:
            writer.add_page(page)
        first += count
        for key in ARCHIVE_KEYS:
            if key in reader.trailer["/Root"]:
                writer._root_object[NameObject(key)] = reader.trailer["/Root"][key].clone(writer)
        writer.add_metadata(info)
        buffer = io.BytesIO()
        writer.write(buffer)
        files.append(buffer.getvalue())
    return files
