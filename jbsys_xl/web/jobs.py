"""Work that takes a while — reading a large workbook, LibreOffice printing a PDF, reading
金保 exports — runs in a thread while the page polls its progress by job id, so the browser never
waits on a silent request; and the results it leaves, kept in memory by random id.
"""
from __future__ import annotations

import os
import secrets
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..io.atomic import OutputError
from ..office.libreoffice import LibreOfficeError, LibreOfficeMissing
from ..report.documents import NotFinal
from ..report.explain import UnknownCenter
from ..report.notices import NoticeLayoutError

KEEP_RESULTS = 3  # of each kind: a result holds a whole workbook's data in memory
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

    def status(self) -> dict:
        return {"title": self.title, "message": self.message, "done": self.done,
                "failure": self.failure, "target": self.target,
                "elapsed": int(time.monotonic() - self.started)}


class Store:
    """Jobs and results by random id; only the latest few of each kind stay."""

    def __init__(self, keep: int = KEEP_RESULTS):
        self.keep = keep
        self._kinds: dict[type, OrderedDict[str, object]] = {}
        self._lock = threading.Lock()

    def add(self, item) -> str:
        key = secrets.token_urlsafe(9)
        with self._lock:
            items = self._kinds.setdefault(type(item), OrderedDict())
            items[key] = item
            while len(items) > (KEEP_JOBS if isinstance(item, Job) else self.keep):
                items.popitem(last=False)
        return key

    def get(self, kind: type[T], key: str) -> T | None:
        with self._lock:
            return self._kinds.get(kind, {}).get(key)

    def pop(self, kind: type[T], key: str) -> T | None:
        with self._lock:
            return self._kinds.get(kind, {}).pop(key, None)


def start(store: Store, job: Job, work: Callable[[Job], str],
          cleanup: Callable[[], None] | None = None) -> str:
    """Run ``work(job)`` in a thread — it sets ``job.message`` as it goes and returns the page to
    show or the file made — then ``cleanup`` whatever happened; returns the job's id."""
    key = store.add(job)

    def run():
        try:
            job.target = work(job)
        except Exception as exc:
            job.failure = failure_text(exc)
            job.target = f"/jobs/{key}"
        finally:
            if cleanup is not None:
                cleanup()
            job.done = True

    threading.Thread(target=run, name=f"jbsys-job-{key}", daemon=True).start()
    return key


def failure_text(exc: Exception) -> str:
    """What the page says when work fails: the remedy where one is known, never a class name."""
    if isinstance(exc, (Refused, UnknownCenter, OutputError, NotFinal)):
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
