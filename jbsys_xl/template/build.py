"""Build ``workbook/template.xlsm`` (empty input tables) and ``workbook/demo.xlsm`` (the sample
data) from the sources in ``workbook/``: VBA modules in ``vba/*.bas``, the ribbon in
``customUI/customUI14.xml``, the UDF wrappers generated from ``udfs/jbsys_udfs.py``.

Reproducible: a fixed document date, sources in sorted order and a normalized zip, so the
committed files can be checked against a fresh build byte for byte.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path

import xlsxwriter

from .. import __version__, contract
from ..excel.setup import UDF_MODULES
from ..excel.udf_vba import udf_signatures, workbook_udf_vba
from ..io.atomic import write_atomic
from ..sample import sample_rows
from . import guide, sheets
from .ovba import VbaModule, build_vba_project
from .xlsm import add_custom_ui

SOURCE_DIR = Path(__file__).resolve().parents[2] / "workbook"
YEAR = 2024
TEMPLATE, DEMO = "template.xlsm", "demo.xlsm"
UDF_MODULE_NAME = "xlwings_udfs"
VERSION_MARK = "@JBSYS_VERSION@"  # in JbInfo.bas, replaced by jbsys_xl.__version__
INPUTS_MARK = "@JBSYS_INPUT_CODENAMES@"  # in JbState.bas: the input sheets' codenames
UDFS_MARK = "@JBSYS_UDF_NAMES@"  # in JbState.bas: the JB* functions' names
DOCUMENT_MODULES = (sheets.WORKBOOK_CODENAME,) + tuple(plan.codename for plan in sheets.SHEET_ORDER)
MAX_MESSAGE = 255  # Excel's limit for a string constant in a formula


def _code(text: str) -> str:
    """Module text without ``Attribute VB_*`` header lines: ovba writes those itself."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith("Attribute VB_"))


def fill_marks(text: str) -> str:
    """VBA source with the builder's marks replaced: the version, the input codenames, the
    names of the worksheet functions."""
    codenames = ";".join(sheet.codename for sheet in sheets.INPUT_SHEETS)
    functions = ";".join(name for name, _, _ in udf_signatures(UDF_MODULES))
    return (text.replace(VERSION_MARK, __version__).replace(INPUTS_MARK, codenames)
            .replace(UDFS_MARK, functions))


def vba_modules(source_dir: Path = SOURCE_DIR) -> list[VbaModule]:
    """``vba/*.bas`` (module name = file name; a codename makes it a document module) and the
    generated ``xlwings_udfs``."""
    modules = []
    for path in sorted((source_dir / "vba").glob("*.bas")):
        try:
            text = path.read_text(encoding="ascii")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: VBA source must be ASCII (byte {exc.start}); build "
                             "Chinese text with ChrW or keep it in Python") from None
        kind = "document" if path.stem in DOCUMENT_MODULES else "standard"
        modules.append(VbaModule(path.stem, fill_marks(text), kind))
    modules.append(VbaModule(UDF_MODULE_NAME, _code(workbook_udf_vba(UDF_MODULES))))
    return modules


def attachment2_rows(year: int) -> list[sheets.Row]:
    """附件2 (the shipped indicator list) as 指标 rows of ``year``, typed as the columns are."""
    text = (resources.files("jbsys_xl") / "data" / "indicators-attachment2.csv").read_text("utf-8")
    spec = sheets.INPUTS[contract.INDICATORS]
    rows = []
    for record in csv.DictReader(io.StringIO(text)):
        row: sheets.Row = {spec.headers[0]: year}
        for header, kind in spec.columns[1:]:
            value = record.get(header) or None
            if value is not None and kind == sheets.WHOLE:
                value = int(value)
            elif value is not None and kind == sheets.NUMBER:
                value = float(value)
            row[header] = value
        rows.append(row)
    return rows


def _message_formula(text: str) -> str:
    if len(text) > MAX_MESSAGE:
        raise ValueError(f"message longer than {MAX_MESSAGE} characters: {text[:40]}…")
    return '="' + text.replace('"', '""') + '"'


def workbook_bytes(data: dict[str, Sequence[sheets.Row]], year: int = YEAR,
                   source_dir: Path = SOURCE_DIR) -> bytes:
    """The macro workbook with ``data`` (sheet → rows of header → value) in its input tables."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": guide.TITLE, "created": datetime(year, 12, 1)})
    book.set_vba_name(sheets.WORKBOOK_CODENAME)
    styles = sheets.Styles(book)
    for plan in sheets.SHEET_ORDER:
        sheet = book.add_worksheet(plan.name)
        sheet.set_vba_name(plan.codename)
        if plan.hidden:
            sheet.hide()
        if plan.name == sheets.GUIDE_SHEET:
            guide.write_guide(sheet, book, styles, year)
        elif plan.name in sheets.INPUTS:
            sheets.write_input(sheet, sheets.INPUTS[plan.name], data.get(plan.name, ()), styles)
        elif plan.name in sheets.RESULT_HEADERS:
            sheets.write_result(sheet, plan.name, styles)
        elif plan.name == sheets.LISTS_SHEET:
            sheets.write_lists(sheet, data, book, styles)
        else:
            sheets.write_config(sheet, styles)
    for name, text in guide.MESSAGES.items():
        book.define_name(name, _message_formula(text))
    project = build_vba_project(vba_modules(source_dir), document_modules=DOCUMENT_MODULES)
    book.add_vba_project(io.BytesIO(project), is_stream=True)
    book.close()
    ribbon = (source_dir / "customUI" / "customUI14.xml").read_bytes()
    return add_custom_ui(out.getvalue(), ribbon)


def template_bytes(year: int = YEAR, source_dir: Path = SOURCE_DIR) -> bytes:
    """Empty input tables, except 指标 pre-filled with 附件2 for ``year``."""
    return workbook_bytes({contract.INDICATORS: attachment2_rows(year)}, year, source_dir)


def demo_bytes(year: int = YEAR, source_dir: Path = SOURCE_DIR) -> bytes:
    """The template filled with the sample data of ``year`` (``jbsys_xl.sample``)."""
    return workbook_bytes(sample_rows(year), year, source_dir)


def build_template(out_dir: Path | None = None, year: int | None = None,
                   source_dir: Path = SOURCE_DIR) -> list[Path]:
    """Write template.xlsm and demo.xlsm into ``out_dir`` (default: the source folder)."""
    out_dir = Path(out_dir or source_dir)
    year = year or YEAR
    written = []
    for name, make in ((TEMPLATE, template_bytes), (DEMO, demo_bytes)):
        written.append(write_atomic(out_dir / name, make(year, source_dir)))
    return written
