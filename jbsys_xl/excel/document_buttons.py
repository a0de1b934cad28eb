"""The ribbon's 文书 group: 附件, 告知书, 条线确认表, 公示, 拨付明细, each a PDF beside the
workbook, and 全部文书, the whole set in a new folder beside it (documents.md).

Thin doors over what the command line runs (:mod:`jbsys_xl.report.documents`: ``report``,
``notices``, ``publicity``, ``payments``, ``documents``), fed with the open book as the other
buttons read it, so unsaved edits count. A file is named ``<工作簿名>-<文书>-<年度>.pdf`` and
never written over an existing one: an earlier copy (perhaps signed, perhaps open in a viewer)
stays, and the new one is named as Windows names copies, ``… (2).pdf`` (:func:`.free_path`, as
the callback list). 公示 is printed as PDF: it is what is posted and filed, and the .xlsx the
command line also offers changes when opened and saved. 拨付明细 is refused in a draft, and 公示
once 审定 or while matters that move money are open, with the command line's messages at their
cells, before LibreOffice starts.
"""
from __future__ import annotations

from pathlib import Path

from ..io.atomic import OutputError, write_atomic
from ..office.libreoffice import LibreOfficeError, LibreOfficeMissing
from ..pipeline import Outcome, run
from ..report.documents import (ATTACHMENT, CONFIRMATIONS, PAYMENTS, PUBLICITY, NotFinal,
                                document_bytes, document_set, write_set)
from ..report.notices import NOTICE, NoticeLayoutError
from .data_buttons import NOT_SAVED, NOT_SYNCED, free_path, saved_path
from .macros import ALERT_TITLE, button, read_with_year
from .writer import describe

ALL = "全部文书"
SHOWN = 10  # errors or warnings listed in a message; the rest are counted
LIBREOFFICE = ("未找到 LibreOffice，无法生成{what}。请从 https://zh-cn.libreoffice.org 下载安装 LibreOffice"
               "（没有网络时请管理员拷来安装程序），然后重新点击“{what}”。")  # a button is named as its document


@button(windows=True)
def attachment(book) -> Path | None:
    """附件: the allocation table, hardware and 资金平衡, as ``report --pdf``."""
    return write_document(book, ATTACHMENT)


@button(windows=True)
def notices(book) -> Path | None:
    """告知书: every center's notice, a page each, as ``notices -o FILE.pdf``."""
    return write_document(book, NOTICE)


@button(windows=True)
def confirmations(book) -> Path | None:
    """条线确认表: a section per 考核部门 to sign, as ``report --confirmations``."""
    return write_document(book, CONFIRMATIONS)


@button(windows=True)
def publicity(book) -> Path | None:
    """公示 (before 审定, once nothing that moves money is open), as ``publicity -o FILE.pdf``."""
    return write_document(book, PUBLICITY)


@button(windows=True)
def payments(book) -> Path | None:
    """拨付明细 for 财政, as ``payments -o FILE.pdf``: refused in a draft."""
    return write_document(book, PAYMENTS)


@button(windows=True)
def all_documents(book) -> Path | None:
    """全部文书: the whole set into a new folder beside the workbook, as ``documents -o FOLDER``."""
    found = _outcome(book, ALL)
    if found is None:
        return None
    path, outcome = found
    app = book.app
    app.status_bar = f"JBSys：正在用 LibreOffice 生成 {outcome.year} 年度全部文书……"
    made = _printing(book, ALL, lambda: document_set(outcome))
    if made is None:
        return None
    files, checks, notes = made
    folder = free_path(path.with_name(f"{path.stem}-文书-{outcome.year}"))
    try:
        write_set(files, folder)
    except OutputError as exc:
        app.alert(f"未能写完{ALL}：{exc}", title=ALERT_TITLE)
        return None
    lines = [f"{ALL}已生成：{folder}", "、".join(files), *notes]
    app.alert("\n".join(lines) + _warnings(checks), title=ALERT_TITLE)
    return folder


def write_document(book, name: str) -> Path | None:
    """The document ``name`` as ``<工作簿名>-<name>-<年度>.pdf`` beside the workbook, never over
    an existing file; its path, or None with the reason said."""
    found = _outcome(book, name)
    if found is None:
        return None
    path, outcome = found
    app = book.app
    app.status_bar = f"JBSys：正在用 LibreOffice 生成 {outcome.year} 年度{name}……"
    made = _printing(book, name, lambda: document_bytes(outcome, name))
    if made is None:
        return None
    data, checks = made
    target = free_path(path.with_name(f"{path.stem}-{name}-{outcome.year}.pdf"))
    try:
        write_atomic(target, data)
    except OutputError as exc:
        app.alert(f"未生成{name}：{exc}", title=ALERT_TITLE)
        return None
    app.alert(f"{name}已生成：{target}{_warnings(checks)}", title=ALERT_TITLE)
    return target


def _outcome(book, name: str) -> tuple[Path, Outcome] | None:
    """The workbook's file and its valid outcome, or None once the user was told why not:
    no file on this PC to write beside, no year, or errors in the data."""
    app = book.app
    path = local_path(book)
    if path is None:
        app.alert(NOT_SYNCED if "://" in book.api.FullName else NOT_SAVED, title=ALERT_TITLE)
        return None
    if (found := read_with_year(book)) is None:
        return None
    raw, year = found
    app.status_bar = f"JBSys：正在校验并计算 {year} 年度分配……"
    outcome = run(raw, year)
    if not outcome.ok:
        app.alert(f"数据有错误，未生成{name}：\n{_listed([str(c) for c in outcome.errors], '个错误')}\n"
                  "请点击“校验数据”查看全部错误并改正后重试。", title=ALERT_TITLE)
        return None
    return path, outcome


def local_path(book) -> Path | None:
    """Where to write beside the workbook: its file on this PC, for a workbook opened from
    OneDrive/SharePoint (a web address) the synced copy xlwings finds (``Book.fullname``), or
    None - whatever xlwings' mapper raised (XlwingsError, UnboundLocalError for a SharePoint
    site, …): the message then asks for a synced copy."""
    if "://" not in book.api.FullName:
        return saved_path(book)
    try:
        path = Path(book.fullname)
    except Exception:
        return None
    return path if path.is_absolute() and path.is_file() else None


def _printing(book, name: str, make):
    """``make()``, or None once a refusal or LibreOffice's failure was said."""
    app = book.app
    try:
        return make()
    except NotFinal as refused:  # the command line's words, at 参数 审定文号's cell
        app.alert(f"无法生成{name}：{refused}", title=ALERT_TITLE)
    except LibreOfficeMissing:
        app.alert(LIBREOFFICE.format(what=name), title=ALERT_TITLE)
    except (LibreOfficeError, NoticeLayoutError) as exc:
        app.alert(f"LibreOffice 未能生成{name}：{describe(exc)}", title=ALERT_TITLE)
    return None


def _listed(lines: list[str], unit: str) -> str:
    shown = lines[:SHOWN] + ([f"……共 {len(lines)} {unit}"] if len(lines) > SHOWN else [])
    return "\n".join(shown)


def _warnings(checks) -> str:
    """The warnings a document found (e.g. 收款单位 left empty), for the closing message."""
    if not checks:
        return ""
    return f"\n警告：\n{_listed([str(c) for c in checks], '个警告')}"

