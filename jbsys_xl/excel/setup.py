"""``jbsys-xl excel-setup``: put the xlwings add-in where Excel loads it, for the Python that
install.bat made; ``--remove`` takes out again what it put in (uninstall.bat).

Why it works this way (facts from the xlwings 0.37.8 source, see tests/excel/test_setup.py):

- The workbooks name their Python themselves: their ``xlwings.conf`` sheet holds
  :data:`WORKBOOK_INTERPRETER` (``%LOCALAPPDATA%`` is expanded by the add-in) and every other
  key the add-in asks for (jbsys_xl/template/sheets.py). So nothing is written into the
  user's global ``%USERPROFILE%\\.xlwings\\xlwings.conf``, which every xlwings tool of the user
  shares. An older excel-setup wrote ``INTERPRETER_WIN`` (and ``UDF MODULES``) there: those
  lines are taken out when they point at our environment, every other line is left byte for
  byte, and a file without such lines is not touched at all.
- ``xlwings addin install`` asks a hidden Excel for its startup folder (``cli.get_addin_dir``
  → ``xw.App(visible=False)``): on a profile where Excel has never run, a first-run dialog
  blocks that invisible Excel and the install stops without a word; where WPS registered
  itself as ``Excel.Application`` the add-in lands in WPS's folder. So the add-in is copied
  here, into Excel's own ``%APPDATA%\\Microsoft\\Excel\\XLSTART`` (a trusted location by
  default), and compared byte for byte afterwards; no Excel is started.
- The add-in is one per user, shared by every xlwings tool: an add-in of another version is
  kept aside and put back by ``--remove``, which takes out only the add-in excel-setup put
  there (and only while it is unchanged).
- An open Excel holds its xlwings.xlam: nothing is done while EXCEL.EXE runs.
- The add-in hands the interpreter path to ANSI ``Declare`` calls (LoadLibraryA,
  CreateProcessA): a path the ANSI code page cannot represent is refused before anything is
  changed; and it loads ``xlwings64-<version>.dll`` only from the interpreter's folder or its
  parent (``XLPyLoadDLL``): said when it is not there.

On a Mac the workbook cannot name a fixed Python: there excel-setup still records this Python
as ``INTERPRETER_MAC`` in the Mac user config and installs the add-in with xlwings' own
command, which may start Excel: that is given two minutes.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import xlwings

from ..io.atomic import OutputError, write_atomic

UDF_MODULES = "udfs.jbsys_udfs"
VENV_PARTS = ("jbsys-xl", "venv")
"""Where install.bat makes the environment, under %LOCALAPPDATA% (its VENV)."""
WORKBOOK_INTERPRETER = r"%LOCALAPPDATA%\jbsys-xl\venv\Scripts\pythonw.exe"
"""The interpreter the template's xlwings.conf sheet names: pythonw.exe, so no console window
opens per call."""
USER_CONFIG = (".xlwings", "xlwings.conf")  # under the home folder: xlwings.USER_CONFIG_FILE
INTERPRETER_KEY = "INTERPRETER_WIN"
UDF_KEY = "UDF MODULES"  # both written into the global config by an older excel-setup
MAC_CONFIG = ("Library", "Containers", "com.microsoft.Excel", "Data", "xlwings.conf")
DEFAULT_CODE_PAGE = "cp936"  # Chinese Windows; asked from Windows itself where it can be
ADDIN = Path(xlwings.__file__).with_name("addin") / "xlwings.xlam"  # what addin install copies
EXCEL_XLSTART = ("Microsoft", "Excel", "XLSTART")  # under %APPDATA%: Application.StartupPath
PLACED = "xlwings-addin-placed.txt"  # under %LOCALAPPDATA%\jbsys-xl: the SHA-256 we placed
KEPT = "xlwings-addin-before.xlam"  # ... and the add-in that was there before
TASKLIST = ["tasklist", "/FI", "IMAGENAME eq EXCEL.EXE", "/NH", "/FO", "CSV"]
MAC_TIMEOUT = 120  # seconds for xlwings' own add-in commands on a Mac
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
    "“AppData\\Local\\jbsys-xl\\venv”建立独立的环境并完成设置。")
_EXCEL_RUNNING = ("Excel 正在运行：请先保存并关闭所有 Excel 窗口（任务栏上没有 Excel 时，在任务管理器中"
                  "结束 EXCEL.EXE），再运行 {command}。Excel 打开时无法替换或删除它的加载项。")


Runner = Callable[[list[str]], tuple[int, str]]


def _run(command: list[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(command, check=False, capture_output=True, text=True,
                              errors="replace", timeout=MAC_TIMEOUT)
    except subprocess.TimeoutExpired:
        return -1, (f"{' '.join(command)} 在 {MAC_TIMEOUT} 秒内没有结束：它启动的 Excel 可能在等待一个"
                    "对话框（第一次运行、激活或隐私选项）。请先手动打开并关闭一次 Excel，再重新运行。")
    return done.returncode, done.stdout + done.stderr


def ansi_code_page(platform: str = sys.platform) -> str:
    """The code page VBA reads and writes files in: Windows' ANSI code page."""
    if platform == "win32":
        import ctypes

        return f"cp{ctypes.windll.kernel32.GetACP()}"
    return DEFAULT_CODE_PAGE


@dataclass(frozen=True)
class Places:
    """Where things are for one Windows user."""

    home: Path
    local: Path  # %LOCALAPPDATA%
    roaming: Path  # %APPDATA%

    @classmethod
    def of(cls, home: Path, environ: Mapping[str, str]) -> Places:
        local = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        roaming = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return cls(home, Path(local), Path(roaming))

    @property
    def state(self) -> Path:
        return self.local / VENV_PARTS[0]

    @property
    def venv(self) -> Path:
        return self.local.joinpath(*VENV_PARTS)

    @property
    def interpreter(self) -> Path:
        """WORKBOOK_INTERPRETER with %LOCALAPPDATA% expanded."""
        relative = PureWindowsPath(WORKBOOK_INTERPRETER).parts[1:]
        return self.local.joinpath(*relative)

    @property
    def addin(self) -> Path:
        return self.roaming.joinpath(*EXCEL_XLSTART, ADDIN.name)

    @property
    def user_config(self) -> Path:
        return self.home.joinpath(*USER_CONFIG)


def excel_setup(dry_run: bool = False, remove: bool = False, *, platform: str = sys.platform,
                home: Path | None = None, executable: str = sys.executable,
                run: Runner = _run, code_page: str | None = None,
                environ: Mapping[str, str] = os.environ) -> int:
    """Set Excel up for the workbooks (or undo it: ``remove``). Returns the exit code: 0 done
    (or nothing to do without Excel), 1 not done (Excel running, a file could not be
    written), 2 this Python is not the one the workbooks use."""
    home = home or Path.home()
    if platform == "darwin":
        return _mac(dry_run, home, executable, run)
    if platform != "win32":
        print(_NO_EXCEL)
        return 0
    places = Places.of(home, environ)
    encoding = code_page or ansi_code_page(platform)
    if remove:
        return _remove(places, run, encoding, dry_run)
    return _install(places, executable, run, encoding, dry_run)


def _install(places: Places, executable: str, run: Runner, encoding: str, dry_run: bool) -> int:
    interpreter = places.interpreter
    if PureWindowsPath(executable).parent.parent != PureWindowsPath(places.venv):
        print(f"这个 Python（{executable}）不是 JBSys-XL 工作簿调用的 Python。工作簿的“xlwings.conf”表"
              f"指定的是 install.bat 建立的环境：{interpreter}。\n"
              f"请关闭 Excel，运行{INSTALLER}（它建立该环境并完成设置）。开发者可以自己建立它："
              f'py -3.12 -m venv "{places.venv}"，用其中的 python -m pip install 安装本包，'
              "再用其中的 python -m jbsys_xl.cli excel-setup。")
        return 2
    try:
        str(interpreter).encode(encoding)
    except UnicodeEncodeError:
        print(f"无法使用此 Python：路径“{interpreter}”含有 Windows 代码页 {encoding} 不能表示的字符，"
              "Excel 的 VBA 无法读取这个路径。请用只含中文、英文字母和数字的 Windows 用户名，"
              "或请管理员把“AppData\\Local”重定向到这样的路径。")
        return 2
    if not interpreter.is_file():
        print(f"环境不完整：没有找到 {interpreter}。{_FIX_PYTHON}")
        return 2
    if missing := _missing_dll(interpreter):
        print(missing)
    if dry_run:
        print(f"将复制 / would copy {ADDIN} → {places.addin}")
        print(f"将检查 / would check {places.user_config}：去掉指向 {places.venv} 的旧设置")
        return 0
    if _excel_running(run):
        print(_EXCEL_RUNNING.format(command="install.bat（或 jbsys-xl excel-setup）"))
        return 1
    try:
        note = _place_addin(places)
        removed = _forget_old_settings(places, encoding)
    except (OutputError, OSError) as exc:
        print(f"无法完成 Excel 设置：{exc}\n请关闭所有 Excel 窗口后重新运行 install.bat；仍然失败时，"
              "把本窗口的文字发给管理员。")
        return 1
    print(f"已安装 xlwings 加载项：{places.addin}{note}")
    if removed:
        print(f"已从 {places.user_config} 去掉旧版 JBSys-XL 写入的 {removed} 行设置（其他行未改动）。")
    print(f"工作簿通过自己的“xlwings.conf”表使用 {interpreter}，不读写用户目录中的 xlwings.conf。")
    return 0


def _remove(places: Places, run: Runner, encoding: str, dry_run: bool) -> int:
    if dry_run:
        print(f"将删除 / would remove {places.addin}（仅当它是 JBSys-XL 放入的）")
        return 0
    if _excel_running(run):
        print(_EXCEL_RUNNING.format(command="uninstall.bat"))
        return 1
    try:
        print(_take_addin_out(places))
        removed = _forget_old_settings(places, encoding)
    except (OutputError, OSError) as exc:
        print(f"无法删除 Excel 设置：{exc}\n请关闭所有 Excel 窗口后重新运行 uninstall.bat。")
        return 1
    if removed:
        print(f"已从 {places.user_config} 去掉 JBSys-XL 的 {removed} 行设置（其他行未改动）。")
    return 0


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _place_addin(places: Places) -> str:
    """Copy xlwings' add-in into XLSTART unless it is there already; a different one (another
    tool's xlwings version) is kept aside first. A note for the closing message."""
    ours = ADDIN.read_bytes()
    target = places.addin
    present = target.read_bytes() if target.is_file() else None
    if present == ours:
        return ""
    note = ""
    placed = places.state / PLACED
    if present is not None and not (placed.is_file() and placed.read_text("ascii").strip() == _sha256(present)):
        write_atomic(places.state / KEPT, present)
        note = (f"\n原有的 xlwings 加载项（其他 xlwings 工具的另一个版本）已另存为 {places.state / KEPT}，"
                "卸载 JBSys-XL 时会放回原处；在此期间那个工具可能需要重新安装它的加载项。")
    write_atomic(target, ours)
    if target.read_bytes() != ours:
        raise OutputError(f"复制到 {target} 的加载项与 xlwings {xlwings.__version__} 自带的不同"
                          "（文件可能正被占用）")
    write_atomic(placed, (_sha256(ours) + "\n").encode("ascii"))
    return note


def _take_addin_out(places: Places) -> str:
    """Delete the add-in excel-setup placed (if unchanged) and put back the one it replaced."""
    placed, kept, target = places.state / PLACED, places.state / KEPT, places.addin
    if not placed.is_file():
        return f"{target} 不是 JBSys-XL 放入的（或已删除），保留不动。"
    if target.is_file() and _sha256(target.read_bytes()) != placed.read_text("ascii").strip():
        placed.unlink()
        return f"{target} 已被其他程序替换，保留不动。"
    if kept.is_file():
        write_atomic(target, kept.read_bytes())
        kept.unlink()
        message = f"已放回安装 JBSys-XL 前的 xlwings 加载项：{target}"
    else:
        target.unlink(missing_ok=True)
        message = f"已删除 xlwings 加载项：{target}"
    placed.unlink()
    return message


def _forget_old_settings(places: Places, encoding: str) -> int:
    """Take out of the user's global xlwings.conf the lines an older excel-setup wrote: the
    interpreter when it is our environment's, the UDF module when it is ours. Every other
    line is kept as its bytes; the file is rewritten only when a line goes. How many went."""
    path = places.user_config
    if not path.is_file():
        return 0
    data = path.read_bytes()
    kept, removed = [], 0
    for line in data.splitlines(keepends=True):
        fields = _fields(line, encoding)
        key = fields[0].upper() if fields else ""
        value = fields[1] if len(fields) > 1 else ""
        ours = ((key == INTERPRETER_KEY and _in_venv(value, places))
                or (key == UDF_KEY and value == UDF_MODULES))
        if ours:
            removed += 1
        else:
            kept.append(line)
    if removed:
        write_atomic(path, b"".join(kept))
    return removed


def _fields(line: bytes, encoding: str) -> list[str]:
    """The quoted fields of a config line, as xlwings writes them ("KEY","value")."""
    for codec in (encoding, "utf-8"):
        try:
            return re.findall(r'"([^"]*)"', line.decode(codec))
        except UnicodeDecodeError:
            continue
    return []


def _in_venv(value: str, places: Places) -> bool:
    """Whether an interpreter path names python(w).exe of our environment (the literal
    %LOCALAPPDATA% form too; Windows paths compare without regard to case)."""
    expanded = re.sub("%LOCALAPPDATA%", lambda _: str(places.local), value, flags=re.IGNORECASE)
    path = PureWindowsPath(expanded)
    return (path.parent.parent == PureWindowsPath(places.venv)
            and path.name.lower() in ("python.exe", "pythonw.exe"))


def _excel_running(run: Runner) -> bool:
    """Whether an EXCEL.EXE process runs (tasklist prints one CSV line per process)."""
    code, output = run(TASKLIST)
    return code == 0 and '"EXCEL.EXE"' in output.upper()


def _missing_dll(interpreter: Path) -> str | None:
    """A warning if xlwings' DLL is not where the add-in's XLPyLoadDLL looks for it."""
    folders = [interpreter.parent, interpreter.parent.parent]
    names = [f"xlwings{bits}-{xlwings.__version__}.dll" for bits in (64, 32)]
    if any((folder / name).is_file() for folder in folders for name in names):
        return None
    return (f"警告：在 {folders[0]} 和 {folders[1]} 中都没有找到 {names[0]}。这样“校验数据”“生成分配”"
            "按钮可以使用，但工作表函数（JBSCORE 等）会显示错误。\n" + _FIX_PYTHON)


# --- Excel for Mac -----------------------------------------------------------------------------

def _mac(dry_run: bool, home: Path, executable: str, run: Runner) -> int:
    """xlwings' own add-in install, and this Python as INTERPRETER_MAC in the Mac user config
    (a workbook cannot name a fixed Python on a Mac)."""
    install = [executable, "-m", "xlwings.cli", "addin", "install"]
    config = home.joinpath(*MAC_CONFIG)
    if dry_run:
        print("将运行 / would run: " + " ".join(install))
        print(f"将写入 / would write {config}: \"INTERPRETER_MAC\",\"{executable}\"")
        return 0
    code, output = run(install)
    if output.strip():
        print(output.rstrip())
    if code:
        print(f"xlwings 加载项安装失败（退出码 {code}）。请关闭所有 Excel 窗口后重试。")
        return 1
    lines = []
    if config.is_file():
        lines = [line for line in config.read_text("utf-8").splitlines()
                 if line.strip() and not line.upper().startswith('"INTERPRETER_MAC"')]
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("".join(f"{line}\n" for line in lines + [f'"INTERPRETER_MAC","{executable}"']),
                      "utf-8")
    print(f"已写入 {config}（INTERPRETER_MAC = {executable}）")
    return 0

