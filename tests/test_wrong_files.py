"""A wrong file given as the allocation workbook is named for what it is, by the CLI and the page
alike (documents.md §8, v4): this tool's own result, a 金保 export, a file that is no Excel file
at all; the message names the file, never its folder, and the remedy is the door's own (no
command-line option on the page)."""
from __future__ import annotations

from pathlib import Path

import pytest

from jbsys_xl.cli import main
from jbsys_xl.doors import PAGE
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.pipeline import run
from tests.support import workbooks as wb


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The sample 金保 exports: an .xlsx, a CSV and a web system's "xls" (HTML)."""
    return write_sample_exports(tmp_path_factory.mktemp("exports") / "金保导出", 2024)


@pytest.fixture
def result(tmp_path, capsys):
    """The 分配结果 workbook this tool writes for a valid workbook."""
    source = wb.write(tmp_path / "输入.xlsx", wb.base())
    assert main(["allocate", str(source), "-o", str(tmp_path / "结果.xlsx")]) == 0
    capsys.readouterr()
    return tmp_path / "结果.xlsx"


def only_error(outcome) -> str:
    assert not outcome.ok and len(outcome.errors) == 1
    return str(outcome.errors[0])


def test_the_result_workbook_is_named_as_this_tools_result(result, capsys):
    expected = ("结果.xlsx：这是本程序生成的分配结果，不是分配工作簿；"
                "请选择填写数据的分配工作簿（有“参数”“指标”“中心”等工作表）")
    assert main(["check", str(result)]) == 2
    assert f"错误 {expected}" in capsys.readouterr().err
    assert only_error(run(result, door=PAGE)) == expected


def test_every_kind_of_jinbao_export_is_named_and_sent_to_the_import(exports, capsys):
    assert {path.suffix for path in exports} >= {".xlsx", ".csv", ".xls"}
    for path in exports:
        assert main(["check", str(path)]) == 2
        assert f"错误 {path.name}：这是金保导出文件，请用 jbsys-xl import 导入" in capsys.readouterr().err
        assert only_error(run(path, door=PAGE)) == f"{path.name}：这是金保导出文件，请在“导入金保数据”中选择"


def test_a_pdf_renamed_xlsx_is_no_excel_file_and_its_folder_is_not_shown(tmp_path):
    fake = tmp_path / "工作簿（其实是PDF）.xlsx"
    fake.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    outcome = run(fake, door=PAGE)
    assert only_error(outcome) == ("工作簿（其实是PDF）.xlsx：这是PDF 文件，不是 Excel 文件；"
                                   "请选择 Excel 或 WPS 保存的工作簿（.xlsx、.xlsm、.xls 或 .ods）")
    assert outcome.book.label == fake.name  # the page's heading: not the server's private folder


def test_the_year_remedy_is_the_doors_own(tmp_path, capsys):
    sheets = wb.base()
    sheets["参数"] = sheets["参数"][:1]
    book = wb.write(tmp_path / "无年度.xlsx", sheets)
    assert main(["check", str(book)]) == 2
    assert "请先填写本年度的参数行（或用 --year 指定年度）" in capsys.readouterr().err
    message = only_error(run(book, door=PAGE))
    assert message == "参数：“参数”表中没有任何年度的参数行，请先填写本年度的参数行（或在“考核年度”中填写年度）"
    assert "--" not in message


def test_a_real_workbook_with_no_allocation_sheet_renamed_is_not_taken_for_another_file(tmp_path):
    """Only a file with none of 参数/指标/中心 is looked at as another kind of file."""
    sheets = wb.base()
    sheets["参数（2024）"] = sheets.pop("参数")
    outcome = run(wb.write(tmp_path / "改名.xlsx", sheets), 2024)
    assert not outcome.ok
    assert not any("不是分配工作簿" in str(check) or "金保导出" in str(check) for check in outcome.errors)


def test_the_import_and_the_callback_draw_word_their_remedies_for_the_page(tmp_path, exports):
    from jbsys_xl.jinbao.callbacks import draw_callbacks
    from jbsys_xl.jinbao.importer import run_import

    sheets = wb.base()
    sheets["参数"] = sheets["参数"][:1]
    no_year = wb.write(tmp_path / "无年度.xlsx", sheets)
    assert [str(c) for c in run_import(no_year, exports, door=PAGE).errors] == [
        "无法确定年度：“参数”表中没有有效的年度，请在“考核年度”中填写年度"]
    assert "请用 --year 指定年度" in str(run_import(no_year, exports).errors[0])
    demo = Path(__file__).resolve().parents[1] / "workbook" / "demo.xlsm"
    draw = draw_callbacks(demo, exports, 2024, seed=1, door=PAGE)
    warned = [str(check) for check in draw.checks if check.level == "warning"]
    assert "未填写抽取人：抽取记录中的抽取人为空，这份清单作为抽取的记录不完整（请在“抽取人”中填写）" in warned
    assert not any("--" in line for line in warned)


def test_the_jinbao_steps_name_a_wrong_workbook_too(exports, result, tmp_path, capsys):
    """import, callbacks and callback-results read the allocation workbook first: an export or
    this tool's result given in its place is named, not reported as a 参数 sheet without a year."""
    from jbsys_xl.jinbao.callback_results import read_results
    from jbsys_xl.jinbao.importer import run_import

    export = next(path for path in exports if path.suffix == ".xlsx")
    slot = "不是分配工作簿：命令的第一个文件应是分配工作簿，金保导出文件写在它后面"
    for command in (["import", str(export), str(exports[0].parent), "-o", str(tmp_path / "x.xlsx")],
                    ["callbacks", str(export), str(exports[0].parent), "-o", str(tmp_path / "y.xlsx")]):
        assert main(command) == 2
        assert f"错误 {export.name}：这是金保导出文件，{slot}" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()
    page = run_import(export, exports, door=PAGE)
    assert [str(c) for c in page.errors] == [
        f"{export.name}：这是金保导出文件，不是分配工作簿：请把它选在“金保导出文件”中，“分配工作簿”选填写数据的工作簿"]
    read = read_results(result, [], door=PAGE)
    assert [str(c) for c in read.checks] == [
        "结果.xlsx：这是本程序生成的分配结果，不是分配工作簿；请选择填写数据的分配工作簿（有“参数”“指标”“中心”等工作表）"]
