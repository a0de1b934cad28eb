"""The documents of a year, one door for every caller: the CLI (``report``, ``publicity``,
``payments``, ``documents``), the Excel 文书 buttons and the local page all ask here, so each
document is laid out and printed one way (documents.md).

Every document is laid out as a workbook (its own module) and printed by LibreOffice; the PDFs
asked for together come from one LibreOffice session (a conversion per document kind, never
per center). 公示 and 拨付明细 are also offered as that workbook (.xlsx). Nothing is written
here but by :func:`write_set`; the callers write atomically.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..io.atomic import write_atomic
from ..model import Check
from ..pipeline import Outcome
from .attachment import ATTACHMENT, attachment_bytes
from .confirmations import confirmations_bytes
from .diff import Since
from .notices import HARDWARE_NOTICE, NOTICE, check_pages, districts_workbook, notices_workbook
from .payments import PAYMENTS, payments_bytes, payments_xlsx, refusal
from .pdf import render
from .publicity import PUBLICITY, publicity_bytes

CONFIRMATIONS = "条线确认表"
AS_WORKBOOK = (PUBLICITY, PAYMENTS)  # also offered as .xlsx
SECONDS_PER_PAGE = 0.5  # LibreOffice's time budget per center page, on top of its minute


class NotFinal(Exception):
    """A document that needs the 审定文号 (拨付明细) was asked of a draft; ``check`` is the
    error at 参数 审定文号's cell, and the message is its text."""

    def __init__(self, check: Check):
        super().__init__(str(check))
        self.check = check


def workbook(outcome: Outcome, name: str, since: Since | None = None) -> tuple[bytes, list[Check]]:
    """The document ``name`` (附件, 告知书, 硬件建设补助告知书, 条线确认表, 公示, 拨付明细) laid out as a workbook, and
    the warnings found on the way. Raises NotFinal for 拨付明细 in a draft. The 附件 adds, with
    ``since``, what changed since the 公示."""
    allocation = outcome.allocation
    if name == ATTACHMENT:
        return attachment_bytes(outcome, since)
    if name == NOTICE:
        return notices_workbook(outcome, list(allocation.centers)), []
    if name == HARDWARE_NOTICE:
        return districts_workbook(outcome), []
    if name == CONFIRMATIONS:
        return confirmations_bytes(outcome)
    if name == PUBLICITY:
        return publicity_bytes(outcome), []
    if name == PAYMENTS:
        if (refused := refusal(allocation)) is not None:
            raise NotFinal(refused)
        return payments_bytes(outcome)
    raise ValueError(f"no document {name!r}")


def xlsx(outcome: Outcome, name: str) -> tuple[bytes, list[Check]]:
    """公示 or 拨付明细 as the .xlsx people open: the 公示 as printed, the 拨付明细 with the
    list 财务 pastes into the 一体化 system first. Raises NotFinal for 拨付明细 in a draft."""
    if name == PAYMENTS:
        if (refused := refusal(outcome.allocation)) is not None:
            raise NotFinal(refused)
        return payments_xlsx(outcome)
    if name not in AS_WORKBOOK:
        raise ValueError(f"{name} is offered as PDF only")
    return workbook(outcome, name)


def workbooks(outcome: Outcome, names: Iterable[str], since: Since | None = None
              ) -> tuple[dict[str, bytes], list[Check]]:
    """The documents ``names`` as workbooks, and the warnings found on the way."""
    books, checks = {}, []
    for name in names:
        books[name], found = workbook(outcome, name, since)
        checks += found
    return books, checks


def pdfs(outcome: Outcome, names: Iterable[str], since: Since | None = None
         ) -> tuple[dict[str, bytes], list[Check]]:
    """The PDFs of the documents ``names``, printed in one LibreOffice session, and the
    warnings found on the way. Raises NotFinal (before printing anything), LibreOfficeMissing,
    LibreOfficeError or NoticeLayoutError."""
    books, checks = workbooks(outcome, names, since)
    return _print(outcome, books), checks


def document_bytes(outcome: Outcome, name: str, suffix: str = ".pdf") -> tuple[bytes, list[Check]]:
    """One document as the file ``suffix`` (.pdf, or .xlsx for 公示 and 拨付明细) names, and
    its warnings."""
    if suffix.lower() == ".xlsx":
        return xlsx(outcome, name)
    files, checks = pdfs(outcome, [name])
    return files[name], checks


def _print(outcome: Outcome, books: dict[str, bytes]) -> dict[str, bytes]:
    """PDF bytes of the workbooks, checking that the notices kept a page each."""
    centers = len(outcome.allocation.centers)
    printed = render(books, SECONDS_PER_PAGE * centers if NOTICE in books else 0)
    if NOTICE in printed:
        check_pages(printed[NOTICE], centers, NOTICE)
    return printed


def document_set(outcome: Outcome, since: Since | None = None
                 ) -> tuple[dict[str, bytes], list[Check], list[str]]:
    """File name → bytes of every document of a valid outcome: 附件, 告知书, 硬件建设补助告知书
    (when the year has hardware rows), 条线确认表, 公示 (PDF and xlsx) and, once 审定, 拨付明细
    (PDF and xlsx); the warnings found on the way, and notes for the user (why 拨付明细 is
    missing)."""
    allocation = outcome.allocation
    year = allocation.settings.year
    names = [ATTACHMENT, NOTICE] + ([HARDWARE_NOTICE] if allocation.dataset.hardware else [])
    names += [CONFIRMATIONS, PUBLICITY]
    notes = []
    if (refused := refusal(allocation)) is None:
        names.append(PAYMENTS)
    else:
        notes.append(f"未生成{PAYMENTS}：{refused}")
    books, checks = workbooks(outcome, names, since)
    files = {f"{name}-{year}.pdf": data for name, data in _print(outcome, books).items()}
    for name in AS_WORKBOOK:
        if name in books:
            files[f"{name}-{year}.xlsx"] = books[name] if name != PAYMENTS else xlsx(outcome, name)[0]
    return files, checks, notes


def write_set(files: dict[str, bytes], folder: str | Path) -> list[Path]:
    folder = Path(folder)
    return [write_atomic(folder / name, data) for name, data in files.items()]
