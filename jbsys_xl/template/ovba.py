"""Write a VBA project (``vbaProject.bin``) from plain module source, following MS-OVBA.

Only source is stored: ``_VBA_PROJECT`` has version 0xFFFF and no performance cache, so Excel
compiles the modules from text when the workbook opens (what EPPlus does too). Everything is
derived from the input, so the same modules always give the same bytes.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

_CHUNK = 4096
_CODEPAGE = 1252
_ENCODING = "cp1252"


# --- MS-OVBA 2.4.1 compression --------------------------------------------------------------

def _copy_token_bits(position: int) -> int:
    """Offset bits of a copy token at ``position`` in its chunk (2.4.1.3.19.3, at least 4)."""
    return max((position - 1).bit_length(), 4)


def _compress_chunk(chunk: bytes) -> bytes:
    """One CompressedChunk (2.4.1.3.7); raw and zero-padded when tokens would not fit."""
    body = bytearray()
    heads: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions, for matching
    indexed = pos = 0
    end = len(chunk)
    full = False
    while pos < end and len(body) < _CHUNK and not full:
        flag_index = len(body)
        body.append(0)
        for bit in range(8):
            if pos >= end or len(body) >= _CHUNK:
                break
            while indexed < pos and indexed + 3 <= end:
                heads.setdefault(chunk[indexed:indexed + 3], []).append(indexed)
                indexed += 1
            offset, length = _longest_match(chunk, pos, heads)
            if not length:
                body.append(chunk[pos])
                pos += 1
            elif len(body) + 1 < _CHUNK:
                bits = _copy_token_bits(pos)
                token = ((offset - 1) << (16 - bits)) | (length - 3)
                body += token.to_bytes(2, "little")
                body[flag_index] |= 1 << bit
                pos += length
            else:
                full = True
                break
    if pos < end:
        return (0x3000 | (_CHUNK - 1)).to_bytes(2, "little") + chunk.ljust(_CHUNK, b"\0")
    return (0xB000 | (len(body) - 1)).to_bytes(2, "little") + bytes(body)


def _longest_match(chunk: bytes, pos: int, heads: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the copy token at ``pos`` per 2.4.1.3.19.4, or (0, 0).

    Like the spec's backward scan, the nearest of the longest candidates wins; only
    candidates sharing the next three bytes can reach the minimum length, so only those are
    compared.
    """
    room = len(chunk) - pos
    best = best_at = 0
    for candidate in reversed(heads.get(chunk[pos:pos + 3], ())):
        length = 3
        while length < room and chunk[candidate + length] == chunk[pos + length]:
            length += 1
        if length > best:
            best, best_at = length, candidate
            if length == room:
                break
    if best < 3:
        return 0, 0
    return pos - best_at, min(best, (0xFFFF >> _copy_token_bits(pos)) + 3)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (2.4.1.3.6).

    A final chunk that would not shrink is stored raw and, as the format demands, padded with
    zero bytes to 4096; source code, which always shrinks, never hits that case.
    """
    return b"\x01" + b"".join(
        _compress_chunk(data[start:start + _CHUNK]) for start in range(0, len(data), _CHUNK))


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1); ValueError if it is malformed."""
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container (first byte must be 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError(f"truncated chunk header at byte {pos}")
        header = int.from_bytes(data[pos:pos + 2], "little")
        if header >> 12 & 0b111 != 0b011:
            raise ValueError(f"bad chunk signature at byte {pos}")
        end = pos + (header & 0xFFF) + 3
        if end > len(data):
            raise ValueError(f"chunk at byte {pos} runs past the end of the data")
        if header & 0x8000:
            out += _decompress_chunk(data[pos + 2:end])
        elif end - pos == _CHUNK + 2:
            out += data[pos + 2:end]
        else:
            raise ValueError(f"raw chunk at byte {pos} is not {_CHUNK} bytes")
        pos = end
    return bytes(out)


def _decompress_chunk(body: bytes) -> bytes:
    """Token sequences of one compressed chunk (2.4.1.3.2)."""
    out = bytearray()
    pos = 0
    while pos < len(body):
        flags = body[pos]
        pos += 1
        for bit in range(8):
            if pos >= len(body):
                break
            if not flags >> bit & 1:
                out.append(body[pos])
                pos += 1
                continue
            if pos + 2 > len(body):
                raise ValueError("truncated copy token")
            token = int.from_bytes(body[pos:pos + 2], "little")
            pos += 2
            bits = _copy_token_bits(len(out))
            length = (token & (0xFFFF >> bits)) + 3
            offset = (token >> (16 - bits)) + 1
            if offset > len(out):
                raise ValueError("copy token points before the start of its chunk")
            source = out[len(out) - offset:]
            out += (source * (length // offset + 1))[:length]
    if len(out) > _CHUNK:
        raise ValueError(f"a chunk decompresses to more than {_CHUNK} bytes")
    return bytes(out)


# --- modules --------------------------------------------------------------------------------

ModuleKind = Literal["standard", "document", "class"]

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: ``source`` without ``Attribute VB_*`` header lines (they are generated)."""

    name: str
    source: str
    kind: ModuleKind = "standard"


def _attributes(module: VbaModule, base: str | None) -> list[str]:
    """The header lines Excel keeps at the top of a stored module."""
    lines = [f'Attribute VB_Name = "{module.name}"']
    if module.kind == "standard":
        return lines
    if base:
        lines.append(f'Attribute VB_Base = "{base}"')
    document = module.kind == "document"
    lines += [
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        f"Attribute VB_PredeclaredId = {document}",
        f"Attribute VB_Exposed = {document}",
    ]
    if document:
        lines += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return lines


def _stored_source(module: VbaModule, base: str | None) -> bytes:
    """Header plus code, CRLF line ends, code page 1252; ValueError for unencodable text."""
    code = module.source.replace("\r\n", "\n").replace("\r", "\n")
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if line.lstrip().lower().startswith("attribute vb_name"):
            raise ValueError(f"module {module.name}: line {number} has Attribute VB_Name; "
                             "give the code only, the header is generated")
        try:
            line.encode(_ENCODING)
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"module {module.name}: line {number} has {line[exc.start:exc.end]!r}, which "
                "code page 1252 cannot store; keep such text in Python or the sheets, or build "
                "it with ChrW()") from None
    return "".join(f"{line}\r\n" for line in _attributes(module, base) + lines).encode(_ENCODING)


def _ordered_modules(modules: Sequence[VbaModule],
                     document_modules: Sequence[str]) -> list[tuple[VbaModule, str | None]]:
    """Document modules first in host order (workbook, then sheets), each with its VB_Base."""
    seen: set[str] = set()
    for module in modules:
        if not _IDENTIFIER.match(module.name):
            raise ValueError(f"module name {module.name!r} is not a VBA identifier "
                             "(ASCII letter first, then letters, digits or _, at most 31)")
        if module.kind not in ("standard", "document", "class"):
            raise ValueError(f"module {module.name}: unknown kind {module.kind!r}")
        if module.name.lower() in seen:
            raise ValueError(f"module name {module.name!r} is used twice")
        seen.add(module.name.lower())
    given = {m.name.lower(): m for m in modules if m.kind == "document"}
    hosts = {name.lower() for name in document_modules}
    if unknown := sorted(name for name in given if name not in hosts):
        raise ValueError(f"document modules {unknown} are not in document_modules")
    if clash := sorted(m.name for m in modules if m.kind != "document" and m.name.lower() in hosts):
        raise ValueError(f"modules {clash} have the name of a document module")
    ordered = [
        (given.get(name.lower(), VbaModule(name, "", "document")),
         _WORKBOOK_BASE if index == 0 else _WORKSHEET_BASE)
        for index, name in enumerate(document_modules)
    ]
    ordered += [(m, None) for m in modules if m.kind != "document"]
    return ordered


# --- MS-OVBA 2.3.4.2 dir stream -------------------------------------------------------------

@dataclass(frozen=True)
class _Reference:
    name: str
    libid: str


REFERENCES = (
    _Reference("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
                         "C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
)
"""stdole only (version 2.0 binds whichever 2.x is installed). No Office type library: the
ribbon callbacks take ``control As Object`` instead of its IRibbonControl, so the project also
compiles where that library is missing or MISSING-marked (WPS, a broken Office install)."""


def _record(rid: int, payload: bytes = b"") -> bytes:
    return rid.to_bytes(2, "little") + len(payload).to_bytes(4, "little") + payload


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def _text_record(rid: int, unicode_rid: int, text: str) -> bytes:
    """A string record followed by its UTF-16 twin, the shape most dir strings take."""
    return _record(rid, text.encode(_ENCODING)) + _record(unicode_rid, text.encode("utf-16-le"))


def _dir_stream(project_name: str, modules: Iterable[VbaModule]) -> bytes:
    modules = list(modules)
    parts = [
        _record(0x0001, _u32(1)),            # PROJECTSYSKIND: 32-bit Windows
        _record(0x0002, _u32(0x409)),        # PROJECTLCID
        _record(0x0014, _u32(0x409)),        # PROJECTLCIDINVOKE
        _record(0x0003, _u16(_CODEPAGE)),    # PROJECTCODEPAGE
        _record(0x0004, project_name.encode(_ENCODING)),  # PROJECTNAME
        _text_record(0x0005, 0x0040, ""),    # PROJECTDOCSTRING
        _text_record(0x0006, 0x003D, ""),    # PROJECTHELPFILEPATH
        _record(0x0007, _u32(0)),            # PROJECTHELPCONTEXT
        _record(0x0008, _u32(0)),            # PROJECTLIBFLAGS
        _u16(0x0009) + _u32(4) + _u32(1) + _u16(0),  # PROJECTVERSION 1.0
        _text_record(0x000C, 0x003C, ""),    # PROJECTCONSTANTS
    ]
    for ref in REFERENCES:
        libid = ref.libid.encode(_ENCODING)
        parts += [
            _text_record(0x0016, 0x003E, ref.name),  # REFERENCENAME
            _record(0x000D, _u32(len(libid)) + libid + _u32(0) + _u16(0)),  # REFERENCEREGISTERED
        ]
    parts += [_record(0x000F, _u16(len(modules))), _record(0x0013, _u16(0xFFFF))]
    for module in modules:
        parts += [
            _record(0x0019, module.name.encode(_ENCODING)),          # MODULENAME
            _record(0x0047, module.name.encode("utf-16-le")),        # MODULENAMEUNICODE
            _text_record(0x001A, 0x0032, module.name),               # MODULESTREAMNAME
            _text_record(0x001C, 0x0048, ""),                        # MODULEDOCSTRING
            _record(0x0031, _u32(0)),         # MODULEOFFSET: source starts the stream
            _record(0x001E, _u32(0)),         # MODULEHELPCONTEXT
            _record(0x002C, _u16(0xFFFF)),    # MODULECOOKIE
            _record(0x0021 if module.kind == "standard" else 0x0022),  # MODULETYPE
            _record(0x002B),                  # module terminator
        ]
    parts.append(_record(0x0010))             # dir terminator
    return b"".join(parts)


# --- MS-OVBA 2.3.1 PROJECT stream -----------------------------------------------------------

def _encrypt(project_id: str, data: bytes, seed: int) -> str:
    """Data Encryption (2.4.3) with a fixed seed and zero ignored bytes, for stable output."""
    key = sum(project_id.encode(_ENCODING)) & 0xFF
    out = [seed, seed ^ 2, seed ^ key]
    plain1, enc1, enc2 = key, seed ^ key, seed ^ 2
    for byte in bytes((seed & 6) // 2) + len(data).to_bytes(4, "little") + data:
        enc = byte ^ ((enc2 + plain1) & 0xFF)
        out.append(enc)
        enc2, enc1, plain1 = enc1, enc, byte
    return bytes(out).hex().upper()


_NO_PASSWORD = b"\x00"
_VISIBLE = b"\xff"


def _project_stream(project_name: str, project_id: str, modules: Iterable[VbaModule]) -> bytes:
    key = {"document": "Document", "standard": "Module", "class": "Class"}
    lines = [f'ID="{project_id}"']
    lines += [f"{key[m.kind]}={m.name}" + ("/&H00000000" if m.kind == "document" else "")
              for m in modules]
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypt(project_id, _u32(0), 0x21)}"',   # not protected
        f'DPB="{_encrypt(project_id, _NO_PASSWORD, 0x43)}"',
        f'GC="{_encrypt(project_id, _VISIBLE, 0x65)}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
    ]
    return "\r\n".join(lines).encode(_ENCODING)


def _project_wm(modules: Iterable[VbaModule]) -> bytes:
    """PROJECTwm (2.3.3): each module name in MBCS and UTF-16."""
    return b"".join(m.name.encode(_ENCODING) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
                    for m in modules) + b"\0\0"


# --- MS-CFB version 3 compound file ---------------------------------------------------------

_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5

Storage = dict[str, "bytes | Storage"]


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    left: int = _NO_STREAM
    right: int = _NO_STREAM
    child: int = _NO_STREAM
    red: bool = False
    start: int = _END_OF_CHAIN

    def pack(self) -> bytes:
        name = self.name.encode("utf-16-le") + b"\0\0"
        start = self.start if self.kind != _STORAGE else 0
        return (name.ljust(64, b"\0") + _u16(len(name)) + bytes((self.kind, 0 if self.red else 1))
                + _u32(self.left) + _u32(self.right) + _u32(self.child)
                + bytes(16 + 4 + 16)  # CLSID, state bits, creation and modification times
                + _u32(start) + _u32(len(self.data)) + _u32(0))


_UNUSED_ENTRY = bytes(64 + 2 + 2) + _u32(_NO_STREAM) * 3 + bytes(128 - 80)


def _flatten(storage: Storage, entries: list[_Entry]) -> int:
    """Append ``storage``'s children to ``entries``; return the root of their sibling tree.

    Siblings form a binary search tree in CFB order (shorter name first, then upper-cased),
    built balanced and coloured so that it is a valid red-black tree.
    """
    ids = []
    for name in sorted(storage, key=lambda n: (len(n), n.upper())):
        if not 0 < len(name) <= 31 or any(c in name for c in "/\\:!"):
            raise ValueError(f"compound file entry name {name!r} is not allowed")
        content = storage[name]
        entries.append(_Entry(name, _STORAGE if isinstance(content, dict) else _STREAM,
                              b"" if isinstance(content, dict) else bytes(content)))
        ids.append(len(entries) - 1)
        if isinstance(content, dict):
            entries[ids[-1]].child = _flatten(content, entries)
    return _sibling_tree(entries, ids, 0, (len(ids) + 1).bit_length() - 1)


def _sibling_tree(entries: list[_Entry], ids: list[int], depth: int, full_levels: int) -> int:
    """Median-split tree: levels above ``full_levels`` are full, nodes on the last one are red."""
    if not ids:
        return _NO_STREAM
    middle = len(ids) // 2
    node = entries[ids[middle]]
    node.left = _sibling_tree(entries, ids[:middle], depth + 1, full_levels)
    node.right = _sibling_tree(entries, ids[middle + 1:], depth + 1, full_levels)
    node.red = depth >= full_levels
    return ids[middle]


def _pad(data: bytes, size: int) -> bytes:
    return data + bytes(-len(data) % size)


def build_compound_file(root: Storage) -> bytes:
    """A CFB v3 file of ``root`` (nested dicts of storages, bytes for streams).

    Streams under 4096 bytes live in the mini stream. CLSIDs and timestamps are zero, so the
    output depends on the input alone.
    """
    entries = [_Entry("Root Entry", _ROOT)]
    entries[0].child = _flatten(root, entries)
    sectors = bytearray()
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = -(-len(data) // _SECTOR)
        if not count:
            return _END_OF_CHAIN
        start = len(fat)
        fat.extend(range(start + 1, start + count))
        fat.append(_END_OF_CHAIN)
        sectors.extend(_pad(data, _SECTOR))
        return start

    mini = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind == _STREAM and len(entry.data) < _MINI_CUTOFF and entry.data:
            entry.start = len(mini_fat)
            count = -(-len(entry.data) // _MINI_SECTOR)
            mini_fat.extend(range(entry.start + 1, entry.start + count))
            mini_fat.append(_END_OF_CHAIN)
            mini += _pad(entry.data, _MINI_SECTOR)
    entries[0].data = bytes(mini)
    entries[0].start = place(entries[0].data)
    for entry in entries:
        if entry.kind == _STREAM and len(entry.data) >= _MINI_CUTOFF:
            entry.start = place(entry.data)
    directory = b"".join(entry.pack() for entry in entries)
    directory_start = place(directory + _UNUSED_ENTRY * (-len(entries) % 4))
    mini_fat_bytes = b"".join(map(_u32, mini_fat + [_FREE] * (-len(mini_fat) % 128)))
    mini_fat_start = place(mini_fat_bytes)

    fat_count = 1
    while len(fat) + fat_count > fat_count * 128:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("compound file too large for a header-only DIFAT (about 7 MB)")
    fat_start = len(fat)
    fat += [_FAT_SECTOR] * fat_count
    fat += [_FREE] * (fat_count * 128 - len(fat))
    difat = list(range(fat_start, fat_start + fat_count)) + [_FREE] * (109 - fat_count)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + _u16(0x3E) + _u16(3) + _u16(0xFFFE) + _u16(9) + _u16(6) + bytes(6)
              + _u32(0) + _u32(fat_count) + _u32(directory_start) + _u32(0)
              + _u32(_MINI_CUTOFF) + _u32(mini_fat_start) + _u32(len(mini_fat_bytes) // _SECTOR)
              + _u32(_END_OF_CHAIN) + _u32(0) + b"".join(map(_u32, difat)))
    return header + bytes(sectors) + b"".join(map(_u32, fat))


def build_vba_project(modules: Sequence[VbaModule], project_name: str = "VBAProject",
                      document_modules: Sequence[str] = ("ThisWorkbook", "Sheet1")) -> bytes:
    """Return a complete ``vbaProject.bin``.

    ``document_modules`` are the host's codenames: the workbook first, then each sheet in order;
    every one gets a document module (empty unless ``modules`` has one of that name with code).
    They must match ``set_vba_name`` in XlsxWriter, or Excel will not tie them to the sheets.
    """
    if not _IDENTIFIER.match(project_name):
        raise ValueError(f"project name {project_name!r} is not a VBA identifier")
    if not document_modules:
        raise ValueError("document_modules needs at least the workbook's codename")
    ordered = _ordered_modules(modules, document_modules)
    flat = [module for module, _ in ordered]
    project_id = "{%s}" % str(uuid.uuid5(uuid.NAMESPACE_URL, f"jbsys-xl:{project_name}")).upper()
    vba = {"dir": compress(_dir_stream(project_name, flat)),
           "_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00"}
    vba.update((m.name, compress(_stored_source(m, base))) for m, base in ordered)
    return build_compound_file({
        "PROJECT": _project_stream(project_name, project_id, flat),
        "PROJECTwm": _project_wm(flat),
        "VBA": vba,
    })
