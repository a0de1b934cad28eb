"""A real Excel 97–2003 .xls, made by LibreOffice (soffice --convert-to xls), imports like the
.xlsx it came from; an error value in it is still an error, not a blank."""
from __future__ import annotations

from datetime import datetime

from jbsys_xl.office.libreoffice import convert
from tests.jinbao.support import ITEM, ITEM2, TN01_ALIAS, TN02, Formula, detail, imported, messages, volumes, write_xlsx
from tests.support import require_soffice


def test_xls_made_by_libreoffice(tmp_path):
    require_soffice()
    (tmp_path / "src").mkdir()
    source = write_xlsx(tmp_path / "src" / "明细.xlsx", {
        "明细": detail(("A1", TN02, ITEM, datetime(2024, 3, 5, 10, 22), "办结"),
                       ("A2", TN01_ALIAS, ITEM2, "2024/3/6", "已办结"),
                       ("A3", TN02, ITEM, "2024-03-07", "作废"),
                       (20240001, TN02, ITEM, 20240308, "办结")),
        "统计": [["2024年4月统计"], ["经办机构", ITEM2], [TN02, 6]]})
    bad = write_xlsx(tmp_path / "src" / "坏.xlsx", {
        "明细": detail(("B1", TN02, ITEM, Formula("=NA()", "#N/A"), "办结"))})
    xls = convert(source, "xls", tmp_path / "xls")
    bad_xls = convert(bad, "xls", tmp_path / "xls")
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # BIFF in an OLE file
    from_xlsx, from_xls = imported([source]), imported([xls])
    assert from_xls.ok and volumes(from_xls) == volumes(from_xlsx) == {
        ("TN02", ITEM, "2024-03"): 2, ("TN01", ITEM2, "2024-03"): 1, ("TN02", ITEM2, "2024-04"): 6}
    assert [p.label for p in from_xls.parts] == ["明细", "统计（宽表）"]
    assert messages(imported([bad_xls]), "error") == ["坏.xls!明细!D3：单元格是错误值 #N/A，请先更正公式或数据"]
