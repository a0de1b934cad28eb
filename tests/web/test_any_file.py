"""Any file, any upload (documents.md §8, v4): a file that makes a reader allocate without
bound or abort is read in a capped child process, so the page answers in Chinese, stays up for
the next upload, and removes the file."""
from __future__ import annotations

import re
import zipfile

import pytest

from tests.support import workbooks as wb
from tests.web.support import DEMO, job_done, job_status, multipart, serve, uploaded_files


def stray_last_cell(path):
    """A stray character in XFD1048576 of 扣减 (Ctrl+End and a keystroke put it there)."""
    def dress(book, sheet, name, rows):
        if name == "扣减":
            sheet.write(1_048_575, 16_383, ".")
    return wb.write(path, wb.base(), dress)


def far_row(path):
    """One row numbered 99,999,999 in 扣减: beyond any sheet, written into the package."""
    source = wb.write(path.with_name("source.xlsx"), wb.base())
    sheet = f"xl/worksheets/sheet{list(wb.base()).index('扣减') + 1}.xml"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == sheet:
                data = data.replace(b"</sheetData>", b'<row r="99999999"><c r="A99999999" t="inlineStr">'
                                                      b"<is><t>x</t></is></c></row></sheetData>")
            new.writestr(item, data)
    source.unlink()
    return path


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    server = serve(tmp_path_factory.mktemp("capped"), "--max-memory", "1024")
    yield server
    server.stop()


def allocate(served, book) -> dict:
    headers, body = multipart({"action": "allocate"}, [("workbook", book)])
    response = served.request("POST", served.with_token("/runs"), headers, body)
    assert response.status == 303
    return job_status(served, response.getheader("Location"))


@pytest.mark.parametrize("make", [stray_last_cell, far_row])
def test_a_hostile_workbook_gets_a_chinese_answer_and_the_next_upload_works(capped, tmp_path, make):
    book = make(tmp_path / "坏.xlsx")
    status = allocate(capped, book)
    if status["failure"]:  # the reading process gave up: said so, in Chinese, naming the file
        assert re.match(r"读取“坏\.xlsx”(时读取进程意外退出|需要的内存超过上限 1 GB)", status["failure"])
    else:  # the readers refused or read it: the page shows its checks
        page = capped.request("GET", status["target"], capped.cookie()).body.decode()
        assert "数据校验结果：坏.xlsx" in page or "分配结果" in page
    assert uploaded_files(capped) == []  # the upload is gone either way
    assert capped.process.poll() is None
    demo = allocate(capped, DEMO)  # the same server goes on
    assert not demo["failure"]
    assert "分配结果" in capped.request("GET", demo["target"], capped.cookie()).body.decode()
    _, err = capped.output()
    assert "Traceback" not in err and "memory allocation" not in err


def test_a_wrong_file_is_named_for_what_it_is_without_the_servers_folder(served, tmp_path):
    fake = tmp_path / "工作簿（其实是PDF）.xlsx"
    fake.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    target = job_done(served, served.request("POST", served.with_token("/runs"),
                                             *multipart({"action": "check"}, [("workbook", fake)]))
                      .getheader("Location"))
    page = served.request("GET", target, served.cookie()).body.decode()
    assert "<h1>数据校验结果：工作簿（其实是PDF）.xlsx</h1>" in page
    assert "工作簿（其实是PDF）.xlsx：这是PDF 文件，不是 Excel 文件" in page
    assert str(served.tmp) not in page and "jbsys-serve-" not in page
