"""The faces a letter is set in (documents.md §0, v4 公文 form): for each part of the page the
first face of its chain that this computer has, found once per run — through fontconfig on
Linux and 信创 systems (统信UOS, 麒麟), in the font folders on Windows.

GB/T 9704-2012 sets a 公文's title in 小标宋 and its text in 仿宋; neither is free, and a Linux
machine usually has neither. Where the face of the kind is missing a stand-in is used (Noto Serif
CJK SC Black, or the serif SC face) and the run says so once (:func:`stand_in_note`), never as an
error: the letter is still right, only its type is not the 公文's. The faces chosen are named in
the letter's cells and recorded in the PDF's properties (:meth:`Faces.record`).
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SERIF_SC, SANS_SC = "Noto Serif CJK SC", "Noto Sans CJK SC"  # fonts-noto-cjk: always there on Linux
# Folders fontconfig does not scan by default that hold faces of a chain: Debian's
# texlive-lang-chinese installs the free Fandol faces (FandolFang, FandolKai) only here.
EXTRA_FOLDERS = (Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"),)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
SMALLEST_CJK_FILE = 1_000_000  # bytes: a face with the GB2312 characters is larger; Latin faces are skipped


@dataclass(frozen=True)
class Role:
    """A part of the letter and the faces it may be set in, best first."""

    key: str
    label: str  # as the PDF's properties and the warning name it
    kind: str  # the face a 公文 asks for (小标宋, 仿宋 …)
    standard: str  # the face a workbook names for an office that has the kind (Windows)
    genuine: tuple[str, ...]  # faces of the kind: no warning
    stand_ins: tuple[str, ...]  # used, in order, when none of ``genuine`` is installed
    warn: bool  # a stand-in is said on the terminal (documents.md: 仿宋 and 小标宋)


ROLES = (
    Role("title", "标题", "小标宋", "方正小标宋简体",
         ("方正小标宋简体", "方正小标宋_GBK", "方正小标宋", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
         ("Noto Serif CJK SC Black", "Source Han Serif SC Heavy", "华文中宋", "STZhongsong", SERIF_SC,
          "宋体", "SimSun"), warn=True),
    Role("body", "正文", "仿宋", "仿宋",
         ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "方正仿宋_GBK", "方正仿宋简体", "FandolFang"),
         (SERIF_SC, "宋体", "SimSun"), warn=True),
    Role("kai", "二级标题", "楷体", "楷体",
         ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "方正楷体_GBK", "方正楷体简体", "FandolKai",
          "AR PL KaitiM GB"), (), warn=False),  # none: set in the 正文's face
    Role("table", "表格", "宋体", "宋体", ("宋体", "SimSun"), (SERIF_SC, "FandolSong"), warn=False),
    Role("heading", "一级标题", "黑体", "黑体", ("黑体", "SimHei"), (SANS_SC, "FandolHei"), warn=False),
)
BY_KEY = {role.key: role for role in ROLES}


@dataclass(frozen=True)
class Faces:
    """The face of each role (``chosen``) and the roles set in a stand-in."""

    chosen: dict[str, str]
    substituted: frozenset[str] = frozenset()
    office: bool = False  # an office's faces, for a workbook opened in Excel or WPS, not printed here

    def __getitem__(self, key: str) -> str:
        return self.chosen[key]

    def record(self) -> str:
        """What the PDF's properties say: each role's face, stand-ins marked."""
        return "；".join(f"{BY_KEY[key].label}：{face}"
                        + (f"（代替{BY_KEY[key].kind}）" if key in self.substituted else "")
                        for key, face in self.chosen.items())

    def stand_in_note(self) -> str | None:
        """The one line a run that used a stand-in for 小标宋 or 仿宋 prints; None otherwise."""
        missing = [BY_KEY[key] for key in self.chosen if key in self.substituted and BY_KEY[key].warn]
        if not missing:
            return None
        used = "，".join(f"{role.label}以 {self.chosen[role.key]} 代替{role.kind}" for role in missing)
        names = "、".join(role.genuine[0] for role in missing)
        return (f"本机未安装{'、'.join(role.kind for role in missing)}字体，{used}；"
                f"安装{names}（或同类字体）后重新生成，即为公文规定的字体")


def standard_faces() -> Faces:
    """The faces a Chinese office's Windows has, as a workbook opened there should name them."""
    return Faces({role.key: role.standard for role in ROLES}, office=True)


def choose(installed: set[str]) -> Faces:
    """Each role's first installed face; a role none of whose faces is installed gets its first
    stand-in (the 二级标题 the 正文's face), so the letter is always set in some face."""
    chosen, substituted = {}, set()
    for role in ROLES:
        face = next((name for name in role.genuine if name in installed), None)
        if face is None:
            substituted.add(role.key)
            face = next((name for name in role.stand_ins if name in installed),
                        role.stand_ins[0] if role.stand_ins else chosen["body"])
        chosen[role.key] = face
    return Faces(chosen, frozenset(substituted))


@cache
def faces() -> Faces:
    """This computer's faces, found once per run (the process)."""
    return choose(installed_families())


def installed_families() -> set[str]:
    """Every family name of every installed face (a face has several: 仿宋 and FangSong)."""
    if sys.platform == "win32":
        return _windows_families()
    return _fontconfig_families()


def extra_folders() -> list[Path]:
    """The EXTRA_FOLDERS present here, for the conversion's private fontconfig."""
    return [folder for folder in EXTRA_FOLDERS if folder.is_dir()]


def _fontconfig_families() -> set[str]:
    commands = [["fc-list", "--format", "%{family}\n"]]
    commands += [["fc-scan", "--format", "%{family}\n", str(folder)] for folder in extra_folders()]
    found: set[str] = set()
    for command in commands:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            continue  # no fontconfig: the stand-ins, which the conversion maps as before
        found.update(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())
    return found


def _windows_folders() -> list[Path]:
    """The system font folder and the user's (fonts installed 'for me only')."""
    folders = [Path(os.environ.get("WINDIR", r"C:\Windows"), "Fonts")]
    if local := os.environ.get("LOCALAPPDATA"):
        folders.append(Path(local, "Microsoft", "Windows", "Fonts"))
    return [folder for folder in folders if folder.is_dir()]


def _windows_families() -> set[str]:
    found: set[str] = set()
    for folder in _windows_folders():
        for path in folder.iterdir():
            try:
                if path.suffix.lower() in FONT_SUFFIXES and path.stat().st_size >= SMALLEST_CJK_FILE:
                    found.update(file_families(path))
            except OSError:
                continue
    return found


def file_families(path: Path) -> set[str]:
    """The family names (name IDs 1 and 16, every language) of the faces in a font file."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = TTCollection(str(path), lazy=True).fonts
        else:
            fonts = [TTFont(str(path), lazy=True, fontNumber=0)]
        names = set()
        for font in fonts:
            for record in font["name"].names:
                if record.nameID in (1, 16):
                    try:
                        names.add(record.toUnicode().strip())
                    except UnicodeDecodeError:
                        continue
        return {name for name in names if name}
    except (TTLibError, OSError, KeyError, AssertionError, ValueError):
        return set()
