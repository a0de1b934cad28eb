"""Work that takes a while — reading a large workbook, LibreOffice printing a PDF, reading
金保 exports — runs in a thread while the page polls its progress by job id, so the browser never
waits on a silent request; at most as many such jobs at once as the computer has cores, the
others waiting their turn in order and saying their place; and the results they leave, kept in
memory by random id.
"""
from __future__ import annotations

import os
import secrets
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from ..io.atomic import OutputError
from ..office.libreoffice import LibreOfficeError, LibreOfficeMissing
from ..report.documents import NotFinal
from ..report.explain import UnknownCenter
from ..report.notices import NoticeLayoutError

# Results of each kind kept: the latest used, and any a tab still shows (it asks for its result
# every minute: IN_USE); past KEEP_RESULTS the least recently used go, or past RESULTS_MEMORY of
# them (a province-size workbook's result takes some 170 MB).
KEEP_RESULTS = 20
IN_USE = 150  # seconds since a result was last asked for
RESULTS_MEMORY = 2 * 1024 ** 3
KEEP_JOBS = 100  # small, and one still running must not be dropped for newer ones
T = TypeVar("T")


class Refused(Exception):
    """A failure the user can act on; its message is shown as it is."""


@dataclass
class Job:
    title: str
    message: str = "正在准备……"
    started: float = field(default_factory=time.monotonic)
    done: bool = False
    failure: str = ""
    target: str = ""  # the page to show once done, or the file made (download)
    download: str = ""  # the link's text when the job made a file to download
    back: str = "/"  # where the user came from

    def say(self, message: str) -> None:
        """What the job is doing now, as its progress shows it."""
        self.message = message.strip()

    def status(self) -> dict:
        return {"title": self.title, "message": self.message, "done": self.done,
                "failure": self.failure, "target": self.target,
                "elapsed": int(time.monotonic() - self.started)}


class Store:
    """Jobs and results by random id. Results go least recently used first, never one asked
    for in the last IN_USE seconds (a tab showing it); jobs go oldest first."""

    def __init__(self, keep: int = KEEP_RESULTS, memory: int = RESULTS_MEMORY):
        self.keep, self.memory = keep, memory
        self._kinds: dict[type, OrderedDict[str, list]] = {}  # id → [item, size, last used]
        self._lock = threading.Lock()

    def add(self, item, size: int = 0) -> str:
        """Keep ``item`` (``size``: about the memory it takes) under a new id."""
        key = secrets.token_urlsafe(9)
        with self._lock:
            items = self._kinds.setdefault(type(item), OrderedDict())
            items[key] = [item, size, time.monotonic()]
            if isinstance(item, Job):
                while len(items) > KEEP_JOBS:
                    items.popitem(last=False)
            else:
                self._evict(items)
        return key

    def _evict(self, items: OrderedDict) -> None:
        now = time.monotonic()
        while len(items) > self.keep or sum(size for _, size, _ in items.values()) > self.memory:
            idle = next((key for key, (_, _, used) in items.items() if now - used > IN_USE), None)
            if idle is None:  # every one is on a screen: keep them
                return
            del items[idle]

    def get(self, kind: type[T], key: str) -> T | None:
        """The item, now the most recently used of its kind."""
        with self._lock:
            items = self._kinds.get(kind, {})
            found = items.get(key)
            if found is None:
                return None
            found[2] = time.monotonic()
            items.move_to_end(key)
            return found[0]

    def touch(self, key: str) -> bool:
        """Mark the result ``key`` (of any kind) as on a screen; whether it is still kept."""
        with self._lock:
            for items in self._kinds.values():
                if key in items:
                    items[key][2] = time.monotonic()
                    items.move_to_end(key)
                    return True
        return False

    def pop(self, kind: type[T], key: str) -> T | None:
        with self._lock:
            found = self._kinds.get(kind, {}).pop(key, None)
            return None if found is None else found[0]


class Stopped(Exception):
    """The server is stopping: work that had not started will not."""


class Queue:
    """At most ``slots`` heavy jobs at once; the others wait in order of arrival, each job's
    message saying how many are ahead of it."""

    def __init__(self, slots: int | None = None):
        self.slots = max(1, slots or os.cpu_count() or 1)
        self._running = 0
        self._waiting: list[Job] = []
        self._turn = threading.Condition()
        self._closed = False

    @contextmanager
    def turn(self, job: Job) -> Iterator[None]:
        """Wait for a free slot (Stopped if the server stops meanwhile), then hold it."""
        with self._turn:
            self._waiting.append(job)
            while not self._closed and (self._running >= self.slots or self._waiting[0] is not job):
                self._tell()
                self._turn.wait()
            self._waiting.remove(job)
            if self._closed:
                raise Stopped("程序正在停止，这项任务没有开始。")
            self._running += 1
            self._turn.notify_all()  # the others move up
        try:
            yield
        finally:
            with self._turn:
                self._running -= 1
                self._turn.notify_all()

    def _tell(self) -> None:
        for place, job in enumerate(self._waiting):
            job.message = (f"排队中，前面还有 {self._running + place:,} 个任务"
                           f"（同时最多处理 {self.slots} 个）……")

    def close(self) -> None:
        """No job starts any more; those waiting end with Stopped."""
        with self._turn:
            self._closed = True
            self._turn.notify_all()


def start(store: Store, queue: Queue, job: Job, work: Callable[[Job], str],
          cleanup: Callable[[], None] | None, running: set[threading.Thread]) -> str:
    """Run ``work(job)`` in a thread once the queue gives it a turn — it sets ``job.message``
    as it goes and returns the page to show or the file made — then ``cleanup`` whatever
    happened; returns the job's id. The thread is in ``running`` while it runs (a clean stop
    waits for them)."""
    key = store.add(job)

    def run():
        try:
            with queue.turn(job):
                job.target = work(job)
        except Exception as exc:
            job.failure = failure_text(exc)
            job.target = f"/jobs/{key}"
        finally:
            if cleanup is not None:
                cleanup()
            job.done = True
            running.discard(thread)

    thread = threading.Thread(target=run, name=f"jbsys-job-{key}", daemon=True)
    running.add(thread)
    thread.start()
    return key


def failure_text(exc: Exception) -> str:
    """What the page says when work fails: the remedy where one is known, never a class name."""
    if isinstance(exc, (Refused, Stopped, UnknownCenter, OutputError, NotFinal)):
        return str(exc)
    if isinstance(exc, LibreOfficeMissing):
        return ("未找到 LibreOffice，无法生成 PDF。请安装 LibreOffice（统信UOS、麒麟可在应用商店安装；"
                "Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui）后重试。")
    if isinstance(exc, (LibreOfficeError, NoticeLayoutError)):
        return f"LibreOffice 未能生成文件：{exc}"
    if os.environ.get("JBSYS_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    return (f"意外错误：{exc}。请重试；如仍出错，请用 JBSYS_DEBUG=1 jbsys-xl serve 重新启动，"
            "把命令行窗口中的信息发给维护人员。")
