"""``jbsys-xl excel-setup``: install the xlwings add-in and point xlwings at this Python.

Why: Excel finds the interpreter and the UDF module only through xlwings' user config file,
and a wrong or missing entry is the usual first-run failure. Where there is no Excel, say so
and name the command-line route instead.
"""
from __future__ import annotations

import locale
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

UDF_MODULES = "udfs.jbsys_udfs"
# Where xlwings (USER_CONFIG_FILE in xlwings/__init__.py) and its VBA (GetConfigFilePath in
# xlwings.bas) look for the user config, relative to the home directory, and which key
# names the interpreter there.
_CONFIG = {
    "win32": ((".xlwings", "xlwings.conf"), "INTERPRETER_WIN"),
    "darwin": (("Library", "Containers", "com.microsoft.Excel", "Data", "xlwings.conf"),
               "INTERPRETER_MAC"),
}
# What xlwings itself writes and reads this file with (open() without an encoding); on
# Windows that is the ANSI code page, which VBA's ``Input #`` reads too.
_ENCODING = locale.getpreferredencoding(False)
_NO_EXCEL = (
    "本系统没有 Excel，无法安装 Excel 加载项。请使用命令行完成分配：\n"
    "  jbsys-xl allocate WORKBOOK --year Y\n"
    "Excel is not available on this system, so there is no add-in to install. "
    "Run the allocation from the command line:\n"
    "  jbsys-xl allocate WORKBOOK --year Y"
)


def _run(command: list[str]) -> int:
    return subprocess.run(command, check=False).returncode


def excel_setup(dry_run: bool = False, *, platform: str = sys.platform,
                home: Path | None = None, executable: str = sys.executable,
                run: Callable[[list[str]], int] = _run) -> int:
    """Runs ``xlwings addin install`` and merges our keys into the user's xlwings.conf.
    Returns the exit code; 0 on a system without Excel, after explaining."""
    if platform not in _CONFIG:
        print(_NO_EXCEL)
        return 0
    parts, interpreter_key = _CONFIG[platform]
    config = (home or Path.home()).joinpath(*parts)
    settings = {interpreter_key: _interpreter(executable, platform), "UDF MODULES": UDF_MODULES}
    command = [executable, "-m", "xlwings.cli", "addin", "install"]
    if dry_run:
        print("would run / 将运行: " + " ".join(command))
        print(f"would write / 将写入 {config}:")
        print("".join(_line(key, value) for key, value in settings.items()), end="")
        return 0
    code = run(command)
    if code:
        print(f"xlwings 加载项安装失败 / xlwings addin install failed (exit code {code})")
        return code
    _merge_config(config, settings)
    print(f"已写入 / wrote {config}")
    return 0


def _merge_config(path: Path, settings: dict[str, str]) -> None:
    """Sets ``settings`` in an xlwings.conf, keeping every other line. Keys match without
    regard to case (xlwings.bas compares with LCase), and a key must not appear twice:
    the VBA reader takes the first line, xlwings' Python reader the last."""
    wanted = {key.lower() for key in settings}
    kept = []
    if path.exists():
        for line in path.read_text(encoding=_ENCODING).splitlines(keepends=True):
            key = re.match(r'\s*"([^"]*)"', line)
            if line.strip() and not (key and key.group(1).lower() in wanted):
                kept.append(line if line.endswith("\n") else line + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(kept) + "".join(_line(k, v) for k, v in settings.items()),
                    encoding=_ENCODING)


def _line(key: str, value: str) -> str:
    return f'"{key}","{value}"\n'  # the format of xlwings.cli.update_user_config


def _interpreter(executable: str, platform: str) -> str:
    """pythonw.exe beside python.exe on Windows, so no console window opens per call."""
    windowless = Path(executable).with_name("pythonw.exe")
    return str(windowless) if platform == "win32" and windowless.exists() else executable
