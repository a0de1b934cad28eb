"""excel-setup: the no-Excel message, and on a simulated Windows the command and the config."""
from __future__ import annotations

import pytest
import xlwings
from xlwings.utils import read_user_config

from jbsys_xl.excel.setup import excel_setup


class Runner:
    def __init__(self, code: int = 0) -> None:
        self.code = code
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> int:
        self.commands.append(command)
        return self.code


@pytest.fixture
def windows(tmp_path):
    """A home directory and a venv with python.exe and pythonw.exe."""
    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").touch()
    (scripts / "pythonw.exe").touch()
    home = tmp_path / "home"
    home.mkdir()
    return home, str(scripts / "python.exe"), scripts


def _setup(home, executable, runner, **kwargs):
    return excel_setup(platform="win32", home=home, executable=executable, run=runner,
                       **kwargs)


def test_linux_explains_in_both_languages(tmp_path, capsys):
    runner = Runner()
    assert excel_setup(platform="linux", home=tmp_path, run=runner) == 0
    out = capsys.readouterr().out
    assert "本系统没有 Excel" in out and "Excel is not available on this system" in out
    assert out.count("jbsys-xl allocate WORKBOOK --year Y") == 2
    assert runner.commands == [] and list(tmp_path.iterdir()) == []


def test_windows_runs_addin_install_and_writes_config(windows):
    home, python, scripts = windows
    runner = Runner()
    assert _setup(home, python, runner) == 0
    assert runner.commands == [[python, "-m", "xlwings.cli", "addin", "install"]]
    config = home / ".xlwings" / "xlwings.conf"
    assert config.read_text().splitlines() == [
        f'"INTERPRETER_WIN","{scripts / "pythonw.exe"}"',
        '"UDF MODULES","udfs.jbsys_udfs"',
    ]


def test_xlwings_reads_what_was_written(windows, monkeypatch):
    home, python, scripts = windows
    _setup(home, python, Runner())
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(home / ".xlwings" / "xlwings.conf"))
    assert read_user_config() == {"interpreter_win": str(scripts / "pythonw.exe"),
                                  "udf modules": "udfs.jbsys_udfs"}


def test_merge_keeps_other_keys_and_replaces_ours_in_any_case(windows):
    home, python, scripts = windows
    config = home / ".xlwings" / "xlwings.conf"
    config.parent.mkdir()
    config.write_text('"LICENSE_KEY","abc"\n\n"interpreter_win","C:\\old\\python.exe"\n'
                      '"UDF Modules","old_udfs"\n"PYTHONPATH","C:\\lib"')
    assert _setup(home, python, Runner()) == 0
    assert config.read_text().splitlines() == [
        '"LICENSE_KEY","abc"',
        '"PYTHONPATH","C:\\lib"',
        f'"INTERPRETER_WIN","{scripts / "pythonw.exe"}"',
        '"UDF MODULES","udfs.jbsys_udfs"',
    ]


def test_python_exe_when_there_is_no_pythonw(windows):
    home, python, scripts = windows
    (scripts / "pythonw.exe").unlink()
    _setup(home, python, Runner())
    assert f'"INTERPRETER_WIN","{python}"' in (home / ".xlwings" / "xlwings.conf").read_text()


def test_failed_install_writes_nothing(windows, capsys):
    home, python, _ = windows
    assert _setup(home, python, Runner(code=3)) == 3
    assert not (home / ".xlwings").exists()
    assert "exit code 3" in capsys.readouterr().out


def test_dry_run_runs_and_writes_nothing(windows, capsys):
    home, python, _ = windows
    runner = Runner()
    assert _setup(home, python, runner, dry_run=True) == 0
    assert runner.commands == [] and not (home / ".xlwings").exists()
    out = capsys.readouterr().out
    assert "xlwings.cli addin install" in out and '"UDF MODULES","udfs.jbsys_udfs"' in out


def test_macos_uses_excels_container_and_its_key(tmp_path):
    assert excel_setup(platform="darwin", home=tmp_path, executable="/opt/py/bin/python3",
                       run=Runner()) == 0
    config = tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
    assert '"INTERPRETER_MAC","/opt/py/bin/python3"' in config.read_text().splitlines()
