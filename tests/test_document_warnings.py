"""documents.md §0 (v4): whoever makes a document signs it knowing the run's warnings, so
`documents`, `payments`, `notices` and `publicity` print the warning summary on the terminal as
`allocate` does — the same lines, the same count, through one function."""
from __future__ import annotations


import pytest

from jbsys_xl import console
from jbsys_xl.cli import main
from tests.support import require_soffice
from tests.support import workbooks as wb

YEAR = 2024


def final_base() -> dict:
    """The base workbook at 审定: its one winner confirmed, 审定文号 and 审定日期 filled, its
    有理 complaint with what it was about and who verified it."""
    return wb.approved(wb.base())


def warning_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("警告 ", "  警告 ", "  ……另有"))]


@pytest.fixture
def workbooks(tmp_path):
    return (wb.write(tmp_path / "草案.xlsx", wb.base()), wb.write(tmp_path / "审定.xlsx", final_base()))


def allocate_warnings(path, tmp_path, capsys) -> list[str]:
    assert main(["allocate", str(path), "-o", str(tmp_path / "r.xlsx")]) == 0
    return warning_lines(capsys.readouterr().err)


def test_publicity_and_payments_print_what_allocate_prints(workbooks, tmp_path, capsys):
    draft, final = workbooks
    printed = allocate_warnings(draft, tmp_path, capsys)
    assert printed[0].startswith("警告 ") and any("未分配（结余）" in line for line in printed)
    assert main(["publicity", str(draft), "-o", str(tmp_path / "公示.xlsx")]) == 0
    out = capsys.readouterr()
    shown = warning_lines(out.err)
    assert all(line in shown for line in printed[1:]) and "公示已写入" in out.out
    assert any("公示日期为空" in line for line in shown)  # and the 公示's own (its dates left blank)

    printed = allocate_warnings(final, tmp_path, capsys)
    assert any("未分配（结余）" in line for line in printed)
    assert main(["payments", str(final), "-o", str(tmp_path / "拨付明细.xlsx")]) == 0
    shown = warning_lines(capsys.readouterr().err)
    assert all(line in shown for line in printed[1:])  # and the payment list's own (no 收款单位)
    assert shown[0].startswith("警告 ") and any("收款单位" in line for line in shown)


def test_many_warnings_are_cut_as_allocate_cuts_them(workbooks, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(console, "WARNINGS_SHOWN", 1)
    draft, _ = workbooks
    assert main(["publicity", str(draft), "-o", str(tmp_path / "公示.xlsx")]) == 0
    lines = warning_lines(capsys.readouterr().err)
    count = int(lines[0].split()[1])
    assert len(lines) == 3 and lines[-1] == (f"  ……另有 {count - 1} 条警告未显示，全部警告见 jbsys-xl allocate "
                                             "写出的结果工作簿“校验”表。")


def test_notices_and_documents_print_the_warnings(workbooks, tmp_path, capsys):
    require_soffice()
    draft, _ = workbooks
    printed = allocate_warnings(draft, tmp_path, capsys)
    assert main(["notices", str(draft), "--center", "C02", "-o", str(tmp_path / "告知书.pdf")]) == 0
    shown = warning_lines(capsys.readouterr().err)
    assert all(line in shown for line in printed[1:]), shown  # and a stand-in face, if one was used
    assert main(["documents", str(draft), "-o", str(tmp_path / "文书")]) == 0
    shown = warning_lines(capsys.readouterr().err)
    assert all(line in shown for line in printed[1:]), shown
