"""The documents of a year, one door for every caller: the CLI (``report``, ``publicity``,
``payments``, ``documents``), the Excel 文书 buttons and the local page all ask here, so each
document is laid out and printed one way (documents.md).

Every document is laid out as a workbook (its own module) and printed by LibreOffice; the PDFs
asked for together come from one LibreOffice session (a conversion per document kind, never
per center). 公示 and 拨付明细 are also offered as that workbook (.xlsx). Nothing is written
here but by :func:`write_set`; the callers write atomically.

The stage decides what may be made (:func:`refusal`): 拨付明细 once 审定, 公示 before it and only
once the matters that move money are settled; asked for anyway, a document is refused with the
errors at their cells (:class:`NotFinal`), which every door shows as the command line does.
The letters (告知书, 硬件建设补助告知书, 公示) are printed in the run's faces (found once); the
公示 handed out as .xlsx names the faces of a Chinese office instead.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..io.atomic import write_atomic
from ..model import Check
from ..office import fonts
from ..pipeline import Outcome
from .attachment import ATTACHMENT, attachment_bytes
from .confirmations import confirmations_bytes
from .diff import Since
from .letter import face_checks
from .notices import HARDWARE_NOTICE, NOTICE, districts_workbook, notices_workbook, print_letters
from .payments import PAYMENTS, payments_bytes, payments_xlsx
from .payments import refusal as payment_refusal
from .publicity import PUBLICITY, publicity_bytes, publicity_refusal

CONFIRMATIONS = "条线确认表"
AS_WORKBOOK = (PUBLICITY, PAYMENTS)  # also offered as .xlsx
LETTERS = (NOTICE, HARDWARE_NOTICE, PUBLICITY)  # on the 公文 page, in the run's faces


class NotFinal(Exception):
    """A document asked of a run at the wrong stage: 拨付明细 of a draft (it needs the
    审定文号), 公示 of an 审定 run or while matters that move money are open. ``checks`` are
    the errors at their cells (``check`` the first); the message is their text."""

    def __init__(self, checks: Check | list[Check]):
        self.checks = [checks] if isinstance(checks, Check) else list(checks)
        self.check = self.checks[0]
        super().__init__("\n".join(str(check) for check in self.checks))


def refusal(outcome: Outcome, name: str) -> list[Check]:
    """Why the document ``name`` cannot be made of this outcome (errors at their cells), or []."""
    if name == PAYMENTS:
        refused = payment_refusal(outcome.allocation)
        return [refused] if refused else []
    if name == PUBLICITY:
        return publicity_refusal(outcome.allocation)
    return []


def workbook(outcome: Outcome, name: str, since: Since | None = None,
             faces: fonts.Faces | None = None) -> tuple[bytes, list[Check]]:
    """The document ``name`` (附件, 告知书, 硬件建设补助告知书, 条线确认表, 公示, 拨付明细) laid out as a
    workbook, and the warnings found on the way. The 附件 adds, with ``since``, what changed
    since the 公示. The letters are set in ``faces`` (the run's, for printing), else in the
    faces of a Chinese office (a workbook handed out as it is). Raises NotFinal for a document
    the stage does not allow (:func:`refusal`)."""
    data, checks, _ = _layout(outcome, name, faces or fonts.standard_faces(), since)
    return data, checks


def _layout(outcome: Outcome, name: str, faces: fonts.Faces, since: Since | None = None
            ) -> tuple[bytes, list[Check], list[int]]:
    """:func:`workbook`, and the pages each letter of a 告知书 takes (the printed PDF must match)."""
    allocation = outcome.allocation
    if refused := refusal(outcome, name):
        raise NotFinal(refused)
    if name == ATTACHMENT:
        return (*attachment_bytes(outcome, since), [])
    if name == NOTICE:
        data, pages = notices_workbook(outcome, list(allocation.centers), faces=faces)
        return data, [], pages
    if name == HARDWARE_NOTICE:
        data, pages = districts_workbook(outcome, faces) or (None, [])
        return data, [], pages
    if name == CONFIRMATIONS:
        return (*confirmations_bytes(outcome), [])
    if name == PUBLICITY:
        return (*publicity_bytes(outcome, faces), [])
    if name == PAYMENTS:
        return (*payments_bytes(outcome), [])
    raise ValueError(f"no document {name!r}")


def xlsx(outcome: Outcome, name: str) -> tuple[bytes, list[Check]]:
    """公示 or 拨付明细 as the .xlsx people open: the 公示 as printed (in an office's faces),
    the 拨付明细 with the list 财务 pastes into the 一体化 system first. Raises NotFinal for a
    document the stage does not allow."""
    if refused := refusal(outcome, name):
        raise NotFinal(refused)
    if name == PAYMENTS:
        return payments_xlsx(outcome)
    if name not in AS_WORKBOOK:
        raise ValueError(f"{name} is offered as PDF only")
    return workbook(outcome, name)


def workbooks(outcome: Outcome, names: Iterable[str], since: Since | None = None,
              faces: fonts.Faces | None = None) -> tuple[dict[str, bytes], dict[str, list[int]], list[Check]]:
    """The documents ``names`` as workbooks to print (the letters in ``faces``), the pages each
    letter of a 告知书 takes, and the warnings found on the way."""
    books, pages, checks = {}, {}, []
    for name in names:
        books[name], found, pages[name] = _layout(outcome, name, faces or fonts.standard_faces(), since)
        checks += found
    return books, pages, checks


def _faces(names) -> fonts.Faces | None:
    """The run's faces when a letter is among ``names`` (found once per run), else None."""
    return fonts.faces() if any(name in LETTERS for name in names) else None


def pdfs(outcome: Outcome, names: Iterable[str], since: Since | None = None
         ) -> tuple[dict[str, bytes], list[Check]]:
    """The PDFs of the documents ``names``, printed in one LibreOffice session, and the
    warnings found on the way (a stand-in face, once). Raises NotFinal (before printing
    anything), LibreOfficeMissing, LibreOfficeError or NoticeLayoutError."""
    names = list(names)
    faces = _faces(names)
    books, pages, checks = workbooks(outcome, names, since, faces)
    return print_letters(books, pages), checks + (face_checks(faces) if faces else [])


def document_bytes(outcome: Outcome, name: str, suffix: str = ".pdf") -> tuple[bytes, list[Check]]:
    """One document as the file ``suffix`` (.pdf, or .xlsx for 公示 and 拨付明细) names, and
    its warnings."""
    if suffix.lower() == ".xlsx":
        return xlsx(outcome, name)
    files, checks = pdfs(outcome, [name])
    return files[name], checks


def document_set(outcome: Outcome, since: Since | None = None
                 ) -> tuple[dict[str, bytes], list[Check], list[str]]:
    """File name → bytes of every document a valid outcome's stage allows: 附件, 告知书,
    硬件建设补助告知书 (when the year has hardware rows), 条线确认表, and 公示 (PDF and xlsx)
    before 审定 once nothing that moves money is open, or 拨付明细 (PDF and xlsx) once 审定;
    the warnings found on the way, and notes for the user (why a document is missing)."""
    allocation = outcome.allocation
    year = allocation.settings.year
    names = [ATTACHMENT, NOTICE] + ([HARDWARE_NOTICE] if allocation.dataset.hardware else [])
    names += [CONFIRMATIONS]
    notes = []
    for name in (PUBLICITY, PAYMENTS):
        if refused := refusal(outcome, name):
            notes.append(f"未生成{name}：" + "".join(f"\n  {check}" for check in refused))
        else:
            names.append(name)
    faces = fonts.faces()
    books, pages, checks = workbooks(outcome, names, since, faces)
    files = {f"{name}-{year}.pdf": data for name, data in print_letters(books, pages).items()}
    for name in AS_WORKBOOK:
        if name in books:
            files[f"{name}-{year}.xlsx"] = xlsx(outcome, name)[0]
    return files, checks + face_checks(faces), notes


def write_set(files: dict[str, bytes], folder: str | Path) -> list[Path]:
    folder = Path(folder)
    return [write_atomic(folder / name, data) for name, data in files.items()]
