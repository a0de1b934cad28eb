"""excel-setup: the no-Excel message, and on a simulated Windows the commands, the checks
xlwings itself does not make, and the config file the add-in's VBA reads."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
import xlwings
import xlwings.utils
from xlwings.utils import read_user_config

from jbsys_xl.excel.setup import ADDIN, INSTALLER, TASKLIST, UDF_MODULES, excel_setup

XLWINGS = Path(xlwings.__file__).parent
DLL = f"xlwings64-{xlwings.__version__}.dll"


def excel_xlstart(root: Path) -> Path:
    """Where Excel's Application.StartupPath points: %APPDATA%\\Microsoft\\Excel\\XLSTART."""
    return root / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"


class Xlwings:
    """``python -m xlwings.cli addin install|status`` as xlwings 0.37.8 answers them
    (cli.py: _addin_install prints its error and exits 0; addin_status prints the path), and
    ``tasklist`` listing EXCEL.EXE processes. ``placed``: what the copy leaves in XLSTART
    (xlwings' own add-in; other bytes stand for a locked older file)."""

    def __init__(self, xlstart: Path, copies: bool = True, excel_running: bool = False,
                 placed: bytes | None = None) -> None:
        self.xlstart = xlstart
        self.copies = copies
        self.excel_running = excel_running
        self.placed = ADDIN.read_bytes() if placed is None else placed
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> tuple[int, str]:
        self.commands.append(command)
        addin = self.xlstart / "xlwings.xlam"
        if command == TASKLIST:
            if self.excel_running:
                return 0, '"EXCEL.EXE","4312","Console","1","182,340 K"\r\n'
            return 0, "信息: 没有运行的任务匹配指定标准。\r\n"
        if command[-1] == "install":
            if not self.copies:
                return 0, "PermissionError(13, 'Permission denied')\n"
            self.xlstart.mkdir(parents=True, exist_ok=True)
            addin.write_bytes(self.placed)
            return 0, "Successfully installed the xlwings add-in! \n"
        if addin.is_file():
            return 0, (f"The add-in is installed at {addin}\n"
                       'Use "xlwings addin remove" to uninstall it.\n')
        return 0, ("The add-in is not installed.\n"
                   f'"xlwings addin install" will install it at: {addin}\n')


@pytest.fixture
def windows(tmp_path):
    """A home directory and a python.org-style install: python.exe, pythonw.exe, the DLL."""
    folder = tmp_path / "Python312"
    folder.mkdir()
    for name in ("python.exe", "pythonw.exe", DLL):
        (folder / name).touch()
    home = tmp_path / "home"
    home.mkdir()
    return home, str(folder / "python.exe"), folder


def _setup(home, executable, runner, **kwargs):
    return excel_setup(platform="win32", home=home, executable=executable, run=runner,
                       code_page=kwargs.pop("code_page", "cp936"),
                       utf8_mode=kwargs.pop("utf8_mode", False), **kwargs)


def config_lines(home) -> list[str]:
    return (home / ".xlwings" / "xlwings.conf").read_bytes().decode("cp936").split("\r\n")


def test_linux_explains_in_both_languages(tmp_path, capsys):
    runner = Xlwings(excel_xlstart(tmp_path))
    assert excel_setup(platform="linux", home=tmp_path, run=runner) == 0
    out = capsys.readouterr().out
    assert "本系统没有 Excel" in out and "Excel is not available on this system" in out
    assert out.count("jbsys-xl allocate WORKBOOK --year Y") == 2
    assert runner.commands == [] and list(tmp_path.iterdir()) == []


def test_installs_checks_xlstart_and_records_only_the_interpreter(windows, tmp_path, capsys):
    home, python, folder = windows
    runner = Xlwings(excel_xlstart(tmp_path))
    assert _setup(home, python, runner) == 0
    assert runner.commands == [TASKLIST, [python, "-m", "xlwings.cli", "addin", "install"],
                               [python, "-m", "xlwings.cli", "addin", "status"]]
    assert config_lines(home) == [f'"INTERPRETER_WIN","{folder / "pythonw.exe"}"', ""]
    out = capsys.readouterr().out
    assert f"已安装 xlwings 加载项：{excel_xlstart(tmp_path) / 'xlwings.xlam'}" in out


def test_nothing_is_done_while_excel_runs(windows, tmp_path, capsys):
    home, python, _ = windows
    runner = Xlwings(excel_xlstart(tmp_path), excel_running=True)
    assert _setup(home, python, runner) == 1
    assert runner.commands == [TASKLIST]
    assert not (home / ".xlwings").exists() and not excel_xlstart(tmp_path).exists()
    assert "Excel 正在运行" in capsys.readouterr().out


def test_an_add_in_put_into_wps_startup_folder_is_refused(windows, tmp_path, capsys):
    """Where WPS is registered as Excel.Application, StartupPath is WPS's folder."""
    home, python, _ = windows
    wps = tmp_path / "AppData" / "Roaming" / "kingsoft" / "office6" / "startup"
    assert _setup(home, python, Xlwings(wps)) == 1
    out = capsys.readouterr().out
    assert f"xlwings 把加载项放进了“{wps}”，这不是 Microsoft Excel 的启动文件夹" in out
    assert "WPS" in out and not (home / ".xlwings").exists()


def test_an_add_in_that_differs_from_xlwings_own_is_refused(windows, tmp_path, capsys):
    """The copy over a file Excel holds open fails, and xlwings says nothing."""
    home, python, _ = windows
    assert _setup(home, python, Xlwings(excel_xlstart(tmp_path), placed=b"xlwings 0.30 add-in")) == 1
    out = capsys.readouterr().out
    assert f"与本机 xlwings {xlwings.__version__} 自带的加载项不同" in out
    assert not (home / ".xlwings").exists()


def test_the_add_in_compared_is_the_one_xlwings_copies():
    tree = ast.parse((XLWINGS / "cli.py").read_text(encoding="utf-8"))
    install = next(node for node in tree.body
                   if isinstance(node, ast.FunctionDef) and node.name == "addin_install")
    assert 'os.path.join(this_dir, \'addin\', \'xlwings.xlam\')' in ast.unparse(install)
    assert ADDIN == XLWINGS / "addin" / "xlwings.xlam" and ADDIN.is_file()


def test_a_silently_failed_install_is_an_error(windows, tmp_path, capsys):
    home, python, _ = windows
    assert _setup(home, python, Xlwings(excel_xlstart(tmp_path), copies=False)) == 1
    out = capsys.readouterr().out
    assert "PermissionError" in out and "没有装进 Excel 的启动文件夹（XLSTART）" in out
    assert not (home / ".xlwings").exists()


def test_xlwings_still_swallows_install_errors_and_reports_the_path():
    """What the two checks above rest on, in xlwings' cli.py."""
    tree = ast.parse((XLWINGS / "cli.py").read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    handlers = [h for node in ast.walk(functions["_addin_install"]) if isinstance(node, ast.Try)
                for h in node.handlers]
    assert any(ast.unparse(h.type) == "Exception" and "print" in ast.unparse(h) for h in handlers)
    assert not any("exit" in ast.unparse(h) or "raise" in ast.unparse(h) for h in handlers)
    status = ast.unparse(functions["addin_status"])
    assert "'The add-in is installed at {}'" in status and "startup_path" in ast.unparse(
        functions["get_addin_dir"])


def test_an_interpreter_path_the_code_page_cannot_hold_is_refused(tmp_path, capsys):
    folder = tmp_path / "Pythön 3"  # ö is not in cp936
    folder.mkdir()
    (folder / "python.exe").touch()
    runner = Xlwings(excel_xlstart(tmp_path))
    assert _setup(tmp_path, str(folder / "python.exe"), runner) == 2
    out = capsys.readouterr().out
    assert "代码页 cp936 不能表示的字符" in out and INSTALLER in out
    assert runner.commands == [] and not (tmp_path / ".xlwings").exists()


def test_chinese_and_spaces_in_the_path_are_written_in_the_code_page(tmp_path, monkeypatch):
    folder = tmp_path / "人社 考核" / "venv" / "Scripts"
    folder.mkdir(parents=True)
    (folder / "python.exe").touch()
    (folder.parent / DLL).touch()  # a venv: the DLL sits in the venv's root
    home = tmp_path / "home"
    assert _setup(home, str(folder / "python.exe"), Xlwings(excel_xlstart(tmp_path))) == 0
    raw = (home / ".xlwings" / "xlwings.conf").read_bytes()
    assert raw == f'"INTERPRETER_WIN","{folder / "python.exe"}"\r\n'.encode("cp936")
    # xlwings' own Python reader uses open() without an encoding: the ANSI code page on
    # Chinese Windows, which this stands in for
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(home / ".xlwings" / "xlwings.conf"))
    monkeypatch.setattr(xlwings.utils, "open", functools.partial(open, encoding="cp936"),
                        raising=False)
    assert read_user_config() == {"interpreter_win": str(folder / "python.exe")}


def test_utf8_mode_python_with_a_chinese_path_is_warned_about(tmp_path, capsys):
    folder = tmp_path / "人社"
    folder.mkdir()
    for name in ("python.exe", DLL):
        (folder / name).touch()
    assert _setup(tmp_path / "home", str(folder / "python.exe"), Xlwings(excel_xlstart(tmp_path)),
                  utf8_mode=True) == 0
    assert "UTF-8 模式" in capsys.readouterr().out


def test_merge_keeps_other_keys_and_takes_out_the_old_udf_entry(windows, tmp_path):
    home, python, folder = windows
    config = home / ".xlwings" / "xlwings.conf"
    config.parent.mkdir()
    config.write_bytes('"LICENSE_KEY","abc"\n\n"interpreter_win","C:\\旧\\python.exe"\n'
                       f'"UDF Modules","{UDF_MODULES}"\n"PYTHONPATH","C:\\lib"'.encode("cp936"))
    assert _setup(home, python, Xlwings(excel_xlstart(tmp_path))) == 0
    assert config_lines(home) == ['"LICENSE_KEY","abc"', '"PYTHONPATH","C:\\lib"',
                                  f'"INTERPRETER_WIN","{folder / "pythonw.exe"}"', ""]


def test_another_udf_module_setting_is_kept(windows, tmp_path):
    home, python, _ = windows
    config = home / ".xlwings" / "xlwings.conf"
    config.parent.mkdir()
    config.write_text('"UDF MODULES","my_udfs"\n', encoding="utf-8")  # UTF-8 is read too
    assert _setup(home, python, Xlwings(excel_xlstart(tmp_path))) == 0
    assert config_lines(home)[0] == '"UDF MODULES","my_udfs"'


def test_python_exe_when_there_is_no_pythonw(windows, tmp_path):
    home, python, folder = windows
    (folder / "pythonw.exe").unlink()
    _setup(home, python, Xlwings(excel_xlstart(tmp_path)))
    assert config_lines(home)[0] == f'"INTERPRETER_WIN","{python}"'


@pytest.mark.parametrize("store", [False, True], ids=["user-site", "microsoft-store"])
def test_warns_when_the_dll_is_not_where_the_addin_looks(tmp_path, capsys, store):
    folder = tmp_path / ("WindowsApps" if store else "Python312")
    folder.mkdir()
    (folder / "python.exe").touch()
    assert _setup(tmp_path / "home", str(folder / "python.exe"), Xlwings(excel_xlstart(tmp_path))) == 0
    out = capsys.readouterr().out
    assert f"警告：在 {folder} 和 {tmp_path} 中都没有找到 {DLL}" in out
    assert ("Microsoft Store 版 Python" in out) == store and INSTALLER in out
    assert "工作表函数（JBSCORE 等）会显示错误" in out


def test_the_addins_dll_search_is_still_these_two_folders():
    main = (XLWINGS / "addin" / "Main.bas").read_text(encoding="utf-8", errors="replace")
    assert "LoadLibrary(ParentFolder(PYTHON_WIN) + \"\\\" + XLPyDLLName)" in main
    assert "LoadLibrary(ParentFolder(ParentFolder(PYTHON_WIN)) + \"\\\" + XLPyDLLName)" in main
    config = (XLWINGS / "addin" / "Config.bas").read_text(encoding="utf-8", errors="replace")
    assert "Input #iFileNum, sVarName, sVarValue" in config  # ANSI, comma-separated


def test_failed_install_writes_nothing(windows, tmp_path, capsys):
    home, python, _ = windows

    def failing(command):
        return 3, "boom\n"

    assert _setup(home, python, failing) == 1
    assert not (home / ".xlwings").exists()
    assert "退出码 3" in capsys.readouterr().out


def test_dry_run_runs_and_writes_nothing(windows, tmp_path, capsys):
    home, python, folder = windows
    runner = Xlwings(excel_xlstart(tmp_path))
    assert _setup(home, python, runner, dry_run=True) == 0
    assert runner.commands == [] and not (home / ".xlwings").exists()
    out = capsys.readouterr().out
    assert "xlwings.cli addin install" in out and "xlwings.cli addin status" in out
    assert f'"INTERPRETER_WIN","{folder / "pythonw.exe"}"' in out and "UDF" not in out


def test_macos_uses_excels_container_and_its_key(tmp_path):
    assert excel_setup(platform="darwin", home=tmp_path, executable="/opt/py/bin/python3",
                       run=Xlwings(excel_xlstart(tmp_path))) == 0
    config = tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
    assert config.read_text("utf-8").splitlines() == ['"INTERPRETER_MAC","/opt/py/bin/python3"']
