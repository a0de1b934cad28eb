"""LibreOffice as a real second program: it loads the generated VBA project, runs its
functions, evaluates cells that call them, and converts workbooks to PDF."""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter

from jbsys_xl.office.libreoffice import (
    LibreOfficeError, LibreOfficeMissing, convert, find_soffice, run_uno_script)
from tests.support import (
    DOCUMENT_MODULES, MODULES, SHEETS, big_module_source, build_sample_xlsm, require_soffice)

PROBE = Path(__file__).parents[1] / "support" / "uno_probe.py"


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    """One LibreOffice run over the sample workbook, shared by the tests below."""
    require_soffice(uno=True)
    book = tmp_path_factory.mktemp("lo") / "sample.xlsm"
    book.write_bytes(build_sample_xlsm())
    return run_uno_script(PROBE, str(book),
                          "--call", "JbInfo.JbVersion", "--call", "JbBig.F7",
                          "--call", "JbInfo.JbSum", "--call", "JbInfo.NoSuchFunction",
                          "--cell", "参数!B2", "--cell", "参数!B3")


def test_vba_project_loads_as_basic_library(probe):
    assert "VBAProject" in probe["libraries"]
    assert probe["modules"] == sorted({m.name for m in MODULES} | set(DOCUMENT_MODULES))


def test_vba_functions_run(probe):
    calls = probe["calls"]
    assert calls["JbInfo.JbVersion"] == {"value": "0.1.0"}
    f7 = re.search(r'F7 = "(\w+)"', big_module_source()).group(1)
    assert calls["JbBig.F7"] == {"value": f7}  # from the multi-chunk, big-stream module


def test_failed_calls_are_reported_not_fatal(probe):
    assert "wrong number of parameters" in probe["calls"]["JbInfo.JbSum"]["error"]
    assert "could not be found" in probe["calls"]["JbInfo.NoSuchFunction"]["error"]


def test_cells_calling_vba_functions_are_evaluated(probe):
    # XlsxWriter stored "" and 0 as cached results; these values come from running the VBA.
    assert probe["cells"]["参数!B2"]["string"] == "0.1.0"
    assert probe["cells"]["参数!B3"]["value"] == 5.0
    assert probe["cells"]["参数!B3"]["formula"] == "=JBSUM(2;3)"


def test_sheets_validations_and_tables_are_seen(probe):
    assert probe["sheets"] == [name for name, _ in SHEETS]
    assert probe["validations"]["参数"] == [
        {"ranges": ["参数!C2:C5"], "formula1": "$Lists.$A$1:$A$3"},
        {"ranges": ["参数!D2:D2"], "formula1": '"是";"否"'},
    ]
    assert probe["validations"]["中心"] == []
    assert probe["database_ranges"] == {"Centers": "中心!A1:B3"}


def test_convert_xlsx_to_pdf(tmp_path):
    require_soffice()
    source = tmp_path / "小表.xlsx"
    with xlsxwriter.Workbook(source) as book:
        book.add_worksheet("结果").write_row("A1", ["中心", "金额", 12.5])
    pdf = convert(source, "pdf", tmp_path / "out")
    assert pdf == tmp_path / "out" / "小表.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_convert_failure_carries_soffice_output(tmp_path):
    require_soffice()
    source = tmp_path / "a.csv"
    source.write_text("1,2\n")
    with pytest.raises(LibreOfficeError, match="(?s)could not convert a.csv.*stdout: .*filter"):
        convert(source, "nosuchformat", tmp_path)


def test_convert_missing_source(tmp_path):
    with pytest.raises(FileNotFoundError):
        convert(tmp_path / "absent.xlsx", "pdf", tmp_path)


def _our_soffice_processes() -> list[str]:
    """Command lines of live processes using a pipe name this test process made."""
    marker = f"jbsys-{os.getpid()}-".encode()
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


@pytest.mark.parametrize("code, message", [
    ("print('not json')", "printed no JSON"),
    ("import sys; sys.exit('boom')", "boom"),
])
def test_run_uno_script_reports_failures_and_stops_office(tmp_path, code, message):
    require_soffice()
    script = tmp_path / "script.py"
    script.write_text(code)
    with pytest.raises(LibreOfficeError, match=message):
        run_uno_script(script)
    deadline = time.monotonic() + 5  # SIGKILL is sent; give the kernel a moment to reap
    while _our_soffice_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _our_soffice_processes() == []


def test_missing_soffice_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LibreOfficeMissing, match="libreoffice-calc-nogui") as error:
        find_soffice()
    assert "未找到" in str(error.value)


def test_require_soffice_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_soffice()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_soffice()


def test_soffice_is_found_where_the_windows_installer_puts_it(monkeypatch, tmp_path):
    """Not on PATH there: %ProgramFiles%\\LibreOffice\\program\\soffice.exe."""
    monkeypatch.setenv("PATH", str(tmp_path))
    program = tmp_path / "Program Files" / "LibreOffice" / "program"
    program.mkdir(parents=True)
    (program / "soffice.exe").write_bytes(b"")
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "Program Files"))
    assert find_soffice() == str(program / "soffice.exe")


def test_without_process_groups_the_process_tree_is_killed(monkeypatch):
    """Windows has no os.killpg: a LibreOffice still running is ended with taskkill /T."""
    import subprocess

    from jbsys_xl.office import libreoffice

    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    killed = []

    def taskkill(command, **_):
        killed.append(command)
        process.kill()

    monkeypatch.delattr(libreoffice.os, "killpg")
    monkeypatch.setattr(libreoffice.subprocess, "run", taskkill)
    libreoffice._stop(process)
    assert killed == [["taskkill", "/F", "/T", "/PID", str(process.pid)]]
    assert process.returncode is not None


def test_the_sc_faces_are_copied_out_of_their_collections_once(tmp_path, monkeypatch):
    """fonts-noto-cjk's collections share one CFF named …CJKjp…: the copies say sc, are made
    once per font file, and land in scratch space when the cache cannot be written."""
    from fontTools.ttLib import TTFont

    from jbsys_xl.office.libreoffice import sc_faces

    require_soffice()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder, collections = sc_faces(tmp_path / "scratch")
    if folder is None:
        pytest.fail("fonts-noto-cjk's SC faces were not found (apt-get install fonts-noto-cjk)")
    assert folder == tmp_path / "cache" / "jbsys-xl" / "fonts"
    assert collections and all(c.suffix == ".ttc" for c in collections)
    copies = sorted(folder.glob("*.otf"))
    assert len(copies) == 4
    for copy in copies:
        font = TTFont(str(copy), lazy=True)
        assert font["name"].getDebugName(6).startswith(("NotoSerifCJKsc-", "NotoSansCJKsc-"))
        assert b"CJKjp-" not in font.getTableData("CFF ")
    stamps = [copy.stat().st_mtime_ns for copy in copies]
    assert sc_faces(tmp_path / "scratch")[0] == folder
    assert [copy.stat().st_mtime_ns for copy in copies] == stamps  # not made again
    (tmp_path / "locked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "locked"))
    assert sc_faces(tmp_path / "scratch")[0] == tmp_path / "scratch" / "fonts"
