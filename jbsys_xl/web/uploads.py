"""Uploaded files, streamed straight into the server's private folder and nowhere else.

Starlette's own form parser spools large files to the system's shared temporary folder; the
exports hold names, ID numbers and phones, so they go only into the folder the server made
for itself (mode 0700), under their own file names — the import and the results name a file
as the user knows it (``导出.xlsx!明细!B7``), as the CLI does. A request larger than the limit
is refused, and what it had written is removed.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

FIELD_LIMIT = 10_000  # bytes of a text field (a year, a seed): anything longer is not ours
FALLBACK_NAME = "上传文件"
MAX_NAME_BYTES = 200  # under the 255 bytes every file system allows a name


class UploadTooLarge(Exception):
    """The request is larger than the server accepts."""


class BadUpload(Exception):
    """Not a form a page of ours sends."""


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)  # field → saved files, in order sent


def safe_name(name: str) -> str:
    """A file name that stays inside its folder on every system: no folders (old browsers send
    C:\\…\\x.xlsx), no characters Windows forbids, no leading dots; the extension kept."""
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r'[\x00-\x1f<>:"|?*]', "_", name).strip(" .")
    if len(name.encode()) > MAX_NAME_BYTES:  # file systems count bytes: an emoji is four
        suffix = _cut(Path(name).suffix, 20)
        name = _cut(name[:len(name) - len(Path(name).suffix)], MAX_NAME_BYTES - len(suffix.encode())) + suffix
    return name or FALLBACK_NAME


def _cut(text: str, size: int) -> str:
    """The longest start of ``text`` that takes at most ``size`` bytes in UTF-8."""
    return text.encode()[:size].decode("utf-8", "ignore")


def free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/2/name``… when a file of that name was already uploaded
    (two exports of one name from different folders): each keeps the name the user knows."""
    path, number = folder / name, 1
    while path.exists():
        number += 1
        path = folder / str(number) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class _Parts:
    """The parser's callbacks: one part at a time into a field value or an open file."""

    def __init__(self, folder: Path, form: Form):
        self.folder, self.form = folder, form
        self.header_name = self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.file = None
        self.path: Path | None = None
        self.value = bytearray()

    def on_part_begin(self):
        self.disposition, self.file, self.path, self.value = b"", None, None, bytearray()

    def on_header_field(self, data, start, end):
        self.header_name += data[start:end]

    def on_header_value(self, data, start, end):
        self.header_value += data[start:end]

    def on_header_end(self):
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self):
        _, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise BadUpload("表单字段缺少名称")
        self.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            filename = options[b"filename"].decode("utf-8", "replace")
            if filename:  # an empty file input sends a part without a name: nothing chosen
                self.path = free_path(self.folder, safe_name(filename))
                self.file = self.path.open("wb")

    def on_part_data(self, data, start, end):
        if self.file is not None:
            self.file.write(data[start:end])
        elif self.path is None:
            self.value += data[start:end]
            if len(self.value) > FIELD_LIMIT:
                raise BadUpload("表单字段过长")

    def on_part_end(self):
        if self.file is not None:
            self.file.close()
            self.file = None
            self.form.files.setdefault(self.name, []).append(self.path)
        elif self.path is None:
            self.form.fields[self.name] = self.value.decode("utf-8", "replace").strip()

    def close(self):
        if self.file is not None:
            self.file.close()


async def receive_form(request, folder: Path, limit: int) -> Form:
    """Read a multipart form into ``folder`` (created here); on any failure the folder is
    removed and UploadTooLarge or BadUpload raised."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload("不是文件上传表单")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise UploadTooLarge()
    folder.mkdir(mode=0o700, parents=True)
    form = Form()
    parts = _Parts(folder, form)
    parser = MultipartParser(options[b"boundary"], {
        "on_part_begin": parts.on_part_begin, "on_part_data": parts.on_part_data,
        "on_part_end": parts.on_part_end, "on_header_field": parts.on_header_field,
        "on_header_value": parts.on_header_value, "on_header_end": parts.on_header_end,
        "on_headers_finished": parts.on_headers_finished})
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise UploadTooLarge()
            parser.write(chunk)
        parser.finalize()
    except Exception as exc:  # too large, or a broken or cut-off request: nothing of it is kept
        parts.close()
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, (UploadTooLarge, BadUpload)):
            raise
        raise BadUpload("上传的数据不完整或格式不对") from exc
    return form
