"""What a user reads when things go wrong (issue 20): Ctrl+C says 已取消 and leaves nothing
half-written, no Python class name reaches the screen, and a refused output path says why."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jbsys_xl.cli import main
from jbsys_xl.io import atomic
from jbsys_xl.jinbao.sample_exports import main as sample_exports
from tests.jinbao.support import DEMO, ITEM, TN02, detail, write_csv, write_xlsx
from tests.support import workbooks as wb

CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Interrupt)\b|Traceback|PanicException")


@pytest.fixture
def source(tmp_path) -> Path:
    return wb.write(tmp_path / "输入.xlsx", wb.base())


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- Ctrl+C ------------------------------------------------------------------------------------------

def test_ctrl_c_while_writing_leaves_nothing_and_says_cancelled(source, tmp_path, monkeypatch, capsys):
    """The worst moment: the result is being put in place. No half file, no temp file."""
    out = tmp_path / "out"
    out.mkdir()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    assert main(["allocate", str(source), "-o", str(out / "结果.xlsx")]) == 130
    err = capsys.readouterr().err
    assert err.rstrip().endswith("已取消") and not CLASS_NAME.search(err)
    assert leftovers(out) == []


def test_ctrl_c_in_the_import_is_cancelled_the_same_way(tmp_path, monkeypatch, capsys):
    from jbsys_xl.jinbao import importer

    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importer, "_combine", interrupted)
    assert main(["import", str(DEMO), str(path), "-o", str(tmp_path / "导入.xlsx")]) == 130
    assert capsys.readouterr().err.rstrip().endswith("已取消")
    assert not (tmp_path / "导入.xlsx").exists()


def test_a_real_sigint_mid_import_exits_130_without_a_traceback(tmp_path):
    exports = tmp_path / "exports"
    sample_exports(["--year", "2024", "-o", str(tmp_path / "sample")])
    exports.mkdir()
    csv = next((tmp_path / "sample").glob("*.csv"))
    for n in range(60):  # enough files that the import is surely still reading
        shutil.copy(csv, exports / f"{n:02d}.csv")
    out = tmp_path / "out"
    out.mkdir()
    command = [str(Path(sys.executable).with_name("jbsys-xl")), "import", str(DEMO), str(exports),
               "-o", str(out / "导入.xlsx")]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("[3/"):
            process.send_signal(signal.SIGINT)
            break
    rest = process.stderr.read()
    assert process.wait(timeout=60) == 130
    assert rest.rstrip().endswith("已取消") and "Traceback" not in rest and not CLASS_NAME.search(rest)
    assert leftovers(out) == []


# --- no class names ---------------------------------------------------------------------------------

def test_an_unexpected_failure_is_said_without_its_class_name(source, monkeypatch, capsys):
    import jbsys_xl.cli as cli

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "run", broken)
    monkeypatch.delenv("JBSYS_DEBUG", raising=False)
    assert main(["check", str(source)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("意外错误：程序内部出错（division by zero）。") and "JBSYS_DEBUG=1" in err
    assert not CLASS_NAME.search(err)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04\x14\x00" + b"\x00" * 300,
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 700, b"%PDF-1.4 x"])
def test_damaged_files_are_described_in_chinese_everywhere(tmp_path, capsys, content):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(content)
    assert main(["check", str(bad)]) == 2
    assert main(["import", str(DEMO), str(bad), "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "坏.xlsx：" in err and not CLASS_NAME.search(err)


def test_empty_and_truncated_files_get_different_messages(tmp_path, capsys):
    good = write_xlsx(tmp_path / "好.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))}).read_bytes()
    (tmp_path / "空.xlsx").write_bytes(b"")
    (tmp_path / "半.xlsx").write_bytes(good[:len(good) // 2])
    assert main(["import", str(DEMO), str(tmp_path / "空.xlsx"), str(tmp_path / "半.xlsx"),
                 "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "空.xlsx：文件是空的（0 字节），可能下载未完成" in err
    assert "半.xlsx：文件不完整（只有" in err and "可能下载或复制未完成" in err


# --- the import's outputs -------------------------------------------------------------------------

def test_import_with_the_workbook_kept_among_the_exports_writes_beside_it(tmp_path, capsys):
    folder = tmp_path / "2024年12月"
    folder.mkdir()
    shutil.copy(DEMO, folder / "考核.xlsm")
    write_csv(folder / "3月.csv", detail(("A1", TN02, ITEM, "2024-03-05", "办结")))
    assert main(["import", str(folder / "考核.xlsm"), str(folder)]) == 0
    assert (folder / "考核-金保导入-2024.xlsx").is_file()
    assert main(["import", str(folder / "考核.xlsm"), str(folder)]) == 0  # again: its output is skipped
    err = capsys.readouterr().err
    assert "考核-金保导入-2024.xlsx：这是本程序（JBSys-XL）生成的文件，不是金保导出，已跳过" in err


@pytest.mark.parametrize("target, reason", [
    ("3月.csv", "就是要导入的金保导出文件"),
    ("4月.xlsx", "是导出文件夹“{folder}”中已有的文件（不是本程序生成的），写入会覆盖它"),
])
def test_the_import_refuses_to_overwrite_an_export_saying_why(tmp_path, capsys, target, reason):
    folder = tmp_path / "exports"
    folder.mkdir()
    write_csv(folder / "3月.csv", detail(("A1", TN02, ITEM, "2024-03-05", "办结")))
    write_xlsx(folder / "4月.xlsx", {"S": detail(("A2", TN02, ITEM, "2024-04-05", "办结"))})
    given = folder / "3月.csv" if target == "3月.csv" else folder
    before = (folder / target).read_bytes()
    out = folder / target if target.endswith(".xlsx") else tmp_path / "o.xlsx"
    args = ["import", str(DEMO), str(given), "-o", str(out)]
    if target == "3月.csv":
        args = ["import", str(DEMO), str(given), "--json", str(folder / target)]
    assert main(args) == 2
    assert reason.format(folder=folder) in capsys.readouterr().err
    assert (folder / target).read_bytes() == before


def test_a_json_inside_the_exports_folder_is_refused_with_the_reason(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    write_csv(folder / "3月.csv", detail(("A1", TN02, ITEM, "2024-03-05", "办结")))
    assert main(["import", str(DEMO), str(folder), "-o", str(tmp_path / "o.xlsx"),
                 "--json", str(folder / "结果.json")]) == 2
    assert "下次导入时会被当作导出文件读取；请写到文件夹外" in capsys.readouterr().err
