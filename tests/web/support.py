"""The page's tests: a real ``jbsys-xl serve`` process, plain HTTP requests, and the browser.

The server runs as users start it (``python -m jbsys_xl.cli serve --no-browser --port 0``) with
its output in files, so a test can read the link it printed and, after Ctrl+C, everything it
logged. The browser is Debian's Chromium headless shell driven by Playwright (its own browser
download is not reachable here); missing, the tests skip on a developer's machine and fail
under CI.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "workbook" / "demo.xlsm"
EPOCH = "1734652800"  # 2024-12-20 08:00 Beijing: the date every output of these tests carries
URL_LINE = re.compile(r"^请在浏览器中打开：(http://([^/\s]+):(\d+)/\?token=([A-Za-z0-9_-]{20,}))$")
BROWSERS = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
SCREEN = {"width": 1366, "height": 768}


def missing(message: str):
    """Skip on a developer's machine; fail under CI, where these tests must not vanish quietly."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {message}")
    pytest.skip(message)


def browser_path() -> str:
    for path in BROWSERS:
        if os.access(path, os.X_OK):
            return path
    missing("no Chromium found (apt-get install chromium-headless-shell)")


@dataclass
class Served:
    """One ``jbsys-xl serve`` process."""

    process: subprocess.Popen
    folder: Path  # its output files and its TMPDIR
    url: str
    port: int
    token: str
    root: str = ""  # the path prefix its pages live under (learnt by following the link)
    session: str = ""  # the session cookie's value

    @property
    def base(self) -> str:
        """The URL of its pages' root: add a page's path (``/jinbao``)."""
        return f"http://127.0.0.1:{self.port}{self.root}"

    @property
    def tmp(self) -> Path:
        return self.folder / "tmp"

    def output(self) -> tuple[str, str]:
        return ((self.folder / "stdout").read_text("utf-8"), (self.folder / "stderr").read_text("utf-8"))

    def stop(self, sig=signal.SIGINT) -> int:
        """Ctrl+C (or another signal), as a user stops it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
                host: str | None = None) -> http.client.HTTPResponse:
        """A plain HTTP request (the Host header can be set: the browser would not let us);
        the response is read."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host or f"127.0.0.1:{self.port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None and "Transfer-Encoding" not in (headers or {}):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response

    def cookie(self) -> dict:
        return {"Cookie": f"jbsys_session={self.session}"}

    def with_token(self, path: str) -> str:
        """A page's path (under the root unless it is there already, or a whole URL) with the token."""
        path = path if path.startswith(self.root + "/") or "://" in path else self.root + path
        return f"{path}{'&' if '?' in path else '?'}token={self.token}"

    def enter(self) -> None:
        """Open the printed link as a browser does: learn the root it leads to and the cookie."""
        entry = self.request("GET", f"/?token={self.token}")
        assert entry.status == 303, entry.status
        self.root = entry.getheader("Location").rstrip("/")
        self.session = re.match(r"jbsys_session=([^;]+);", entry.getheader("Set-Cookie"))[1]


def serve(folder: Path, *args: str, browser: str | None = None) -> Served:
    """Start the server; wait for the line with its link. With ``browser`` (a command, as in
    $BROWSER) the server opens it as it would the user's browser; without, it opens none."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TMPDIR=str(folder / "tmp"), PYTHONUNBUFFERED="1")
    if browser:
        env["BROWSER"] = browser
    with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "jbsys_xl.cli", "serve",
                                    *(() if browser else ("--no-browser",)), "--port", "0", *args],
                                   stdout=out, stderr=err, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = (folder / "stdout").read_text("utf-8").splitlines()
        if lines and (found := URL_LINE.match(lines[0])):
            served = Served(process, folder, found[1], int(found[3]), found[4])
            served.enter()
            return served
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the server printed no link: {(folder / 'stdout').read_text('utf-8')!r} "
                         f"{(folder / 'stderr').read_text('utf-8')!r}")


def multipart(fields: dict[str, str], files: list[tuple[str, Path]]) -> tuple[dict, bytes]:
    """A form as a browser posts it: headers and body."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f'{value}\r\n'.encode())
    for name, path in files:
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n")
        parts.append(head.encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, b"".join(parts)


def job_done(served: Served, location: str, timeout: float = 120) -> str:
    """Follow a job's page until it is done; the page it leads to."""
    status_path = location + "/status"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(served.request("GET", status_path, served.cookie()).body)
        if status["done"]:
            assert not status["failure"], status["failure"]
            return status["target"]
        time.sleep(0.2)
    raise AssertionError(f"job {location} not done in {timeout} s")


PDF_METADATA = re.compile(rb"/(CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]|/DocChecksum\s*/[0-9A-F]+"
                          # PDF/A: the XMP's dates, and the sRGB output intent's profile, which
                          # LibreOffice makes anew (its ICC header holds the moment of making)
                          rb"|<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*</xmp:\2>"
                          rb"|<</N 3/Length \d+ 0 R/Filter/FlateDecode>>\nstream\n.*?\nendstream"
                          # … whose compressed length (an object of its own) moves every later
                          # object: the lengths and the cross-reference table go too
                          rb"|\n\d+ 0 obj\n\d+\nendobj|\nxref\n.*?trailer|startxref\n\d+", re.S)


def pdf_without_metadata(data: bytes) -> bytes:
    """A PDF less what LibreOffice stamps per conversion (its time, document id and checksum:
    documents.md §0 lets a PDF's own metadata carry the conversion time, not its content)."""
    return PDF_METADATA.sub(b"", data)


def job_status(served: Served, location: str, timeout: float = 120) -> dict:
    """A job's status once it is done, whether it failed or not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(served.request("GET", location + "/status", served.cookie()).body)
        if status["done"]:
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {location} not done in {timeout} s")


def uploaded_files(served: Served) -> list[Path]:
    """Files left in the server's temporary folder (its private folder and anything else)."""
    return [path for path in served.tmp.rglob("*") if path.is_file()]
