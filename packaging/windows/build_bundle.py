"""Build ``dist/jbsys-xl-windows-<version>.zip``: JBSys-XL for an office PC without internet.

    python packaging/windows/build_bundle.py [--out-dir dist] [--work-dir build/windows-bundle]
        [--python-installer python-3.12.10-amd64.exe]

(``make windows-bundle``). The zip holds one folder with ``install.bat`` and ``uninstall.bat``,
the Chinese messages they print (``msg/``), a Chinese ``README.txt`` (安装说明), the two
workbooks and ``wheels/``: this package's wheel and every wheel it needs on 64-bit Windows
under CPython 3.11, 3.12 and 3.13, fetched with pip's platform options. With
``--python-installer`` it also carries python.org's 64-bit installer, which install.bat runs
for the current user when the PC has no suitable Python: python.org is no package registry,
so the file is downloaded by hand (README.md beside this script says where). Why these choices:

- 64-bit only: pyarrow, pandas and fastexcel publish no 32-bit Windows wheels; 64-bit Python
  drives 32-bit Office as well (xlwings' Windows wheels carry both DLLs).
- pip evaluates environment markers for the machine it runs on, not for ``--platform``, so the
  dependencies only Windows needs are named here explicitly (:data:`WINDOWS_ONLY`);
  tests/packaging checks the closure under Windows markers.
- cmd.exe reads a batch file in the console's OEM code page: install.bat stays ASCII with CRLF
  line ends, and its Chinese text is written here as UTF-16LE with a byte-order mark, which
  ``type`` prints through the console's Unicode API whatever the code page.
- Names inside the zip are ASCII: Windows' own "Extract All" may not read UTF-8 names.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
WINDOWS_ONLY = ("pywin32", "tzdata")
"""Required on Windows through markers pip does not evaluate for Windows here: xlwings needs
pywin32 (platform_system == "Windows"), pandas tzdata (sys_platform == "win32")."""
WORKBOOKS = ("template.xlsm", "demo.xlsm")
BATCH_FILES = ("install.bat", "uninstall.bat")
PYTHON_INSTALLER = re.compile(r"python-3\.1[123]\.\d+-amd64\.exe")
"""python.org's 64-bit installer of a version the wheels are for, named as python.org names
it (install.bat looks for python-3.13*-amd64.exe, then 3.12, then 3.11)."""
README = "README.txt"  # 安装说明
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class BundleError(RuntimeError):
    """A source file of the bundle breaks a rule install.bat depends on, or pip failed."""


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from jbsys_xl import __version__

    return __version__


def batch_bytes(path: Path) -> bytes:
    """A batch file as cmd.exe needs it: ASCII, every line ending in CRLF."""
    data = path.read_bytes()
    if not data.isascii():
        raise BundleError(f"{path}: not ASCII (cmd.exe reads it in the OEM code page)")
    if data.replace(b"\r\n", b"").count(b"\n") or data.replace(b"\r\n", b"").count(b"\r") \
            or not data.endswith(b"\r\n"):
        raise BundleError(f"{path}: every line must end in CRLF")
    return data


def console_text(path: Path) -> bytes:
    """A UTF-8 source text as ``type`` prints it on any code page: UTF-16LE with BOM, CRLF."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")


def notepad_text(path: Path) -> bytes:
    """A UTF-8 source text as every Notepad opens it: UTF-8 with BOM, CRLF."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def _pip(python: str, *args: str) -> None:
    command = [python, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise BundleError(f"pip failed (exit {done.returncode}): {' '.join(command)}\n"
                          f"{done.stdout}{done.stderr}")


def own_wheel(folder: Path, python: str = sys.executable) -> Path:
    """This package as a wheel (its dependencies come separately)."""
    _pip(python, "wheel", "--no-deps", "--wheel-dir", str(folder), str(ROOT))
    [wheel] = folder.glob("jbsys_xl-*.whl")
    return wheel


def download(wheel: Path, folder: Path, python_version: str, python: str = sys.executable) -> None:
    """Every wheel ``wheel`` needs under 64-bit Windows CPython ``python_version`` into
    ``folder``; wheels already there are kept (the versions share most of them)."""
    _pip(python, "download", "--only-binary=:all:", "--platform", PLATFORM,
         "--python-version", python_version, "--implementation", "cp",
         "--dest", str(folder), str(wheel), *WINDOWS_ONLY)


def stage(target: Path, python: str = sys.executable, say=print,
          python_installer: Path | None = None) -> None:
    """Fill ``target`` (emptied first) with what the zip holds."""
    if python_installer is not None and not PYTHON_INSTALLER.fullmatch(python_installer.name):
        raise BundleError(f"{python_installer.name}: expected python.org's 64-bit installer of "
                          "3.11, 3.12 or 3.13, named like python-3.12.10-amd64.exe")
    shutil.rmtree(target, ignore_errors=True)
    (target / "msg").mkdir(parents=True)
    for name in BATCH_FILES:
        (target / name).write_bytes(batch_bytes(HERE / name))
    if python_installer is not None:
        shutil.copyfile(python_installer, target / python_installer.name)
    for source in sorted((HERE / "msg").glob("*.txt")):
        (target / "msg" / source.name).write_bytes(console_text(source))
    (target / README).write_bytes(notepad_text(HERE / "安装说明.txt"))
    for name in WORKBOOKS:
        shutil.copyfile(ROOT / "workbook" / name, target / name)
    started = time.perf_counter()
    wheel = own_wheel(target.parent / "own", python)
    say(f"wheel {wheel.name}: {time.perf_counter() - started:.1f} s")
    for python_version in PYTHONS:
        started = time.perf_counter()
        download(wheel, target / "wheels", python_version, python)
        say(f"wheels for CPython {python_version} {PLATFORM}: {time.perf_counter() - started:.1f} s")


def write_zip(folder: Path, target: Path) -> Path:
    """``folder`` as ``target`` with the folder itself at the top; fixed times, wheels and
    workbooks stored as they are (already compressed), text deflated."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder.parent).as_posix()
            if not name.isascii():
                raise BundleError(f"{name}: names in the zip must be ASCII")
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = (zipfile.ZIP_STORED if path.suffix in (".whl", ".xlsm", ".exe")
                                  else zipfile.ZIP_DEFLATED)
            info.external_attr = 0o644 << 16
            with path.open("rb") as data, archive.open(info, "w") as out:
                shutil.copyfileobj(data, out, 1 << 20)
    partial.replace(target)
    return target


def build(out_dir: Path = ROOT / "dist", work_dir: Path = ROOT / "build" / "windows-bundle",
          python: str = sys.executable, say=print, python_installer: Path | None = None) -> Path:
    """Stage the bundle under ``work_dir`` and zip it into ``out_dir``; the zip's path."""
    name = f"jbsys-xl-windows-{version()}"
    folder = work_dir / name
    stage(folder, python, say, python_installer)
    started = time.perf_counter()
    target = write_zip(folder, out_dir / f"{name}.zip")
    say(f"{target.name}: {target.stat().st_size / 1e6:.0f} MB, zipped in "
        f"{time.perf_counter() - started:.1f} s")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "dist")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "windows-bundle")
    parser.add_argument("--python-installer", type=Path, metavar="python-3.12.x-amd64.exe",
                        help="python.org's 64-bit installer to carry (downloaded by hand)")
    args = parser.parse_args()
    try:
        print(build(args.out_dir, args.work_dir, python_installer=args.python_installer))
    except BundleError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
