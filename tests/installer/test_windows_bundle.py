"""The offline Windows bundle (packaging/windows): install.bat keeps the cmd.exe rules it is
reviewed against, its Chinese messages print on any code page, and the zip `make
windows-bundle` builds installs from its own wheels alone under 64-bit CPython 3.11, 3.12 and
3.13 — checked with pip's resolver and again with Windows' environment markers."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "packaging" / "windows"
BAT = SOURCE / "install.bat"
PATH_VARIABLES = ("HERE", "MSG", "WHEELS", "VENV", "LOCALAPPDATA", "USERPROFILE")


def load_builder():
    spec = importlib.util.spec_from_file_location("build_bundle", SOURCE / "build_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = load_builder()


def commands() -> list[tuple[int, str]]:
    """(line number, text) of the lines cmd.exe executes: no comments, no blank lines."""
    lines = BAT.read_bytes().decode("ascii").split("\r\n")
    return [(number, line.strip()) for number, line in enumerate(lines, 1)
            if line.strip() and not line.strip().lower().startswith(("rem ", "rem\t", "::"))
            and line.strip().lower() != "rem"]


# --- install.bat against cmd.exe's rules ------------------------------------------------------

def test_install_bat_is_ascii_with_crlf_line_ends():
    data = BAT.read_bytes()
    assert data.isascii()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert builder.batch_bytes(BAT) == data  # what the builder puts into the zip
    assert (SOURCE / ".gitattributes").read_text().split() == ["install.bat", "-text"]


def test_local_variables_and_no_delayed_expansion():
    executed = [line for _, line in commands()]
    assert executed[:2] == ["@echo off", "setlocal EnableExtensions DisableDelayedExpansion"]
    assert not any("!" in line for line in executed)  # nothing relies on delayed expansion
    assert not any(line.lower().startswith("chcp") for line in executed)


def test_no_comment_holds_a_percent_sign():
    """cmd.exe expands %…% in REM lines as well."""
    lines = BAT.read_bytes().decode("ascii").split("\r\n")
    assert not [line for line in lines if line.strip().lower().startswith("rem") and "%" in line]


def quoted(line: str, position: int) -> bool:
    return line[:position].count('"') % 2 == 1


def test_every_path_is_used_inside_double_quotes():
    """Paths may hold spaces, parentheses, & or Chinese characters."""
    found = set()
    for number, line in commands():
        for match in re.finditer(r"%(~dp0|[A-Za-z_]+)%?", line):
            name = match.group(1)
            if name in PATH_VARIABLES or name == "~dp0":
                found.add(name)
                assert quoted(line, match.start()), (number, line)
    assert found == set(PATH_VARIABLES) | {"~dp0"}


def test_no_quoted_argument_ends_in_a_backslash():
    """A program's argv parser reads \\" as a literal quote: "C:\\x\\" would swallow the
    closing quote. %~dp0 ends in a backslash, so it is only ever followed by a name (in
    ``set "NAME=value"`` the quotes are cmd.exe's own syntax, no program's argument)."""
    for number, line in commands():
        if line.startswith('set "'):
            continue
        assert '\\"' not in line, (number, line)
        for variable in ("HERE", "~dp0"):
            assert f'%{variable}"' not in line, (number, line)


def test_no_parenthesised_block_expands_a_path():
    """%VAR% in a block is expanded when the block is read; a ) in the path ends the block
    unless quoted — and simpler than checking the quoting: there is none."""
    for number, line in commands():
        if "(" in line.split('"')[0] and not line.lower().startswith("echo"):
            assert not any(f"%{name}%" in line for name in PATH_VARIABLES), (number, line)


def test_every_program_is_followed_by_an_exit_code_check():
    runs = re.compile(r'^(py |"%VENV%\\|where |tasklist )')
    executed = commands()
    checked = 0
    for index, (number, line) in enumerate(executed):
        if runs.match(line):
            following = executed[index + 1][1]
            assert re.fullmatch(r"if %errorlevel% (neq|equ) 0 goto \w+", following), \
                (number, line, following)
            checked += 1
    assert checked == 7
    # the one program run elsewhere: in the search loop, taken only on success
    [loop] = [line for _, line in executed if line.startswith("for %%v")]
    assert re.search(r'\(py -%%v-64 -c "[^"]+" >nul 2>nul && set "PYVER=%%v"\)$', loop)


def test_every_jump_target_and_message_exists():
    text = BAT.read_bytes().decode("ascii")
    labels = set(re.findall(r"(?m)^:(\w+)\r$", text))
    targets = set(re.findall(r"(?:goto|call) :?(\w+)", text))
    assert targets <= labels and "failed" in labels
    messages = set(re.findall(r'type "%MSG%\\([\w-]+\.txt)"', text))
    assert messages == {path.name for path in (SOURCE / "msg").glob("*.txt")}


def test_pip_installs_offline_from_the_bundle_only():
    [pip] = [line for _, line in commands() if " -m pip " in line]
    for option in ("--isolated", "--no-index", '--find-links "%WHEELS%"', "--only-binary=:all:"):
        assert option in pip
    assert 'set "PIP_CONFIG_FILE=nul"' in [line for _, line in commands()]  # os.devnull


def test_python_is_64_bit_3_11_to_3_13_and_not_the_store_one():
    text = BAT.read_bytes().decode("ascii")
    assert "for %%v in (3.13 3.12 3.11) do" in text
    assert tuple(sorted(builder.PYTHONS)) == ("3.11", "3.12", "3.13")
    assert "'WindowsApps' in sys.executable" in text
    assert "py -%PYVER%-64 -c \"import struct, sys; sys.exit(struct.calcsize('P') < 8)\"" in text
    assert 'py -%PYVER%-64 -m venv --clear "%VENV%"' in text
    assert 'set "VENV=%LOCALAPPDATA%\\jbsys-xl\\venv"' in text
    assert '"%VENV%\\Scripts\\python.exe" -m jbsys_xl.cli excel-setup' in text


def test_messages_print_on_any_code_page(tmp_path):
    for source in (SOURCE / "msg").glob("*.txt"):
        text = source.read_text("utf-8")
        assert re.search(r"[\u4e00-\u9fff]", text), source.name
        data = builder.console_text(source)
        assert data[:2] == b"\xff\xfe"
        assert data[2:].decode("utf-16-le") == text.replace("\n", "\r\n")
    readme = builder.notepad_text(SOURCE / "安装说明.txt")
    assert readme.startswith(b"\xef\xbb\xbf") and "离线安装说明" in readme.decode("utf-8-sig")


def test_messages_say_why_64_bit_and_what_to_do():
    only_32 = (SOURCE / "msg" / "only-32bit.txt").read_text("utf-8")
    assert "64 位 Python 可以配合 32 位的 Office" in only_32
    assert all(name in only_32 for name in ("pyarrow", "pandas", "fastexcel"))
    assert "python.org" in (SOURCE / "msg" / "no-launcher.txt").read_text("utf-8")
    assert "EXCEL.EXE" in (SOURCE / "msg" / "close-excel.txt").read_text("utf-8")
    assert "template.xlsm" in (SOURCE / "msg" / "done.txt").read_text("utf-8")


# --- the zip ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def bundle() -> Path:
    """`make windows-bundle` once per session, under build/ (pip's cache keeps it short)."""
    work = ROOT / "build" / "test-windows-bundle"
    try:
        return builder.build(work / "dist", work / "stage", say=lambda message: None)
    except builder.BundleError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the Windows bundle: {exc}")
        pytest.skip(f"no PyPI here: {exc}")


@pytest.fixture(scope="session")
def extracted(bundle, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("bundle")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(target)
    [folder] = target.iterdir()
    return folder


def test_the_zip_holds_the_installer_its_texts_and_the_workbooks(bundle, extracted):
    from jbsys_xl import __version__

    assert bundle.name == f"jbsys-xl-windows-{__version__}.zip"
    assert extracted.name == f"jbsys-xl-windows-{__version__}"
    with zipfile.ZipFile(bundle) as archive:
        assert all(name.isascii() for name in archive.namelist())
    assert (extracted / "install.bat").read_bytes() == BAT.read_bytes()
    for name in builder.WORKBOOKS:
        assert (extracted / name).read_bytes() == (ROOT / "workbook" / name).read_bytes()
    assert (extracted / "README.txt").read_bytes() == builder.notepad_text(SOURCE / "安装说明.txt")
    assert sorted(p.name for p in (extracted / "msg").iterdir()) == \
        sorted(p.name for p in (SOURCE / "msg").glob("*.txt"))
    assert all(p.read_bytes()[:2] == b"\xff\xfe" for p in (extracted / "msg").iterdir())
    wheels = [p.name for p in (extracted / "wheels").iterdir()]
    assert all(name.endswith(".whl") for name in wheels)
    platforms = {tag.platform for name in wheels for tag in parse_wheel_filename(name)[3]}
    assert platforms == {"any", "win_amd64"}  # no 32-bit wheel anywhere
    assert f"jbsys_xl-{__version__}-py3-none-any.whl" in wheels


def windows_environment(version: str) -> dict[str, str]:
    """Marker values of 64-bit CPython ``version`` on Windows 10."""
    return {"implementation_name": "cpython", "implementation_version": f"{version}.0",
            "os_name": "nt", "platform_machine": "AMD64", "platform_release": "10",
            "platform_system": "Windows", "platform_version": "10.0.19045",
            "platform_python_implementation": "CPython", "python_full_version": f"{version}.0",
            "python_version": version, "sys_platform": "win32", "extra": ""}


def installable(folder: Path, version: str) -> dict[str, Path]:
    """What pip on Windows would install from ``folder`` for jbsys-xl: each requirement,
    followed under Windows markers, met by the newest wheel of a compatible tag and
    Requires-Python. AssertionError naming what is missing."""
    major, minor = map(int, version.split("."))
    supported = set(cpython_tags((major, minor), [f"cp{major}{minor}", "abi3", "none"], ["win_amd64"]))
    supported |= set(compatible_tags((major, minor), f"cp{major}{minor}", ["win_amd64"]))
    wheels = []
    for path in folder.glob("*.whl"):
        name, wheel_version, _, tags = parse_wheel_filename(path.name)
        if tags & supported:
            with zipfile.ZipFile(path) as archive:
                meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
                metadata = Parser().parsestr(archive.read(meta).decode("utf-8"))
            if wheel_version.release and SpecifierSet(metadata.get("Requires-Python") or "").contains(
                    f"{version}.0"):
                wheels.append((name, wheel_version, path, metadata))
    environment = windows_environment(version)
    chosen: dict[str, Path] = {}
    pending = [Requirement("jbsys-xl")]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        candidates = sorted((w for w in wheels if w[0] == name
                             and requirement.specifier.contains(w[1], prereleases=True)),
                            key=lambda w: w[1])
        assert candidates, f"CPython {version} win_amd64: no wheel for {requirement}"
        _, _, path, metadata = candidates[-1]
        if name not in chosen:
            chosen[name] = path
            pending += [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    return chosen


@pytest.mark.parametrize("version", builder.PYTHONS)
def test_the_wheels_install_offline_under_each_python(extracted, version, tmp_path):
    folder = extracted / "wheels"
    needed = installable(folder, version)  # under Windows' markers
    assert {"jbsys-xl", "xlwings", "pywin32", "pyarrow", "pandas", "fastexcel", "tzdata"} <= set(needed)
    assert all(path.name.endswith(("-none-any.whl", "-win_amd64.whl")) for path in needed.values())
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run", "--no-index",
         "--find-links", str(folder), "--platform", builder.PLATFORM, "--python-version", version,
         "--implementation", "cp", "--only-binary=:all:", "--target", str(tmp_path / "target"),
         "--report", str(report), "--quiet", "jbsys-xl", *builder.WINDOWS_ONLY],
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    resolved = {canonicalize_name(item["metadata"]["name"]): item["download_info"]["url"].rsplit("/", 1)[1]
                for item in json.loads(report.read_text("utf-8"))["install"]}
    assert resolved == {name: path.name for name, path in needed.items()}  # pip agrees
