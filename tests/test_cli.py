"""The command line as a new user meets it (issue 9 items 3, 4, 11): the input is never
overwritten, write failures speak Chinese and name the file, the year defaults, messages
and help are Chinese, checks print the same way for every command."""
from __future__ import annotations

import errno
import json
import os
from datetime import date
from pathlib import Path

import pytest

from jbsys_xl import console
from jbsys_xl.cli import main
from jbsys_xl.pipeline import run
from tests.support import workbooks as wb


@pytest.fixture
def source(tmp_path) -> Path:
    return wb.write(tmp_path / "输入.xlsx", wb.base())


def outputs_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p != path)


# --- 3. the input is never overwritten ---------------------------------------------------------

@pytest.mark.parametrize("flag", ["-o", "--json"])
def test_an_output_naming_the_input_is_refused_before_anything_is_written(source, capsys, flag):
    before = source.read_bytes()
    other = ["--json", str(source.with_suffix(".json"))] if flag == "-o" else []
    assert main(["allocate", str(source), flag, str(source), *other]) == 2
    assert source.read_bytes() == before
    assert outputs_beside(source) == []
    assert "就是输入文件" in capsys.readouterr().err


def test_the_same_file_by_another_path_is_refused(source, tmp_path, capsys):
    link = tmp_path / "link.xlsx"
    link.symlink_to(source)
    relative = os.path.relpath(source)
    before = source.read_bytes()
    assert main(["allocate", relative, "-o", str(link)]) == 2
    assert main(["allocate", str(link), "--json", str(source)]) == 2
    assert source.read_bytes() == before
    assert "就是输入文件" in capsys.readouterr().err


def test_json_in_a_csv_folder_may_not_replace_a_sheet(tmp_path, capsys):
    from tests.test_input_fidelity import csv_folder

    folder = csv_folder(tmp_path, wb.base(), "utf-8")
    before = (folder / "扣减.csv").read_bytes()
    assert main(["allocate", str(folder), "--json", str(folder / "扣减.csv")]) == 2
    assert (folder / "扣减.csv").read_bytes() == before


def test_json_never_says_ok_when_the_workbook_could_not_be_written(source, tmp_path, monkeypatch, capsys):
    real_replace = os.replace

    def locked(src, dst):
        if str(dst).endswith(".xlsx"):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    result = tmp_path / "r.json"
    assert main(["allocate", str(source), "-o", str(tmp_path / "结果.xlsx"), "--json", str(result)]) == 1
    data = json.loads(result.read_text("utf-8"))
    assert data["ok"] is False and "无法写入" in data["checks"][-1]["message"]
    assert not (tmp_path / "结果.xlsx").exists()


# --- 4. write failures speak Chinese and name the file ------------------------------------------

@pytest.mark.parametrize("error,words", [
    (PermissionError(errno.EACCES, "Permission denied"), "没有在文件夹"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
])
def test_write_failures_are_explained(source, tmp_path, monkeypatch, capsys, error, words):
    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(os, "replace", failing)
    target = tmp_path / "out" / "结果.xlsx"
    assert main(["allocate", str(source), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"无法写入“{target}”" in err and words in err
    assert ".part" not in err and "Error" not in err and "Traceback" not in err
    assert not list((tmp_path / "out").glob(".*.part"))


def test_output_open_in_excel_says_so(source, tmp_path, monkeypatch, capsys):
    target = tmp_path / "结果.xlsx"
    target.write_bytes(b"old result")

    def locked(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    assert main(["allocate", str(source), "-o", str(target)]) == 1
    assert "正在 Excel 等程序中打开" in capsys.readouterr().err
    assert target.read_bytes() == b"old result"


def test_output_naming_a_folder_or_another_format_is_refused(source, tmp_path, capsys):
    assert main(["allocate", str(source), "-o", str(tmp_path)]) == 2
    assert main(["allocate", str(source), "-o", str(tmp_path / "结果.xls")]) == 2
    err = capsys.readouterr().err
    assert "扩展名应为 .xlsx" in err and "是一个文件夹" in err


def test_output_folder_that_cannot_exist(source, tmp_path, capsys):
    (tmp_path / "是文件").write_text("x")
    assert main(["allocate", str(source), "-o", str(tmp_path / "是文件" / "结果.xlsx")]) == 1
    assert "不存在且无法创建" in capsys.readouterr().err


# --- 11. the command line ------------------------------------------------------------------------

def test_year_defaults_to_the_latest_year_in_params(source, tmp_path, capsys):
    assert main(["allocate", str(source), "--json", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["year"] == 2024
    assert (source.parent / "输入-分配结果-2024.xlsx").exists()
    assert main(["check", str(source)]) == 0
    assert "2024 年度校验通过" in capsys.readouterr().out


def test_no_year_anywhere_is_a_clear_error(tmp_path, capsys):
    sheets = wb.base()
    sheets["参数"] = sheets["参数"][:1]
    assert main(["check", str(wb.write(tmp_path / "in.xlsx", sheets))]) == 2
    assert "没有任何年度的参数行" in capsys.readouterr().err


def test_argument_errors_and_help_are_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["allocate"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "用法：" in err and "缺少必需的参数：工作簿" in err
    with pytest.raises(SystemExit):
        main(["allocate", "x.xlsx", "--year", "二〇二四"])
    assert "不是有效的值" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["allocate", "--help"])
    out = capsys.readouterr().out
    assert "显示帮助并退出" in out and "默认：“参数”表中最新的年度" in out


def test_check_and_allocate_print_checks_the_same_way(tmp_path, capsys):
    sheets = wb.base()
    sheets["投诉"][0].append("投诉编号")
    sheets["投诉"][1].append("TS-0")
    for i in range(30):  # 30 distinct warnings: one matter recorded twice, counted once
        row = [date(2024, 6, 1), ("C01", "C02", "C03")[i % 3], "无理", "12333", f"TS-{i + 1}"]
        sheets["投诉"] += [row, list(row)]
    path = wb.write(tmp_path / "in.xlsx", sheets)
    assert main(["check", str(path)]) == 0
    checked = capsys.readouterr()
    assert main(["allocate", str(path)]) == 0
    allocated = capsys.readouterr()
    assert "  警告 " not in checked.out and "  警告 " not in allocated.out
    shown = [line for line in allocated.err.splitlines() if line.startswith("  警告 ")]
    assert len(shown) == console.WARNINGS_SHOWN
    count = run(path).warning_count  # the 30 repeated 投诉编号, proposed winners, money left …
    assert count > 30
    assert allocated.err.splitlines()[0] == f"警告 {count} 个："
    assert f"另有 {count - console.WARNINGS_SHOWN} 条警告未显示，全部警告见结果工作簿的“校验”表" in allocated.err
    assert [l for l in checked.err.splitlines() if l.startswith("  警告 ")] == shown


def test_summary_shows_a_vetoed_centers_grade_and_thousands(tmp_path, capsys):
    sheets = wb.set_cell(wb.base(), "评定", 2, "一票否决", "是")
    assert main(["allocate", str(wb.write(tmp_path / "in.xlsx", sheets))]) == 0
    out = capsys.readouterr().out
    [line] = [l for l in out.splitlines() if l.startswith("C01")]
    assert "A+" in line.split() and "否决" in line.split()
    assert "资金总额 1,000,000.00 元" in out


def test_outputs_are_written_where_os_has_no_fchmod(source, tmp_path, monkeypatch):
    """Windows before Python 3.13 has no os.fchmod: writing must not depend on it."""
    monkeypatch.delattr(os, "fchmod")
    assert main(["allocate", str(source), "-o", str(tmp_path / "结果.xlsx")]) == 0
    assert (tmp_path / "结果.xlsx").stat().st_size > 0
