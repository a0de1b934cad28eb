"""What 金保 exports call their columns and statuses (金保 contract §1–§2), in one table.

Header cells are compared in normal form (:func:`~jbsys_xl.io.names.normalize`); where a sheet
has several headers of one field, the one listed first here wins (the street's work is the
受理, so 受理时间 beats 办结时间), then the leftmost column.
"""
from __future__ import annotations

from ..io.names import normalize

CASE_ID, INSTITUTION, ITEM, DATE, STATUS = "case_id", "institution", "item", "date", "status"
NAME, ID_NUMBER, PHONE, COUNT, MONTH = "name", "id_number", "phone", "count", "month"

FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    CASE_ID: ("业务流水号", "经办流水号", "流水号", "业务编号", "受理编号", "办件编号"),
    INSTITUTION: ("经办机构", "经办网点", "受理机构", "经办单位", "服务机构"),
    ITEM: ("业务事项", "事项名称", "业务类型", "业务名称"),
    DATE: ("受理时间", "受理日期", "经办时间", "经办日期", "办结时间", "办结日期"),
    STATUS: ("办理状态", "业务状态", "状态"),
    NAME: ("姓名", "参保人姓名"),
    ID_NUMBER: ("公民身份号码", "社会保障号码", "身份证号码", "身份证号", "证件号码"),
    PHONE: ("联系电话", "手机号码", "移动电话", "手机号", "电话"),
    COUNT: ("业务量", "办件量", "数量", "笔数", "件数"),
    MONTH: ("月份", "所属期", "统计月份", "统计期"),
}
LABELS = {field: names[0] for field, names in FIELD_HEADERS.items()}  # how messages name a field
PERSONAL = (NAME, ID_NUMBER, PHONE)  # read by the callbacks only, never written by the import
# The columns that make a header row recognisable; a sheet with none of them is not an export.
TELLING = (CASE_ID, INSTITUTION, ITEM, DATE, COUNT)

HEADER_ROWS = 30  # the header row of an export is one of its first 30 rows (contract §1)

DETAIL, STATS = "明细", "统计"  # the two kinds of export (contract §2)
LONG, WIDE = "长表", "宽表"  # the two layouts of a 统计 export

COUNTED_STATUSES = frozenset({"办结", "已办结", "完成", "已完成", "成功", "正常", "审核通过", "已审核",
                              "已复核", "有效", "1"})
EXCLUDED_STATUSES = frozenset({"作废", "退回", "撤销", "已撤销", "删除", "不予受理", "失败", "无效", "0"})
TOTAL_WORDS = frozenset({"合计", "总计", "小计"})  # an institution (or item) cell of a sum row
# Columns of a wide 统计 that are not items and need no mention when ignored.
WIDE_IGNORED = frozenset({"序号", "备注", "说明", "单位", "排名"} | TOTAL_WORDS
                         | {name for names in FIELD_HEADERS.values() for name in names})

_BY_NAME = {name: (field, rank) for field, names in FIELD_HEADERS.items()
            for rank, name in enumerate(names)}


def header_field(text: str) -> str | None:
    """The field a header text names (in normal form), or None."""
    found = _BY_NAME.get(normalize(text))
    return None if found is None else found[0]


def field_columns(row: list) -> dict[str, int]:
    """Field → column index of a candidate header row: the best-ranked header of each field."""
    best: dict[str, tuple[int, int]] = {}
    for col, value in enumerate(row):
        if not isinstance(value, str):
            continue
        found = _BY_NAME.get(normalize(value))
        if found is None:
            continue
        field, rank = found
        if field not in best or rank < best[field][0]:
            best[field] = (rank, col)
    return {field: col for field, (_, col) in best.items()}


def is_total(text: str | None) -> bool:
    """合计/总计/小计, also written with spaces (合 计) or a colon (合计：)."""
    return bool(text) and text.replace(" ", "").rstrip(":：") in TOTAL_WORDS
