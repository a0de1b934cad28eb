"""The xlwings add-in's VBA (``xlwings/addin/Main.bas`` and ``Config.bas`` of the installed
xlwings) as far as the stand-in needs it, read from that source: which settings a procedure
asks ``GetConfig`` for on Windows Excel, where ``GetConfig`` finds each one, and the command
line ``XLPyCommand`` builds, which decides which UDF server answers (the DLL starts one server
per distinct command line, xlwings issue #787).

``GetConfig`` (Config.bas) looks in ActiveWorkbook's ``xlwings.conf`` sheet (keys upper-cased,
A1 down), then in an ``xlwings.conf`` beside the workbook (a file check), then in
``%USERPROFILE%\\.xlwings\\xlwings.conf`` (a file check, and an open when it exists). A key on
the sheet ends the search even with an empty value.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import xlwings

ADDIN = Path(xlwings.__file__).with_name("addin")
_GETCONFIG = re.compile(r'GetConfig\("([^"]+)"')
_LEGACY = "INTERPRETER"  # asked only when INTERPRETER_WIN gave "" ("Legacy" in Main.bas)


def _true_on_windows_excel(condition: str) -> bool:
    condition = condition.strip()
    if condition.startswith("Not "):
        return not _true_on_windows_excel(condition[4:])
    if condition.startswith("App = "):
        return condition == 'App = "Microsoft Excel"'
    if condition in ("VBA7", "Win64"):
        return True
    if condition == "Mac" or condition.startswith("MAC_OFFICE_VERSION"):
        return False
    raise NotImplementedError(f"#If {condition}")


@cache
def procedure_lines(name: str, module: str = "Main.bas") -> tuple[str, ...]:
    """The lines of a procedure of the add-in's module that Windows Excel compiles (#If
    branches for a Mac or another Office application left out)."""
    lines = (ADDIN / module).read_text(encoding="utf-8", errors="replace").splitlines()
    header = re.compile(rf"^(Public |Private )?(Function|Sub) {name}\(")
    start = next(i for i, line in enumerate(lines) if header.match(line))
    end = next(i for i in range(start, len(lines)) if re.match(r"^End (Function|Sub)", lines[i]))
    kept, stack = [], []  # stack of (this branch compiled, an earlier branch was)
    for line in lines[start:end + 1]:
        text = line.strip()
        if text.startswith("#If "):
            active = _true_on_windows_excel(text[4:].removesuffix(" Then"))
            stack.append((active, active))
        elif text.startswith("#ElseIf "):
            _, taken = stack.pop()
            active = not taken and _true_on_windows_excel(text[8:].removesuffix(" Then"))
            stack.append((active, taken or active))
        elif text == "#Else":
            _, taken = stack.pop()
            stack.append((not taken, True))
        elif text == "#End If":
            stack.pop()
        elif all(active for active, _ in stack):
            kept.append(line)
    return tuple(kept)


def asked_keys(name: str, module: str = "Main.bas") -> list[str]:
    """The keys procedure ``name`` asks GetConfig for on Windows Excel, in order."""
    return [key for line in procedure_lines(name, module) for key in _GETCONFIG.findall(line)]


def xlpy_keys() -> list[str]:
    """What one call of the add-in's XLPy asks for: XLPyLoadDLL, then XLPyCommand."""
    return asked_keys("XLPyLoadDLL") + asked_keys("XLPyCommand")


def run_python_keys() -> list[str]:
    """What a button's RunPython asks for on Windows (RunPython, ExecuteWindows, and
    ShowError when Python failed)."""
    return asked_keys("RunPython") + asked_keys("ExecuteWindows") + asked_keys("ShowError", "Utils.bas")


def config_sheet(book) -> dict[str, object] | None:
    """The workbook's xlwings.conf sheet as GetConfigFromSheet reads it: A1 down to the last
    key before an empty cell, keys upper-cased; None without the sheet."""
    sheet = next((s for s in book.sheets if s.name == "xlwings.conf"), None)
    if sheet is None:
        return None
    found, row = {}, 1
    while sheet._cells.get((row, 1)) is not None:
        found[str(sheet._cells[(row, 1)]).upper()] = sheet._cells.get((row, 2))
        row += 1
    return found


class XlwingsAddin:
    """The add-in loaded in one Excel: counts what its GetConfig and XLPy cost. ``user_config``:
    whether %USERPROFILE%\\.xlwings\\xlwings.conf exists (an older excel-setup wrote it)."""

    def __init__(self, user_config: bool = True) -> None:
        self.user_config = user_config
        self.lookups = 0  # GetConfig calls
        self.sheet_scans = 0  # GetConfigFromSheet: the xlwings.conf sheet read from A1 down
        self.file_checks = 0  # FileExists on a config file
        self.file_opens = 0  # Open / Input # / Close of the user's xlwings.conf
        self.activations = 0  # XLPy calls: XLPyLoadDLL (LoadLibrary) and XLPyCommand
        self.servers: list[str] = []  # command lines, in the order their server started

    @classmethod
    def of(cls, app) -> XlwingsAddin:
        """The add-in of ``app`` (one per Excel, like xlwings.xlam in XLSTART)."""
        if not hasattr(app, "_xlwings_addin"):
            app._xlwings_addin = cls()
        return app._xlwings_addin

    def get_config(self, book, key: str) -> str:
        """What GetConfig(key) gives with ``book`` active; counts where it looked."""
        self.lookups += 1
        sheet = config_sheet(book)
        if sheet is not None:
            self.sheet_scans += 1
            if key.upper() in sheet:
                self.sheet_scans += 1  # .Exists, then .Item: the sheet is read twice
                value = sheet[key.upper()]
                return "" if value is None else str(value)
        if "://" not in book.api.FullName:
            self.file_checks += 1  # xlwings.conf beside the workbook
        self.file_checks += 1
        if self.user_config:
            self.file_opens += 1
        return ""

    def xlpy(self, book) -> str:
        """The add-in's XLPy with ``book`` as ActiveWorkbook: every setting it asks for, then
        the server for its command line (started when that line is new). The command line."""
        self.activations += 1
        values: dict[str, str] = {}
        for key in xlpy_keys():
            if key == _LEGACY and values.get("INTERPRETER_WIN"):
                continue
            values[key] = self.get_config(book, key)
        command = "|".join([values.get("INTERPRETER_WIN") or values.get(_LEGACY, ""),
                            book.api.FullName] + [values[k] for k in sorted(values)])
        if command not in self.servers:
            self.servers.append(command)
        return command
