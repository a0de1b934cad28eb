"""The documents a valid allocation can be downloaded as: one entry each, made by the function
the CLI calls for it (:mod:`jbsys_xl.report.documents`), so a download equals the CLI's file
(documents.md). A new document is one more line in DOCUMENTS, e.g.::

    Document("payments", "拨付明细（PDF）", "{stem}-拨付明细-{year}.pdf", made(PAYMENTS),
             slow=True, kind=PAYMENTS),

A document the stage decides (``kind``: 拨付明细 once 审定, 公示 before it and once nothing that
moves money is open — :func:`~jbsys_xl.report.documents.refusal`) is offered exactly when its
command would make it: otherwise the page says why in its place, and asked for anyway it is
refused with the same words as the CLI's (:class:`~jbsys_xl.report.documents.NotFinal`, which
:func:`.jobs.failure_text` shows).
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..pipeline import Outcome
from ..report.documents import (ATTACHMENT, CONFIRMATIONS, PAYMENTS, PUBLICITY, document_bytes,
                                document_set, refusal)
from ..report.notices import NOTICE
from ..report.result_workbook import result_workbook_bytes

ZIP_STAMP = (1980, 1, 1, 0, 0, 0)  # the zip's own dates: the files inside carry the run's date


@dataclass(frozen=True)
class Document:
    key: str  # in the download's URL
    label: str  # the link's text
    name: str  # the file name offered, with {stem} (the workbook's) and {year}
    produce: Callable[[Outcome], bytes]
    slow: bool = False  # LibreOffice prints it: made on request, with progress shown
    kind: str = ""  # a document the stage decides: the page says once why its files are missing

    def file_name(self, outcome: Outcome) -> str:
        return self.name.format(stem=Path(outcome.book.label).stem, year=outcome.year)

    def refused(self, outcome: Outcome) -> str | None:
        """Why the document cannot be made of this outcome (its command would refuse), or None."""
        checks = refusal(outcome, self.kind) if self.kind else []
        return "\n".join(str(check) for check in checks) or None


def made(name: str, suffix: str = ".pdf") -> Callable[[Outcome], bytes]:
    """The document ``name`` as the CLI writes it (:func:`~jbsys_xl.report.documents.document_bytes`)."""
    return lambda outcome: document_bytes(outcome, name, suffix)[0]


def all_documents(outcome: Outcome) -> bytes:
    """The files ``jbsys-xl documents`` writes into its folder, as one zip."""
    files, _, _ = document_set(outcome)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_STAMP), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


DOCUMENTS = (
    Document("result", "分配结果工作簿（Excel/WPS）", "{stem}-分配结果-{year}.xlsx", result_workbook_bytes),
    Document("attachment", "附件：考核结果及补助资金分配表（PDF）", "{stem}-附件-{year}.pdf",
             made(ATTACHMENT), slow=True),
    Document("notices", "告知书（PDF，每个中心单独编页）", "{stem}-告知书-{year}.pdf", made(NOTICE), slow=True),
    Document("confirmations", "条线确认表（PDF，各考核部门签字确认）", "{stem}-条线确认表-{year}.pdf",
             made(CONFIRMATIONS), slow=True),
    Document("publicity", "公示（PDF）", "{stem}-公示-{year}.pdf", made(PUBLICITY), slow=True, kind=PUBLICITY),
    Document("publicity-xlsx", "公示（Excel/WPS）", "{stem}-公示-{year}.xlsx", made(PUBLICITY, ".xlsx"),
             kind=PUBLICITY),
    Document("payments", "拨付明细（PDF，报财政）", "{stem}-拨付明细-{year}.pdf", made(PAYMENTS),
             slow=True, kind=PAYMENTS),
    Document("payments-xlsx", "拨付明细（Excel/WPS）", "{stem}-拨付明细-{year}.xlsx", made(PAYMENTS, ".xlsx"),
             kind=PAYMENTS),
    Document("all", "全部文书（zip 压缩包）", "{stem}-文书-{year}.zip", all_documents, slow=True),
)
BY_KEY = {document.key: document for document in DOCUMENTS}
