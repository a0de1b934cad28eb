"""Write output files atomically: a reader never sees a half-written file, and a failed run
leaves the previous file in place. A failure is an :class:`OutputError` that names the file in
Chinese and says what to do — never the hidden temporary file or a Python exception name."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output file cannot be written; the message is for the user."""


def write_atomic(path: str | Path, data: bytes) -> Path:
    out = AtomicFile(path)
    try:
        out.handle.write(data)
    except BaseException as exc:  # Ctrl+C too: no hidden part left behind
        out.fail(exc)
    return out.commit()


def explain_write_error(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in the words a user can act on."""
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return f"无法写入“{path}”：这是一个文件夹，请给出文件名（如 分配结果.xlsx）"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"无法写入“{path}”：磁盘空间不足，请清理磁盘或换一个位置保存"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        if path.exists():
            return (f"无法写入“{path}”：文件可能正在 Excel 等程序中打开，或是只读文件；"
                    f"请关闭该文件或换一个文件名后重试")
        return f"无法写入“{path}”：没有在文件夹“{path.parent}”中写入文件的权限，请换一个位置保存"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError, FileExistsError)):
        return f"无法写入“{path}”：文件夹“{path.parent}”不存在且无法创建"
    return f"无法写入“{path}”：{exc.strerror or '写入失败'}"


class AtomicFile:
    """A file written beside ``path`` under a hidden temporary name and put in place by
    :meth:`commit` only — for outputs that are written as a stream and checked before they may
    replace anything (``--into``); :meth:`discard` leaves no trace. Failures are OutputError."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            if self.path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a directory", str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        except OSError as exc:
            raise OutputError(explain_write_error(self.path, exc)) from None
        self.temp = Path(temp)
        self.handle = os.fdopen(fd, "w+b")

    def commit(self) -> Path:
        try:
            if hasattr(os, "fchmod"):
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(self.handle.fileno(), 0o666 & ~umask)
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.temp, self.path)
        except BaseException as exc:
            self.fail(exc)
        return self.path

    def fail(self, exc: BaseException):
        """Discard, then raise: an OSError as the OutputError that says what to do."""
        self.discard()
        if isinstance(exc, OSError):
            raise OutputError(explain_write_error(self.path, exc)) from None
        raise exc

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self.temp.unlink(missing_ok=True)
