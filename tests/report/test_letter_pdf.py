"""The letters as LibreOffice prints them, read back with pdfplumber (documents.md §0 v4 公文
form): every character inside the GB/T 9704 版心 (37 mm top, 28 mm binding), the title in 22 pt,
running text in 16 pt and nothing below 14 pt but tables (≥ 10.5 pt), ``— n —`` 7 mm under the
版心 one character in from the right on odd pages and from the left on even ones, every notice
numbered from 1, the faces recorded in the PDF's properties and only simplified-Chinese faces
embedded, and a stand-in face said once on the terminal."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from jbsys_xl.cli import main
from jbsys_xl.office import fonts
from jbsys_xl.report import letter as lt
from tests.support import require_soffice
from tests.support import workbooks as wb
from tests.support.approved import write_publicity_demo

MM = 72 / 25.4
PAGE_NUMBER = re.compile(r"^\u3000?— (\d+) —\u3000?$")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """The small book's notices (two centers, --full) and hardware notices, and the demo's 公示
    once walked to it (landscape: its table is too wide for the upright 版心)."""
    require_soffice()
    folder = tmp_path_factory.mktemp("letters")
    book = wb.write(folder / "small.xlsx", wb.base())
    files = {"notices": folder / "告知书.pdf", "districts": folder / "硬件.pdf", "publicity": folder / "公示.pdf"}
    assert main(["notices", str(book), "--center", "C01", "C02", "--full", "-o", str(files["notices"])]) == 0
    assert main(["notices", str(book), "--districts", "-o", str(files["districts"])]) == 0
    ready = write_publicity_demo(folder / "公示前.xlsx")
    assert main(["publicity", str(ready), "-o", str(files["publicity"])]) == 0
    return files


def pages(path: Path):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            landscape = page.width > page.height
            geometry = lt.LANDSCAPE if landscape else lt.PORTRAIT
            block_bottom = page.height - geometry.bottom * MM
            body = [c for c in page.chars if c["text"].strip() and c["top"] < block_bottom]
            foot = [c for c in page.chars if c["top"] >= block_bottom]
            yield page, geometry, body, foot


@pytest.mark.parametrize("kind", ["notices", "districts", "publicity"])
def test_every_character_is_inside_the_block(printed, kind):
    for page, geometry, body, _ in pages(printed[kind]):
        assert body
        assert min(c["x0"] for c in body) >= geometry.left * MM - 1
        assert max(c["x1"] for c in body) <= page.width - geometry.right * MM + 1
        assert min(c["top"] for c in body) >= geometry.top * MM - 1
        assert max(c["bottom"] for c in body) <= page.height - geometry.bottom * MM
    assert round(lt.PORTRAIT.width / MM) == 156 and (lt.PORTRAIT.top, lt.PORTRAIT.left) == (37, 28)


@pytest.mark.parametrize("kind", ["notices", "districts", "publicity"])
def test_type_sizes(printed, kind):
    sizes = Counter(round(c["size"], 1) for _, _, body, _ in pages(printed[kind]) for c in body)
    assert set(sizes) <= {22.0, 16.0, 14.0, 10.5}, sizes  # title, running text, notes, tables
    assert sizes[22.0] and sizes[16.0]
    if kind != "publicity":  # a letter is mostly running text; the 公示 mostly its table
        assert max((size for size in sizes if size > 10.5), key=sizes.__getitem__) == 16.0


@pytest.mark.parametrize("kind", ["notices", "districts", "publicity"])
def test_page_numbers_change_sides_and_start_at_one_for_each_letter(printed, kind):
    numbers = []
    for page, geometry, _, foot in pages(printed[kind]):
        text = "".join(c["text"] for c in foot)
        found = PAGE_NUMBER.match(text)
        assert found, text
        number = int(found.group(1))
        numbers.append(number)
        dashes = [c for c in foot if c["text"] == "—"]
        assert all(c["size"] == 14 for c in foot)  # 4号
        middle = (dashes[0]["top"] + dashes[0]["bottom"]) / 2
        assert abs(middle - (page.height - geometry.bottom * MM) - 7 * MM) < 1 * MM  # 7 mm under
        one_in = 14  # one character of 4号 from the edge of the 版心
        if number % 2:
            assert abs(max(c["x1"] for c in dashes) - (page.width - geometry.right * MM - one_in)) < 1.5
        else:
            assert abs(min(c["x0"] for c in dashes) - (geometry.left * MM + one_in)) < 1.5
    letters = [n for n in numbers if n == 1]
    assert len(letters) == {"notices": 2, "districts": 1, "publicity": 1}[kind]
    assert all(b == a + 1 for a, b in zip(numbers, numbers[1:]) if b != 1)
    assert 2 in numbers  # an even page was seen


def test_the_publicity_turns_its_page_for_its_table(printed):
    for page, _, _, _ in pages(printed["publicity"]):
        assert page.width > page.height


def test_the_faces_are_recorded_in_the_pdf_and_are_what_is_embedded(printed):
    faces = fonts.faces()
    pdffonts = shutil.which("pdffonts") or pytest.fail("pdffonts is missing (poppler-utils)")
    for path in printed.values():
        with pdfplumber.open(path) as pdf:
            assert pdf.metadata["Subject"] == f"字体：{faces.record()}"
            used = {c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars}
        listed = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True).stdout
        names = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:]}
        assert used <= names
        assert any(name.startswith(faces["body"].replace(" ", "").replace("CJKSC", "CJKsc")) for name in names)
        assert not [name for name in names if re.search(r"CJK(jp|kr|tc|hk)|DejaVu|Liberation", name)], names


def test_a_stand_in_face_is_said_once_on_the_terminal(tmp_path, capsys):
    require_soffice()
    book = wb.write(tmp_path / "small.xlsx", wb.base())
    assert main(["documents", str(book), "-o", str(tmp_path / "文书")]) == 0
    out = capsys.readouterr()
    note = fonts.faces().stand_in_note()
    printed = out.out + out.err
    if note:
        assert printed.count(note) == 1 and "错误" not in printed  # a warning, once for the whole set
    else:
        assert "代替仿宋" not in printed and "代替小标宋" not in printed
