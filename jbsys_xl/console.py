"""What every command does the same way: exit codes, checks on stderr, and outputs that never
overwrite an input and fail in words a user can act on. Shared by the allocation commands
(:mod:`jbsys_xl.cli`) and the 金保 ones (:mod:`jbsys_xl.jinbao.cli`)."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .io.atomic import OutputError, write_atomic
from .io.reader import created_by_tool
from .model import Check, problem_count

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2
EXIT_CANCELLED = 130  # what a shell reports for a program stopped by Ctrl+C (128 + SIGINT)
CANCELLED = "已取消"
WARNINGS_SHOWN = 20  # more would push what a command printed last off the screen
XLSX = ".xlsx"
WORKBOOKS = (XLSX, ".xlsm")  # what an import skips when found among the exports


def print_checks(checks: Sequence[Check], where_all: str) -> None:
    """Warnings summarised (their count, the first WARNINGS_SHOWN, where to find the rest),
    then every error: errors come last so they are what stays on screen."""
    out = sys.stderr
    warnings = [c for c in checks if c.level == "warning"]
    if warnings:
        print(f"警告 {problem_count(warnings):,} 个：", file=out)
        for check in warnings[:WARNINGS_SHOWN]:
            print(f"  警告 {check}", file=out)
        if len(warnings) > WARNINGS_SHOWN:
            print(f"  ……另有 {len(warnings) - WARNINGS_SHOWN:,} 条警告未显示，{where_all}", file=out)
    for check in checks:
        if check.level == "error":
            print(f"错误 {check}", file=out)


def refuse(checks: Sequence[Check], what: str, where_all: str) -> int:
    """Print the checks of a run that found errors; exit code 2."""
    print_checks(checks, where_all)
    errors = problem_count(c for c in checks if c.level == "error")
    print(f"发现 {errors:,} 个错误，{what}。", file=sys.stderr)
    return EXIT_INVALID


def fail(message: str, code: int = EXIT_INVALID) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return code


def output_problem(path: Path, inputs: Iterable[Path], label: str, suffix: str | None = None,
                   exports: Iterable[Path] = (), why: str = "（Excel 2007 及以后的工作簿格式）") -> str | None:
    """Why an output path cannot be used, or None. ``inputs`` are never written to nor into;
    ``exports`` (金保 files or folders) are never overwritten, but a workbook may be written
    into an exports folder — the next import skips it as ours or as an allocation workbook (so
    ``import 工作簿 文件夹`` works with the workbook kept among the exports, its default output
    beside it). ``why`` says why ``suffix`` is the one wanted."""
    if path.is_dir():
        return f"{label}“{path}”是一个文件夹，请给出文件名"
    if suffix and path.suffix.lower() != suffix:
        return f"{label}“{path}”的扩展名应为 {suffix}{why}"
    for source in inputs:
        if is_input(path, source):
            return f"{label}“{path}”就是输入文件“{source}”或在其中，写入会覆盖原始数据；请换一个文件名"
    for source in exports:
        if not source.is_dir():
            if is_input(path, source):
                return f"{label}“{path}”就是要导入的金保导出文件“{source}”，写入会覆盖原始数据；请换一个文件名"
        elif is_input(path, source):
            if suffix not in WORKBOOKS:
                return (f"{label}“{path}”在导出文件夹“{source}”中，下次导入时会被当作导出文件读取；"
                        f"请写到文件夹外")
            if path.exists() and not created_by_tool(path.read_bytes()):
                return (f"{label}“{path}”是导出文件夹“{source}”中已有的文件（不是本程序生成的），"
                        f"写入会覆盖它；请换一个文件名")
    return None


def first_problem(outputs: Iterable[tuple[str | None, str, str | None]],
                  inputs: Iterable[Path], exports: Iterable[Path] = ()) -> str | None:
    """The first problem of the (path, label, suffix) outputs given, skipping those not given."""
    inputs, exports = list(inputs), list(exports)
    for path, label, suffix in outputs:
        if path and (problem := output_problem(Path(path), inputs, label, suffix, exports)):
            return problem
    return None


def unexpected(exc: BaseException) -> str:
    """A failure no check foresaw, said without Python's class names: what a user can do."""
    if isinstance(exc, MemoryError):
        return "内存不足：文件太大，或同时运行的程序太多；请关闭其他程序后重试"
    if isinstance(exc, OSError):
        where = f"“{exc.filename}”" if exc.filename else ""
        return f"无法读写文件{where}（{exc.strerror or '系统错误'}）"
    detail = f"（{exc}）" if str(exc) else ""
    return (f"程序内部出错{detail}。请把所用的文件和这条信息发给维护人员；"
            f"设置环境变量 JBSYS_DEBUG=1 后重新运行可以看到详细信息")


def is_input(path: Path, source: Path) -> bool:
    """Whether writing ``path`` would overwrite an input: the input file itself (by any path,
    links included) or a file inside an input folder."""
    target = path.resolve()
    if source.is_dir():
        return source.resolve() in target.parents
    if target == source.resolve():
        return True
    try:
        return path.exists() and source.exists() and os.path.samefile(path, source)
    except OSError:
        return False


def write_output(path: str | Path, data: bytes) -> str | None:
    """Write atomically; when that cannot be done, the reason (in Chinese, also printed)."""
    try:
        write_atomic(path, data)
    except OutputError as exc:
        fail(str(exc), EXIT_FAILURE)
        return str(exc)
    return None
