"""Filled-in 回访清单 back to the workbook's 回访 sheet (金保 contract §7–§8 v3), without
personal data.

A list is recognised by what :mod:`.callbacks` wrote into it: the 回访清单 sheet's header and
the 抽取记录 lines (年度, 随机种子, 抽取时间). Every drawn case (a numbered row) becomes one 回访
row — 年度, 中心, 业务流水号, 回访日期, 回访结果, 说明, 回访人, 工单号 and 抽取批次 (the seed); an
empty 回访结果 is a case not called yet (未回访). The columns 姓名, 证件号码 and 联系电话 are
read only to take them out of a 说明 that repeats them: nothing personal reaches a result row, the
JSON, a message or a log. A 回访结果 outside 属实/不属实/无法联系 or a 回访日期 before the day of
the draw is an error at the list's cell, and then nothing is written.

The rows merge into a 回访 sheet by 抽取批次 (:func:`merge_plan`): the rows of the batches read
replace those already there, every other row stays, and the working group's 处理决定/决定说明 of a
replaced case stay with it (a list never carries them).
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from .. import __version__, contract
from ..clock import BEIJING, utc_moment
from ..doors import CLI, Door
from ..io import values as v
from ..io.dataset import CenterLookup, latest_year, reference_data
from ..io.names import normalize
from ..io.bounds import cell_name
from ..io.reader import RawBook, RawSheet, SourceError, open_spreadsheet
from ..io.tables import Checks, Table
from ..model import Check, Findings
from ..report import tables as t
from ..report.page import Formats, print_setup, set_widths, titled_table_sheet, write_table
from .callbacks import (COLUMNS, MOMENT_FORMAT, MOMENT_LABEL, OPERATOR_LABEL, PERSONAL_COLUMNS,
                        RECORD_CENTER_COLUMNS, RECORD_SHEET, SEED_LABEL, SHEET, YEAR_LABEL, has_phone,
                        moment_text)
from .importer import open_workbook

HEADERS = contract.SHEET_SPECS[contract.CALLBACKS].headers  # the 回访 sheet, in contract order
DECISION, DECISION_NOTE, AGENT, TICKET, BATCH = "处理决定", "决定说明", "回访人", "工单号", "抽取批次"
# What a list fills in: every column of 回访 but the working group's two (left empty in OUT).
CARRIED = tuple(h for h in HEADERS if h not in (DECISION, DECISION_NOTE))
READ_SHEET = "读取记录"
LIST_COLUMNS = ("文件", "年度", "抽取批次", "抽取时间（北京时间）", "抽取人", "抽取件数", "已回访",
                *contract.CALLBACK_RESULTS, t.NOT_CALLED)
HIDDEN = "（含个人信息，已隐去）"
DRAWN_COLUMN = RECORD_CENTER_COLUMNS[7]  # 抽取
_SQUEEZE = re.compile(r"[\s\-]")
# Anyone's mobile number, landline with area code or ID number written into a note.
_PHONE_OR_ID = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}\d{7,8}|\d{17}[\dXx])(?![\dXx])")


@dataclass(frozen=True)
class CallbackRow:
    """One drawn case as the 回访 sheet records it; ``result`` None: not called yet."""

    year: int
    center: str  # 中心编码
    case_id: str
    day: date | None
    result: str | None
    note: str
    agent: str
    ticket: str
    batch: str

    def values(self) -> dict[str, object]:
        """Header of 回访 → value (the two decision columns are not the list's)."""
        return dict(zip(CARRIED, (self.year, self.center, self.case_id, self.day, self.result, self.note,
                                  self.agent, self.ticket, self.batch)))


@dataclass(frozen=True)
class ListRead:
    """What one list contributed: its draw and its counts."""

    file: str
    year: int
    batch: str
    drawn_at: datetime
    operator: str
    rows: tuple[CallbackRow, ...]

    def counts(self) -> tuple[int, ...]:
        """(抽取, 已回访, 属实, 不属实, 无法联系, 未回访)."""
        results = [r.result for r in self.rows]
        return (len(results), len(results) - results.count(None),
                *(results.count(r) for r in contract.CALLBACK_RESULTS), results.count(None))


@dataclass
class ResultsRead(Findings):
    year: int | None
    lists: list[ListRead] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    # The allocation workbook's sheets as read (参数/指标/中心/回访): ``--into`` merges into it
    # without reading the file again.
    workbook: RawBook | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.year is not None and not self.errors

    @property
    def rows(self) -> list[CallbackRow]:
        return [row for read in self.lists for row in read.rows]

    @property
    def batches(self) -> list[str]:
        return [read.batch for read in self.lists]


class NotAList(Exception):
    """The file is no 回访清单 of this tool; the message says what is missing."""


def read_results(workbook: str | Path | RawBook, lists: Iterable[str | Path], year: int | None = None,
                 door: Door = CLI) -> ResultsRead:
    """Read the filled-in lists against the allocation workbook's 中心 for ``year`` (default:
    the latest 年度 in 参数); every list must be of that year. Errors come back as checks;
    ``door`` words the remedies that differ between the CLI and the page."""
    try:
        book = open_workbook(workbook, door)
    except SourceError as exc:
        return ResultsRead(year, checks=[Check("error", "", "", str(exc))])
    year = year or latest_year(book)
    if year is None:
        return ResultsRead(None, checks=[Check("error", "", "", f"无法确定年度：“参数”表中没有有效的年度，请{door.year}")])
    _, _, centers, reference_checks = reference_data(book, year)
    result = ResultsRead(year, workbook=book)
    checks = Checks()
    for check in reference_checks:
        checks.add(check.level, check.sheet, check.cell, check.message)
    if any(c.level == "error" for c in reference_checks):
        result.checks = checks.finish()
        return result
    lookup = CenterLookup(centers)
    for path in map(Path, lists):
        try:
            read = _read_list(path, year, lookup, checks, door)
        except SourceError as exc:
            checks.error(*exc.parts(path.name))
            continue
        except NotAList as exc:
            checks.error(path.name, "", str(exc))
            continue
        if read is not None:
            result.lists.append(read)
    _across_lists(result, checks)
    result.checks = checks.finish()
    return result


def _read_list(path: Path, year: int, lookup: CenterLookup, checks: Checks, door: Door) -> ListRead | None:
    book = open_spreadsheet(path)
    for needed in (SHEET, RECORD_SHEET):
        if needed not in book.sheet_names:
            raise NotAList(f"不是本工具生成的 12333 回访清单：缺少“{needed}”工作表（请选择 jbsys-xl callbacks "
                           f"或“生成回访清单”生成、填写后的文件）")
    where = f"{path.name}!{RECORD_SHEET}"
    record_sheet = book.read(RECORD_SHEET)
    record = _record(record_sheet)
    list_year = _record_value(record, YEAR_LABEL, where, lambda value: v.year(value))
    batch = _record_value(record, SEED_LABEL, where, v.text)
    drawn_at = _record_value(record, MOMENT_LABEL, where, _moment)
    operator = v.text(record.get(OPERATOR_LABEL, (None, ""))[0]) or ""
    if list_year != year:
        checks.error(where, record[YEAR_LABEL][1],
                     f"这是 {list_year} 年度的回访清单，工作簿计算的是 {year} 年度：请选择本年度的清单"
                     f"（或{door.year_given.format(year=list_year)}导入该年度的结果）")
        return None
    rows, complete = _cases(book.read(SHEET), path.name, year, normalize(batch), drawn_at, lookup, checks)
    if complete:
        _all_drawn_cases(rows, _drawn(record_sheet), f"{path.name}!{SHEET}", checks)
    return ListRead(path.name, year, normalize(batch), drawn_at, operator, tuple(rows))


def _drawn(sheet: RawSheet) -> dict[str, int]:
    """中心编码 → 抽取 of 抽取记录's table of centers."""
    found: dict[str, int] = {}
    rows = iter(sheet.rows)
    for row in rows:
        if row and row[0] == RECORD_CENTER_COLUMNS[0] and DRAWN_COLUMN in row:
            col = row.index(DRAWN_COLUMN)
            for line in rows:
                if not line or not isinstance(line[0], str) or not line[0].strip() or len(line) <= col:
                    break
                if isinstance(line[col], (int, float)) and line[1] != t.TOTAL:
                    found[line[0].strip()] = int(line[col])
            break
    return found


def _all_drawn_cases(rows: list[CallbackRow], drawn: dict[str, int], where: str, checks: Checks) -> None:
    """Every drawn case must come back, and no other: a row deleted from the list would drop a
    case from the 回访汇总, an added one would be a case nobody drew."""
    listed: dict[str, int] = {}
    for row in rows:
        listed[row.center] = listed.get(row.center, 0) + 1
    for code in sorted(set(drawn) | set(listed)):
        if listed.get(code, 0) != drawn.get(code, 0):
            checks.error(where, "", f"中心 {code} 在清单中有 {listed.get(code, 0)} 件，抽取记录记为 "
                                    f"{drawn.get(code, 0)} 件：抽取的案件不可删除或增加，请在原清单上填写")


def _record(sheet: RawSheet) -> dict[str, tuple[object, str]]:
    """The label → (value, cell) lines of 抽取记录 (label in the first column, value beside)."""
    found: dict[str, tuple[object, str]] = {}
    for index, row in enumerate(sheet.rows):
        if len(row) > 1 and isinstance(row[0], str):
            found.setdefault(row[0].strip(), (row[1], cell_name(sheet.first_row + index, sheet.first_col + 1)))
    return found


def _record_value(record: dict, label: str, where: str, parse):
    if label not in record:
        raise NotAList(f"不是本工具生成的 12333 回访清单：“{RECORD_SHEET}”表中没有“{label}”")
    value, cell = record[label]
    try:
        parsed = parse(value)
    except v.BadValue as bad:
        raise NotAList(f"{RECORD_SHEET}!{cell}：{bad}（抽取记录不可修改）") from None
    if parsed is None:
        raise NotAList(f"{RECORD_SHEET}!{cell}：“{label}”为空（抽取记录不可修改）")
    return parsed


def _moment(value) -> datetime | None:
    if v.is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=BEIJING)
    try:
        return datetime.strptime(v.text(value), MOMENT_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        raise v.BadValue(f"抽取时间“{v.show(value)}”不是如 2024-12-20 10:00:00 的时间") from None


def _cases(sheet: RawSheet, file: str, year: int, batch: str, drawn_at: datetime, lookup: CenterLookup,
           checks: Checks) -> tuple[list[CallbackRow], bool]:
    """Every numbered row of 回访清单: a drawn case, checked and stripped of personal data; and
    whether every numbered row could be read."""
    header, columns = _header(sheet)
    if header is None:
        raise NotAList(f"不是本工具生成的 12333 回访清单：“{SHEET}”表中找不到表头"
                       f"（{'、'.join(COLUMNS)}）")
    where = f"{file}!{SHEET}"
    rows, complete = [], True
    for index, values in enumerate(sheet.rows[header + 1:], start=header + 1):
        def raw(name):
            col = columns.get(name)
            return values[col] if col is not None and col < len(values) else None

        def cell(name):
            return cell_name(sheet.first_row + index, sheet.first_col + columns[name])

        if not isinstance(raw("序号"), (int, float)) or isinstance(raw("序号"), bool):
            continue  # a center without cases, or a note
        personal = _personal(raw)
        fields = {}
        for name, parse in (("中心编码", v.text), ("业务流水号", v.text), ("回访结果", _result), ("回访日期", _day),
                            ("说明", v.text), ("回访人", v.text), ("工单号", v.text)):
            try:
                fields[name] = parse(raw(name))
            except v.BadValue as bad:
                checks.error(where, cell(name), _private(str(bad), personal), name)
                fields[name] = False
        if False in fields.values():
            complete = False
            continue
        code = lookup.code(fields["中心编码"]) if fields["中心编码"] else None
        if fields["业务流水号"] is None or code is None:
            what = "业务流水号为空" if fields["业务流水号"] is None else \
                f"中心编码“{fields['中心编码'] or ''}”不是“中心”表中的中心"
            checks.error(where, cell("业务流水号" if fields["业务流水号"] is None else "中心编码"),
                         _private(f"{what}：清单中抽取的案件不可修改", personal), "中心编码")
            complete = False
            continue
        day, result = fields["回访日期"], fields["回访结果"]
        if day is not None and day < drawn_at.date():
            checks.error(where, cell("回访日期"), f"回访日期 {day.isoformat()} 早于抽取时间 {moment_text(drawn_at)}："
                                                  f"回访只能在抽取之后", "回访日期")
            complete = False
            continue
        if result is None and day is not None:
            checks.warning(where, cell("回访结果"), "填了回访日期但回访结果为空，按未回访记录", "回访结果")
        elif result is not None and day is None:
            checks.warning(where, cell("回访日期"), f"回访结果“{result}”没有回访日期，请补填", "回访日期")
        note = fields["说明"] or ""
        kept = _scrub(note, personal)
        if kept != note:
            checks.warning(where, cell("说明"), "说明中含有当事人的姓名、证件号码或电话，结果中已隐去", "说明")
        rows.append(CallbackRow(year, code, normalize(fields["业务流水号"]), day, result, kept,
                                fields["回访人"] or "", fields["工单号"] or "", batch))
    return rows, complete


def _header(sheet: RawSheet) -> tuple[int | None, dict[str, int]]:
    """The row holding the list's headers (序号 … 说明; 回访人/工单号 may be missing)."""
    needed = set(COLUMNS) - {"回访人", "工单号"}
    for index, row in enumerate(sheet.rows[:contract.HEADER_SEARCH_ROWS]):
        columns = {}
        for col, value in enumerate(row):
            if isinstance(value, str):
                columns.setdefault(normalize(value), col)
        if needed <= set(columns):
            return index, columns
    return None, {}


def _result(value) -> str | None:
    return v.choice(normalize(value) if isinstance(value, str) else value, "回访结果", contract.CALLBACK_RESULTS)


def _day(value) -> date | None:
    return v.day(value, "回访日期")


def _personal(raw) -> list[str]:
    """The row's name (2+ characters), masked ID number and phone: what must not leave the list."""
    found = []
    for name in PERSONAL_COLUMNS:
        value = raw(name)
        text = normalize(v.show(value)) if not v.is_empty(value) and not isinstance(value, v.CellError) else ""
        if (name == PERSONAL_COLUMNS[2] and has_phone(text)) or (name != PERSONAL_COLUMNS[2] and len(text) >= 2):
            found.append(text)
    return found


def _scrub(note: str, personal: list[str]) -> str:
    """``note`` without personal data: the row's name, masked ID or phone repeated in it, or
    anyone's phone or ID number (also written with spaces or dashes)."""
    kept = note
    for value in personal:
        kept = kept.replace(value, "＊＊＊")
    kept = _PHONE_OR_ID.sub("＊＊＊", kept)
    squeezed = _SQUEEZE.sub("", kept)
    if _PHONE_OR_ID.search(squeezed) or any(_SQUEEZE.sub("", value) in squeezed for value in personal):
        return HIDDEN
    return kept


def _private(message: str, personal: list[str]) -> str:
    """A message that would quote the row's personal data (pasted into a wrong column) does not."""
    return HIDDEN if any(value in message for value in personal) else message


def _across_lists(result: ResultsRead, checks: Checks) -> None:
    """One batch in two files is an error (which copy holds the results?); a case in two
    batches a warning (the later result counts for the year)."""
    batches: dict[str, str] = {}
    for read in result.lists:
        if read.batch in batches:
            checks.error(read.file, "", f"与 {batches[read.batch]} 是同一批次（随机种子 {read.batch}）的清单："
                                        f"同一批次只能给一份，请把两份的回访结果合并到一份后再导入")
        batches.setdefault(read.batch, read.file)
    seen: dict[tuple[str, str], str] = {}
    for read in result.lists:
        for row in read.rows:
            other = seen.setdefault((row.center, row.case_id), read.batch)
            if other != read.batch:
                checks.warning(read.file, "", f"业务流水号 {row.case_id}（中心 {row.center}）在批次 {other} 和 "
                                              f"{read.batch} 中都抽到了：两条回访记录都会写入，按后一条计")


# --- merging into a 回访 sheet ----------------------------------------------------------------

@dataclass(frozen=True)
class Merge:
    """How new rows merge into a 回访 sheet: the data rows replaced (positions among the
    table's rows), the working group's decisions that stay with a replaced case, and how many
    rows with a recorded result the new rows leave 未回访."""

    replaced: list[int]
    decisions: dict[tuple[str, str, str], tuple[str, str]]  # (batch, center, case) → (处理决定, 决定说明)
    emptied: int


def merge_plan(table: Table, lookup: CenterLookup, new_rows: list[dict[str, object]]) -> Merge:
    """Rows of ``table`` (a 回访 sheet) whose 抽取批次 is one of ``new_rows``' (header → value)
    are replaced; every other row stays."""
    new = {row_key(row.get, lookup): row for row in new_rows}
    batches = {key[0] for key in new}
    replaced, decisions, emptied = [], {}, 0
    for position, row in enumerate(table.rows()):
        key = row_key(row.raw, lookup)
        if key[0] not in batches:
            continue
        replaced.append(position)
        decision, note = (v.text(row.raw(DECISION)) or "", v.text(row.raw(DECISION_NOTE)) or "")
        if (decision or note) and key in new:
            decisions[key] = (decision, note)
        if not v.is_empty(row.raw("回访结果")) and key in new and v.is_empty(new[key]["回访结果"]):
            emptied += 1
    return Merge(replaced, decisions, emptied)


def row_key(raw, lookup: CenterLookup) -> tuple[str, str, str]:
    """(抽取批次, 中心编码, 业务流水号) of a row, read as the 回访 sheet is."""
    def text(header: str) -> str:
        value = raw(header)
        return "" if v.is_empty(value) or isinstance(value, v.CellError) else normalize(v.show(value))
    center = raw("中心")
    code = lookup.code(center) if not v.is_empty(center) and not isinstance(center, v.CellError) else None
    return text(BATCH), code or text("中心"), text("业务流水号")


def sheet_problem(table: Table | None, checks: Checks) -> list[Check]:
    """Why results cannot be merged into a workbook's 回访 sheet (there is none, or it lacks
    the columns a list fills in): the same words for the Excel button and ``--into``."""
    if table is None:
        found = checks.finish() or [Check("error", contract.CALLBACKS, "", f"工作簿中没有“{contract.CALLBACKS}”表")]
        return [Check("error", c.sheet, c.cell, c.message + f"（请先建立“{contract.CALLBACKS}”表，"
                      f"表头：{'、'.join(HEADERS)}）") for c in found]
    missing = [header for header in CARRIED if header not in table.columns]
    if missing:
        spec = contract.SHEET_SPECS[contract.CALLBACKS]
        return [Check("error", contract.CALLBACKS, table.header_cell(spec.required[0]),
                      f"“{contract.CALLBACKS}”表没有“{'”“'.join(missing)}”列，回访结果无法按抽取批次"
                      f"写入；请在表头末尾加上这些列后重新导入")]
    return []


CALLBACK_RECORD_SHEET, CALLBACK_REPLACED_SHEET = "回访导入记录", "回访替换记录"


def merge_record(results: ResultsRead, merge: Merge, kept: int) -> tuple[str, t.Table]:
    """回访导入记录 as merging the lists leaves it: the lists read, then what the merge did (its
    own sheet: the 金保 import's 导入记录 stays the record of that import)."""
    return summary(results), t.with_lines(lists_table(results), merge_lines(results, merge, kept),
                                          CALLBACK_RECORD_SHEET)


def replaced_callbacks(table: Table, merge: Merge) -> tuple[str, t.Table]:
    """回访替换记录: the 回访 rows a merge replaced, as they stood (cell, then every column), so a
    result called earlier and overwritten by a list filled in again is still on record."""
    rows = list(table.rows())
    headers = ("单元格",) + HEADERS
    found = [(f"{contract.CALLBACKS}!{table.cell(rows[i].index, HEADERS[0])}",
              *(v.show(rows[i].raw(header)) if not v.is_empty(rows[i].raw(header)) else None
                for header in HEADERS)) for i in merge.replaced]
    title = f"导入回访结果替换的行（共 {len(found):,} 行，导入前的值；处理决定和决定说明已随案件保留）"
    return title, t.Table(CALLBACK_REPLACED_SHEET, headers, (t.TEXT,) * len(headers), found)


def merge_lines(results: ResultsRead, merge: Merge, kept: int) -> list[str]:
    """What merging does to a 回访 sheet, as the Excel confirmation and ``--into`` say it."""
    lines = [f"“{contract.CALLBACKS}”表中同一抽取批次此前的 {len(merge.replaced):,} 行换成这次的 "
             f"{len(results.rows):,} 行，保留其他 {kept:,} 行；已记录的处理决定随案件保留。"]
    if merge.emptied:
        lines.append(f"注意：其中 {merge.emptied:,} 件此前已有回访结果，这次的清单中为空，导入后记为未回访。")
    return lines


def sheet_rows(results: ResultsRead) -> list[dict[str, object]]:
    """The 回访 rows of the results (header → value, every header of the sheet)."""
    rows = []
    for row in results.rows:
        values = row.values()
        rows.append({header: values.get(header) for header in HEADERS})
    return rows


def with_decisions(rows: list[dict[str, object]], merge: Merge, lookup: CenterLookup) -> list[dict[str, object]]:
    """``rows`` with the decisions of the cases they replace."""
    found = []
    for row in rows:
        decision, note = merge.decisions.get(row_key(row.get, lookup), (None, None))
        found.append({**row, DECISION: decision or row.get(DECISION), DECISION_NOTE: note or row.get(DECISION_NOTE)})
    return found


# --- outputs ------------------------------------------------------------------------------------

def callback_sheet_table(results: ResultsRead) -> t.Table:
    """The 回访 sheet to paste: the contract's headers in order, one row per drawn case."""
    kinds = {"年度": t.INT}
    rows = [tuple(_cell(values[header]) for header in HEADERS) for values in sheet_rows(results)]
    return t.Table(contract.CALLBACKS, HEADERS, tuple(kinds.get(h, t.TEXT) for h in HEADERS), rows)


def _cell(value):
    if isinstance(value, date):
        return value.isoformat()
    return None if value in ("", None) else value


def lists_table(results: ResultsRead) -> t.Table:
    kinds = (t.TEXT,) * 5 + (t.INT,) * 6
    rows = [(r.file, str(r.year), r.batch, moment_text(r.drawn_at), r.operator or None, *r.counts())
            for r in results.lists]
    rows.append(t.summary_row({0: t.TOTAL}, rows, kinds))
    return t.Table(READ_SHEET, LIST_COLUMNS, kinds, rows, totals=frozenset({len(rows) - 1}))


def results_workbook_bytes(results: ResultsRead) -> bytes:
    """回访 (header on row 1: copy the block as it is into the workbook's 回访 sheet), 读取记录
    and 校验. No personal column: the lists' names, ID numbers and phones never come here."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": f"{results.year} 年度 12333 回访结果", "author": "JBSys-XL",
                         "comments": f"JBSys-XL {__version__}", "created": utc_moment()})
    fmt = Formats(book)
    sheet = book.add_worksheet(contract.CALLBACKS)
    table = callback_sheet_table(results)
    end = write_table(sheet, fmt, table, 0, set_widths(sheet, [table]))
    day_format, day_col = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"}), HEADERS.index("回访日期")
    for row, callback in enumerate(results.rows, start=1):  # a date cell, as the 回访 sheet holds it
        if callback.day is not None:
            sheet.write_datetime(row, day_col, callback.day, day_format)
    sheet.autofilter(0, 0, max(0, end - 1), len(HEADERS) - 1)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, 0)
    for table in (lists_table(results), t.checks_table(results.checks)):
        titled_table_sheet(book, fmt, table, summary(results) if table.title == READ_SHEET else table.title)
    book.close()
    return buffer.getvalue()


def summary(results: ResultsRead) -> str:
    rows = results.rows
    called = sum(1 for r in rows if r.result is not None)
    return (f"{results.year} 年度 12333 回访结果：{len(results.lists)} 份清单，抽取 {len(rows):,} 件，"
            f"已回访 {called:,} 件，未回访 {len(rows) - called:,} 件")


def results_dict(results: ResultsRead) -> dict:
    """The JSON: case ids, results and notes; never a name, ID number or phone."""
    return {
        "ok": results.ok, "year": results.year,
        "lists": [{"file": r.file, "batch": r.batch, "drawn_at": r.drawn_at.isoformat(), "operator": r.operator or None,
                   **dict(zip(("cases", "called", "confirmed", "refuted", "unreachable", "not_called"), r.counts()))}
                  for r in results.lists],
        "callbacks": [{"year": r.year, "center": r.center, "case_id": r.case_id,
                       "date": r.day.isoformat() if r.day else None, "result": r.result, "note": r.note,
                       "agent": r.agent, "ticket": r.ticket, "batch": r.batch} for r in results.rows],
        "checks": [c.as_dict() for c in results.checks],
    }


def results_json(results: ResultsRead) -> str:
    return json.dumps(results_dict(results), ensure_ascii=False, indent=2) + "\n"
