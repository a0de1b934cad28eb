"""The ``jbsys-xl serve`` process as a user runs it: the link it prints, uploads gone once read,
nothing personal in what it logs, and Ctrl+C ending it cleanly with its private folder removed."""
from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import openpyxl
import pytest

from jbsys_xl.cli import main
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from tests.support import require_soffice
from tests.web.support import DEMO, URL_LINE, job_done, multipart, serve


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A server that read an allocation workbook and 金保 exports and gave out a callback list,
    then was stopped with Ctrl+C: what it left behind."""
    exports = write_sample_exports(tmp_path_factory.mktemp("exports") / "金保导出", 2024)
    served = serve(tmp_path_factory.mktemp("session"))
    record = {"served": served, "exports": exports}
    headers, body = multipart({"action": "allocate"}, [("workbook", DEMO)])
    run = served.request("POST", served.with_token("/runs"), headers, body)
    record["run_page"] = served.request("GET", job_done(served, run.getheader("Location")), served.cookie())
    headers, body = multipart({"seed": "7"}, [("workbook", DEMO), *(("exports", path) for path in exports)])
    draw = served.request("POST", served.with_token("/callbacks"), headers, body)
    page = job_done(served, draw.getheader("Location"))
    record["left_after_reading"] = [p for p in served.tmp.rglob("*") if p.is_file()]
    listed = served.request("POST", served.with_token(page + "/file"))
    assert listed.status == 200
    (served.folder / "list.xlsx").write_bytes(listed.body)
    record["exit"] = served.stop(signal.SIGINT)
    record["stdout"], record["stderr"] = served.output()
    return record


def test_the_link_is_the_first_line_on_a_free_port(session):
    first = session["stdout"].splitlines()[0]
    found = URL_LINE.match(first)
    assert found and found[2] == "127.0.0.1" and int(found[3]) > 0
    assert session["run_page"].status == 200


def test_uploads_are_deleted_as_soon_as_they_are_read(session):
    assert session["left_after_reading"] == []


def test_ctrl_c_stops_cleanly_and_removes_the_private_folder(session):
    assert session["exit"] == 0
    assert "Traceback" not in session["stderr"]
    assert session["stdout"].splitlines()[-1] == "已停止，上传的文件已全部删除。"
    assert list(session["served"].tmp.iterdir()) == []


def test_nothing_personal_is_logged(session):
    """No request line (URLs carry the token), no file name, no name or phone of the list."""
    served = session["served"]
    logged = session["stdout"] + session["stderr"]
    assert logged.count(served.token) == 1  # the link, printed once
    assert "GET /" not in logged and "POST /" not in logged
    for path in (DEMO, *session["exports"]):
        assert path.name not in logged
    sheet = openpyxl.load_workbook(served.folder / "list.xlsx", read_only=True).worksheets[0]
    people = {value for row in sheet.iter_rows(min_row=5, max_col=9, values_only=True)
              for value in row[6:9] if isinstance(value, str) and len(value) >= 2}
    assert len(people) > 50
    assert [value for value in people if value in logged] == []


def test_another_host_answers_on_this_computers_addresses_and_warns_of_plain_http(tmp_path):
    """On every interface the link names this computer's address and the Host check takes it,
    also where the computer's own name maps to a loopback address (here as on Debian, Kylin
    and UOS); the terminal and the page say the link travels unencrypted."""
    served = serve(tmp_path, "--host", "0.0.0.0")
    address = outside_address()
    try:
        page = served.request("GET", served.with_token("/"))
        assert page.status == 200
        assert "以未加密的 http 传输" in page.body.decode()
        if address is not None:
            assert served.url.startswith(f"http://{address}:{served.port}/")
            elsewhere = served.request("GET", served.with_token("/"), host=f"{address}:{served.port}")
            assert elsewhere.status == 200
    finally:
        assert served.stop(signal.SIGTERM) == 0
    _, err = served.output()
    assert "警告" in err and "同一网络中任何拿到下面链接的人都能打开本页面" in err
    assert "未加密的 http" in err


def outside_address() -> str | None:
    """This computer's address on its network (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith(("127.", "0.")) else address


def test_the_default_listens_on_loopback_only_and_says_nothing_of_the_network(served):
    _, err = served.output()
    assert "警告" not in err
    assert "未加密" not in served.request("GET", served.with_token("/")).body.decode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=5):
        pass
    address = outside_address()
    if address is None:
        pytest.skip("this computer has no network address to try")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, served.port), timeout=5).close()


def test_a_port_in_use_is_a_message_not_a_traceback(capsys):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--no-browser", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"无法在 127.0.0.1:{port} 上启动" in err and "--port 0" in err


def test_the_help_is_in_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "-h"])
    out = capsys.readouterr().out
    assert "--no-browser" in out and "不自动打开浏览器" in out and "默认 8765" in out
    assert "--max-memory" in out and "默认 2048 MB" in out


def test_a_memory_cap_too_small_for_the_reader_itself_is_refused(capsys):
    assert main(["serve", "--no-browser", "--port", "0", "--max-memory", "100"]) == 2
    assert "--max-memory 应不小于 512" in capsys.readouterr().err


def processes_using(folder: Path) -> list[str]:
    """The command lines of live processes that name ``folder`` in their command line or
    environment (LibreOffice's profile and TMPDIR, the readers', the fork server's)."""
    mark, found = str(folder).encode(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes()
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if (mark in command or mark in environment) and "zombie" not in state:
            found.append(command.replace(b"\0", b" ").decode(errors="replace"))
    return found


def test_ctrl_c_during_a_conversion_leaves_no_process_and_no_file(tmp_path):
    """LibreOffice runs in a session of its own: Ctrl+C reaches only the server, which must end
    it (it went on for minutes and then wrote the 告知书 into a folder nobody removed)."""
    require_soffice()
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to see the processes")
    served = serve(tmp_path)
    headers, body = multipart({"action": "allocate"}, [("workbook", DEMO)])
    run = job_done(served, served.request("POST", served.with_token("/runs"), headers, body).getheader("Location"))
    # the whole document set: one LibreOffice session converting for many seconds
    started = served.request("POST", served.with_token(f"{run}/files/all"), {"Accept": "application/json"})
    assert started.status == 200 and "status" in json.loads(started.body)
    deadline = time.monotonic() + 60
    while not any("soffice" in command for command in processes_using(served.tmp)):
        assert time.monotonic() < deadline, "LibreOffice never started"
        time.sleep(0.05)
    stopped = time.monotonic()
    assert served.stop(signal.SIGINT) == 0
    while processes_using(served.tmp) and time.monotonic() < stopped + 5:
        time.sleep(0.1)
    assert processes_using(served.tmp) == []  # ended, not waited for
    time.sleep(2)  # an orphaned LibreOffice wrote its PDF after a while
    assert [path for path in served.tmp.rglob("*")] == []
    out, err = served.output()
    assert out.splitlines()[-1] == "已停止，上传的文件已全部删除。" and "Traceback" not in err
