"""The ribbon's 数据 buttons (导入金保数据, 生成回访清单, 生成告知书) on the xlwings stand-in: a copy
of the demo workbook with the template's VBA behaviour and its tables, the made-up 金保 exports
of the demo year, the user played through the stand-in's dialogs."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from jbsys_xl import contract
from jbsys_xl.excel import data_buttons, macros, udf_service
from jbsys_xl.jinbao.output import RECORD_SHEET, record_table, volume_table
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.pipeline import run
from tests.support import fake_xlwings as fake
from tests.support import require_soffice
from tests.support.excel_books import open_book, snapshot, udf_cell
import udfs.jbsys_udfs as U

ROOT = Path(__file__).resolve().parents[2]
DEMO, TEMPLATE = ROOT / "workbook" / "demo.xlsm", ROOT / "workbook" / "template.xlsm"
YEAR = 2024
HEADER_ROW = 2  # of 业务量 in the template: a note above it
SOURCE = 4  # 来源, 0-based in a 业务量 row


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return write_sample_exports(tmp_path_factory.mktemp("exports"), YEAR)


@pytest.fixture
def book(tmp_path):
    udf_service.CACHE.__init__()
    return open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))


def volume_rows(book) -> list[list]:
    sheet = book.sheets[contract.VOLUMES]
    used = sheet.used_range
    return sheet.range((HEADER_ROW + 1, 1), (used.row + used.shape[0] - 1, 5)).options(ndim=2).value


def in_period(month) -> bool:
    return (isinstance(month, dt.datetime) and (2023, 12) <= (month.year, month.month) <= (2024, 11))


def imported(result) -> list[list]:
    """The import's rows as the stand-in holds them once written (months as dates)."""
    return [[center, item, dt.datetime(*map(int, month.split("-")), 1), float(volume), source]
            for center, item, month, volume, source in volume_table(result).rows]


def everything(book) -> dict:
    return snapshot(book, book.sheet_names)


# --- 导入金保数据 ---------------------------------------------------------------------------------

def test_import_replaces_only_earlier_imports_of_the_period_and_keeps_hand_typed_rows(book, exports):
    sheet = book.sheets[contract.VOLUMES]
    rows = volume_rows(book)
    earlier = next(i for i, row in enumerate(rows) if in_period(row[2]))  # an import of this period
    other = next(i for i, row in enumerate(rows) if isinstance(row[2], dt.datetime) and row[2].year == 2022)
    sheet.range((HEADER_ROW + 1 + earlier, 5)).value = "2024年旧导出.xlsx"
    sheet.range((HEADER_ROW + 1 + other, 5)).value = "2022年导出.xlsx"  # another period's: kept
    kept = [row for i, row in enumerate(volume_rows(book)) if i != earlier]
    center = rows[earlier][0]
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, YEAR)
    before, reads = score.value, udf_service.CACHE.reads
    book.app.api.picks.append(exports)

    result = data_buttons.import_jinbao(book)

    assert result.ok and result.volumes
    after = volume_rows(book)
    assert after[:len(kept)] == kept  # hand-typed rows untouched, in their order
    assert after[len(kept):] == imported(result)
    table = sheet.tables["tblVolumes"]
    assert table.range.address == f"$A${HEADER_ROW}:$E${HEADER_ROW + len(after)}"
    first_new = HEADER_ROW + 1 + len(kept)
    assert [sheet.range((first_new, c)).number_format for c in range(1, 6)] == \
        ["@", "@", "yyyy-mm", "#,##0", "@"]
    confirmation, done = (prompt for prompt, _ in book.app.alerts)
    for export in exports:
        assert export.name in confirmation
    assert "未匹配的经办机构“武进区湖塘镇劳动保障所”" in confirmation
    assert f"此前导入的本考核期 1 行换成这次的 {len(result.volumes):,} 行" in confirmation
    assert f"保留手工录入的 {len(kept) - 1:,} 行和其他期间导入的 1 行" in confirmation
    assert done.startswith(f"已导入 {len(result.volumes):,} 行业务量（替换此前导入的 1 行）")
    record = book.sheets[RECORD_SHEET]
    assert record.range("A1").value.startswith(f"{YEAR} 年度金保数据导入")
    assert record.range((3, 1), (2 + len(result.parts) + 1, 9)).options(ndim=2).value == [
        [float(v) if isinstance(v, int) else v for v in row] for row in record_table(result).rows]
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    assert sum(row[0] == "警告" for row in checks) == len(result.warnings)
    assert book.sheets.active.name == RECORD_SHEET
    # an input edit for the worksheet functions: current without F9, read again once — and the
    # hand-typed rows kept beside imported ones for the same months are now an error (counted twice)
    now = score.value
    assert udf_service.CACHE.reads == reads + 1
    assert now != before and "重复计算" in now
    app = book.app
    assert (app.enable_events, app.calculation, app.screen_updating, app.status_bar) == \
        (True, "automatic", True, False)


def test_importing_again_replaces_the_first_import(book, exports):
    book.app.api.picks += [exports, exports]
    first = data_buttons.import_jinbao(book)
    rows = volume_rows(book)
    second = data_buttons.import_jinbao(book)
    assert volume_rows(book) == rows
    assert f"此前导入的本考核期 {len(first.volumes):,} 行换成这次的 {len(second.volumes):,} 行" \
        in book.app.alerts[2][0]


def test_a_failed_write_says_so_and_importing_again_repairs_it(book, exports, monkeypatch):
    sheet = book.sheets[contract.VOLUMES]
    rows = volume_rows(book)
    earlier = next(i for i, row in enumerate(rows) if in_period(row[2]))
    sheet.range((HEADER_ROW + 1 + earlier, 5)).value = "2024年旧导出.xlsx"
    kept = [row for i, row in enumerate(volume_rows(book)) if i != earlier]

    def busy(self, shift=None):
        raise fake.ComError("Excel is busy")

    with monkeypatch.context() as patch:
        patch.setattr(fake.Range, "delete", busy)
        book.app.api.picks.append(exports)
        assert data_buttons.import_jinbao(book) is None  # appended, old rows not yet deleted
    message = book.app.alerts[-1][0]
    assert message.startswith(f"写入“{contract.VOLUMES}”时失败") and "Excel is busy" in message
    assert "重新点击“导入金保数据”" in message
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    assert any(row[:2] == ["错误", contract.VOLUMES] and "该表内容不完整" in row[3] for row in checks)
    app = book.app
    assert (app.enable_events, app.calculation, app.screen_updating) == (True, "automatic", True)

    book.app.api.picks.append(exports)
    result = data_buttons.import_jinbao(book)
    assert volume_rows(book) == kept + imported(result)


def test_codes_arrive_as_text(book, exports):
    for name in [spec.name for spec in contract.INPUT_SHEETS]:
        cells = book.sheets[name]._cells
        for key, value in cells.items():
            if value == "TN01":
                cells[key] = "0101"
    book.app.api.picks.append(exports)
    result = data_buttons.import_jinbao(book)
    ours = [row for row in volume_rows(book) if row[SOURCE] and row[0] in ("0101", 101.0)]
    assert ours and len(ours) == sum(v.center == "0101" for v in result.volumes)
    assert {row[0] for row in ours} == {"0101"}


def test_an_import_with_errors_writes_nothing_but_the_checks(book, exports, tmp_path):
    copy = Path(shutil.copy(exports[-1], tmp_path / "统计副本.xlsx"))  # counts the year twice
    before = snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET])
    book.app.api.picks.append([*exports, copy])
    result = data_buttons.import_jinbao(book)
    assert not result.ok
    assert snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET]) == before
    assert RECORD_SHEET not in book.sheet_names
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    errors = [row for row in checks if row[0] == "错误"]
    assert errors and errors[0][1].startswith(copy.name) and "重复" in errors[0][3]
    [(message, _)] = book.app.alerts  # no confirmation was asked
    assert message.startswith(f"导入发现 {len(result.errors)} 个错误，未写入任何数据")
    assert book.sheets.active.name == contract.CHECKS_SHEET


def test_declining_the_confirmation_writes_nothing(book, exports):
    before = everything(book)
    book.app.api.picks.append(exports)
    book.app.answers.append("cancel")
    assert data_buttons.import_jinbao(book) is None
    assert everything(book) == before
    assert len(book.app.alerts) == 1 and "取消则不写入任何内容" in book.app.alerts[0][0]


def test_a_cancelled_picker_does_nothing(book):
    before = everything(book)
    book.app.api.picks.append(False)
    assert data_buttons.import_jinbao(book) is None
    assert everything(book) == before and book.app.alerts == []
    [(method, title, file_filter)] = book.app.api.dialogs
    assert method == "GetOpenFilename" and "导入金保数据" in title
    assert file_filter == data_buttons.FILE_FILTER and "*.csv" in file_filter


def test_the_open_workbook_is_never_read_as_an_export(book, exports):
    book.app.api.picks.append([book.fullname, *exports])
    result = data_buttons.import_jinbao(book)  # read as an export, its 指标 sheet is an error
    assert result.ok and not any(check.sheet.startswith("demo.xlsm") for check in result.checks)


def test_a_volume_sheet_without_the_source_column_is_refused(book, exports):
    sheet = book.sheets[contract.VOLUMES]
    sheet.range((HEADER_ROW, 5)).value = "备注"
    before = snapshot(book, [contract.VOLUMES])
    book.app.api.picks.append(exports)
    data_buttons.import_jinbao(book)
    assert snapshot(book, [contract.VOLUMES]) == before
    assert "没有“来源”列" in book.app.alerts[-1][0]
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    assert ["错误", contract.VOLUMES, "D2"] in [row[:3] for row in checks]


def test_a_workbook_without_a_year_says_so(tmp_path, exports):
    book = open_book(Path(shutil.copy(TEMPLATE, tmp_path / "template.xlsm")))
    book.app.api.picks.append(exports)
    assert data_buttons.import_jinbao(book) is None
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    assert checks[2][3] == macros.NO_YEAR.message


def test_an_import_into_the_empty_template_fills_its_table(tmp_path, exports):
    """The template's table has one blank row: the import starts there and grows the table."""
    book = open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))
    sheet = book.sheets[contract.VOLUMES]
    table = sheet.tables["tblVolumes"]
    body = table.data_body_range
    sheet.range((body.row + 1, 1), (body.row + body.shape[0] - 1, 5)).delete(shift="up")
    sheet.range((body.row, 1), (body.row, 5)).clear_contents()
    book.app.api.picks.append(exports)
    result = data_buttons.import_jinbao(book)
    assert volume_rows(book) == imported(result)
    assert table.range.address == f"$A${HEADER_ROW}:$E${HEADER_ROW + len(result.volumes)}"


# --- 生成回访清单 ---------------------------------------------------------------------------------

def test_callback_list_is_written_beside_the_workbook_never_over_a_file_and_opened(book, exports):
    folder = Path(book.fullname).parent
    earlier = folder / f"demo-回访清单-{YEAR}.xlsx"
    earlier.write_bytes(b"an earlier list, filled in")
    inputs = snapshot(book, [spec.name for spec in contract.INPUT_SHEETS])
    book.app.api.picks.append(exports)
    book.app.api.inputs.append(3)

    draw = data_buttons.callback_list(book)

    target = folder / f"demo-回访清单-{YEAR} (2).xlsx"
    assert target.is_file() and earlier.read_bytes() == b"an earlier list, filled in"
    opened = [b for b in book.app.books if b.fullname == str(target)]
    assert opened and "回访清单" in opened[0].sheet_names
    assert draw.per_center == 3 and draw.cases
    assert all(c.sampled == min(3, c.population) for c in draw.centers)
    listed = [v for v in opened[0].sheets["回访清单"].used_range.options(ndim=2).value
              if isinstance(v[0], float)]  # numbered rows: the drawn cases
    assert [row[3] for row in listed] == [case.case_id for case in draw.cases]
    assert snapshot(book, [spec.name for spec in contract.INPUT_SHEETS]) == inputs
    message = book.app.alerts[-1][0]
    assert str(target) in message and f"随机种子：{draw.seed}" in message and "注意保密" in message
    (_, _, _), (method, _, prompt) = book.app.api.dialogs
    assert method == "InputBox" and "每个中心" in prompt


def test_callback_count_defaults_to_five(book, exports):
    book.app.api.picks.append(exports)
    draw = data_buttons.callback_list(book)  # the user accepts the input box's default
    assert draw.per_center == 5


@pytest.mark.parametrize("answer, message", [(False, None), (0, "正整数"), (2.5, "正整数")])
def test_callback_count_cancelled_or_invalid_writes_nothing(book, exports, answer, message):
    folder = Path(book.fullname).parent
    book.app.api.picks.append(exports)
    book.app.api.inputs.append(answer)
    assert data_buttons.callback_list(book) is None
    assert sorted(p.name for p in folder.iterdir()) == ["demo.xlsm"]
    if message is None:
        assert book.app.alerts == []
    else:
        [(shown, _)] = book.app.alerts
        assert message in shown


def test_buttons_that_write_beside_the_workbook_need_it_saved():
    book = fake.Book("工作簿1", ["Sheet1"])
    assert data_buttons.callback_list(book) is None
    assert data_buttons.notices(book) is None
    assert [m for m, _ in book.app.alerts] == [data_buttons.NOT_SAVED] * 2
    assert book.app.api.dialogs == []


# --- 生成告知书 -----------------------------------------------------------------------------------

def test_notices_are_written_beside_the_workbook(book):
    require_soffice()
    target = data_buttons.notices(book)
    assert target == Path(book.fullname).with_name(f"demo-告知书-{YEAR}.pdf")
    centers = run(DEMO, YEAR).allocation.centers
    assert len(PdfReader(target).pages) == len(centers)
    assert book.app.alerts == [(f"告知书已生成（每个中心一页）：{target}", macros.ALERT_TITLE)]


def test_notices_without_libreoffice_say_what_to_install(book, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    for variable in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.delenv(variable, raising=False)
    assert data_buttons.notices(book) is None
    assert book.app.alerts[-1][0].startswith("未找到 LibreOffice，无法生成告知书。")
    assert list(Path(book.fullname).parent.glob("*.pdf")) == []


def test_notices_of_invalid_data_name_the_errors(book):
    rows = volume_rows(book)
    row = next(i for i, r in enumerate(rows) if in_period(r[2]))
    book.sheets[contract.VOLUMES].range((HEADER_ROW + 1 + row, 4)).value = "十二"
    assert data_buttons.notices(book) is None
    message = book.app.alerts[-1][0]
    assert message.startswith("数据有错误，未生成告知书") and f"业务量!D{HEADER_ROW + 1 + row}" in message
