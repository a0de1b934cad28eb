"""What the import writes, the command line around it, the sample exports, and personal data:
nothing but the 回访清单 carries a name, an ID number or a phone of the exports."""
from __future__ import annotations

import json
import shutil
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl import contract
from jbsys_xl.cli import main
from jbsys_xl.jinbao.headers import ID_NUMBER, NAME, PHONE
from jbsys_xl.jinbao.layout import find_layout
from jbsys_xl.jinbao.importer import run_import
from jbsys_xl.jinbao.output import import_workbook_bytes
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.jinbao.sources import expand, read_file
from tests.jinbao.support import DEMO, ITEM, TN02, demo_book, detail, imported, write_xlsx


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_sample_exports(tmp_path_factory.mktemp("exports") / "金保导出", 2024)


@pytest.fixture(scope="module")
def personal_values(exports) -> set[str]:
    """Every name, ID number and phone in the sample exports (read back from the files)."""
    from jbsys_xl.io.lookup import item_lookup
    from jbsys_xl.io.dataset import reference_data

    _, indicators, _, _ = reference_data(demo_book(), 2024)
    found: set[str] = set()
    files, _ = expand([exports[0].parent])
    for source in files:
        for grid in read_file(source):
            layout = find_layout(grid, item_lookup(indicators))
            for field in (NAME, ID_NUMBER, PHONE):
                if layout is not None and field in layout.columns:
                    values = grid.column(layout.columns[field])[layout.header_row + 1:]
                    found |= {v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= 2}
    return found - {"无"}


def test_sample_exports_are_reproducible_and_of_every_form(exports, tmp_path):
    again = write_sample_exports(tmp_path / "again", 2024)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in exports]
    assert [p.suffix for p in exports] == [".xlsx", ".csv", ".xls", ".xlsx"]
    assert exports[2].read_bytes().startswith(b"<html")  # the web system's "xls"
    exports[1].read_bytes().decode("gbk")
    result = imported([exports[0].parent])
    assert result.ok
    assert [p.label for p in result.parts] == ["明细", "明细", "明细", "统计（宽表）"]
    assert all(p.counted for p in result.parts)
    assert result.parts[1].duplicates > 0 and result.parts[0].excluded > 0
    assert {u.value for u in result.unmatched} >= {"武进区湖塘镇劳动保障所", "人事档案借阅", "就业见习"}
    assert any("按先出现的计入" in c.message for c in result.checks)  # the case repeated with another date


def test_import_writes_the_workbook_and_json(exports, tmp_path, capsys):
    out, report = tmp_path / "out.xlsx", tmp_path / "out.json"
    assert main(["import", str(DEMO), str(exports[0].parent), "-o", str(out), "--json", str(report)]) == 0
    data = json.loads(report.read_text("utf-8"))
    assert list(data) == ["ok", "year", "volumes", "files", "unmatched", "checks"] and data["ok"]
    assert list(data["files"][0]) == ["file", "sheet", "kind", "rows", "counted", "duplicates", "excluded",
                                      "out_of_period", "unmatched"]
    keys = [(v["center"], v["item"], v["month"]) for v in data["volumes"]]
    assert keys == sorted(keys) and all(v["volume"] > 0 for v in data["volumes"])
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["业务量", "导入记录", "未匹配", "校验"]
    rows = book.get_sheet_by_name("业务量").to_python()
    assert rows[0] == list(contract.SHEET_SPECS[contract.VOLUMES].headers)
    assert [(r[0], r[1], r[2], int(r[3])) for r in rows[1:]] == [k + (v["volume"],) for k, v in
                                                                  zip(keys, data["volumes"])]
    assert all(r[4] for r in rows[1:])  # 来源 filled: the Excel button replaces such rows only
    records = book.get_sheet_by_name("导入记录").to_python()
    assert records[1][:4] == ["文件", "工作表", "类型", "读取行数"] and records[-1][0] == "合计"
    printed = capsys.readouterr()
    assert "导入结果已写入" in printed.out and "[1/4] 读取" in printed.err


def test_same_inputs_same_bytes(exports):
    result = imported([exports[0].parent])
    assert import_workbook_bytes(result) == import_workbook_bytes(imported([exports[0].parent]))


def test_default_output_beside_the_workbook(tmp_path):
    book = tmp_path / "考核.xlsm"
    shutil.copy(DEMO, book)
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    assert main(["import", str(book), str(path)]) == 0
    assert (tmp_path / "考核-金保导入-2024.xlsx").is_file()


def test_the_workbook_in_the_exports_folder_is_not_an_export(tmp_path):
    shutil.copy(DEMO, tmp_path / "考核.xlsm")
    write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    result = run_import(tmp_path / "考核.xlsm", [tmp_path], 2024)
    assert result.ok and [p.file for p in result.parts] == [f"{tmp_path.name}/m.xlsx"]
    assert [str(c) for c in result.warnings] == [f"{tmp_path.name}/考核.xlsm：这是分配工作簿本身，不是金保导出，已跳过"]


def test_errors_write_nothing_but_the_json(tmp_path, capsys):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-02-30", "办结"))})
    out, report = tmp_path / "out.xlsx", tmp_path / "out.json"
    assert main(["import", str(DEMO), str(path), "-o", str(out), "--json", str(report)]) == 2
    assert not out.exists()
    data = json.loads(report.read_text("utf-8"))
    assert data["ok"] is False and data["checks"][0]["sheet"] == "m.xlsx!S" and data["checks"][0]["cell"] == "D3"
    assert "m.xlsx!S!D3：受理时间“2024-02-30”不是有效日期" in capsys.readouterr().err


def test_output_may_not_overwrite_an_input(tmp_path, capsys):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    before = path.read_bytes()
    assert main(["import", str(DEMO), str(path), "-o", str(path)]) == 2
    assert path.read_bytes() == before and "写入会覆盖原始数据" in capsys.readouterr().err


def test_bad_workbook_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    result = imported([path], year=2031)
    assert not result.ok and any("没有年度 2031 的参数行" in c.message for c in result.errors)


def _texts_of(path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return path.read_text("utf-8")


def test_no_personal_value_in_any_output_but_the_callback_list(exports, personal_values, tmp_path, capsys):
    assert len(personal_values) > 3000  # names, ID numbers and phones of ~1,900 cases
    folder = str(exports[0].parent)
    outputs = [tmp_path / "import.xlsx", tmp_path / "import.json", tmp_path / "callbacks.json"]
    assert main(["import", str(DEMO), folder, "-o", str(outputs[0]), "--json", str(outputs[1])]) == 0
    callback_list = tmp_path / "回访清单.xlsx"
    assert main(["callbacks", str(DEMO), folder, "--seed", "3", "-o", str(callback_list),
                 "--json", str(outputs[2])]) == 0
    printed = capsys.readouterr()
    texts = [_texts_of(path) for path in outputs] + [printed.out, printed.err]
    leaks = sorted(value for value in personal_values for text in texts if value in text)
    assert leaks == []
    listed = _texts_of(callback_list)  # the control: the list does carry them
    assert sum(value in listed for value in personal_values) >= 2 * len(json.loads(outputs[2].read_text())["cases"])


def test_import_does_not_read_the_workbooks_volumes(exports, monkeypatch):
    """The import maps onto 参数/指标/中心 (and 回访): a million-row 业务量 is never read."""
    from jbsys_xl.io import reader

    read = []
    for method in ("read", "read_columns"):
        original = getattr(reader.Spreadsheet, method)

        def recording(self, name, key=None, _original=original):
            read.append((self.path.name, name))
            return _original(self, name, key)

        monkeypatch.setattr(reader.Spreadsheet, method, recording)
    result = run_import(DEMO, [exports[0].parent], 2024)
    assert result.ok and result.volumes
    of_workbook = {name for file, name in read if file == DEMO.name}
    assert contract.VOLUMES not in of_workbook and {contract.PARAMS, contract.CENTERS} <= of_workbook
