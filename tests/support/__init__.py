"""Helpers shared by the tests."""
from __future__ import annotations

import io
import os
import random
import subprocess
from datetime import datetime

import pytest
import xlsxwriter

from jbsys_xl.office.libreoffice import UNO_PYTHON, LibreOfficeMissing, find_soffice
from jbsys_xl.template.ovba import VbaModule, build_vba_project
from jbsys_xl.template.xlsm import add_custom_ui


def _has_uno() -> bool:
    try:
        return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0
    except OSError:
        return False


def require_soffice(uno: bool = False) -> str:
    """Path of soffice (and, with ``uno``, a system Python that imports ``uno``).

    Missing: skip on a developer machine, but fail under CI (``CI`` set), where these tests
    are the only check against a real office program and must not vanish quietly.
    """
    try:
        soffice = find_soffice()
        if uno and not _has_uno():
            raise LibreOfficeMissing(f"{UNO_PYTHON} cannot import uno: "
                                     "apt-get install python3-uno")
    except LibreOfficeMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the LibreOffice tests: {exc}")
        pytest.skip(str(exc))
    return soffice


# --- a small macro workbook, as the template builder will make them ------------------------

JB_INFO = '''Option Explicit

Function JbVersion() As String
    JbVersion = "0.1.0"
End Function

Function JbSum(ByVal a As Long, ByVal b As Long) As Long
    JbSum = a + b
End Function

Public Sub OnJbAbout(control As Object)
    MsgBox "JBSys-XL " & JbVersion()
End Sub
'''

WORKBOOK_CODE = '''Private Sub Workbook_Open()
    Application.StatusBar = False
End Sub
'''


def big_module_source(lines: int = 240) -> str:
    """Over 5 KB of varied code: its compressed stream spans chunks and leaves the mini stream."""
    rng = random.Random(20240601)
    return "".join(
        f"Public Function F{i}() As String\n"
        f"    F{i} = \"{rng.randbytes(12).hex()}\" ' {rng.randrange(10**9)}\n"
        "End Function\n"
        for i in range(lines))


SHEETS = (("参数", "Sheet1"), ("中心", "Sheet2"), ("Lists", "Sheet3"))
DOCUMENT_MODULES = ("ThisWorkbook",) + tuple(code for _, code in SHEETS)
MODULES = (
    VbaModule("JbInfo", JB_INFO),
    VbaModule("JbBig", big_module_source()),
    VbaModule("ThisWorkbook", WORKBOOK_CODE, "document"),
    VbaModule("JbItem", "Public Value As Long\n", "class"),
)
RIBBON = (b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
          b'<ribbon><tabs><tab id="jbsys" label="JBSys"><group id="jbInfo" label="Info">'
          b'<button id="jbAbout" label="About" onAction="OnJbAbout"/>'
          b'</group></tab></tabs></ribbon></customUI>')


def build_sample_xlsm() -> bytes:
    """An .xlsm with the sample VBA project, a UDF formula, list validations, a table and a
    ribbon, built the way the template builder does it."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"created": datetime(2024, 1, 1)})
    book.set_vba_name("ThisWorkbook")
    sheets = {}
    for name, codename in SHEETS:
        sheets[name] = book.add_worksheet(name)
        sheets[name].set_vba_name(codename)
    params, centers, lists = sheets["参数"], sheets["中心"], sheets["Lists"]
    params.write_formula("B2", "=JbVersion()", None, "")
    params.write_formula("B3", "=JbSum(2,3)", None, 0)
    params.data_validation("C2:C5", {"validate": "list", "source": "=Lists!$A$1:$A$3"})
    params.data_validation("D2", {"validate": "list", "source": ["是", "否"]})
    lists.write_column("A1", ["A+", "A", "B"])
    centers.add_table("A1:B3", {"name": "Centers", "columns": [{"header": "中心"},
                                                               {"header": "分数"}],
                                "data": [["武进", 90], ["新北", 85]]})
    book.add_vba_project(io.BytesIO(build_vba_project(MODULES, document_modules=DOCUMENT_MODULES)),
                         is_stream=True)
    book.close()
    return add_custom_ui(out.getvalue(), RIBBON)
