"""The xlwings_udfs wrapper module, checked against a hand-written copy of what xlwings writes."""
from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest
import xlwings

from jbsys_xl.excel import udf_vba as udf_vba_module
from jbsys_xl.excel.udf_vba import udf_signatures, udf_vba

# Written by hand from xlwings/udfs.py (import_udfs, generate_vba_wrapper) for DEMO below.
# Stored with LF so no git setting can change it; the generator's output is CRLF.
EXPECTED = Path(__file__).with_name("expected") / "xlwings_udfs.bas"

DEMO = '''
    """Functions for the wrapper test."""
    import xlwings as xw


    @xw.func
    def add(x, y=1):
        """两数相加: a docstring is registered by xlwings, never part of the VBA."""
        return x + y


    @xw.func(volatile=True)
    def now_plus(days):
        return days


    @xw.func
    @xw.arg("rest", doc="more numbers")
    def total(first, *rest):
        return first + sum(rest)


    @xw.func
    def where(x, caller):
        return caller.sheet.book.name


    @xw.script
    def refresh():
        pass


    def helper():
        """Not decorated: no wrapper."""
'''


def _module(tmp_path: Path, monkeypatch, name: str, source: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.fixture
def demo(tmp_path, monkeypatch) -> str:
    return _module(tmp_path, monkeypatch, "udf_demo", DEMO)


def test_matches_what_xlwings_writes(demo):
    expected = EXPECTED.read_text(encoding="ascii").replace("\n", "\r\n")
    assert udf_vba(demo) == expected


def test_the_workbooks_copy_keeps_values_elsewhere_and_keeps_the_server(demo):
    """workbook_udf_vba: each Function first gives back its cell while another workbook is
    active, then calls JbCallUDF (the cached server) in Excel's branch; nothing else moves."""
    original = udf_vba(demo).split("\r\n")
    changed = udf_vba_module.workbook_udf_vba(demo).split("\r\n")
    added = [line for line in changed if line not in original]
    functions = [line.split()[1].split("(")[0] for line in original if line.startswith("Function ")]
    assert [line.strip() for line in added if "JbKept" in line] == [
        f"If Not ActiveWorkbook Is ThisWorkbook Then {name} = JbKept(Application.Caller): Exit Function"
        for name in functions]
    rewritten = [line for line in added if "JbKept" not in line]
    assert len(rewritten) == len(functions)
    assert all(line.strip().startswith(f"{name} = JbCallUDF(") and
               line.endswith(", ThisWorkbook, Application.Caller)") for name, line in zip(functions, rewritten))
    removed = [line for line in original if line not in changed]
    assert [line.replace("XLPy.CallUDF(", "JbCallUDF(") for line in removed] == rewritten
    assert 'XLPy.CallUDF "udf_demo", "refresh", Array(), ThisWorkbook, Application.Caller' in \
        "\r\n".join(changed)  # a Sub (no cell to keep) is left as xlwings wrote it
    for line in changed:  # inside every Function, the guard comes before the arguments are made
        if line.startswith("Function "):
            body = changed[changed.index(line):]
            assert body.index(next(x for x in body if "JbKept" in x)) < body.index(
                next(x for x in body if "JbCallUDF(" in x))


def test_crlf_ascii_and_deterministic(demo):
    text = udf_vba(demo)
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    text.encode("ascii")
    assert udf_vba(demo) == text
    assert udf_vba(importlib.import_module(demo)) == text  # a module object works too


def test_signatures(demo):
    assert udf_signatures(demo) == [
        ("add", ["x", "y"], False),
        ("now_plus", ["days"], True),
        ("refresh", [], False),
        ("total", ["first", "rest"], False),
        ("where", ["x"], False),
    ]


def test_signatures_leave_out_arguments_vba_fills(tmp_path, monkeypatch):
    name = _module(tmp_path, monkeypatch, "udf_vba_arg", '''
        import xlwings as xw

        @xw.func
        @xw.arg("book", vba="ThisWorkbook")
        def sheet_count(book, extra):
            return len(book.sheets)
    ''')
    assert udf_signatures(name) == [("sheet_count", ["extra"], False)]
    assert "Array(ThisWorkbook, extra)" in udf_vba(name)


def test_non_ascii_names_are_refused(tmp_path, monkeypatch):
    name = _module(tmp_path, monkeypatch, "udf_chinese", '''
        import xlwings as xw

        @xw.func
        def 合计(x):
            return x
    ''')
    with pytest.raises(ValueError, match="ASCII"):
        udf_vba(name)


def test_works_without_pywin32(demo, monkeypatch):
    for blocked in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, blocked, None)  # any import of it now fails
    udf_vba_module._xlwings_udfs.cache_clear()
    try:
        assert udf_vba(demo).startswith('Attribute VB_Name = "xlwings_udfs"\r\n')
    finally:
        udf_vba_module._xlwings_udfs.cache_clear()


def test_xlwings_decorators_are_restored_even_on_error(tmp_path, monkeypatch):
    before = {name: getattr(xlwings, name) for name in ("func", "arg", "ret", "sub", "script")}
    name = _module(tmp_path, monkeypatch, "udf_broken", '''
        import xlwings as xw

        @xw.func
        def fine(x):
            return x

        raise RuntimeError("import fails")
    ''')
    with pytest.raises(RuntimeError, match="import fails"):
        udf_vba(name)
    assert {name: getattr(xlwings, name) for name in before} == before


def test_unknown_module():
    with pytest.raises(ModuleNotFoundError):
        udf_vba("no_such_udf_module_anywhere")
