"""The documents a valid allocation can be downloaded as: one entry each, made by the function
the CLI calls for it, so a download equals the CLI's file (documents.md). A new document is
one more line in DOCUMENTS, e.g. for a writer that takes a target path and picks the format by
its suffix::

    Document("payments", "拨付明细（Excel）", "{stem}-拨付明细-{year}.xlsx",
             written(write_payments, ".xlsx")),

A writer that refuses (a document that needs the 审定文号) raises with a message in Chinese; the
page shows it in place of the file (:func:`.jobs.failure_text` names the exceptions it knows).
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..pipeline import Outcome
from ..report.notices import write_notices
from ..report.pdf import write_pdf
from ..report.result_workbook import result_workbook_bytes


@dataclass(frozen=True)
class Document:
    key: str  # in the download's URL
    label: str  # the link's text
    name: str  # the file name offered, with {stem} (the workbook's) and {year}
    produce: Callable[[Outcome], bytes]
    slow: bool = False  # LibreOffice prints it: made on request, with progress shown

    def file_name(self, outcome: Outcome) -> str:
        return self.name.format(stem=Path(outcome.book.label).stem, year=outcome.year)


def written(write: Callable[[Outcome, Path], object], suffix: str = ".pdf") -> Callable[[Outcome], bytes]:
    """A writer that takes a target path (as ``write_pdf``, ``write_notices``) as a maker of bytes."""
    def produce(outcome: Outcome) -> bytes:
        with tempfile.TemporaryDirectory(prefix="jbsys-serve-") as folder:
            target = Path(folder) / f"document{suffix}"
            write(outcome, target)
            return target.read_bytes()
    return produce


DOCUMENTS = (
    Document("result", "分配结果工作簿（Excel/WPS）", "{stem}-分配结果-{year}.xlsx", result_workbook_bytes),
    Document("attachment", "附件：考核结果及补助资金分配表（PDF）", "{stem}-附件-{year}.pdf",
             written(write_pdf), slow=True),
    Document("notices", "告知书（PDF，每个中心一页）", "{stem}-告知书-{year}.pdf",
             written(write_notices), slow=True),
)
BY_KEY = {document.key: document for document in DOCUMENTS}
