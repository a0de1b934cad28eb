"""Report what LibreOffice sees in a workbook, as one JSON object (run by run_uno_script).

Runs under /usr/bin/python3, which has ``uno``:

    uno_probe.py BOOK.xlsm [--call Module.Function]... [--step KIND:ARGS]... [--cell Sheet!A1]...

The book is loaded hidden with macros always allowed. Reported: the document's Basic
libraries, the modules of library VBAProject, each --call's result, sheet names, list
validations and database ranges per sheet, the workbook's named expressions, then the result of
each --step in order (``steps``) and whether the document counts as modified afterwards, and
each --cell (value, text, formula, number format) after calculateAll(). Steps:

- ``call:Module.Function[:arg]...`` run a VBA procedure with text arguments;
- ``type:Sheet!A1=text`` enter text as if typed (LibreOffice parses it like Excel). The
  cells are then read without calculateAll(): LibreOffice 7 crashes recalculating a hidden
  document after a dispatched edit;
- ``text:Sheet!A1=text`` put text into a cell as it is (setString);
- ``delete-row:Sheet!7`` / ``insert-row:Sheet!7`` delete or insert sheet row 7 (1-based);
- ``rename:Old=New`` rename a sheet.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.sheet.ValidationType import LIST

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository
from jbsys_xl.io.bounds import column_letter  # noqa: E402
from jbsys_xl.office.uno_connect import connect  # noqa: E402


CONTEXT = None  # the remote component context, once connected


def prop(name: str, value) -> PropertyValue:
    return PropertyValue(Name=name, Value=value)


def plain(value):
    """A JSON-friendly form of a UNO return value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    return repr(value)


def address(names: list[str], area) -> str:
    """``Sheet!A1:B2`` for a CellRangeAddress."""
    return (f"{names[area.Sheet]}!{column_letter(area.StartColumn)}{area.StartRow + 1}:"
            f"{column_letter(area.EndColumn)}{area.EndRow + 1}")


def call(doc, name: str, *args: str):
    module, function = name.split(".")
    uri = (f"vnd.sun.star.script:VBAProject.{module}.{function}"
           "?language=Basic&location=document")
    try:
        result, _, _ = doc.getScriptProvider().getScript(uri).invoke(args, (), ())
        return {"value": plain(result)}
    except Exception as exc:  # report, so one bad call does not hide the rest
        return {"error": f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"}


def validations(sheet, names: list[str]) -> list[dict]:
    """List validations: LibreOffice keeps validation as a cell attribute, so walk the
    ranges of identical attributes and keep those whose validation type is LIST."""
    found = []
    for ranges in sheet.getUniqueCellFormatRanges():
        validation = ranges.getByIndex(0).Validation
        if validation.Type == LIST:
            found.append({"ranges": [address(names, a) for a in ranges.RangeAddresses],
                          "formula1": validation.getFormula1()})
    return found


def cell(doc, reference: str) -> dict:
    sheet_name, name = reference.rsplit("!", 1)
    target = doc.Sheets.getByName(sheet_name).getCellRangeByName(name)
    return {"value": target.getValue(), "string": target.getString(),
            "formula": target.getFormula(), "error": target.getError(),
            "format": doc.NumberFormats.getByKey(target.NumberFormat).FormatString}


def step(doc, text: str):
    kind, _, argument = text.partition(":")
    if kind == "call":
        name, *args = argument.split(":")
        return call(doc, name, *args)
    if kind == "type":  # through the input line, as a user types (setFormula ignores "@")
        reference, _, typed = argument.partition("=")
        sheet_name, name = reference.rsplit("!", 1)
        sheet = doc.Sheets.getByName(sheet_name)
        controller = doc.getCurrentController()
        controller.setActiveSheet(sheet)
        controller.select(sheet.getCellRangeByName(name))
        dispatcher = CONTEXT.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", CONTEXT)
        dispatcher.executeDispatch(controller.getFrame(), ".uno:EnterString", "", 0,
                                   (prop("StringName", typed),))
        return None
    if kind == "text":
        reference, _, text = argument.partition("=")
        sheet_name, name = reference.rsplit("!", 1)
        doc.Sheets.getByName(sheet_name).getCellRangeByName(name).setString(text)
        return None
    if kind in ("delete-row", "insert-row"):
        sheet_name, row = argument.rsplit("!", 1)
        rows = doc.Sheets.getByName(sheet_name).getRows()
        if kind == "delete-row":
            rows.removeByIndex(int(row) - 1, 1)
        else:
            rows.insertByIndex(int(row) - 1, 1)
        return None
    if kind == "rename":
        old, _, new = argument.partition("=")
        doc.Sheets.getByName(old).setName(new)
        return None
    raise SystemExit(f"unknown step {text!r}")


def probe(doc, calls: list[str], cells: list[str], steps: list[str] = ()) -> dict:
    libraries = doc.BasicLibraries
    report = {"libraries": list(libraries.getElementNames()), "modules": []}
    if libraries.hasByName("VBAProject"):
        libraries.loadLibrary("VBAProject")
        report["modules"] = sorted(libraries.getByName("VBAProject").getElementNames())
    report["calls"] = {name: call(doc, name) for name in calls}
    names = list(doc.Sheets.getElementNames())
    report["sheets"] = names
    report["validations"] = {name: validations(doc.Sheets.getByName(name), names)
                             for name in names}
    ranges = doc.DatabaseRanges
    report["database_ranges"] = {name: address(names, ranges.getByName(name).DataArea)
                                 for name in ranges.getElementNames()}
    named = doc.NamedRanges
    report["names"] = {name: named.getByName(name).getContent()
                       for name in named.getElementNames()}
    report["steps"] = [{"step": text, "result": step(doc, text)} for text in steps]
    report["modified"] = doc.isModified()
    if not any(text.startswith("type:") for text in steps):
        doc.calculateAll()
    report["cells"] = {reference: cell(doc, reference) for reference in cells}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book")
    parser.add_argument("--call", action="append", default=[], metavar="Module.Function")
    parser.add_argument("--step", action="append", default=[], metavar="KIND:ARGS")
    parser.add_argument("--cell", action="append", default=[], metavar="Sheet!A1")
    parser.add_argument("--no-macros", action="store_true",
                        help="load with macros off, as Excel before 启用内容 (or a copy without VBA)")
    args = parser.parse_args()
    global CONTEXT
    context = CONTEXT = connect(os.environ["JBSYS_UNO_URL"])
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context)
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(args.book)), "_blank", 0,
        (prop("Hidden", True),  # ALWAYS_EXECUTE_NO_WARN, or NEVER_EXECUTE
         prop("MacroExecutionMode", 0 if args.no_macros else 4)))
    if doc is None:
        sys.exit(f"LibreOffice could not load {args.book}")
    try:
        report = probe(doc, args.call, args.cell, args.step)
    finally:
        doc.close(True)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
