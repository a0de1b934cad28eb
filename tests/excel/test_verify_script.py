"""workbook/verify_on_windows.py can only run on Windows with Excel; here it must at least
import without pywin32, refuse to run, and keep its report honest."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "workbook" / "verify_on_windows.py"


def load():
    spec = importlib.util.spec_from_file_location("verify_on_windows", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # pywin32 and xlwings' Windows engine load only when run
    return module


def test_refuses_to_run_off_windows(capsys, monkeypatch):
    module = load()
    monkeypatch.setattr("sys.argv", ["verify_on_windows.py"])
    assert module.main() == 2
    assert "Run this on Windows" in capsys.readouterr().out


def test_report_fails_on_any_failed_check(capsys):
    report = load().Report()
    assert report.check("a", True) and not report.failed
    assert not report.check("b", False, "why") and report.failed
    report.timing("生成分配", 1.234)
    assert report.lines == ["PASS  a", "FAIL  b  why", "TIME  生成分配: 1.23 s"]


def test_every_checklist_step_of_the_issue_is_in_the_script_or_the_manual_list():
    text = SCRIPT.read_text("utf-8")
    manual = SCRIPT.with_name("verify-on-windows.md").read_text("utf-8")
    for check in ("app.startup_path", "JbState.JbRevision", "without F9", "FormulaArray",
                  "keeps the results", "0101", "another active workbook", "deleting a 中心 row",
                  "medium", "non-ASCII", "导入金保数据", "生成回访清单", "导入回访结果", "附件", "告知书",
                  "条线确认表", "公示", "拨付明细", "全部文书", "operator=",
                  "GetOpenFilename", "GetSaveAsFilename", "settings given back", "RefreshFunctions",
                  "autofilter", "Protect()", "hand rows", "32-bit"):
        assert check in text, check
    for step in ("Ctrl+Z", "xlwings addin remove", "Ctrl+Shift+Enter", "人社 考核",
                 "--medium", "F9", "导入金保数据", "生成回访清单", "导入回访结果", "抽取人", "附件", "告知书",
                 "条线确认表", "公示", "拨付明细", "全部文书", "InputBox",
                 "install.bat", "clean Windows 10 VM", "32-bit", "pythonw.exe", "OneDrive",
                 "正在筛选", "合并的单元格", "刷新函数", "Microsoft Office 16.0", "Excel for Mac"):
        assert step in manual, step
