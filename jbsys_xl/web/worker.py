"""Uploads are read in a child process with a memory cap (documents.md §8, v4: any file).

A crafted or damaged file can make a reader library allocate without bound or abort the whole
process (calamine's Rust aborts on a failed allocation). So the page never reads an upload
itself: each reading (the allocation check, the 金保 import, the callback draw) runs in a fresh
child process whose memory is capped, and only its result — plain picklable data — comes back
through a pipe. Whatever the child does (abort, out of memory, killed, too slow), the server
gets a :class:`WorkerFailed` with a Chinese message, stays up, and the job's cleanup removes the
upload.

The cap: on Linux and other POSIX systems ``RLIMIT_AS`` (the child's address space; Arrow's
allocator is switched to the system one and glibc's arenas limited, so the address space
follows the memory used: a fresh child takes about 0.4 GB of the 2 GB, the province-size
workbook peaks under 1 GB); on Windows a Job Object limiting the child's committed memory
(where Windows refuses one, e.g. a Windows 7 process already in a job, only the timeout holds).

Children fork from a fork server that has the readers imported (POSIX; about 10 ms a job once
it runs); Windows spawns each child (about a second of imports).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .jobs import Refused, failure_text

TIMEOUT = 15 * 60  # seconds a reading may take: the province-size workbook takes 10
# Imported once by the fork server, so that each child starts with the readers loaded.
PRELOAD = ["jbsys_xl.web.allocation", "jbsys_xl.web.jinbao", "python_calamine", "fastexcel", "pyarrow"]
# The child's allocators: the address space then follows the memory used (see above).
CHILD_ENVIRONMENT = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2"}
GB = 1024 ** 3


class WorkerFailed(Refused):
    """The reading did not end with a result; the message says so in Chinese."""


def memory_text(limit: int) -> str:
    return f"{limit / GB:g} GB"


class Workers:
    """The child processes reading uploads: each started for one task, watched, and ended when
    the server stops."""

    def __init__(self, limit: int, scratch: Path, timeout: float = TIMEOUT):
        self.limit, self.scratch, self.timeout = limit, scratch, timeout
        self._context = _context()
        self._running: set = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the fork server now (where there is one), not on the first upload."""
        if self._context.get_start_method() == "forkserver":
            with _environment(CHILD_ENVIRONMENT):
                self._context.set_forkserver_preload(PRELOAD)
                from multiprocessing import forkserver

                forkserver.ensure_running()

    def call(self, task: Callable, *args, what: str, progress: Callable[[str], None]) -> tuple[object, int]:
        """``task(*args, progress=…)`` in a child process: its result and the bytes it came
        in (about the memory it takes), or WorkerFailed. ``what`` names the file(s) read."""
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, name="jbsys-worker", daemon=True,
                                        args=(sender, task, args, self.limit, str(self.scratch)))
        with self._lock:
            if self._closed:
                raise WorkerFailed("程序正在停止，未读取。")
            process.start()
            self._running.add(process)
        sender.close()
        try:
            return self._wait(process, receiver, what, progress)
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            receiver.close()
            with self._lock:
                self._running.discard(process)

    def _wait(self, process, receiver, what: str, progress: Callable[[str], None]):
        deadline = time.monotonic() + self.timeout
        while True:
            if receiver.poll(0.25):
                try:
                    data = receiver.recv_bytes()
                except EOFError:  # the child ended without a word: it died
                    break
                kind, value = pickle.loads(data)
                if kind == "progress":
                    progress(value)
                elif kind == "done":
                    return value, len(data)
                elif kind == "memory":
                    raise WorkerFailed(f"读取{what}需要的内存超过上限 {memory_text(self.limit)}，已停止；"
                                       f"上传的文件已删除。{CAUSES}")
                else:
                    raise WorkerFailed(value)
            elif not process.is_alive() and not receiver.poll():
                break
            if time.monotonic() > deadline:
                process.kill()
                raise WorkerFailed(f"读取{what}超过 {_duration(self.timeout)}仍未完成，已停止；上传的文件已删除。"
                                   f"{CAUSES}")
        process.join(5)
        if self._closed:
            raise WorkerFailed("程序正在停止，未读取完。")
        raise WorkerFailed(f"读取{what}时读取进程意外退出（{_ending(process.exitcode)}，可能是需要的内存超过上限 "
                           f"{memory_text(self.limit)}），已停止；上传的文件已删除。{CAUSES}")

    def close(self) -> None:
        """End every child now (the server is stopping); later calls are refused."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for process in running:
            if process.is_alive():
                process.kill()


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} 分钟" if seconds >= 60 else f"{seconds:g} 秒"


def _ending(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"信号 {signal.Signals(-code).name}"
        except ValueError:
            return f"信号 {-code}"
    return f"退出代码 {code}"


CAUSES = ("文件可能已损坏（如表格之外很远的单元格里误输入了内容），或数据过多：请用 Excel 或 WPS 打开检查，"
          "删除多余的内容后另存再试。")


def _child(sender, task: Callable, args: tuple, limit: int, scratch: str) -> None:
    """The child's whole life: cap its memory, run the task, send back what came of it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the terminal: the server ends us
    if not os.environ.get("JBSYS_DEBUG"):  # a library's dying words may quote the file
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
    os.environ.update(CHILD_ENVIRONMENT)
    tempfile.tempdir = scratch
    _limit_memory(limit)
    try:
        result = task(*args, progress=lambda text: sender.send(("progress", text)))
        sender.send(("done", result))
    except MemoryError:
        sender.send(("memory", None))
    except Exception as exc:
        sender.send(("failed", failure_text(exc)))


def _limit_memory(limit: int) -> None:
    if sys.platform == "win32":
        _windows_job(limit)
        return
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a system that refuses it (macOS): the timeout still holds
        pass


def _windows_job(limit: int) -> bool:
    """Put this process into a new Job Object whose processes may commit at most ``limit``
    bytes; the handle stays open as long as the process lives, and the limit with it."""
    import ctypes
    from ctypes import wintypes

    class Basic(ctypes.Structure):  # JOBOBJECT_BASIC_LIMIT_INFORMATION
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD)]

    class Extended(ctypes.Structure):  # JOBOBJECT_EXTENDED_LIMIT_INFORMATION
        _fields_ = [("BasicLimitInformation", Basic), ("IoInfo", ctypes.c_uint64 * 6),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.CreateJobObjectW.argtypes = (ctypes.c_void_p, wintypes.LPCWSTR)
    kernel32.SetInformationJobObject.argtypes = (wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD)
    kernel32.AssignProcessToJobObject.argtypes = (wintypes.HANDLE, wintypes.HANDLE)
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return False
    info = Extended()
    info.BasicLimitInformation.LimitFlags = 0x100  # JOB_OBJECT_LIMIT_PROCESS_MEMORY
    info.ProcessMemoryLimit = limit
    extended_limit_information = 9  # JobObjectExtendedLimitInformation
    return bool(kernel32.SetInformationJobObject(job, extended_limit_information, ctypes.byref(info),
                                                 ctypes.sizeof(info))
                and kernel32.AssignProcessToJobObject(job, kernel32.GetCurrentProcess()))


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in the environment while the fork server starts (it passes them to every
    child), and the server's own environment as it was afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
