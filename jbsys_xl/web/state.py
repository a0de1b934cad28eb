"""What every endpoint shares: the server's state, the posted form, a file sent back."""
from __future__ import annotations

import mimetypes
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ..office import libreoffice
from . import pages
from .command import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_UPLOAD_MB
from .guard import TOKEN, Access
from .jobs import Job, Queue, Store, start
from .uploads import BadUpload, Form, UploadTooLarge, receive_form
from .worker import Workers

DEFAULT_MAX_UPLOAD = DEFAULT_MAX_UPLOAD_MB * pages.MB
DEFAULT_MAX_MEMORY = DEFAULT_MAX_MEMORY_MB * pages.MB


@dataclass
class State:
    access: Access
    folder: Path  # private (0700), removed when the server stops
    max_upload: int = DEFAULT_MAX_UPLOAD
    max_memory: int = DEFAULT_MAX_MEMORY  # of each child process reading an upload
    store: Store = field(default_factory=Store)
    queue: Queue = field(default_factory=Queue)
    workers: Workers = field(init=False)
    running: set[threading.Thread] = field(default_factory=set)  # the jobs' threads

    def __post_init__(self):
        self.workers = Workers(self.max_memory, self.folder)

    def action(self, path: str) -> str:
        """The URL to POST to the app's ``path``: changes carry the token in the URL, not only
        in a cookie."""
        return f"{pages.url(path)}?{TOKEN}={self.access.token}"

    def start(self, job: Job, work: Callable[[Job], str], cleanup: Callable[[], None] | None = None) -> str:
        """Run ``work`` as a job, in its turn in the queue (:func:`.jobs.start`); the job's id."""
        return start(self.store, self.queue, job, work, cleanup, self.running)

    def close(self, wait: float = 10) -> None:
        """The server is stopping: no job starts, the processes working for jobs (readers,
        LibreOffice) end now, and the jobs' threads (which remove their uploads) are given
        ``wait`` seconds to end."""
        self.queue.close()
        self.workers.close()
        libreoffice.stop_all()
        deadline = time.monotonic() + wait
        for thread in list(self.running):
            thread.join(max(0.0, deadline - time.monotonic()))


def state_of(request: Request) -> State:
    return request.app.state.jbsys


def action(request: Request, path: str) -> str:
    return state_of(request).action(path)


async def receive(request: Request) -> tuple[Form, Path] | Response:
    """The posted form, its files in a fresh private folder; or the page saying why not."""
    state = state_of(request)
    folder = state.folder / secrets.token_hex(8)
    try:
        return await receive_form(request, folder, state.max_upload), folder
    except UploadTooLarge:
        return pages.message("文件太大", f"上传的文件太大，未接收：{pages.limit_text(state.max_upload)}。"
                             "请少选几个文件分批处理，或在命令行用 jbsys-xl 处理大文件。", 413)
    except BadUpload as exc:
        return pages.message("上传失败", f"{exc}，请重新选择文件后再试。", 400)


def remover(folder: Path):
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def file_response(data: bytes, name: str) -> Response:
    """A download under ``name`` (Chinese kept through RFC 6266's filename*)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(data, media_type=kind, headers={
        "content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"})


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")
