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
UNINSTALL = SOURCE / "uninstall.bat"
BATS = [BAT, UNINSTALL]
PATH_VARIABLES = {BAT: ("HERE", "MSG", "WHEELS", "VENV", "LOCALAPPDATA", "USERPROFILE", "LAUNCHER", "PYINST"),
                  UNINSTALL: ("HERE", "MSG", "APPHOME", "VENV", "LOCALAPPDATA", "USERPROFILE")}
RUNS = re.compile(r'^(py |"%VENV%\\|"%PYINST%"|where |tasklist |powershell )')


def load_builder():
    spec = importlib.util.spec_from_file_location("build_bundle", SOURCE / "build_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = load_builder()


def commands(bat: Path = BAT) -> list[tuple[int, str]]:
    """(line number, text) of the lines cmd.exe executes: no comments, no blank lines."""
    lines = bat.read_bytes().decode("ascii").split("\r\n")
    return [(number, line.strip()) for number, line in enumerate(lines, 1)
            if line.strip() and not line.strip().lower().startswith(("rem ", "rem\t", "::"))
            and line.strip().lower() != "rem"]


# --- the batch files against cmd.exe's rules -------------------------------------------------

@pytest.fixture(params=BATS, ids=lambda path: path.name)
def bat(request) -> Path:
    return request.param


def test_batch_files_are_ascii_with_crlf_line_ends(bat):
    data = bat.read_bytes()
    assert data.isascii()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert builder.batch_bytes(bat) == data  # what the builder puts into the zip
    assert (SOURCE / ".gitattributes").read_text().split() == ["install.bat", "-text",
                                                               "uninstall.bat", "-text"]


def test_local_variables_and_no_delayed_expansion(bat):
    executed = [line for _, line in commands(bat)]
    assert executed[:2] == ["@echo off", "setlocal EnableExtensions DisableDelayedExpansion"]
    assert not any("!" in line for line in executed)  # nothing relies on delayed expansion
    assert not any(line.lower().startswith("chcp") for line in executed)


def test_no_comment_holds_a_percent_sign(bat):
    """cmd.exe expands %…% in REM lines as well."""
    lines = bat.read_bytes().decode("ascii").split("\r\n")
    assert not [line for line in lines if line.strip().lower().startswith("rem") and "%" in line]


def quoted(line: str, position: int) -> bool:
    return line[:position].count('"') % 2 == 1


def test_every_path_is_used_inside_double_quotes(bat):
    """Paths may hold spaces, parentheses, & or Chinese characters. Inside quotes, a ")" does
    not end a parenthesised block either."""
    found = set()
    for number, line in commands(bat):
        for match in re.finditer(r"%(~dp0|[A-Za-z_]+)%?", line):
            name = match.group(1)
            if name in PATH_VARIABLES[bat] or name == "~dp0":
                found.add(name)
                assert quoted(line, match.start()), (number, line)
    assert found == set(PATH_VARIABLES[bat]) | {"~dp0"}


def test_no_quoted_argument_ends_in_a_backslash(bat):
    """A program's argv parser reads \\" as a literal quote: "C:\\x\\" would swallow the
    closing quote. %~dp0 ends in a backslash, so it is only ever followed by a name (in
    ``set "NAME=value"`` the quotes are cmd.exe's own syntax, no program's argument)."""
    for number, line in commands(bat):
        if line.startswith('set "'):
            continue
        assert '\\"' not in line, (number, line)
        for variable in ("HERE", "~dp0"):
            assert f'%{variable}"' not in line, (number, line)


def test_powershell_gets_no_path_on_its_command_line():
    """PowerShell parses its -Command text again: quotes, $, & or a backtick in a folder name
    would change it. The folder travels in an environment variable."""
    [line] = [line for _, line in commands() if line.startswith("powershell ")]
    assert "%" not in line and "$env:JBSYS_BUNDLE" in line and "Unblock-File" in line
    assert 'set "JBSYS_BUNDLE=%HERE%"' in [text for _, text in commands()]


def test_every_program_is_followed_by_an_exit_code_check(bat):
    executed = commands(bat)
    checked = 0
    for index, (number, line) in enumerate(executed):
        if RUNS.match(line):
            following = executed[index + 1][1]
            assert re.fullmatch(r"if %errorlevel% (neq|equ) 0 goto \w+", following), \
                (number, line, following)
            checked += 1
    assert checked == {BAT: 9, UNINSTALL: 2}[bat]
    if bat is BAT:  # the one program run elsewhere: in the search loop, taken only on success
        [loop] = [line for _, line in executed if line.startswith("for %%v")]
        assert re.search(r'\(py -%%v-64 -c "[^"]+" >nul 2>nul && set "PYVER=%%v"\)$', loop)


def test_every_jump_target_and_message_exists():
    messages = set()
    for bat in BATS:
        text = bat.read_bytes().decode("ascii")
        labels = set(re.findall(r"(?m)^:(\w+)\r$", text))
        targets = set(re.findall(r"(?:goto|call) :?(\w+)", text))
        assert targets <= labels and "failed" in labels, bat.name
        messages |= set(re.findall(r'type "%MSG%\\([\w-]+\.txt)"', text))
        messages |= set(re.findall(r'set "WHY=([\w-]+\.txt)"', text))  # type "%MSG%\%WHY%"
    assert messages == {path.name for path in (SOURCE / "msg").glob("*.txt")}


def test_pip_installs_offline_from_the_bundle_only():
    [pip] = [line for _, line in commands() if " -m pip " in line]
    for option in ("--isolated", "--no-index", '--find-links "%WHEELS%"', "--only-binary=:all:"):
        assert option in pip
    assert 'set "PIP_CONFIG_FILE=nul"' in [line for _, line in commands()]  # os.devnull


def test_a_python_installer_beside_install_bat_is_run_for_this_user_quietly():
    """S3: python.org's installer asks for an administrator only for py.exe "for all users"
    (its first page's ticked box); quiet and per user it needs none. Run at most once."""
    executed = [line for _, line in commands()]
    [search] = [line for line in executed if line.startswith("for %%f")]
    patterns = re.findall(r'"%HERE%(python-3\.1\d)\*-amd64\.exe"', search)
    assert patterns == ["python-3.13", "python-3.12", "python-3.11"]  # newest first
    [run] = [line for line in executed if line.startswith('"%PYINST%"')]
    for option in ("/quiet", "InstallAllUsers=0", "Include_launcher=1", "InstallLauncherAllUsers=0",
                   "PrependPath=0"):
        assert option in run.split()
    assert executed.index("if defined PYTRIED goto python_missing") < executed.index('set "PYTRIED=1"') \
        < executed.index(run)
    assert executed[executed.index(run) + 2:executed.index(run) + 4] == [
        'set "PATH=%LAUNCHER%;%PATH%"', "goto find_python"]
    assert builder.PYTHON_INSTALLER.fullmatch("python-3.12.10-amd64.exe")
    assert not builder.PYTHON_INSTALLER.fullmatch("python-3.14.0-amd64.exe")
    assert not builder.PYTHON_INSTALLER.fullmatch("python-manager-25.0.msix")


def test_messages_name_the_box_to_untick_and_the_install_manager_to_avoid():
    for name in ("no-launcher.txt", "no-python.txt", "only-32bit.txt", "python-install-failed.txt"):
        text = (SOURCE / "msg" / name).read_text("utf-8")
        assert "取消勾选“Use admin privileges when installing py.exe”" in text, name
    for name in ("no-launcher.txt", "no-python.txt"):
        text = (SOURCE / "msg" / name).read_text("utf-8")
        assert "Python install manager" in text and "install.bat 旁边" in text, name
    guide = (SOURCE / "安装说明.txt").read_text("utf-8")
    for words in ("Use admin privileges when installing", "Python install manager", "解除锁定",
                  "uninstall.bat", "升级", ".xlsx", "选择性粘贴"):
        assert words in guide, words


def test_uninstall_removes_through_excel_setup_then_the_folder():
    executed = [line for _, line in commands(UNINSTALL)]
    assert 'set "APPHOME=%LOCALAPPDATA%\\jbsys-xl"' in executed
    assert 'set "VENV=%APPHOME%\\venv"' in executed
    remove = '"%VENV%\\Scripts\\python.exe" -m jbsys_xl.cli excel-setup --remove'
    assert executed.index(remove) < executed.index('rmdir /s /q "%APPHOME%"')
    assert executed[executed.index('rmdir /s /q "%APPHOME%"') + 1] == 'if exist "%APPHOME%" goto folder_busy'
    install = [line for _, line in commands()]
    assert 'set "VENV=%LOCALAPPDATA%\\jbsys-xl\\venv"' in install  # the folder removed is install's


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
    done = (SOURCE / "msg" / "done.txt").read_text("utf-8")
    assert "template.xlsm" in done and ".xlsm" in done and "uninstall.bat" in done
    assert "不要放在 OneDrive" not in done  # S6: OneDrive is supported (README)


# --- the zip ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def bundle() -> Path:
    """`make windows-bundle` once per session, under build/ (pip's cache keeps it short)."""
    work = ROOT / "build" / "test-windows-bundle"
    installer = work / "python-3.12.10-amd64.exe"  # stands in for python.org's file
    installer.parent.mkdir(parents=True, exist_ok=True)
    installer.write_bytes(b"MZ python.org installer stand-in")
    try:
        return builder.build(work / "dist", work / "stage", say=lambda message: None,
                             python_installer=installer)
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
    for bat in BATS:
        assert (extracted / bat.name).read_bytes() == bat.read_bytes()
    assert (extracted / "python-3.12.10-amd64.exe").read_bytes() == b"MZ python.org installer stand-in"
    with pytest.raises(builder.BundleError, match="python-3.12.10-amd64.exe"):
        builder.stage(extracted.parent / "again", python_installer=extracted / "README.txt")
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
