"""The column-wise (Arrow) read of 业务量 gives exactly what the row-wise read gives."""
from __future__ import annotations

from pathlib import Path


from jbsys_xl import sample
from jbsys_xl.io import reader
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import to_json
from tests.support import workbooks as wb
from tests.test_input_fidelity import saved_by_libreoffice, write_openpyxl

DEMO = Path(__file__).resolve().parents[1] / "workbook" / "demo.xlsm"


def both_ways(path: Path, year: int | None, monkeypatch) -> tuple[str, str]:
    columnar = reader.read_source(path)
    assert columnar.sheets["业务量"].columns is not None, "the column-wise read was not taken"
    first = to_json(run(columnar, year))
    monkeypatch.setattr(reader, "COLUMNAR_SHEETS", frozenset())
    rowwise = reader.read_source(path)
    assert rowwise.sheets["业务量"].columns is None
    return first, to_json(run(rowwise, year))


def test_demo_gives_the_same_json_bytes(monkeypatch):
    columnar, rowwise = both_ways(DEMO, 2024, monkeypatch)
    assert columnar == rowwise


def test_sample_with_every_month_style_gives_the_same_json_bytes(tmp_path, monkeypatch):
    path = tmp_path / "sample.xlsx"
    sample.write_sample_workbook(path, 2024)
    columnar, rowwise = both_ways(path, 2024, monkeypatch)
    assert columnar == rowwise


def test_bad_values_and_error_cells_read_the_same(tmp_path, monkeypatch):
    sheets = wb.base()
    sheets["业务量"] += [["C01", "失业登记", "2024-05", "十二"], ["C02", "失业登记", "2024-13", 3],
                        ["C09", "失业登记", "2024-05", 3], ["C01", "失业登记", "2024-06", True],
                        ["C01", "失业登记", "2024-07", "=NA()"], ["C01", "失业登记", "2024-08", 2.5]]
    columnar, rowwise = both_ways(saved_by_libreoffice(tmp_path, sheets), 2024, monkeypatch)
    assert "单元格是错误值 #N/A" in columnar
    strip_bool = lambda text: text.replace("“true”", "“True”")  # the one display difference
    assert strip_bool(columnar) == rowwise


def test_uncached_formula_is_found_by_the_scan(tmp_path, monkeypatch):
    sheets = wb.set_cell(wb.base(), "业务量", 3, "业务量", "=5+5")
    path = write_openpyxl(tmp_path / "script.xlsx", sheets)
    columnar, rowwise = both_ways(path, 2024, monkeypatch)
    assert columnar == rowwise and "没有保存计算结果的公式" in columnar


def test_cells_are_named_where_the_sheet_has_them(tmp_path, monkeypatch):
    """A table that starts at C4, with a wrong <dimension>: positions come from the cells."""
    import zipfile

    import xlsxwriter

    path = tmp_path / "offset.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in wb.base().items():
        sheet = book.add_worksheet(name)
        top, left = (3, 2) if name == "业务量" else (0, 0)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    sheet.write(top + r, left + c, value.isoformat() if hasattr(value, "isoformat") else value)
    book.get_worksheet_by_name("业务量").write("F6", "十二")  # 业务量 of the second data row
    book.close()
    rewritten = tmp_path / "wrong-dimension.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet5.xml":
                data = data.replace(b'<dimension ref="C4:F8"/>', b'<dimension ref="A1:B2"/>')
                assert b"A1:B2" in data
            target.writestr(item, data)
    columnar, rowwise = both_ways(rewritten, 2024, monkeypatch)
    assert columnar == rowwise and '"cell": "F6"' in columnar
