"""是否指 hints a clerk can safely follow (金保 contract §4 v3), in the import and in the
workbook's 未知中心/未知事项 errors, and 未匹配 counts that add up over the files."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jbsys_xl.io.lookup import center_lookup, item_lookup
from jbsys_xl.io.names import INSTITUTION_RATIO, district_prefix, institution_core, item_core
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.model import Center, Indicator
from jbsys_xl.pipeline import run
from tests.jinbao.support import ITEM, TN02, demo_book, detail, imported, write_xlsx
from tests.support import workbooks as wb

CENTERS = [Center("TN01", "雕庄街道人社服务中心", "天宁区", aliases=("天宁区雕庄街道劳动保障所",)),
           Center("TN03", "茶山街道人社服务中心", "天宁区"),
           Center("ZL08", "邹区镇人社服务中心", "钟楼区", aliases=("钟楼区邹区镇劳动保障所",)),
           Center("XB02", "新桥街道人社服务中心", "新北区"),
           Center("ZL07", "新闸街道人社服务中心", "钟楼区")]


def indicator(name: str, *aliases: str) -> Indicator:
    return Indicator(1, "类", name, Decimal(1), "标准化下沉", aliases=aliases)


ITEMS = [indicator("就业困难人员（含双零家庭）认定"), indicator("失业登记", "失业人员登记"),
         indicator("一次性开业补贴申请受理"), indicator("社会保障卡领卡、激活"),
         indicator("受理居民保险补收申请"), indicator("受理居民保险退收申请"),
         indicator("出具未参保证明及未享受养老待遇证明"), indicator("城乡居民参保登记")]


@pytest.fixture(scope="module")
def demo_import(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return imported(write_sample_exports(folder, 2024))


def test_the_demo_gives_no_hint_across_a_district_or_a_service(demo_import):
    found = {u.value: u.suggestion for u in demo_import.unmatched}
    assert "武进区湖塘镇劳动保障所" in found and found["武进区湖塘镇劳动保障所"] is None  # not 钟楼区邹区镇
    assert "就业见习" in found and found["就业见习"] is None  # not 就业困难人员认定
    assert not any("是否指" in c.message and ("湖塘" in c.message or "就业见习" in c.message)
                   for c in demo_import.checks)


@pytest.mark.parametrize("name, hint", [
    ("武进区湖塘镇劳动保障所", None),  # another district: none of ours
    ("武进区邹区镇劳动保障所", None),  # the same town name in another district is another office
    ("天宁区邹区镇劳动保障所", None),  # 天宁区 has no 邹区
    ("邹区镇劳动保障所", "钟楼区邹区镇劳动保障所"),  # no district named: the town alone decides
    ("常州市钟楼区邹区镇劳保所", "钟楼区邹区镇劳动保障所"),
    ("天宁区雕庄街道人社所", "天宁区雕庄街道劳动保障所"),
    ("雕庄街道人社服务中心（东门）", "雕庄街道人社服务中心"),  # a bracketed note
    ("雕庄X街道人社所", "雕庄街道人社服务中心"),  # core 雕庄X: ratio 0.8
    ("新桥街道人社服务中心x", "新桥街道人社服务中心"),
    ("新港街道人社服务中心", None),  # one character of two apart: 新桥? 新闸? neither
    ("新闸街道", "新闸街道人社服务中心"),
    ("湖塘镇人社服务中心", None),
    ("人社服务中心", None),  # nothing left to compare
    ("TN1", "TN01"),
])
def test_institution_hints(name, hint):
    assert center_lookup(CENTERS).hint(name) == hint


def test_a_hint_needs_one_center_alone_that_close():
    twins = CENTERS + [Center("XB09", "雕庄街道人社服务中心（分中心）", "新北区")]
    assert center_lookup(twins).hint("雕庄街道人社所") is None
    assert center_lookup(twins).hint("天宁区雕庄街道人社所") == "天宁区雕庄街道劳动保障所"  # the district decides


def test_institution_cores_and_districts():
    assert district_prefix("江苏省常州市武进区湖塘镇劳动保障所") == "武进区"
    assert district_prefix("溧阳市埭头镇劳动保障所") == "溧阳市"
    assert district_prefix("邹区镇人社服务中心") is None  # a town named 邹区 is no district
    assert district_prefix("红梅社区服务站") is None
    assert institution_core("天宁区雕庄街道劳动保障所") == institution_core("雕庄街道人社服务中心（示例数据）") == "雕庄"
    assert INSTITUTION_RATIO == 0.8


@pytest.mark.parametrize("name, hint", [
    ("就业见习", None),  # shares 就业 with 就业困难人员认定: another service
    ("就业困难人员认定", None),  # two characters less than the indicator: not near enough
    ("就业困难人员(含双零家庭)认定业务", "就业困难人员（含双零家庭）认定"),
    ("一次性开业补贴", "一次性开业补贴申请受理"),  # equal without 申请/受理
    ("办理一次性开业补贴申请", "一次性开业补贴申请受理"),
    ("社会保障卡领卡和激活", "社会保障卡领卡、激活"),  # one character added
    ("失业登记表", "失业登记"),
    ("失业人员登记表", "失业人员登记"),
    ("就业登记", None),  # one character changed in a short name: another service
    ("居民保险追收", None),  # one character from two indicators
    ("城乡居民参保登记证", "城乡居民参保登记"),
    ("城乡居民停保登记", "城乡居民参保登记"),  # one changed of 6+ characters (the rule's limit)
    ("出具参保证明及未享受养老待遇证明", None),  # 未 dropped: the opposite
    ("人事档案借阅", None),
])
def test_item_hints(name, hint):
    assert item_lookup(ITEMS).hint(name) == hint


def test_item_core_drops_punctuation_brackets_and_the_common_words():
    assert item_core("受理居民保险补收申请") == "居民保险补收"
    assert item_core("就业困难人员(含双零家庭)认定") == "就业困难人员含双零家庭认定"


def test_workbook_errors_use_the_same_safe_hints(tmp_path):
    """The allocation workbook's 未知中心 errors follow the same rule: 甲中心人社所 is 甲中心, but
    钟楼区甲中心 (甲中心 is in 天宁区) gets no hint."""
    sheets = wb.base()
    sheets["业务量"] += [["甲中心人社所", "失业登记", "2024-05", 1], ["钟楼区甲中心", "失业登记", "2024-05", 1],
                        ["C02", "就业登记", "2024-05", 1]]
    messages = [c.message for c in run(wb.write(tmp_path / "in.xlsx", sheets), 2024).errors]
    assert any(m.startswith("未知中心“甲中心人社所”，是否指“甲中心”？") for m in messages)
    assert any(m.startswith("未知中心“钟楼区甲中心”（") for m in messages)
    assert any(m.startswith("未知事项“就业登记”（") for m in messages)  # not 失业登记


def test_unmatched_rows_add_up_over_the_files(tmp_path):
    """Each file's 未匹配 counts its rows that matched nothing; a row unknown in both fields
    counts once, under the institution; a wide 统计's column of no item counts its cells of
    our centers' rows; rows of a center closed this year are listed too."""
    a = write_xlsx(tmp_path / "a.xlsx", {"S": detail(
        ("A1", "外区机构", "档案借阅", "2024-03-05", "办结"),  # both unknown: one row, under 经办机构
        ("A2", "外区机构", ITEM, "2024-03-06", "办结"),
        ("A3", TN02, "档案借阅", "2024-03-05", "办结"),
        ("A4", "ZL06", ITEM, "2024-03-05", "办结"),  # closed in 2023
        ("A5", TN02, ITEM, "2024-03-05", "办结"))})
    b = write_xlsx(tmp_path / "b.xlsx", {"S": [
        ["统计月份", "经办机构", ITEM, "就业见习"], ["202403", "TN01", 4, 2], ["202403", "TN03", 1, None],
        ["202403", "外区机构", 3, 5]]})
    result = imported([a, b])
    assert result.ok
    assert [p.unmatched for p in result.parts] == [4, 2]  # b: 外区机构's row, TN01's 就业见习
    found = {(u.field, u.value): u.count for u in result.unmatched}
    assert found == {("经办机构", "外区机构"): 3, ("业务事项", "档案借阅"): 1, ("业务事项", "就业见习"): 1,
                     ("经办机构", "ZL06（2024 年度未启用）"): 1}
    assert sum(p.unmatched for p in result.parts) == sum(found.values())


def test_the_demo_files_add_up_to_the_unmatched_total(demo_import):
    assert sum(p.unmatched for p in demo_import.parts) == sum(u.count for u in demo_import.unmatched) > 0


def test_lookup_reads_the_demo_centers():
    """The demo's own names: a hint never leaves the district the name begins with."""
    from jbsys_xl.io.dataset import reference_data

    _, _, centers, _ = reference_data(demo_book(), 2024)
    lookup = center_lookup(centers)
    assert lookup.hint("武进区湖塘镇劳动保障所") is None
    assert lookup.hint("钟楼区邹区镇劳动保障站") == "钟楼区邹区镇劳动保障所"
