"""The ribbon's 导入回访结果 button on the xlwings stand-in: filled-in lists into the demo
workbook's 回访 sheet (table tblCallbacks), by 抽取批次, text as text, no personal data."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from jbsys_xl import contract
from jbsys_xl.cli import main
from jbsys_xl.excel import callback_buttons, data_buttons, udf_service
from jbsys_xl.excel.book_source import read_book
from jbsys_xl.jinbao.plan import beside, filtered, protected, totals_row
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.pipeline import run
from jbsys_xl.report import tables as t
from tests.jinbao.support import personal_values
from tests.support import fake_xlwings as fake
from tests.support.excel_books import open_book, snapshot

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "workbook" / "demo.xlsm"
YEAR, SEED = 2024, 777
HEADER_ROW = 2  # of 回访 in the template: a note above it
HEADERS = list(contract.SHEET_SPECS[contract.CALLBACKS].headers)
DRAWN = dt.datetime(2024, 12, 20)  # tests/conftest.py: SOURCE_DATE_EPOCH


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return write_sample_exports(tmp_path_factory.mktemp("exports"), YEAR)


@pytest.fixture(scope="module")
def drawn_list(tmp_path_factory, exports) -> Path:
    out = tmp_path_factory.mktemp("list") / "回访清单.xlsx"
    assert main(["callbacks", str(DEMO), *map(str, exports), "--seed", str(SEED), "--per-center", "1",
                 "--operator", "抽取员", "-o", str(out)]) == 0
    return out


@pytest.fixture
def book(tmp_path):
    udf_service.CACHE.__init__()
    return open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))


def fill(drawn_list: Path, target: Path, results: dict[int, str], note: str | None = None) -> Path:
    """A copy of the list where the n-th drawn case (0-based) got ``results[n]``."""
    wb = openpyxl.load_workbook(drawn_list)
    sheet = wb["回访清单"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "序号")
    col = {cell.value: cell.column for cell in header}
    numbered = [r for r in range(header[0].row + 1, sheet.max_row + 1)
                if isinstance(sheet.cell(r, 1).value, (int, float))]
    for n, result in results.items():
        sheet.cell(numbered[n], col["回访结果"]).value = result
        sheet.cell(numbered[n], col["回访日期"]).value = DRAWN + dt.timedelta(days=1)
        sheet.cell(numbered[n], col["工单号"]).value = f"00{n}"
        if note:
            sheet.cell(numbered[n], col["说明"]).value = note
    wb.save(target)
    return target


def callback_rows(book) -> list[list]:
    sheet = book.sheets[contract.CALLBACKS]
    used = sheet.used_range
    return sheet.range((HEADER_ROW + 1, 1), (used.row + used.shape[0] - 1, len(HEADERS))).options(ndim=2).value


def batch_of(row) -> str:
    return row[HEADERS.index("抽取批次")]


def test_results_are_written_below_the_other_batches_as_text(book, drawn_list, tmp_path, exports):
    before = callback_rows(book)
    source = fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实", 1: "不属实", 2: "无法联系"})
    book.app.api.picks.append([source])

    results = callback_buttons.import_callback_results(book)

    assert results.ok and len(results.rows) == 23
    after = callback_rows(book)
    assert after[:len(before)] == before  # the demo's own batch stays, in its order
    new = after[len(before):]
    assert len(new) == 23 and {batch_of(row) for row in new} == {str(SEED)}  # text, not 777.0
    first = new[0]
    assert first[:5] == [2024.0, results.rows[0].center, results.rows[0].case_id, DRAWN + dt.timedelta(days=1), "属实"]
    assert first[HEADERS.index("工单号")] == "000"  # leading zeros kept
    assert [row[4] for row in new[3:]] == [None] * 20  # drawn, not called yet
    sheet = book.sheets[contract.CALLBACKS]
    table = sheet.tables["tblCallbacks"]
    assert table.range.address == f"$A${HEADER_ROW}:$K${HEADER_ROW + len(after)}"
    top = HEADER_ROW + 1 + len(before)
    assert [sheet.range((top, c)).number_format for c in range(1, 12)] == \
        ["0", "@", "@", "yyyy-mm-dd", "@", "@", "@", "@", "@", "@", "@"]
    confirmation, done = (prompt for prompt, _ in book.app.alerts)
    assert f"已回访.xlsx（抽取批次 {SEED}）：抽取 23 件，已回访 3 件" in confirmation
    # the demo's own 6 rows (5 of its draw, XB04's 专项回访) are kept
    assert "同一抽取批次此前的 0 行换成这次的 23 行，保留其他 6 行" in confirmation
    assert "已写入“回访”表" in done and book.sheets.active.name == contract.CALLBACKS
    app = book.app
    assert (app.enable_events, app.calculation, app.screen_updating, app.status_bar) == \
        (True, "automatic", True, False)
    # the allocation now sees every drawn case
    table = t.callback_table(run(read_book(book), YEAR).allocation)
    total = table.rows[-1]
    assert total[3:9] == (23 + 6, 3 + 6, 1 + 3, 1 + 2, 1 + 1, 20)
    # and no personal data came into the workbook
    written = " ".join(str(v) for row in after for v in row if v is not None)
    assert not [value for value in personal_values(exports) if value in written]


def test_importing_the_batch_again_replaces_it_and_keeps_the_decisions(book, drawn_list, tmp_path):
    first = fill(drawn_list, tmp_path / "第一次.xlsx", {0: "不属实"})
    book.app.api.picks.append([first])
    callback_buttons.import_callback_results(book)
    rows = callback_rows(book)
    refuted = next(i for i, row in enumerate(rows) if batch_of(row) == str(SEED) and row[4] == "不属实")
    sheet = book.sheets[contract.CALLBACKS]
    sheet.range((HEADER_ROW + 1 + refuted, HEADERS.index("处理决定") + 1)).value = "不否决"
    sheet.range((HEADER_ROW + 1 + refuted, HEADERS.index("决定说明") + 1)).value = "当事人记错了办理地点"
    case = rows[refuted][2]

    second = fill(drawn_list, tmp_path / "第二次.xlsx", {0: "不属实", 1: "属实", 2: "属实"})
    book.app.api.picks.append([second])
    results = callback_buttons.import_callback_results(book)

    after = callback_rows(book)
    ours = [row for row in after if batch_of(row) == str(SEED)]
    assert len(after) == 6 + 23 and len(ours) == 23  # replaced, not added twice
    assert [row[4] for row in ours[:3]] == ["不属实", "属实", "属实"]
    kept = next(row for row in ours if row[2] == case)
    assert kept[6:8] == ["不否决", "当事人记错了办理地点"]
    assert [row for row in after if batch_of(row) != str(SEED)] == callback_rows_of_demo()  # kept as they were
    assert "同一抽取批次此前的 23 行换成这次的 23 行" in book.app.alerts[-2][0]
    assert results.ok
    replaced = book.sheets["回访替换记录"]  # the first import's rows, as they stood
    used = replaced.used_range
    table = replaced.range((2, 1), (used.row + used.shape[0] - 1, 1 + len(HEADERS))).options(ndim=2).value
    recorded = table[1:]
    assert table[0][:3] == ["单元格", "年度", "中心"]
    assert len(recorded) == 23 and recorded[0][0] == f"回访!A{HEADER_ROW + 1 + 6}"
    assert sum(1 for row in recorded if row[5] == "不属实") == 1
    record = book.sheets["回访导入记录"]
    used = record.used_range
    lines = record.range((1, 1), (used.row + used.shape[0] - 1, 1)).options(ndim=2).value
    assert any("同一抽取批次此前的 23 行换成这次的 23 行" in str(line[0]) for line in lines)


def callback_rows_of_demo() -> list[list]:
    return callback_rows(open_book(DEMO, vba=False))


def test_lists_with_errors_write_nothing_but_the_checks(book, drawn_list, tmp_path):
    source = fill(drawn_list, tmp_path / "已回访.xlsx", {0: "已核实"})
    before = snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET])
    book.app.api.picks.append([source])
    results = callback_buttons.import_callback_results(book)
    assert not results.ok
    assert snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET]) == before
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    errors = [row for row in checks if row[0] == "错误"]
    assert errors[0][1] == "已回访.xlsx!回访清单" and "回访结果“已核实”不是允许的值" in errors[0][3]
    [(message, _)] = book.app.alerts
    assert message.startswith("回访清单有 1 个错误，未写入任何数据")


def test_declining_or_cancelling_writes_nothing(book, drawn_list, tmp_path):
    source = fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实"})
    before = snapshot(book, book.sheet_names)
    book.app.api.picks += [False, [source]]
    assert callback_buttons.import_callback_results(book) is None  # the picker cancelled
    book.app.answers.append("cancel")
    assert callback_buttons.import_callback_results(book) is None
    assert snapshot(book, book.sheet_names) == before
    [(method, title, file_filter), _] = book.app.api.dialogs
    assert method == "GetOpenFilename" and "导入回访结果" in title
    assert file_filter == callback_buttons.LIST_FILTER and "*.xlsx" in file_filter


def test_a_callback_sheet_without_the_batch_column_is_refused(book, drawn_list, tmp_path):
    sheet = book.sheets[contract.CALLBACKS]
    sheet.range((HEADER_ROW, HEADERS.index("抽取批次") + 1)).value = "备注"
    before = snapshot(book, [contract.CALLBACKS])
    book.app.api.picks.append([fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实"})])
    callback_buttons.import_callback_results(book)
    assert snapshot(book, [contract.CALLBACKS]) == before
    assert "“回访”表没有“抽取批次”列" in book.app.alerts[-1][0]


def test_a_refused_delete_leaves_the_sheet_as_before_and_importing_again_works(book, drawn_list, tmp_path,
                                                                              monkeypatch):
    source = fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实"})
    book.app.api.picks.append([source])
    callback_buttons.import_callback_results(book)  # a first import: the batch is there
    before = snapshot(book, [contract.CALLBACKS])

    def busy(self, Shift=None):
        raise fake.ComError("Excel is busy")

    with monkeypatch.context() as patch:
        patch.setattr(fake.ComRange, "Delete", busy)
        book.app.api.picks.append([source])
        assert callback_buttons.import_callback_results(book) is None
    assert "已撤回，“回访”表与导入前相同" in book.app.alerts[-1][0]
    assert snapshot(book, [contract.CALLBACKS]) == before
    book.app.api.picks.append([source])
    callback_buttons.import_callback_results(book)
    assert len([row for row in callback_rows(book) if batch_of(row) == str(SEED)]) == 23


def test_a_note_beside_the_table_is_never_deleted_with_a_row(book, drawn_list, tmp_path):
    """D4 of the review (appendix 4): the replaced batch's rows are deleted as whole sheet rows,
    so a note beside the table in such a row makes the import refuse — the note stays."""
    source = fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实"})
    book.app.api.picks.append([source])
    callback_buttons.import_callback_results(book)
    sheet = book.sheets[contract.CALLBACKS]
    last = HEADER_ROW + len(callback_rows(book))
    sheet.range((last, 16)).value = "工作组：待复核"
    before = snapshot(book, [contract.CALLBACKS])
    book.app.api.picks.append([fill(drawn_list, tmp_path / "更全.xlsx", {0: "属实", 1: "属实"})])
    assert callback_buttons.import_callback_results(book).ok
    assert snapshot(book, [contract.CALLBACKS]) == before
    assert book.app.alerts[-1][0] == f"未写入任何数据：{beside(contract.CALLBACKS, f'P{last}')}"


@pytest.mark.parametrize("change, message", [
    (lambda sheet: setattr(sheet.tables["tblCallbacks"], "show_totals", True),
     totals_row(contract.CALLBACKS, "tblCallbacks")),
    (lambda sheet: setattr(sheet, "_protected", True), protected(contract.CALLBACKS)),
    (lambda sheet: setattr(sheet.tables["tblCallbacks"], "_filter", True), filtered(contract.CALLBACKS)),
], ids=["totals", "protected", "filtered"])
def test_the_callback_sheet_gets_the_same_preflight(book, drawn_list, tmp_path, change, message):
    change(book.sheets[contract.CALLBACKS])
    before = snapshot(book, [contract.CALLBACKS])
    book.app.api.picks.append([fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实"})])
    assert callback_buttons.import_callback_results(book).ok
    assert snapshot(book, [contract.CALLBACKS]) == before
    [(alert, _)] = book.app.alerts  # no confirmation was asked
    assert alert == f"未写入任何数据：{message}"


def test_a_batch_edited_after_the_confirmation_is_not_deleted(book, drawn_list, tmp_path, monkeypatch):
    source = fill(drawn_list, tmp_path / "已回访.xlsx", {0: "属实"})
    book.app.api.picks.append([source])
    callback_buttons.import_callback_results(book)
    sheet = book.sheets[contract.CALLBACKS]
    real_put = data_buttons.put
    ours = [HEADER_ROW + 1 + i for i, row in enumerate(callback_rows(book)) if batch_of(row) == str(SEED)]

    def put_and_edit(target, *args):
        real_put(target, *args)
        sheet._cells[(ours[0], HEADERS.index("处理决定") + 1)] = "否决"  # the working group meanwhile

    monkeypatch.setattr(data_buttons, "put", put_and_edit)
    book.app.api.picks.append([source])
    assert callback_buttons.import_callback_results(book) is None
    assert "在确认之后有了变化" in book.app.alerts[-1][0]
    assert callback_rows(book)[ours[0] - HEADER_ROW - 1][HEADERS.index("处理决定")] == "否决"
    assert len(callback_rows(book)) == 6 + 23


def test_the_entry_point_is_named_for_the_ribbon():
    from jbsys_xl.excel.macros import resolve

    assert resolve("jbsys_xl.excel.callback_buttons.import_callback_results") is \
        callback_buttons.import_callback_results
