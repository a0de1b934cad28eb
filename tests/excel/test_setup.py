"""excel-setup: the no-Excel message; on a simulated Windows profile the add-in copied into
Excel's XLSTART without starting Excel, nothing global written (our old lines taken out, other
tools' lines left byte for byte), --remove undoing exactly that; the checks xlwings itself does
not make; and on a Mac xlwings' own install, given two minutes."""
from __future__ import annotations

import ast
import hashlib
import subprocess
from pathlib import Path

import pytest
import xlwings

from jbsys_xl.excel import setup as setup_code
from jbsys_xl.excel.setup import (ADDIN, INSTALLER, KEPT, PLACED, TASKLIST, UDF_MODULES,
                                  WORKBOOK_INTERPRETER, excel_setup)
from jbsys_xl.template.sheets import CONFIG

XLWINGS = Path(xlwings.__file__).parent
DLL = f"xlwings64-{xlwings.__version__}.dll"


class Tasklist:
    """``tasklist`` listing EXCEL.EXE processes; any other command fails the test: on
    Windows excel-setup runs nothing else (no xlwings CLI, so no hidden Excel)."""

    def __init__(self, excel_running: bool = False) -> None:
        self.excel_running = excel_running
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> tuple[int, str]:
        self.commands.append(command)
        assert command == TASKLIST, command
        if self.excel_running:
            return 0, '"EXCEL.EXE","4312","Console","1","182,340 K"\r\n'
        return 0, "信息: 没有运行的任务匹配指定标准。\r\n"


@pytest.fixture
def profile(tmp_path):
    """A Windows user profile with install.bat's environment: venv\\Scripts\\python.exe and
    pythonw.exe, xlwings' DLL in the venv's root. Returns (environ, home, python.exe)."""
    home = tmp_path / "Users" / "张三"
    local = home / "AppData" / "Local"
    scripts = local / "jbsys-xl" / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    for name in ("python.exe", "pythonw.exe"):
        (scripts / name).touch()
    (scripts.parent / DLL).touch()
    environ = {"LOCALAPPDATA": str(local), "APPDATA": str(home / "AppData" / "Roaming")}
    return environ, home, str(scripts / "python.exe")


def addin_path(environ) -> Path:
    return Path(environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"


def user_config(home) -> Path:
    return home / ".xlwings" / "xlwings.conf"


def run_setup(profile, runner=None, **kwargs) -> int:
    environ, home, python = profile
    return excel_setup(platform="win32", home=home, executable=kwargs.pop("executable", python),
                       run=runner or Tasklist(), code_page=kwargs.pop("code_page", "cp936"),
                       environ=environ, **kwargs)


def test_linux_explains_in_both_languages(tmp_path, capsys):
    runner = Tasklist()
    assert excel_setup(platform="linux", home=tmp_path, run=runner) == 0
    out = capsys.readouterr().out
    assert "本系统没有 Excel" in out and "Excel is not available on this system" in out
    assert out.count("jbsys-xl allocate WORKBOOK --year Y") == 2
    assert runner.commands == [] and list(tmp_path.iterdir()) == []


def test_copies_the_addin_into_xlstart_without_starting_excel(profile, capsys):
    environ, home, _ = profile
    runner = Tasklist()
    assert run_setup(profile, runner) == 0
    assert runner.commands == [TASKLIST]  # no `xlwings addin install`: no hidden Excel
    assert addin_path(environ).read_bytes() == ADDIN.read_bytes()
    assert not user_config(home).exists()  # nothing global
    out = capsys.readouterr().out
    assert f"已安装 xlwings 加载项：{addin_path(environ)}" in out
    assert "不读写用户目录中的 xlwings.conf" in out
    placed = Path(environ["LOCALAPPDATA"]) / "jbsys-xl" / PLACED
    assert placed.read_text("ascii").strip() == hashlib.sha256(ADDIN.read_bytes()).hexdigest()


def test_the_workbook_names_the_interpreter_install_bat_makes():
    """The interpreter lives in the template's xlwings.conf sheet, with the folder install.bat
    creates (%LOCALAPPDATA% is expanded by the add-in's GetConfig)."""
    assert dict(CONFIG)["INTERPRETER_WIN"] == WORKBOOK_INTERPRETER
    bat = (Path(__file__).resolve().parents[2] / "packaging" / "windows" / "install.bat").read_text("ascii")
    assert 'set "VENV=%LOCALAPPDATA%\\jbsys-xl\\venv"' in bat
    assert WORKBOOK_INTERPRETER == "%LOCALAPPDATA%\\jbsys-xl\\venv\\Scripts\\pythonw.exe"
    config = (XLWINGS / "addin" / "Config.bas").read_text(encoding="utf-8", errors="replace")
    assert "GetConfig = ExpandEnvironmentStrings(GetConfig)" in config  # sheet values too


def test_a_foreign_global_config_is_left_byte_for_byte(profile):
    """Another xlwings tool's settings are no business of ours: not even re-encoded."""
    _, home, _ = profile
    config = user_config(home)
    config.parent.mkdir()
    foreign = ('"INTERPRETER_WIN","C:\\其他工具\\pythonw.exe"\r\n"USE UDF SERVER","True"\n'
               '"PYTHONPATH","C:\\lib"').encode("cp936")
    config.write_bytes(foreign)
    before = config.stat().st_mtime_ns
    assert run_setup(profile) == 0
    assert config.read_bytes() == foreign and config.stat().st_mtime_ns == before


def test_our_old_lines_are_taken_out_and_every_other_line_kept(profile, capsys):
    environ, home, _ = profile
    local = environ["LOCALAPPDATA"]
    config = user_config(home)
    config.parent.mkdir()
    lines = [b'"LICENSE_KEY","abc"\r\n',
             f'"interpreter_win","{local}\\JBSYS-XL\\venv\\Scripts\\pythonw.exe"\r\n'.encode("cp936"),
             f'"UDF Modules","{UDF_MODULES}"\r\n'.encode("cp936"),
             '"CONDA PATH","C:\\工具"\n'.encode("cp936"),
             b'"UDF MODULES","my_udfs"']
    config.write_bytes(b"".join(lines))
    assert run_setup(profile) == 0
    assert config.read_bytes() == lines[0] + lines[3] + lines[4]
    assert "去掉旧版 JBSys-XL 写入的 2 行设置" in capsys.readouterr().out


def test_the_literal_localappdata_form_is_ours_too(profile):
    _, home, _ = profile
    config = user_config(home)
    config.parent.mkdir()
    config.write_bytes(b'"INTERPRETER_WIN","%LOCALAPPDATA%\\jbsys-xl\\venv\\Scripts\\python.exe"\r\n'
                       b'"INTERPRETER_WIN","%LOCALAPPDATA%\\other\\venv\\Scripts\\python.exe"\r\n')
    assert run_setup(profile) == 0
    assert config.read_bytes() == b'"INTERPRETER_WIN","%LOCALAPPDATA%\\other\\venv\\Scripts\\python.exe"\r\n'


def test_nothing_is_done_while_excel_runs(profile, capsys):
    environ, _, _ = profile
    runner = Tasklist(excel_running=True)
    assert run_setup(profile, runner) == 1
    assert runner.commands == [TASKLIST]
    assert not addin_path(environ).exists()
    assert "Excel 正在运行" in capsys.readouterr().out


def test_another_python_is_refused_with_what_to_do(profile, tmp_path, capsys):
    """The workbooks call install.bat's environment: set up from another Python, they would
    still not use it."""
    environ, _, _ = profile
    other = tmp_path / "Python312" / "python.exe"
    other.parent.mkdir()
    other.touch()
    runner = Tasklist()
    assert run_setup(profile, runner, executable=str(other)) == 2
    out = capsys.readouterr().out
    assert f"这个 Python（{other}）不是 JBSys-XL 工作簿调用的 Python" in out
    assert INSTALLER in out and "pythonw.exe" in out
    assert runner.commands == [] and not addin_path(environ).exists()


def test_the_environment_compares_without_regard_to_case(profile):
    environ, home, python = profile
    upper = python.replace("jbsys-xl", "JBSYS-XL").replace("Scripts", "SCRIPTS")
    assert run_setup(profile, executable=upper) == 0


def test_an_interpreter_path_the_code_page_cannot_hold_is_refused(profile, capsys):
    environ, _, _ = profile
    runner = Tasklist()
    assert run_setup(profile, runner, code_page="cp1252") == 2  # 张三 is not in cp1252
    out = capsys.readouterr().out
    assert "代码页 cp1252 不能表示的字符" in out
    assert runner.commands == [] and not addin_path(environ).exists()


def test_warns_when_the_dll_is_not_where_the_addin_looks(profile, capsys):
    environ, _, python = profile
    (Path(python).parent.parent / DLL).unlink()
    assert run_setup(profile) == 0
    out = capsys.readouterr().out
    assert f"都没有找到 {DLL}" in out and "工作表函数（JBSCORE 等）会显示错误" in out


def test_the_addins_dll_search_is_still_these_two_folders():
    main = (XLWINGS / "addin" / "Main.bas").read_text(encoding="utf-8", errors="replace")
    assert "LoadLibrary(ParentFolder(PYTHON_WIN) + \"\\\" + XLPyDLLName)" in main
    assert "LoadLibrary(ParentFolder(ParentFolder(PYTHON_WIN)) + \"\\\" + XLPyDLLName)" in main


def test_xlwings_own_install_starts_a_hidden_excel():
    """Why excel-setup copies the add-in itself: xlwings' `addin install` asks an invisible
    Excel for its startup folder, which a first-run dialog can block for ever."""
    tree = ast.parse((XLWINGS / "cli.py").read_text(encoding="utf-8"))
    functions = {node.name: ast.unparse(node) for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert "xw.App(visible=False)" in functions["get_addin_dir"]
    assert "startup_path" in functions["get_addin_dir"]
    assert "os.path.join(this_dir, 'addin', 'xlwings.xlam')" in functions["addin_install"]
    assert ADDIN == XLWINGS / "addin" / "xlwings.xlam" and ADDIN.is_file()


def test_an_addin_of_another_version_is_kept_aside_and_put_back_on_remove(profile, capsys):
    environ, _, _ = profile
    target = addin_path(environ)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"xlwings 0.30 add-in of another tool")
    assert run_setup(profile) == 0
    assert target.read_bytes() == ADDIN.read_bytes()
    assert "已另存为" in capsys.readouterr().out
    assert run_setup(profile) == 0  # a second install keeps the first one's copy of theirs
    kept = Path(environ["LOCALAPPDATA"]) / "jbsys-xl" / KEPT
    assert kept.read_bytes() == b"xlwings 0.30 add-in of another tool"
    assert run_setup(profile, remove=True) == 0
    assert target.read_bytes() == b"xlwings 0.30 add-in of another tool"
    assert not kept.exists()


def test_remove_takes_out_only_what_it_placed(profile, capsys):
    environ, home, _ = profile
    target = addin_path(environ)
    assert run_setup(profile) == 0
    assert run_setup(profile, remove=True) == 0
    assert not target.exists()
    assert "已删除 xlwings 加载项" in capsys.readouterr().out
    # an add-in excel-setup did not place (another tool's, the same version) stays
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(ADDIN.read_bytes())
    assert run_setup(profile) == 0  # already there: not ours to take away later
    assert run_setup(profile, remove=True) == 0
    assert target.read_bytes() == ADDIN.read_bytes()
    assert "不是 JBSys-XL 放入的" in capsys.readouterr().out


def test_remove_leaves_an_addin_replaced_since(profile, capsys):
    environ, _, _ = profile
    assert run_setup(profile) == 0
    addin_path(environ).write_bytes(b"a newer xlwings")
    assert run_setup(profile, remove=True) == 0
    assert addin_path(environ).read_bytes() == b"a newer xlwings"
    assert "已被其他程序替换" in capsys.readouterr().out


def test_remove_takes_our_old_global_lines_out_too(profile):
    environ, home, _ = profile
    config = user_config(home)
    config.parent.mkdir()
    ours = f'"INTERPRETER_WIN","{environ["LOCALAPPDATA"]}\\jbsys-xl\\venv\\Scripts\\pythonw.exe"\r\n'
    config.write_bytes(ours.encode("cp936") + b'"LICENSE_KEY","abc"\r\n')
    assert run_setup(profile, remove=True) == 0
    assert config.read_bytes() == b'"LICENSE_KEY","abc"\r\n'


def test_remove_refuses_while_excel_runs(profile, capsys):
    environ, _, _ = profile
    assert run_setup(profile) == 0
    assert run_setup(profile, Tasklist(excel_running=True), remove=True) == 1
    assert addin_path(environ).is_file()
    assert "uninstall.bat" in capsys.readouterr().out


def test_a_locked_addin_is_said_and_nothing_claims_it(profile, monkeypatch, capsys):
    environ, _, _ = profile

    def locked(path, data):
        raise setup_code.OutputError(f"无法写入“{path}”：文件可能正在 Excel 等程序中打开")

    monkeypatch.setattr(setup_code, "write_atomic", locked)
    assert run_setup(profile) == 1
    assert "无法完成 Excel 设置" in capsys.readouterr().out
    assert not (Path(environ["LOCALAPPDATA"]) / "jbsys-xl" / PLACED).exists()


def test_dry_run_writes_nothing(profile, capsys):
    environ, home, _ = profile
    runner = Tasklist()
    assert run_setup(profile, runner, dry_run=True) == 0
    assert runner.commands == [] and not addin_path(environ).exists()
    assert "would copy" in capsys.readouterr().out


def test_macos_uses_xlwings_install_and_excels_container(tmp_path):
    commands = []

    def runner(command):
        commands.append(command)
        return 0, "Successfully installed the xlwings add-in!\n"

    assert excel_setup(platform="darwin", home=tmp_path, executable="/opt/py/bin/python3",
                       run=runner) == 0
    assert commands == [["/opt/py/bin/python3", "-m", "xlwings.cli", "addin", "install"]]
    config = tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
    assert config.read_text("utf-8").splitlines() == ['"INTERPRETER_MAC","/opt/py/bin/python3"']


def test_a_hung_xlwings_command_ends_after_two_minutes_with_a_hint(monkeypatch):
    def hang(command, **kwargs):
        assert kwargs["timeout"] == setup_code.MAC_TIMEOUT == 120
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", hang)
    code, output = setup_code._run(["python", "-m", "xlwings.cli", "addin", "install"])
    assert code != 0 and "请先手动打开并关闭一次 Excel" in output
