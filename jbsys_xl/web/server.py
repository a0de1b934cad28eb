"""``jbsys-xl serve``: bind, print the link with its token, open the browser, serve until Ctrl+C.

The socket is bound here, before uvicorn starts, so ``--port 0`` can print the port it got and
the Host check knows it. uvicorn logs only warnings, and no request line: URLs carry the token
and pages the names of uploaded files. Uploads live in one private folder, removed on stop.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

from ..console import EXIT_FAILURE, EXIT_OK
from .command import DEFAULT_HOST, DEFAULT_PORT
from .guard import Access, new_token
from .state import DEFAULT_MAX_MEMORY, DEFAULT_MAX_UPLOAD, State

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def served_hosts(host: str, port: int) -> tuple[frozenset[str], str]:
    """The Host header values the server answers to, and the one its link names."""
    if is_loopback(host):
        return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES), _authority(host, port)
    if host in ("0.0.0.0", "::", ""):  # every interface: this computer's names and addresses
        names = {socket.gethostname().lower(), socket.getfqdn().lower()}
        addresses = own_addresses()
        outside = sorted(a for a in addresses if not ipaddress.ip_address(a).is_loopback)
        preferred = _route_address()
        shown = preferred if preferred in outside else (outside[0] if outside else "127.0.0.1")
        hosts = ({_authority(name, port) for name in names | addresses}
                 | {f"{name}:{port}" for name in LOOPBACK_NAMES})
        return frozenset(hosts), _authority(shown, port)
    return frozenset({_authority(host.lower(), port)}), _authority(host, port)


def own_addresses() -> set[str]:
    """This computer's addresses on every interface. Its own name is not enough: Debian, Kylin
    and UOS map it to 127.0.1.1 in /etc/hosts, so the name alone yields only a loopback address
    (Windows resolves it to every adapter's address)."""
    found: set[str] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            found.update(info[4][0] for info in socket.getaddrinfo(name, None))
        except OSError:
            pass
    if (address := _route_address()) is not None:
        found.add(address)
    found.update(_linux_addresses())
    return {address for address in found if not ipaddress.ip_address(address).is_link_local}


def _route_address() -> str | None:
    """The address this computer's default route leaves from (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return None


def _linux_addresses() -> set[str]:
    """Every interface's IPv4 address (SIOCGIFADDR) and IPv6 addresses (/proc), on Linux."""
    if not sys.platform.startswith("linux"):
        return set()
    import fcntl
    import struct

    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                request = struct.pack("256s", name.encode()[:15])
                found.add(socket.inet_ntoa(fcntl.ioctl(probe.fileno(), 0x8915, request)[20:24]))
            except OSError:  # an interface without an IPv4 address
                continue
    try:
        lines = Path("/proc/net/if_inet6").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        digits = line.split()[0]
        found.add(str(ipaddress.IPv6Address(bytes.fromhex(digits))))
    return found


class _Quiet(logging.Filter):
    """uvicorn's errors without their details: an exception's text may hold a file name or a
    value from an upload. JBSYS_DEBUG=1 keeps everything."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not os.environ.get("JBSYS_DEBUG"):
            record.msg = "页面处理出错（为保护个人信息不记录详情；用 JBSYS_DEBUG=1 启动可查看）"
            record.args = ()
            record.exc_info = record.exc_text = None
        return True


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet": {"()": _Quiet}},
    "formatters": {"plain": {"format": "%(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                            "filters": ["quiet"], "formatter": "plain"}},
    "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
                "uvicorn.error": {"level": "WARNING"},
                "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False}},
}


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def _stop(signum, frame):
    raise KeyboardInterrupt  # uvicorn re-raises SIGTERM after its shutdown: end as for Ctrl+C


def entry_file(folder: Path, url: str) -> str:
    """The browser is started on a private file that forwards to the link, not on the link: a
    process's command line is readable by every local user, and a browser keeps the one it was
    started with for its whole life (as Jupyter does; the file goes with the private folder)."""
    path = folder / "打开页面.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={url}">'
                  f'<title>JBSys-XL</title><p>正在打开页面……没有自动跳转时请点<a href="{url}">这里</a>。</p>\n')
    return path.as_uri()


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, browser: bool = True,
          max_upload: int = DEFAULT_MAX_UPLOAD, max_memory: int = DEFAULT_MAX_MEMORY) -> int:
    import uvicorn

    from .app import create_app

    try:
        sock = bind(host, port)
    except OSError as exc:
        print(f"错误：无法在 {_authority(host, port)} 上启动（{exc.strerror or exc}）。端口可能已被占用："
              f"请换一个端口（如 --port {port + 1}），或用 --port 0 自动选择。", file=sys.stderr)
        return EXIT_FAILURE
    port = sock.getsockname()[1]
    hosts, shown = served_hosts(host, port)
    token = new_token()
    url = f"http://{shown}/?token={token}"
    with tempfile.TemporaryDirectory(prefix="jbsys-serve-") as folder:
        state = State(Access(token, hosts, port, plain_network=not is_loopback(host)), Path(folder),
                      max_upload, max_memory)
        # The fork server starts before the temporary folder moves: multiprocessing keeps its
        # socket in a folder of its own, which it removes at exit, after the private one is gone.
        state.workers.start()
        # Every temporary file the server and its processes make (LibreOffice's profile and
        # output, the workbook writer's, the readers') goes into its private folder, removed on stop.
        system_temp, tempfile.tempdir = tempfile.tempdir, folder
        config = uvicorn.Config(create_app(state), log_config=LOG_CONFIG, access_log=False,
                                server_header=False, date_header=False, lifespan="off",
                                timeout_graceful_shutdown=3)
        server = uvicorn.Server(config)
        if not is_loopback(host):
            print(f"警告：本程序在 {host} 上监听，同一网络中任何拿到下面链接的人都能打开本页面、上传和下载"
                  "数据（含个人信息）；链接和数据在网络上以未加密的 http 传输，同一网络中的其他人可能截获。"
                  "只在需要时这样做，用完按 Ctrl+C 停止。", file=sys.stderr)
        print(f"请在浏览器中打开：{url}", flush=True)
        print("按 Ctrl+C 停止。", flush=True)
        if browser:  # in a thread: a console browser (no desktop) would block until it exits
            threading.Thread(target=webbrowser.open, args=(entry_file(Path(folder), url),), daemon=True).start()
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            sock.close()
            state.close()
            tempfile.tempdir = system_temp
    print("已停止，上传的文件已全部删除。", flush=True)
    return EXIT_OK
