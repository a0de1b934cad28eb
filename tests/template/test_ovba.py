"""vbaProject.bin writing: MS-OVBA compression, the compound file, and what oletools reads back."""
from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # olevba's pyparsing grammar warns at import
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import decompress_stream

from jbsys_xl.template.ovba import (
    VbaModule, build_compound_file, build_vba_project, compress, decompress)
from jbsys_xl.template.xlsm import CUSTOM_UI_PART, UI_EXTENSIBILITY, add_custom_ui, normalize_zip
from tests.support import DOCUMENT_MODULES, MODULES, RIBBON, build_sample_xlsm

OLEVBA = Path(sys.executable).with_name("olevba")

# --- compression ----------------------------------------------------------------------------

SPEC_EXAMPLES = {  # MS-OVBA 3.2.1, 3.2.2, 3.2.3: (decompressed, compressed)
    "no compression": (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"),
    "normal compression": (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 "
        "6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"),
    "maximum compression": (b"a" * 73, "01 03 B0 02 61 45 00"),
}


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_spec_examples_compress_and_decompress_exactly(name):
    plain, packed = SPEC_EXAMPLES[name]
    assert compress(plain) == bytes.fromhex(packed)
    assert decompress(bytes.fromhex(packed)) == plain


def assert_round_trip(data: bytes) -> None:
    """Exact, except that the format stores an incompressible final chunk raw, zero-padded."""
    packed = compress(data)
    out = decompress(packed)
    assert out == decompress_stream(bytearray(packed))  # oletools' decoder agrees
    if out != data:
        assert len(data) % 4096 and out == data + bytes(-len(data) % 4096)


VBA_FRAGMENTS = [b"Sub ", b"End Sub\r\n", b"    ", b"Dim i As Long\r\n", b"x", b"\x00", b"aaaa",
                 b"Range(\"A1\").Value = ", b"'", b"\xe9", b"0123456789"]


BIG_EXAMPLES = settings(max_examples=100, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def sized(maximum: int, make):
    """Hypothesis draws short values by default; spread the lengths over 0..maximum."""
    return st.integers(0, maximum).flatmap(lambda n: make(min_size=n, max_size=n))


@BIG_EXAMPLES
@given(st.one_of(st.binary(max_size=64), sized(3 * 4096 + 17, st.binary)))
def test_round_trip_any_bytes(data):
    assert_round_trip(data)


@BIG_EXAMPLES
@given(sized(2500, lambda **size: st.lists(st.sampled_from(VBA_FRAGMENTS), **size))
       .map(b"".join))
def test_round_trip_code_like_bytes_is_exact(data):
    assert decompress(compress(data)) == data
    assert_round_trip(data)


LENGTHS = [0, 1, 2, 3, 8, 9, 4095, 4096, 4097, 8191, 8192, 8193, 3 * 4096 + 1, 50_000]


@pytest.mark.parametrize("length", LENGTHS)
def test_round_trip_at_chunk_boundaries(length):
    text = ("".join(f"    Cells({i}, 2).Value = {i * i} ' row {i}\r\n" for i in range(3000))
            .encode()[:length])
    assert decompress(compress(text)) == text
    assert_round_trip(text)
    assert_round_trip(random.Random(length).randbytes(length))


def test_incompressible_last_chunk_is_stored_raw():
    data = random.Random(1).randbytes(4000)
    packed = compress(data)
    assert packed[1:3] == b"\xff\x3f" and len(packed) == 1 + 2 + 4096
    assert decompress(packed) == data + bytes(96)


def test_copy_tokens_use_wide_offsets_late_in_a_chunk():
    head = random.Random(2).randbytes(3000)
    data = head + head[:200]  # the repeat sits 3000 bytes back: 12 offset bits, 4 length bits
    assert len(compress(data)) < len(compress(head)) + 40
    assert_round_trip(data)


@pytest.mark.parametrize("broken", [
    b"", b"\x02", b"\x01\x00", b"\x01\x19\x30" + b"x" * 20, b"\x01\x05\xb0\x00ab",
    b"\x01\x02\xb0\x01\x00\x00"])
def test_decompress_rejects_malformed_input(broken):
    with pytest.raises(ValueError):
        decompress(broken)


# --- compound file --------------------------------------------------------------------------

def test_compound_file_siblings_form_a_red_black_search_tree():
    names = [f"S{'x' * (i % 5)}{i}" for i in range(23)]
    blob = build_compound_file({"D": {name: name.encode() * (i * 40) for i, name in
                                      enumerate(names)}})
    ole = olefile.OleFileIO(blob, raise_defects=olefile.DEFECT_INCORRECT)
    for i, name in enumerate(names):
        assert ole.openstream(f"D/{name}").read() == name.encode() * (i * 40)
    entries = ole.direntries
    BLACK = 1
    storage = next(e for e in entries if e and e.name == "D")

    def walk(sid):
        """In-order names and the black count of every path to a leaf."""
        if sid == olefile.NOSTREAM:
            return [], {0}
        entry = entries[sid]
        left, left_blacks = walk(entry.sid_left)
        right, right_blacks = walk(entry.sid_right)
        black = entry.color == BLACK
        if not black:
            for child in (entry.sid_left, entry.sid_right):
                assert child == olefile.NOSTREAM or entries[child].color == BLACK
        return left + [entry.name] + right, {b + black for b in left_blacks | right_blacks}

    order, blacks = walk(storage.sid_child)
    assert order == sorted(names, key=lambda n: (len(n), n.upper()))
    assert len(blacks) == 1


def test_compound_file_is_deterministic_and_sector_aligned():
    tree = {"A": b"x" * 5000, "B": {"C": b"y" * 10, "D": b""}}
    blob = build_compound_file(tree)
    assert blob == build_compound_file(tree)
    assert len(blob) % 512 == 0
    ole = olefile.OleFileIO(blob, raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.openstream("A").read() == b"x" * 5000
    assert ole.openstream("B/C").read() == b"y" * 10
    assert ole.openstream("B/D").read() == b""


# --- VBA project ----------------------------------------------------------------------------

def stored_text(name: str) -> str:
    """The decompressed text of module ``name`` in the sample project."""
    ole = olefile.OleFileIO(project_bin(), raise_defects=olefile.DEFECT_INCORRECT)
    return decompress(ole.openstream(f"VBA/{name}").read()).decode("cp1252")


def project_bin() -> bytes:
    return build_vba_project(MODULES, document_modules=DOCUMENT_MODULES)


@pytest.fixture(scope="module")
def sample_xlsm(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "sample.xlsm"
    path.write_bytes(build_sample_xlsm())
    return path


@pytest.fixture(scope="module")
def olevba_report(sample_xlsm) -> dict[str, str]:
    """olevba's view of the sample workbook: OLE stream -> source with attribute lines."""
    run = subprocess.run([str(OLEVBA), "--json", "--decode", "--attr", str(sample_xlsm)],
                         capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stderr
    report = next(item for item in json.loads(run.stdout) if "macros" in item)
    return {macro["ole_stream"]: macro["code"] for macro in report["macros"]}


def expected_text(name: str, header: list[str], code: str = "") -> str:
    return "\r\n".join([f'Attribute VB_Name = "{name}"'] + header + code.splitlines())


DOCUMENT_HEADER = ["Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                   "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
                   "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
WORKBOOK_BASE = 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"'
SHEET_BASE = 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"'
CLASS_HEADER = ["Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                "Attribute VB_PredeclaredId = False", "Attribute VB_Exposed = False"]


def test_olevba_lists_every_module_with_its_exact_source(olevba_report):
    by_name = {m.name: m for m in MODULES}
    expected = {
        "VBA/ThisWorkbook": expected_text("ThisWorkbook", [WORKBOOK_BASE] + DOCUMENT_HEADER,
                                          by_name["ThisWorkbook"].source),
        **{f"VBA/{sheet}": expected_text(sheet, [SHEET_BASE] + DOCUMENT_HEADER)
           for sheet in DOCUMENT_MODULES[1:]},
        "VBA/JbInfo": expected_text("JbInfo", [], by_name["JbInfo"].source),
        "VBA/JbBig": expected_text("JbBig", [], by_name["JbBig"].source),
        "VBA/JbItem": expected_text("JbItem", CLASS_HEADER, by_name["JbItem"].source),
    }
    assert len(by_name["JbBig"].source) > 5000
    assert olevba_report == expected


def test_project_streams_follow_the_spec():
    ole = olefile.OleFileIO(project_bin(), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"]
        + [f"VBA/{name}" for name in ("JbInfo", "JbBig", "JbItem") + DOCUMENT_MODULES])
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    assert ole.get_size("VBA/JbBig") >= 4096  # outside the mini stream
    project = ole.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    assert project[1:9] == [
        "Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000", "Document=Sheet3/&H00000000",
        "Module=JbInfo", "Module=JbBig", "Class=JbItem", 'Name="VBAProject"']
    directory = decompress(ole.openstream("VBA/dir").read())
    assert b"stdole" in directory and b"stdole2.tlb" in directory
    assert b"MSO.DLL" not in directory  # no Office type library: it is missing in WPS
    names = b"".join(m.encode() + b"\0" + m.encode("utf-16-le") + b"\0\0" for m in
                     DOCUMENT_MODULES + ("JbInfo", "JbBig", "JbItem")) + b"\0\0"
    assert ole.openstream("PROJECTwm").read() == names


def decrypt(hex_text: str) -> tuple[int, int, bytes]:
    """MS-OVBA 2.4.3.3: (version, project key, data) of a CMG/DPB/GC value."""
    raw = bytes.fromhex(hex_text)
    seed, version, key = raw[0], raw[0] ^ raw[1], raw[0] ^ raw[2]
    plain, enc1, enc2, out = key, raw[2], raw[1], bytearray()
    for byte in raw[3:]:
        plain = byte ^ ((enc2 + plain) & 0xFF)
        out.append(plain)
        enc2, enc1 = enc1, byte
    del out[:(seed & 6) // 2]  # ignored bytes
    assert int.from_bytes(out[:4], "little") == len(out) - 4
    return version, key, bytes(out[4:])


def test_project_protection_fields_decrypt_to_open_and_visible():
    ole = olefile.OleFileIO(project_bin())
    fields = dict(line.split("=", 1) for line in
                  ole.openstream("PROJECT").read().decode("cp1252").splitlines() if "=" in line)
    key = sum(fields["ID"].strip('"').encode()) & 0xFF
    assert decrypt(fields["CMG"].strip('"')) == (2, key, bytes(4))  # no protection
    assert decrypt(fields["DPB"].strip('"')) == (2, key, b"\0")      # no password
    assert decrypt(fields["GC"].strip('"')) == (2, key, b"\xff")     # visible


def test_project_is_deterministic():
    assert project_bin() == project_bin()
    assert build_sample_xlsm() == build_sample_xlsm()


def test_source_gets_crlf_and_a_final_line_end():
    text = stored_text("JbInfo")
    assert text.startswith('Attribute VB_Name = "JbInfo"\r\nOption Explicit\r\n')
    assert text.endswith("End Sub\r\n") and "\n" not in text.replace("\r\n", "")
    mixed = build_vba_project([VbaModule("M", "Sub A()\rEnd Sub\nSub B()\r\nEnd Sub")])
    ole = olefile.OleFileIO(mixed)
    assert decompress(ole.openstream("VBA/M").read()) == (
        b'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\nSub B()\r\nEnd Sub\r\n')


@pytest.mark.parametrize("modules, documents, message", [
    ([VbaModule("M", 'MsgBox "中心"')], ("ThisWorkbook",), "code page 1252"),
    ([VbaModule("M", 'Attribute VB_Name = "M"\nSub A()\nEnd Sub')], ("ThisWorkbook",),
     "header is generated"),
    ([VbaModule("1M", "")], ("ThisWorkbook",), "not a VBA identifier"),
    ([VbaModule("M", ""), VbaModule("m", "")], ("ThisWorkbook",), "used twice"),
    ([VbaModule("Sheet9", "", "document")], ("ThisWorkbook",), "not in document_modules"),
    ([VbaModule("Sheet1", "")], ("ThisWorkbook", "Sheet1"), "name of a document module"),
    ([VbaModule("M", "", "form")], ("ThisWorkbook",), "unknown kind"),
    ([], (), "at least the workbook"),
])
def test_bad_modules_are_rejected_clearly(modules, documents, message):
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules, document_modules=documents)


# --- the .xlsm package ----------------------------------------------------------------------

def test_sample_workbook_is_macro_enabled_with_a_ribbon(sample_xlsm):
    with zipfile.ZipFile(sample_xlsm) as package:
        assert package.namelist()[-1] == CUSTOM_UI_PART
        assert package.read(CUSTOM_UI_PART) == RIBBON
        rels = package.read("_rels/.rels").decode()
        assert f'Type="{UI_EXTENSIBILITY}" Target="{CUSTOM_UI_PART}"' in rels
        assert rels.count('Id="rId4"') == 1
        types = package.read("[Content_Types].xml").decode()
        assert '<Default Extension="xml" ContentType="application/xml"/>' in types
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert 'codeName="ThisWorkbook"' in package.read("xl/workbook.xml").decode()
        assert 'codeName="Sheet2"' in package.read("xl/worksheets/sheet2.xml").decode()
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in package.infolist())


def small_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)  # timestamped now
    return out.getvalue()


def test_add_custom_ui_adds_the_xml_content_type_when_missing():
    package = small_zip({
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"></Types>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId7" Type="x" Target="y"/>'
                       b'</Relationships>'})
    with zipfile.ZipFile(io.BytesIO(add_custom_ui(package, RIBBON))) as result:
        assert b'Extension="xml"' in result.read("[Content_Types].xml")
        assert b'Id="rId8"' in result.read("_rels/.rels")


@pytest.mark.parametrize("ui, message", [
    (b"<customUI", "not well-formed"),
    (b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"/>', "root must"),
])
def test_add_custom_ui_rejects_what_excel_would_ignore(ui, message):
    with pytest.raises(ValueError, match=message):
        add_custom_ui(build_sample_xlsm(), ui)


def test_add_custom_ui_refuses_a_second_ribbon():
    with pytest.raises(ValueError, match="already has"):
        add_custom_ui(build_sample_xlsm(), RIBBON)


def test_normalize_zip_keeps_order_and_content_and_fixes_times():
    members = {"z.xml": b"<z/>", "a.bin": bytes(range(256)), "m/n.txt": b"n" * 1000}
    first = normalize_zip(small_zip(members))
    assert first == normalize_zip(small_zip(members)) == normalize_zip(first)
    with zipfile.ZipFile(io.BytesIO(first)) as result:
        assert result.namelist() == list(members)
        assert {info.filename: result.read(info) for info in result.infolist()} == members
        assert {(i.date_time, i.compress_type) for i in result.infolist()} == {
            ((1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED)}
