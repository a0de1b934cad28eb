"""Run LibreOffice headless: file conversion, and UNO scripts against a live instance.

Every call gets a fresh throw-away user profile, so calls never share state, never meet a
locked profile or a recovery dialog, and run side by side. UNO scripts run under the system
Python (``/usr/bin/python3``), the one Debian's ``python3-uno`` installs ``uno`` for, so this
works from a virtualenv that has no ``uno``.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from . import fonts

UNO_PYTHON = "/usr/bin/python3"
UNO_URL_VARIABLE = "JBSYS_UNO_URL"
"""Environment variable holding the ``uno:`` URL a script passed to run_uno_script connects to."""

_CLEAN_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


class LibreOfficeMissing(RuntimeError):
    """LibreOffice, or the UNO bridge for the system Python, is not installed."""


class LibreOfficeError(RuntimeError):
    """LibreOffice or a UNO script failed; the message carries its output."""


WINDOWS_FOLDERS = ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")
"""Environment variables naming where the Windows installer puts LibreOffice (not on PATH)."""
REGISTRY_KEYS = (
    r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\soffice.exe",  # …\program\soffice.exe
    r"SOFTWARE\LibreOffice\UNO\InstallPath",  # …\program
)
"""Where the Windows installer records LibreOffice's folder, wherever it was installed (the
default value of each key), per user or for all users, 64- or 32-bit."""


def find_soffice() -> str:
    """Path of the ``soffice`` program, or LibreOfficeMissing saying how to install it."""
    found = (shutil.which("soffice") or shutil.which("libreoffice") or _registered_on_windows()
             or _installed_on_windows())
    if not found:
        raise LibreOfficeMissing(
            "未找到 LibreOffice（soffice）。请安装：sudo apt-get install libreoffice-calc-nogui\n"
            "LibreOffice (soffice) was not found. Install it: "
            "sudo apt-get install libreoffice-calc-nogui")
    return found


def _registered_on_windows() -> str | None:
    """soffice.exe where the Windows registry says LibreOffice is (App Paths, LibreOffice's
    UNO install path): found also when installed outside Program Files."""
    for value in _registry_values():
        path = Path(value.strip().strip('"'))
        candidate = path if path.suffix.lower() == ".exe" else path / "soffice.exe"
        if candidate.is_file():
            return str(candidate)
    return None


def _registry_values() -> Iterator[str]:
    """The default values of REGISTRY_KEYS that exist: the user's first, then the machine's,
    each in the 64-bit and the 32-bit view."""
    if sys.platform != "win32":
        return
    import winreg

    for hive in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
            for key in REGISTRY_KEYS:
                try:
                    with winreg.OpenKey(hive, key, 0, winreg.KEY_READ | view) as handle:
                        value, _ = winreg.QueryValueEx(handle, "")
                except OSError:
                    continue
                if isinstance(value, str) and value:
                    yield value


def _installed_on_windows() -> str | None:
    """soffice.exe where LibreOffice's Windows installer puts it by default."""
    for variable in WINDOWS_FOLDERS:
        folder = os.environ.get(variable)
        candidate = Path(folder, "LibreOffice", "program", "soffice.exe") if folder else None
        if candidate is not None and candidate.is_file():
            return str(candidate)
    return None


def _environment() -> dict[str, str]:
    """The caller's environment minus a virtualenv's Python settings, which break pyuno; and
    LibreOffice's own temporary files where Python puts its own (``jbsys-xl serve``: its
    private folder, removed on stop)."""
    env = {key: value for key, value in os.environ.items() if key not in _CLEAN_ENV}
    env.update(dict.fromkeys(("TMPDIR", "TMP", "TEMP"), tempfile.gettempdir()))
    return env


def _profile_arg(profile: str) -> str:
    return f"-env:UserInstallation={Path(profile).as_uri()}"


# Every LibreOffice this process started and has not stopped yet. LibreOffice runs in a session
# of its own (its process group is what _stop kills), so a terminal's Ctrl+C never reaches it:
# the page's server ends them itself when it stops (stop_all).
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_stopping = False


def _start(command: list[str], **options) -> subprocess.Popen:
    """Start ``command`` in a session of its own, tracked until :func:`_stop`; refused once
    :func:`stop_all` has been called."""
    with _running_lock:
        if _stopping:
            raise LibreOfficeError("程序正在停止，未启动 LibreOffice")
        process = subprocess.Popen(command, start_new_session=True, **options)
        _running.add(process)
    return process


def _stop(process: subprocess.Popen) -> None:
    """Kill ``process`` with what it started: its process group where there are groups
    (oosplash starts soffice.bin, which may outlive it), else — Windows, where soffice.exe starts
    soffice.bin — its process tree while it still runs."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    elif process.poll() is None:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True)
    process.wait()
    with _running_lock:
        _running.discard(process)


def stop_all() -> None:
    """Kill every LibreOffice this process started, and start none any more (``jbsys-xl
    serve`` stopping: a conversion must not go on writing into a folder being removed)."""
    global _stopping
    with _running_lock:
        _stopping = True
        running = list(_running)
    for process in running:
        _stop(process)


def _run(command: list[str], timeout: float, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    """Run ``command`` in its own process group; on timeout kill the whole group."""
    process = _start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or _environment())
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LibreOfficeError(f"timed out after {timeout} s: {' '.join(command)}") from None
    finally:
        _stop(process)
    return subprocess.CompletedProcess(command, process.returncode,
                                       stdout.decode(errors="replace"),
                                       stderr.decode(errors="replace"))


# --- simplified Chinese -------------------------------------------------------------------------

LANGUAGE = "zh-CN"
# The faces documents name (report/page.py) and the Noto CJK SC face that stands in for each
# where it is missing (fonts-noto-cjk): a serif for 宋体, a sans for 黑体; 仿宋 is the run's
# 正文 face (:func:`jbsys_xl.office.fonts.faces`), the serif SC face where no 仿宋 is installed.
CHINESE_FACES = {"宋体": "Noto Serif CJK SC", "SimSun": "Noto Serif CJK SC",
                 "黑体": "Noto Sans CJK SC", "SimHei": "Noto Sans CJK SC"}
FANGSONG_NAMES = ("仿宋", "FangSong")


def _aliases() -> dict[str, str]:
    """Face named → face printed, for the private fontconfig."""
    body = fonts.faces()["body"]
    return {**CHINESE_FACES, **{name: body for name in FANGSONG_NAMES if name != body}}


def _chinese_profile(profile: Path) -> dict[str, str]:
    """Make a fresh profile print simplified Chinese; the environment soffice needs for it.

    zh-CN is the default language of text (its CJK glyphs follow it: the Noto CJK faces are
    pan-CJK and pick a Japanese 户 for Japanese text) and of the locale. Where fontconfig finds
    fonts (not on Windows, whose own 宋体/仿宋/黑体 are used), a private configuration maps
    the faces documents name onto the SC faces, which the system one leaves to chance."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    settings = [("/org.openoffice.Office.Linguistic/General", name, LANGUAGE)
                for name in ("DefaultLocale", "DefaultLocale_CJK")]
    settings.append(("/org.openoffice.Setup/L10N", "ooSetupSystemLocale", LANGUAGE))
    items = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
                    f"<value>{value}</value></prop></item>" for path, name, value in settings)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/'
        'registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/'
        f'XMLSchema-instance">{items}</oor:items>\n', encoding="utf-8")
    env = _environment()
    system = Path(os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf")  # the user's, if set
    if system.is_file():
        aliases = "".join(f'<alias binding="same"><family>{escape(name)}</family><prefer><family>'
                          f"{escape(face)}</family></prefer></alias>" for name, face in _aliases().items())
        extra = "".join(f"<dir>{escape(str(folder))}</dir>" for folder in fonts.extra_folders())
        folder, collections = sc_faces(profile)
        own = "" if folder is None else (
            f"<dir>{escape(str(folder))}</dir><selectfont><rejectfont>"
            + "".join(f"<glob>{escape(str(c))}</glob>" for c in collections)
            + "</rejectfont></selectfont>")
        conf = profile / "fonts.conf"
        conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                        f'<fontconfig><include ignore_missing="yes">{escape(str(system))}</include>'
                        f"{extra}{own}{aliases}</fontconfig>\n", encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    return env


SC_FACES = ("Noto Serif CJK SC:style=Regular", "Noto Serif CJK SC:style=Bold",
            "Noto Sans CJK SC:style=Regular", "Noto Sans CJK SC:style=Bold")


def sc_faces(scratch: Path) -> tuple[Path | None, list[Path]]:
    """The SC faces as fonts of their own, and the collections (.ttc) they come from.

    fonts-noto-cjk ships each weight as one collection whose faces (JP, KR, SC, TC, HK) share
    one CFF table named …CJKjp…: LibreOffice embeds that name whatever face it set the text
    in, so every PDF would claim a Japanese font. Each SC face is copied out of its collection
    with its CFF names saying sc (the same length: nothing else moves), once per font file
    version, into the user's cache (or ``scratch`` when that cannot be written); the private
    fontconfig then offers these and hides the collections. (None, []) where fontconfig or the
    collections are missing: nothing to do."""
    found = []
    chosen = [face for face in fonts.faces().chosen.values() if face.startswith("Noto ") and "CJK" in face]
    for face in (*SC_FACES, *chosen):  # a letter's title may be set in Noto Serif CJK SC Black
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", face], capture_output=True,
                                 text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return None, []
        path, _, index = out.partition("\t")
        if path.lower().endswith((".ttc", ".otc")) and index.isdigit() and "CJK" in path:
            found.append((Path(path), int(index)))
    if not found:
        return None, []
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(home) / "jbsys-xl" / "fonts", scratch / "fonts"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for collection, index in found:
                _copy_face(collection, index, folder)
            return folder, sorted({collection for collection, _ in found})
        except OSError:
            continue
    return None, []


def _copy_face(collection: Path, index: int, folder: Path) -> Path:
    """Face ``index`` of ``collection`` as a font file of its own in ``folder`` (kept)."""
    from fontTools.ttLib import TTCollection  # only where fontconfig serves collections
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    stat = collection.stat()
    target = folder / f"{collection.stem}-{index}-{stat.st_size}-{int(stat.st_mtime)}.otf"
    if target.is_file():
        return target
    font = TTCollection(str(collection), lazy=True, recalcBBoxes=False,
                        recalcTimestamp=False).fonts[index]
    if "CFF " in font:
        cff = DefaultTable("CFF ")
        cff.data = font.getTableData("CFF ").replace(b"CJKjp-", b"CJKsc-")
        font["CFF "] = cff
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(partial))
    os.replace(partial, target)  # atomic: a conversion running beside this one sees all or none
    return target


def convert(src: Path, fmt: str, outdir: Path, timeout: float = 120) -> Path:
    """Convert ``src`` with ``soffice --convert-to fmt`` into ``outdir``; return the new file.

    ``fmt`` is what ``--convert-to`` takes (``pdf``, ``xlsx``, ``pdf:calc_pdf_Export``...).
    Conversion runs no macros.
    """
    return convert_many([src], fmt, outdir, timeout)[0]


def convert_many(sources: list[Path], fmt: str, outdir: Path, timeout: float = 120) -> list[Path]:
    """Convert several files in one LibreOffice session (it starts once: most of a small
    conversion's time); return the new files in the order given. Text is set in simplified
    Chinese (:func:`_chinese_profile`)."""
    sources = [Path(src).resolve() for src in sources]
    outdir = Path(outdir).resolve()
    for src in sources:
        if not src.is_file():
            raise FileNotFoundError(src)
    outdir.mkdir(parents=True, exist_ok=True)
    targets = [outdir / f"{src.stem}.{fmt.split(':')[0]}" for src in sources]
    for target in targets:
        target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="jbsys-lo-", ignore_cleanup_errors=True) as profile:
        env = _chinese_profile(Path(profile))
        result = _run([find_soffice(), "--headless", "--norestore", "--nolockcheck",
                       _profile_arg(profile), "--convert-to", fmt, "--outdir", str(outdir),
                       *map(str, sources)], timeout, env)
    missing = [src.name for src, target in zip(sources, targets) if not target.is_file()]
    if result.returncode != 0 or missing:
        raise LibreOfficeError(
            f"soffice could not convert {', '.join(missing) or sources[0].name} to {fmt} "
            f"(exit {result.returncode})\n"
            f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}")
    return targets


def run_uno_script(script: Path, *args: str, timeout: float = 180) -> dict:
    """Start a private headless LibreOffice, run ``script`` against it, return its JSON.

    The script runs as ``/usr/bin/python3 script *args`` with the connection URL in the
    environment variable ``JBSYS_UNO_URL``; it connects (retrying while LibreOffice starts),
    does its work and prints one JSON object on stdout. LibreOffice is killed afterwards
    whatever happened.
    """
    soffice = find_soffice()
    if not Path(UNO_PYTHON).is_file():
        raise LibreOfficeMissing(f"{UNO_PYTHON} is missing; UNO scripts need the system Python")
    pipe = f"jbsys-{os.getpid()}-{uuid.uuid4().hex}"
    env = _environment()
    env[UNO_URL_VARIABLE] = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    with tempfile.TemporaryDirectory(prefix="jbsys-lo-", ignore_cleanup_errors=True) as profile:
        office = _start(
            [soffice, "--headless", "--invisible", "--norestore", "--nolockcheck",
             "--nodefault", "--nologo", _profile_arg(profile), f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            result = subprocess.run([UNO_PYTHON, str(script), *args], capture_output=True,
                                    text=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"UNO script {script} timed out after {timeout} s\n"
                                   f"stderr: {exc.stderr}") from None
        finally:
            _stop(office)
    if "No module named 'uno'" in result.stderr:
        raise LibreOfficeMissing(
            f"{UNO_PYTHON} 没有 uno 模块，请安装：sudo apt-get install python3-uno\n"
            f"{UNO_PYTHON} has no 'uno' module. Install it: sudo apt-get install python3-uno")
    if result.returncode != 0:
        raise LibreOfficeError(f"UNO script {script} failed (exit {result.returncode})\n"
                               f"stderr: {result.stderr.strip()}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        raise LibreOfficeError(f"UNO script {script} printed no JSON object\n"
                               f"stdout: {result.stdout.strip()}\n"
                               f"stderr: {result.stderr.strip()}")
    return report
