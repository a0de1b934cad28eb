"""The whole set of documents of a year into one folder (``jbsys-xl documents``): 附件, 告知书,
硬件建设补助告知书, 条线确认表, 公示 (PDF and xlsx) and, once 审定, 拨付明细 (PDF and xlsx).

Every PDF comes from one LibreOffice session (a conversion per document kind, never per
center); nothing is written unless all of them were made.
"""
from __future__ import annotations

from pathlib import Path

from ..io.atomic import write_atomic
from ..model import Check
from ..pipeline import Outcome
from .attachment import ATTACHMENT, attachment_bytes
from .confirmations import confirmations_bytes
from .notices import HARDWARE_NOTICE, NOTICE, check_pages, districts_workbook, notices_workbook
from .payments import PAYMENTS, payments_bytes, refusal
from .pdf import render
from .publicity import PUBLICITY, publicity_bytes

CONFIRMATIONS = "条线确认表"
SECONDS_PER_PAGE = 0.5


def document_set(outcome: Outcome) -> tuple[dict[str, bytes], list[Check], list[str]]:
    """File name → bytes of every document of a valid outcome, the warnings found on the way,
    and notes for the user (e.g. why 拨付明细 is missing)."""
    allocation = outcome.allocation
    year = allocation.settings.year
    workbooks: dict[str, bytes] = {f"{ATTACHMENT}-{year}": attachment_bytes(outcome),
                                   f"{NOTICE}-{year}": notices_workbook(outcome, list(allocation.centers))}
    if (districts := districts_workbook(outcome)) is not None:
        workbooks[f"{HARDWARE_NOTICE}-{year}"] = districts
    confirmations, checks = confirmations_bytes(outcome)
    workbooks[f"{CONFIRMATIONS}-{year}"] = confirmations
    workbooks[f"{PUBLICITY}-{year}"] = publicity_bytes(outcome)
    notes = []
    if (refused := refusal(allocation)) is None:
        payments, warnings = payments_bytes(outcome)
        workbooks[f"{PAYMENTS}-{year}"] = payments
        checks += warnings
    else:
        notes.append(f"未生成{PAYMENTS}：{refused}")
    pdfs = render(workbooks, SECONDS_PER_PAGE * len(allocation.centers))
    check_pages(pdfs[f"{NOTICE}-{year}"], len(allocation.centers), NOTICE)
    files = {f"{name}.pdf": data for name, data in pdfs.items()}
    for name in (f"{PUBLICITY}-{year}", f"{PAYMENTS}-{year}"):
        if name in workbooks:
            files[f"{name}.xlsx"] = workbooks[name]
    return files, checks, notes


def write_set(files: dict[str, bytes], folder: str | Path) -> list[Path]:
    folder = Path(folder)
    return [write_atomic(folder / name, data) for name, data in files.items()]
