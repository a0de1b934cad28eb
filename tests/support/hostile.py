"""Hostile and damaged spreadsheet files, made as an attacker or a broken program makes them, and
the CLI run on them in a child process whose memory is capped (documents.md §8 v4: no file may
crash the process or exhaust memory).

Each file starts from a real .xlsx and changes its package: a value far outside the table (the
XML a stray keystroke in XFD1048576 leaves), a row numbered beyond Excel's, a part inflating a
thousand-fold with the zip directory telling the truth or lying, a document type defining
entities that expand exponentially (billion laughs)."""
from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from jbsys_xl.io.bounds import sheet_parts

MEMORY_CAP = 1_500_000_000  # bytes of address space for the child: a 512 GiB allocation aborts it


def run_capped(*args: str, cap: int = MEMORY_CAP, timeout: float = 600) -> subprocess.CompletedProcess:
    """``jbsys-xl ARGS`` in a child process limited to ``cap`` bytes of address space (Linux
    RLIMIT_AS): a reader that tried to allocate a sheet's claimed rectangle would abort the
    child (exit 134, a Rust backtrace) rather than the machine."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "jbsys_xl.cli", *args], capture_output=True, text=True,
                          preexec_fn=limit, timeout=timeout, env=env)


# --- raw package surgery ---------------------------------------------------------------------

@dataclass
class Member:
    name: str
    data: bytes  # as stored (compressed unless method is 0)
    crc: int
    size: int  # the uncompressed size the directory declares
    method: int = zipfile.ZIP_DEFLATED


def members(source: Path) -> list[Member]:
    """The parts of a zip package, each as stored (compressed bytes, not re-compressed)."""
    data = source.read_bytes()
    found = []
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + name_length + extra_length
            found.append(Member(info.filename, data[start:start + info.compress_size], info.CRC,
                                info.file_size, info.compress_type))
    return found


def write_members(path: Path, parts: list[Member]) -> Path:
    """A zip file of exactly these stored parts and declared sizes (zipfile would recompute them)."""
    out, directory = bytearray(), bytearray()
    for part in parts:
        name = part.name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, part.method, 0, 0x21, part.crc,
                           len(part.data), part.size, len(name), 0) + name + part.data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, part.method, 0, 0x21,
                                 part.crc, len(part.data), part.size, len(name), 0, 0, 0, 0, 0, offset) + name
    out += directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory),
                                   len(out), 0)
    path.write_bytes(bytes(out))
    return path


def deflated(text: bytes) -> Member:
    return Member("", zlib.compress(text, 9)[2:-4], zlib.crc32(text), len(text))


def replaced(source: Path, path: Path, part: str, change) -> Path:
    """A copy of the package with one part's XML changed by ``change(bytes) -> bytes``."""
    parts = members(source)
    with zipfile.ZipFile(source) as archive:
        text = change(archive.read(part))
    for index, member in enumerate(parts):
        if member.name == part:
            new = deflated(text)
            new.name = part
            parts[index] = new
    return write_members(path, parts)


def sheet_part(source: Path, sheet: str) -> str:
    with zipfile.ZipFile(source) as archive:
        return sheet_parts(archive)[sheet]


# --- the hostile files -------------------------------------------------------------------------

def with_cell(source: Path, path: Path, sheet: str, ref: str, text: str = ".") -> Path:
    """The package with one inline-string cell at ``ref`` on ``sheet``, in a row of its own after
    the others — what Excel writes for a value typed into a far cell."""
    row = re.fullmatch(r"[A-Z]+(\d+)", ref).group(1)
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'.encode()

    def add(xml: bytes) -> bytes:
        if b"<sheetData/>" in xml:
            return xml.replace(b"<sheetData/>", b"<sheetData>" + cell + b"</sheetData>")
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    return replaced(source, path, sheet_part(source, sheet), add)


def billion_laughs(source: Path, path: Path, part: str = "xl/workbook.xml") -> Path:
    """The part with a document type whose entities expand to 10⁹ copies of "lol", used in it."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))

    def laugh(xml: bytes) -> bytes:
        declaration, rest = xml.split(b"?>", 1)
        root = re.match(rb"\s*<([\w:]+)", rest).group(1).decode()
        doctype = f"<!DOCTYPE {root} [{entities}]>".encode()
        closing = f"</{root}>".encode()
        return declaration + b"?>" + doctype + rest.replace(closing, b"<laugh>&lol9;</laugh>" + closing, 1)

    return replaced(source, path, part, laugh)


def bomb(source: Path, path: Path, part: str, inflated: int = 1_500_000_000, declared: int | None = None,
         before: bytes = b"", after: bytes = b"") -> Path:
    """The package with ``part`` replaced by ``before`` + ``inflated`` spaces + ``after``: a deflate
    stream of independent blocks, each 16 MiB of spaces in 16 KB, repeated — a zip bomb of a few
    MB. ``declared``: the size the directory states (default: the truth)."""
    block = 1 << 24
    spaces = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = spaces.compress(b" " * block) + spaces.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(inflated, block)
    pieces = [_raw(before, final=False), one * count, _raw(b" " * rest + after, final=True)]
    crc = zlib.crc32(before)
    filler = b" " * block
    for _ in range(count):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(b" " * rest + after, crc)
    size = len(before) + inflated + len(after)
    parts = [member for member in members(source) if member.name != part]
    parts.append(Member(part, b"".join(pieces), crc, size if declared is None else declared))
    return write_members(path, parts)


def _raw(data: bytes, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


SHARED_STRINGS_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                       b'uniqueCount="1"><si><t>')
SHARED_STRINGS_TAIL = b"</t></si></sst>"
