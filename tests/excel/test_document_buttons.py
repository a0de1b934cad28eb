"""The ribbon's 文书 group on the xlwings stand-in: each button writes its document beside the
workbook equal to the command line's (PDFs compared as text through pdftotext, for LibreOffice
stamps each conversion), never over an existing file; 拨付明细 is refused in a draft and 公示
while matters that move money are open, with the command line's message; 全部文书 writes what
``jbsys-xl documents`` writes."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jbsys_xl.cli import main
from jbsys_xl.excel import document_buttons as d
from jbsys_xl.excel import data_buttons, macros, udf_service
from jbsys_xl.pipeline import run
from jbsys_xl.office import fonts
from jbsys_xl.report.documents import LETTERS
from jbsys_xl.report.documents import refusal as stage_refusal
from jbsys_xl.report.letter import face_checks
from tests.support import fake_xlwings as fake
from tests.support import require_soffice
from tests.support.approved import DEMO, write_approved_demo, write_publicity_demo
from tests.support.excel_books import open_book, snapshot

YEAR = 2024
EPOCH = "1734652800"  # 2024-12-20 08:00 Beijing: the date the button's and the CLI's files carry
BUTTONS = {"附件": d.attachment, "告知书": d.notices, "条线确认表": d.confirmations}  # of the draft demo


@pytest.fixture(autouse=True)
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def book(tmp_path):
    udf_service.CACHE.__init__()
    return open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))


@pytest.fixture(scope="module")
def cli_set(tmp_path_factory) -> Path:
    """``jbsys-xl documents`` of the demo: what every button's file must read like."""
    require_soffice()
    folder = tmp_path_factory.mktemp("cli") / "文书"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["documents", str(DEMO), "-o", str(folder)]) == 0
    return folder


def text(pdf: Path) -> str:
    tool = shutil.which("pdftotext") or pytest.fail("pdftotext is missing (poppler-utils)")
    return subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("name", list(BUTTONS))
def test_each_button_writes_the_clis_document_beside_the_workbook(book, cli_set, name):
    inputs = snapshot(book, book.sheet_names)
    target = BUTTONS[name](book)
    assert target == Path(book.fullname).with_name(f"demo-{name}-{YEAR}.pdf")
    assert text(target) == text(cli_set / f"{name}-{YEAR}.pdf")
    stand_in = face_checks(fonts.faces()) if name in LETTERS else []  # said once, as on the terminal
    warned = "".join(f"\n警告：\n{check}" for check in stand_in)
    assert book.app.alerts == [(f"{name}已生成：{target}{warned}", macros.ALERT_TITLE)]
    assert f"JBSys：正在用 LibreOffice 生成 {YEAR} 年度{name}……" in book.app.status_bar_history
    assert book.app.status_bar is False
    assert snapshot(book, book.sheet_names) == inputs  # the workbook is only read


def test_an_existing_file_is_never_written_over(book):
    require_soffice()
    first = Path(book.fullname).with_name(f"demo-条线确认表-{YEAR}.pdf")
    first.write_bytes(b"signed and stamped")
    second = d.confirmations(book)
    third = d.confirmations(book)
    assert (second.name, third.name) == (f"demo-条线确认表-{YEAR} (2).pdf", f"demo-条线确认表-{YEAR} (3).pdf")
    assert first.read_bytes() == b"signed and stamped" and text(second) == text(third)


@pytest.mark.parametrize("name, button, first", [
    ("公示", d.publicity, "投诉!C5：公示前须处理"),  # matters that move money still open
    ("拨付明细", d.payments, "参数!P3：2024 年度的审定文号为空")])  # a draft
def test_a_document_the_stage_refuses_gets_the_clis_message(book, tmp_path, capsys, name, button, first):
    assert button(book) is None
    checks = stage_refusal(run(DEMO, YEAR), name)
    assert str(checks[0]).startswith(first)
    assert book.app.alerts == [(f"无法生成{name}：" + "\n".join(map(str, checks)), macros.ALERT_TITLE)]
    assert main([{"公示": "publicity", "拨付明细": "payments"}[name], str(DEMO), "-o", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert all(f"错误 {check}" in err for check in checks)  # the CLI's words
    assert not list(Path(book.fullname).parent.glob(f"*{name}*"))


@pytest.mark.parametrize("name, button, command, walked, shown", [
    ("公示", d.publicity, "publicity", write_publicity_demo, "公示期"),
    ("拨付明细", d.payments, "payments", write_approved_demo, "合计金额（大写）")])
def test_a_document_of_a_workbook_at_its_stage_equals_the_clis(tmp_path, name, button, command, walked, shown):
    require_soffice()
    path = walked(tmp_path / "工作簿.xlsx")
    book = open_book(path, vba=False)
    target = button(book)
    assert target == path.with_name(f"工作簿-{name}-{YEAR}.pdf")
    cli = tmp_path / "cli.pdf"
    assert main([command, str(path), "-o", str(cli)]) == 0
    assert text(target) == text(cli) and shown in text(target)


def test_all_documents_go_into_a_new_folder_as_the_cli_writes_them(book, cli_set):
    folder = d.all_documents(book)
    assert folder == Path(book.fullname).with_name(f"demo-文书-{YEAR}")
    written = {path.name: path for path in folder.iterdir()}
    assert sorted(written) == sorted(path.name for path in cli_set.iterdir())
    for name, path in written.items():
        if name.endswith(".pdf"):
            assert text(path) == text(cli_set / name), name
        else:
            assert path.read_bytes() == (cli_set / name).read_bytes(), name
    [(message, _)] = book.app.alerts
    assert message.startswith(f"全部文书已生成：{folder}") and "未生成拨付明细：\n  参数!P3" in message
    assert "未生成公示：\n  投诉!C5：公示前须处理" in message
    again = d.all_documents(book)
    assert again.name == f"demo-文书-{YEAR} (2)" and folder.is_dir()


def test_a_workbook_not_saved_on_this_pc_writes_nothing():
    book = fake.Book("工作簿1", ["Sheet1"])
    cloud = fake.Book("https://d.docs.live.net/1a2b/人社/demo.xlsm", ["Sheet1"])
    for button in [*BUTTONS.values(), d.payments, d.all_documents]:
        assert button(book) is None and button(cloud) is None
    assert {m for m, _ in book.app.alerts} == {data_buttons.NOT_SAVED}
    assert {m for m, _ in cloud.app.alerts} == {data_buttons.NOT_SYNCED}


def test_without_libreoffice_the_button_says_what_to_install(book, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    for variable in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.delenv(variable, raising=False)
    for name, button in [*BUTTONS.items(), (d.ALL, d.all_documents)]:
        assert button(book) is None
        assert book.app.alerts[-1][0] == d.LIBREOFFICE.format(what=name)
    assert list(Path(book.fullname).parent.iterdir()) == [Path(book.fullname)]


def test_invalid_data_names_the_cells_and_writes_nothing(book):
    sheet = book.sheets["业务量"]
    sheet.range("D3").value = "十二"
    assert d.attachment(book) is None
    message = book.app.alerts[-1][0]
    assert message.startswith("数据有错误，未生成附件") and "业务量!D3" in message
    assert list(Path(book.fullname).parent.iterdir()) == [Path(book.fullname)]


@pytest.mark.parametrize("button", [*BUTTONS.values(), d.payments, d.all_documents])
def test_on_a_mac_the_buttons_say_what_to_use_instead(book, monkeypatch, button):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert button(book) is None
    assert book.app.alerts == [(macros.MAC_DATA_BUTTONS, macros.ALERT_TITLE)]
    assert "jbsys-xl serve" in macros.MAC_DATA_BUTTONS and "documents" in macros.MAC_DATA_BUTTONS
