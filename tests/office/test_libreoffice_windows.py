"""LibreOffice on a Windows PC: found through the registry wherever it was installed, not
only under Program Files (the Windows discovery part of jbsys_xl/office/libreoffice.py)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jbsys_xl.office import libreoffice


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No soffice on PATH and no Program Files folders."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for variable in libreoffice.WINDOWS_FOLDERS:
        monkeypatch.delenv(variable, raising=False)


def soffice_in(folder: Path) -> Path:
    program = folder / "program"
    program.mkdir(parents=True)
    (program / "soffice.exe").write_bytes(b"MZ")
    return program / "soffice.exe"


@pytest.mark.parametrize("kind", ["app-paths", "uno-install-path", "quoted"])
def test_found_through_the_registry_outside_program_files(nowhere, monkeypatch, tmp_path, kind):
    soffice = soffice_in(tmp_path / "D盘" / "软件" / "LibreOffice")
    value = {"app-paths": str(soffice), "uno-install-path": str(soffice.parent),
             "quoted": f'"{soffice}"'}[kind]
    monkeypatch.setattr(libreoffice, "_registry_values", lambda: iter(["", str(tmp_path / "gone"), value]))
    assert libreoffice.find_soffice() == str(soffice)


def test_program_files_is_still_the_fallback(nowhere, monkeypatch, tmp_path):
    soffice = soffice_in(tmp_path / "Program Files" / "LibreOffice")
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "Program Files"))
    monkeypatch.setattr(libreoffice, "_registry_values", lambda: iter([]))
    assert libreoffice.find_soffice() == str(soffice)


def test_nothing_registered_is_missing(nowhere, monkeypatch):
    monkeypatch.setattr(libreoffice, "_registry_values", lambda: iter([]))
    with pytest.raises(libreoffice.LibreOfficeMissing):
        libreoffice.find_soffice()


def test_the_registry_is_read_for_both_hives_and_views():
    """Off Windows nothing is read; on Windows HKCU before HKLM, 64- and 32-bit views."""
    assert list(libreoffice._registry_values()) == []
    source = ast.unparse(next(node for node in ast.parse(Path(libreoffice.__file__).read_text("utf-8")).body
                              if isinstance(node, ast.FunctionDef) and node.name == "_registry_values"))
    for name in ("HKEY_CURRENT_USER", "HKEY_LOCAL_MACHINE", "KEY_WOW64_64KEY", "KEY_WOW64_32KEY",
                 "QueryValueEx(handle, '')"):
        assert name in source
    assert any("App Paths\\soffice.exe" in key for key in libreoffice.REGISTRY_KEYS)
