"""The face chain of the letters (documents.md §0 v4): each part of the page takes the first
face of its chain this computer has, a stand-in is said once and recorded, never an error; the
family names are read from the font files themselves (the Windows font folder)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from jbsys_xl.office import fonts

NOTO = Path("/usr/share/fonts/opentype/noto")


def missing(what: str) -> None:
    """Skip on a developer machine without ``what``, but fail under CI (``CI`` set)."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {what} is missing")
    pytest.skip(f"{what} is missing")


def test_a_machine_with_the_official_faces_uses_them_and_says_nothing():
    installed = {"方正小标宋简体", "仿宋_GB2312", "FangSong", "仿宋", "楷体_GB2312", "宋体", "SimSun", "黑体"}
    faces = fonts.choose(installed)
    assert (faces["title"], faces["body"], faces["kai"], faces["table"], faces["heading"]) == (
        "方正小标宋简体", "仿宋_GB2312", "楷体_GB2312", "宋体", "黑体")
    assert not faces.substituted and faces.stand_in_note() is None
    assert faces.record() == "标题：方正小标宋简体；正文：仿宋_GB2312；二级标题：楷体_GB2312；表格：宋体；一级标题：黑体"


def test_a_free_fangsong_counts_as_fangsong_and_the_title_takes_the_black_serif():
    faces = fonts.choose({"FandolFang", "FandolKai", "Noto Serif CJK SC", "Noto Serif CJK SC Black",
                          "Noto Sans CJK SC"})
    assert faces["body"] == "FandolFang" and faces["kai"] == "FandolKai"
    assert faces["title"] == "Noto Serif CJK SC Black" and faces.substituted == {"title", "table", "heading"}
    assert faces.stand_in_note() == (
        "本机未安装小标宋字体，标题以 Noto Serif CJK SC Black 代替小标宋；安装方正小标宋简体（或同类字体）后重新生成，"
        "即为公文规定的字体")


def test_a_plain_linux_machine_sets_everything_in_the_sc_faces_and_says_so_once():
    faces = fonts.choose({"Noto Serif CJK SC", "Noto Sans CJK SC", "DejaVu Sans"})
    assert faces["title"] == faces["body"] == faces["table"] == "Noto Serif CJK SC"
    assert faces["kai"] == faces["body"]  # no 楷体: the 正文's face, without a word
    assert faces["heading"] == "Noto Sans CJK SC"
    note = faces.stand_in_note()
    assert note.startswith("本机未安装小标宋、仿宋字体，标题以 Noto Serif CJK SC 代替小标宋，正文以 Noto Serif CJK SC 代替仿宋")
    assert "楷体" not in note and "宋体" not in note.replace("小标宋", "")
    assert "（代替仿宋）" in faces.record()


def test_a_machine_with_no_chinese_face_still_gets_a_face_for_every_part():
    faces = fonts.choose(set())
    assert set(faces.chosen) == {role.key for role in fonts.ROLES} and all(faces.chosen.values())
    assert faces["body"] == fonts.SERIF_SC and faces.stand_in_note()


def test_a_workbook_handed_out_names_an_offices_faces():
    faces = fonts.standard_faces()
    assert faces.office and faces["body"] == "仿宋" and faces["title"] == "方正小标宋简体"


def test_the_faces_of_this_machine_are_what_fontconfig_lists():
    if not shutil.which("fc-list"):
        missing("fontconfig (fc-list)")
    listed = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True, text=True).stdout
    families = {name for line in listed.splitlines() for name in line.split(",")}
    found = fonts.faces()
    for key, face in found.chosen.items():
        assert face in families or face in fonts.installed_families(), (key, face)
    assert found is fonts.faces()  # found once per run


def test_family_names_are_read_from_a_font_file_in_every_language(tmp_path):
    """The Windows font folder is read file by file: a collection's faces, their Chinese and
    English family names."""
    collection = NOTO / "NotoSerifCJK-Regular.ttc"
    if not collection.is_file():
        missing("fonts-noto-cjk")
    names = fonts.file_families(collection)
    assert {"Noto Serif CJK SC", "Noto Serif CJK JP"} <= names
    broken = tmp_path / "坏.ttf"
    broken.write_bytes(b"not a font")
    assert fonts.file_families(broken) == set()


def test_the_windows_folders_are_scanned_for_big_font_files_only(tmp_path, monkeypatch):
    folder = tmp_path / "Windows" / "Fonts"
    folder.mkdir(parents=True)
    collection = NOTO / "NotoSansCJK-Regular.ttc"
    if not collection.is_file():
        missing("fonts-noto-cjk")
    (folder / "simhei.ttc").symlink_to(collection)
    (folder / "small.ttf").write_bytes(b"x" * 10)
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    assert "Noto Sans CJK SC" in fonts._windows_families()
