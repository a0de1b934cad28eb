"""What a file is by its first bytes when it is no spreadsheet, in the words a message names it
by: a wrong file is named for what it is (documents.md §8; 金保 contract §1)."""
from __future__ import annotations

SIGNATURES = ((b"%PDF", "PDF 文件"), (b"\x89PNG", "图片"), (b"\xff\xd8\xff", "图片"), (b"GIF8", "图片"),
              (b"Rar!", "压缩包（rar）"), (b"7z\xbc\xaf", "压缩包（7z）"), (b"{\\rtf", "RTF 文档"))


def other_kind(data: bytes) -> str | None:
    """What a file that is no spreadsheet is, by its first bytes; None when not known."""
    for magic, kind in SIGNATURES:
        if data.startswith(magic):
            return kind
    return None
