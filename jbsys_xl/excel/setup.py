"""``jbsys-xl excel-setup``: install the xlwings add-in and point xlwings at this Python.

Why: Excel finds the interpreter only through xlwings' user config file, and a wrong or
missing entry is the usual first-run failure. What xlwings itself does not check is checked
here (facts from the xlwings 0.37.8 source, see tests/excel/test_setup.py):

- ``xlwings addin install`` catches its own errors, prints them and exits 0: whether
  xlwings.xlam really is in Excel's XLSTART folder is asked afterwards (``addin status``);
- the add-in's VBA reads the config with ``Input #`` in the ANSI code page and hands the
  interpreter path to ANSI ``Declare`` calls: the file is written in that code page (cp936 on
  Chinese Windows), and a path it cannot represent is refused before anything is changed;
- the UDF module is named by the workbook's own wrappers and xlwings.conf sheet, so nothing
  goes into the user's global config that would change other xlwings workbooks on the PC;
- the add-in loads ``xlwings64-<version>.dll`` only from the interpreter's folder or its
  parent (``XLPyLoadDLL``): a user-site or Microsoft Store install puts it elsewhere, and then
  the buttons work but the worksheet functions fail — said here, with what to do instead;
- an open Excel keeps its xlwings.xlam open, and the copy over it fails silently: nothing is
  done while EXCEL.EXE runs, and the placed file is compared with the one xlwings ships;
- ``addin install`` asks the program registered as ``Excel.Application`` for its startup
  folder; where WPS has taken that name, the add-in lands in WPS's folder, which Excel never
  reads: the folder must be Excel's own ``Microsoft/Excel/XLSTART`` under the profile.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import xlwings

UDF_MODULES = "udfs.jbsys_udfs"
# Where xlwings (USER_CONFIG_FILE in xlwings/__init__.py) and its VBA (GetConfigFilePath in
# addin/Config.bas) look for the user config, relative to the home directory, and which key
# names the interpreter there.
_CONFIG = {
    "win32": ((".xlwings", "xlwings.conf"), "INTERPRETER_WIN"),
    "darwin": (("Library", "Containers", "com.microsoft.Excel", "Data", "xlwings.conf"),
               "INTERPRETER_MAC"),
}
UDF_KEY = "UDF MODULES"  # an older excel-setup wrote it into the global config: taken out again
DEFAULT_CODE_PAGE = "cp936"  # Chinese Windows; asked from Windows itself where it can be
INSTALLED = re.compile(r"The add-in is installed at (.+)")  # xlwings.cli.addin_status
ADDIN = Path(xlwings.__file__).with_name("addin") / "xlwings.xlam"  # what addin install copies
EXCEL_XLSTART = ("microsoft", "excel", "xlstart")  # %APPDATA%\Microsoft\Excel\XLSTART
TASKLIST = ["tasklist", "/FI", "IMAGENAME eq EXCEL.EXE", "/NH", "/FO", "CSV"]
_NO_EXCEL = (
    "本系统没有 Excel，无法安装 Excel 加载项。请使用命令行完成分配：\n"
    "  jbsys-xl allocate WORKBOOK --year Y\n"
    "Excel is not available on this system, so there is no add-in to install. "
    "Run the allocation from the command line:\n"
    "  jbsys-xl allocate WORKBOOK --year Y"
)
INSTALLER = "JBSys-XL 离线安装包（jbsys-xl-windows-版本.zip）中的 install.bat"
_FIX_PYTHON = (
    f"建议：关闭 Excel，运行{INSTALLER}：它用 python.org 的 64 位 Python 在"
    "“AppData\\Local\\jbsys-xl\\venv”建立独立的环境并完成设置，不受上述问题影响。")


Runner = Callable[[list[str]], tuple[int, str]]


def _run(command: list[str]) -> tuple[int, str]:
    done = subprocess.run(command, check=False, capture_output=True, text=True, errors="replace")
    return done.returncode, done.stdout + done.stderr


def ansi_code_page(platform: str = sys.platform) -> str:
    """The code page VBA reads and writes files in: Windows' ANSI code page."""
    if platform == "win32":
        import ctypes

        return f"cp{ctypes.windll.kernel32.GetACP()}"
    return DEFAULT_CODE_PAGE


def excel_setup(dry_run: bool = False, *, platform: str = sys.platform,
                home: Path | None = None, executable: str = sys.executable,
                run: Runner = _run, code_page: str | None = None,
                utf8_mode: bool = bool(sys.flags.utf8_mode)) -> int:
    """Install the add-in, check it landed in XLSTART, record this Python in xlwings.conf.
    Returns the exit code: 0 done (or nothing to do without Excel), 1 the add-in is not in
    place, 2 this Python cannot be used from Excel as installed."""
    if platform not in _CONFIG:
        print(_NO_EXCEL)
        return 0
    parts, interpreter_key = _CONFIG[platform]
    config = (home or Path.home()).joinpath(*parts)
    interpreter = _interpreter(executable, platform)
    encoding = "utf-8" if platform == "darwin" else (code_page or ansi_code_page(platform))
    try:
        interpreter.encode(encoding)
    except UnicodeEncodeError:
        print(f"无法使用此 Python：路径“{interpreter}”含有 Windows 代码页 {encoding} 不能表示的字符，"
              "Excel 的 VBA 无法读取这个路径。\n" + _FIX_PYTHON)
        return 2
    if platform == "win32" and (missing := _missing_dll(interpreter)):
        print(missing)
    if platform == "win32" and utf8_mode and not interpreter.isascii():
        print("警告：此 Python 以 UTF-8 模式运行（PYTHONUTF8=1 或 Python 3.15 及以后），而 xlwings "
              f"的 Python 部分按同一模式读取 {encoding} 编码的 xlwings.conf，路径中的中文会读错"
              "（工作簿在 OneDrive/SharePoint 上时会用到）。建议把 Python 装到只含英文字母和数字的路径。")
    install = [executable, "-m", "xlwings.cli", "addin", "install"]
    status = [executable, "-m", "xlwings.cli", "addin", "status"]
    settings = {interpreter_key: interpreter}
    if dry_run:
        print("将运行 / would run: " + " ".join(install))
        print("再检查 / then check: " + " ".join(status))
        print(f"将写入（{encoding}）/ would write ({encoding}) {config}:")
        print("".join(_line(key, value) for key, value in settings.items()), end="")
        return 0
    if platform == "win32" and _excel_running(run):
        print("Excel 正在运行：请先保存并关闭所有 Excel 窗口（任务栏上没有 Excel 时，在任务管理器中"
              "结束 EXCEL.EXE），再运行 jbsys-xl excel-setup。Excel 打开时无法替换它的加载项。")
        return 1
    code, output = run(install)
    if output.strip():
        print(output.rstrip())
    if code:
        print(f"xlwings 加载项安装失败（退出码 {code}）。请关闭所有 Excel 窗口后重试。")
        return 1
    placed = _installed_addin(run(status)[1])
    if placed is None:
        print("xlwings 加载项没有装进 Excel 的启动文件夹（XLSTART），尽管 xlwings 没有报错。"
              "请关闭所有 Excel 窗口后重新运行 jbsys-xl excel-setup；仍然失败时，"
              "把上面 xlwings 的输出发给管理员。")
        return 1
    if problem := _placed_problem(placed, platform):
        print(problem)
        return 1
    try:
        _merge_config(config, settings, encoding, "\r\n" if platform == "win32" else "\n")
    except UnicodeDecodeError:
        print(f"无法读取 {config}：它既不是 {encoding} 也不是 UTF-8 编码。请检查或删除该文件后重试。")
        return 1
    print(f"已安装 xlwings 加载项：{placed}\n已写入 {config}（{interpreter_key} = {interpreter}）")
    return 0


def _installed_addin(status_output: str) -> Path | None:
    """The add-in file ``xlwings addin status`` reports, if it is really there."""
    match = INSTALLED.search(status_output)
    if match is None:
        return None
    path = Path(match.group(1).strip())
    return path if path.is_file() else None


def _excel_running(run: Runner) -> bool:
    """Whether an EXCEL.EXE process runs (tasklist prints one CSV line per process)."""
    code, output = run(TASKLIST)
    return code == 0 and '"EXCEL.EXE"' in output.upper()


def _placed_problem(placed: Path, platform: str) -> str | None:
    """Why the add-in xlwings placed will not be what Excel loads, or None."""
    folder = placed.parent
    if platform == "win32" and tuple(p.lower() for p in folder.parts[-3:]) != EXCEL_XLSTART:
        return (f"xlwings 把加载项放进了“{folder}”，这不是 Microsoft Excel 的启动文件夹"
                "（应为 …\\AppData\\Roaming\\Microsoft\\Excel\\XLSTART）。常见原因：WPS Office 把自己"
                "登记成了 Excel（WPS 的“兼容 Microsoft Office 格式”设置）。请在 WPS 的“配置工具”中"
                "取消这一关联，或修复安装 Microsoft Office 后，重新运行 jbsys-xl excel-setup。"
                "只用 WPS 时请用命令行：jbsys-xl allocate 工作簿.xlsm --year 年度")
    if placed.read_bytes() != ADDIN.read_bytes():
        return (f"Excel 启动文件夹中的 {placed} 与本机 xlwings {xlwings.__version__} 自带的加载项不同"
                "（旧版本，或文件正被占用而没有替换）。请关闭所有 Excel 窗口后重新运行 "
                "jbsys-xl excel-setup。")
    return None


def _missing_dll(interpreter: str) -> str | None:
    """A warning if xlwings' DLL is not where the add-in's XLPyLoadDLL looks for it."""
    folders = [Path(interpreter).parent, Path(interpreter).parent.parent]
    names = [f"xlwings{bits}-{xlwings.__version__}.dll" for bits in (64, 32)]
    if any((folder / name).is_file() for folder in folders for name in names):
        return None
    store = "WindowsApps" in interpreter
    cause = ("这是 Microsoft Store 版 Python，xlwings 的 DLL 不在 Excel 能找到的位置。" if store else
             "xlwings 可能装到了用户目录（用普通用户身份给“所有用户”的 Python 运行了 pip）。")
    return (f"警告：在 {folders[0]} 和 {folders[1]} 中都没有找到 {names[0]}。{cause}"
            "这样“校验数据”“生成分配”按钮可以使用，但工作表函数（JBSCORE 等）会显示错误。\n"
            + _FIX_PYTHON)


def _merge_config(path: Path, settings: dict[str, str], encoding: str, newline: str) -> None:
    """Set ``settings`` in an xlwings.conf, keeping every other line, and drop the UDF module
    an older excel-setup put there. Keys match without regard to case (the VBA compares with
    LCase), and a key must not appear twice: the VBA reader takes the first line, xlwings'
    Python reader the last. Lines end as xlwings writes them on the platform (CRLF on
    Windows)."""
    wanted = {key.lower() for key in settings}
    kept = []
    if path.exists():
        data = path.read_bytes()
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = data.decode("utf-8")
        for line in text.splitlines():
            fields = re.findall(r'"([^"]*)"', line)
            key = fields[0].lower() if fields else None
            ours = key == UDF_KEY.lower() and fields[1:2] == [UDF_MODULES]
            if line.strip() and key not in wanted and not ours:
                kept.append(line + "\n")
    lines = kept + [_line(k, v) for k, v in settings.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(lines).replace("\n", newline).encode(encoding))


def _line(key: str, value: str) -> str:
    return f'"{key}","{value}"\n'  # the format of xlwings.cli.update_user_config


def _interpreter(executable: str, platform: str) -> str:
    """pythonw.exe beside python.exe on Windows, so no console window opens per call."""
    windowless = Path(executable).with_name("pythonw.exe")
    return str(windowless) if platform == "win32" and windowless.exists() else executable
