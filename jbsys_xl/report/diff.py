"""Draft versus final (documents.md §7): what changed between two runs of one year, and why.

When an objection changes a figure, the working group reads this: each center whose money,
score, grade, veto or winner status moved (old → new), the inputs behind it that changed
(业务量 per indicator, 评定, 投诉, 扣减, 回访 decisions, 异议 rows — each at the cell that changed),
the 参数/指标/硬件 changes that concern no one center, then the pools and the 资金平衡.
Either side is an allocation workbook (or CSV folder), run through the same pipeline as
``allocate``; a 分配结果 workbook this tool wrote (its 说明 sheet names the run); or a ``--json``
result of ``allocate``. The inputs can only be compared between two allocation workbooks; any
other file is refused with the message the pipeline names it by (our other files, a 金保 export,
no Excel file at all).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .. import contract
from ..io.reader import SourceError, Spreadsheet, created_by_tool, match_sheets, open_spreadsheet
from ..jinbao.wrong_workbook import WORKBOOK_SHEETS
from ..model import Check, Complaint, Dataset, HardwareRow, Pools, Rating
from ..pipeline import Outcome, run
from .json_result import money, result_dict
from .tables import (BALANCE_PARTS, ITEM_LABEL, SUBTOTAL, TEXT, TOTAL, Table, balance_parts,
                     pools_table, settings_table, table_text)

CENTER_LABELS = dict(contract.CENTER_RESULT_COLUMNS)
POOL_LABELS = dict(contract.POOL_LABELS)
OLD, NEW = "原值", "新值"
ABSENT = "（无）"
WORKBOOK, RESULT_WORKBOOK, JSON_RESULT = "工作簿", "分配结果", "JSON"
ALSO = "（diff 也可比较 allocate 写出的分配结果工作簿或 --json 结果）"


class DiffError(Exception):
    """The two runs cannot be compared; the message says why, in Chinese."""


class InvalidSide(DiffError):
    """A workbook with errors: its checks say where (printed like ``allocate`` prints them)."""

    def __init__(self, label: str, checks: list[Check]):
        self.checks = checks
        super().__init__(f"{label}有错误，无法比较")


@dataclass
class Side:
    """One run: its file, its §7 result, what kind of file it came from (工作簿, 分配结果, JSON)
    and, when read from an allocation workbook, its inputs."""

    file: str
    result: dict
    dataset: Dataset | None = None
    kind: str = WORKBOOK
    source: str = ""  # a 分配结果 workbook: the input file its 说明 sheet names


def load(path: str | Path, year: int | None, label: str) -> Side:
    """An allocation workbook or CSV folder through the pipeline, a 分配结果 workbook read back,
    or a ``--json`` result of ``allocate``; anything else is a DiffError naming what it is."""
    path = Path(path)
    if path.suffix.lower() == ".json" and path.is_file():
        return _json_side(path, year, label)
    if (book := _result_book(path)) is not None:
        return _result_workbook(book, path, year, label)
    return _workbook_side(path, year, label)


def _result_book(path: Path) -> Spreadsheet | None:
    """The file opened, when it is a 分配结果 workbook this tool wrote (its creator, its 分配结果
    and 说明 sheets, none of an allocation workbook's); else None (the pipeline says what it is)."""
    if not path.is_file():
        return None
    try:
        book = open_spreadsheet(path)
    except SourceError:
        return None
    inputs, _ = match_sheets(book.sheet_names)
    if inputs.keys() & set(WORKBOOK_SHEETS) or not created_by_tool(book.data) \
            or not {contract.RESULT_SHEET, contract.ABOUT_SHEET} <= set(book.sheet_names):
        return None
    return book


def _json_side(path: Path, year: int | None, label: str) -> Side:
    try:
        result = json.loads(path.read_text("utf-8-sig"))
    except OSError:
        raise DiffError(f"{label}“{path}”无法读取（文件不存在、无权限或被占用）") from None
    except ValueError:  # also UnicodeDecodeError
        raise DiffError(f"{label}“{path}”不是 UTF-8 编码的 JSON 文件") from None
    if not isinstance(result, dict) or "centers" not in result or "pools" not in result:
        raise DiffError(f"{label}“{path}”不是 jbsys-xl allocate --json 写出的分配结果")
    if not result.get("ok"):
        raise DiffError(f"{label}“{path}”是一次有错误的运行（\"ok\": false），没有分配结果可比较")
    _same_year(result, year, label, path)
    return Side(str(path), result, kind=JSON_RESULT)


def _same_year(result: dict, year: int | None, label: str, path: Path) -> None:
    if year is not None and result.get("year") != year:
        raise DiffError(f"{label}“{path}”是 {result.get('year')} 年度的结果，不是 {year} 年度")


def _workbook_side(path: Path, year: int | None, label: str) -> Side:
    outcome = run(path, year)
    if not outcome.ok:
        refused = [c for c in outcome.errors if not c.sheet]
        if len(outcome.errors) == 1 and refused and path.is_file():  # another file: what it is
            what = refused[0].message.removeprefix(f"{path.name}：")
            raise DiffError(f"{label}“{path.name}”：{what}{ALSO}")
        raise InvalidSide(label, outcome.checks)
    return outcome_side(outcome, str(path))


def outcome_side(outcome: Outcome, file: str) -> Side:
    """A run made here (a valid outcome) as one side of a comparison."""
    return Side(file, result_dict(outcome), outcome.dataset)


# --- a 分配结果 workbook read back ------------------------------------------------------------------

def _result_workbook(book: Spreadsheet, path: Path, year: int | None, label: str) -> Side:
    """The §7 result of a 分配结果 workbook this tool wrote, from its 分配结果 and 说明 sheets
    (compared on results only: it holds no inputs)."""
    about, pools = _about(book.read(contract.ABOUT_SHEET).rows, label, path)
    try:
        result_year = int(about["年度"])
    except (KeyError, ValueError):
        raise _not_ours(label, path, f"“{contract.ABOUT_SHEET}”表中没有年度") from None
    status = contract.STATUS_FINAL if about.get("状态", "").startswith(contract.STATUS_FINAL) \
        else contract.STATUS_DRAFT
    result = {"ok": True, "year": result_year, "status": status, "pools": pools,
              "centers": _centers(book.read(contract.RESULT_SHEET).rows, label, path)}
    _same_year(result, year, label, path)
    return Side(str(path), result, kind=RESULT_WORKBOOK, source=about.get("输入文件", ""))


def _not_ours(label: str, path: Path, why: str) -> DiffError:
    return DiffError(f"{label}“{path}”看起来是分配结果工作簿，但{why}（可能是其他版本写出的，或被改动过）；"
                     f"请改用输入工作簿或 allocate --json 写出的 JSON")


def _label(value) -> str:
    """A header or label cell as written, without the spaces and line breaks a layout adds."""
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _about(rows: list[list], label: str, path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """说明: the run's 基本信息 (年度, 状态, 输入文件 …; first of each label) and the 资金汇总 pools."""
    about: dict[str, str] = {}
    pools: dict[str, str] = {}
    keys = {_label(text): key for key, text in contract.POOL_LABELS}
    in_pools = False
    for row in rows:
        first = _label(row[0]) if row else ""
        second = row[1] if len(row) > 1 else None
        if first == POOLS_TITLE:
            in_pools = True
        elif in_pools and first in keys and second not in (None, ""):
            pools[keys[first]] = _amount(second, label, path)
        elif in_pools and not first:
            in_pools = False
        elif first and not in_pools:
            about.setdefault(first, str(second if second is not None else "").strip())
    if set(pools) != set(keys.values()):
        missing = [POOL_LABELS[k] for k in keys.values() if k not in pools]
        raise _not_ours(label, path, f"“{contract.ABOUT_SHEET}”表的资金汇总缺少{'、'.join(missing)}")
    return about, pools


POOLS_TITLE = pools_table(Pools(*(Decimal(0),) * len(contract.POOL_LABELS))).title  # 资金汇总


def _amount(value, label: str, path: Path) -> str:
    """Money read from a cell of a 分配结果 workbook as the §7 string."""
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).replace(",", ""))
    except ArithmeticError:
        raise _not_ours(label, path, f"金额“{value}”不是数字") from None
    return money(amount)


RESULT_KEYS = ("code", "name", "grade", "vetoed", "score", "basic_award", "gross_workload",
               "complaints", "complaint_deduction", "error_deduction", "net_workload",
               "redistributed", "winner_award", "winner_status", "total")


def _centers(rows: list[list], label: str, path: Path) -> list[dict]:
    """Every center row of the 分配结果 table, as §7 center records: columns found by their
    labels; a center's 所属区 from its own column or the 小计 row closing its group."""
    labels = {_label(text): key for key, text in contract.CENTER_RESULT_COLUMNS}
    at = next((i for i, row in enumerate(rows)
               if {CENTER_LABELS["code"], CENTER_LABELS["total"]} <= {_label(c) for c in row}), None)
    if at is None:
        raise _not_ours(label, path, f"“{contract.RESULT_SHEET}”表中找不到中心编码和合计的表头")
    column = {labels[_label(c)]: i for i, c in enumerate(rows[at]) if _label(c) in labels}
    missing = [CENTER_LABELS[key] for key in RESULT_KEYS if key not in column]
    if missing:
        raise _not_ours(label, path, f"“{contract.RESULT_SHEET}”表缺少{'、'.join(missing)}列")
    centers, open_group = [], []
    for row in rows[at + 1:]:
        def cell(key: str):
            return row[column[key]] if column[key] < len(row) else None
        code, name = _code(cell("code")), _label(cell("name"))
        if not code:
            if name == TOTAL:
                break
            if name.endswith(SUBTOTAL):
                for center in open_group:
                    center.setdefault("district", str(cell("name")).strip()[:-len(SUBTOTAL)].strip())
                open_group = []
            continue
        center = {"code": code, "name": str(cell("name")).strip()}
        if "district" in column and cell("district"):
            center["district"] = str(cell("district")).strip()
        try:
            center.update({key: _field(key, cell(key), label, path) for key in RESULT_KEYS[2:]})
        except ValueError:
            raise _not_ours(label, path, f"中心 {code} 的得分或有理投诉数不是数字") from None
        center["winner"] = bool(center["winner_status"])
        centers.append(center)
        open_group.append(center)
    for center in centers:
        center.setdefault("district", "")
    return sorted(centers, key=lambda c: c["code"])


def _field(key: str, value, label: str, path: Path):
    """A center's cell of the 分配结果 table in its §7 form (the vetoed column shows 否决)."""
    if key in contract.MONEY_KEYS:
        return _amount(value or 0, label, path)
    if key == "score":
        return float(value or 0)
    if key == "complaints":
        return int(float(value or 0))
    text = "" if value is None else str(value).strip()
    if key == "vetoed":
        return bool(text) and text not in contract.NO_WORDS
    if key == "winner_status":
        return text or None
    return text


def _code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


# --- the comparison ---------------------------------------------------------------------------------

def compare(old: Side, new: Side) -> dict:
    """The §7 JSON: the centers whose results changed (only the changed keys, old → new) with
    the inputs behind them, the centers whose inputs changed but not their results, the inputs
    that concern no one center, and the changed pools."""
    if old.result["year"] != new.result["year"]:
        raise DiffError(f"两次结果不是同一年度（{old.result['year']} 年度和 {new.result['year']} 年度），"
                        "请用 --year 指定同一年度")
    before = {c["code"]: c for c in old.result["centers"]}
    after = {c["code"]: c for c in new.result["centers"]}
    both = old.dataset is not None and new.dataset is not None
    inputs = _input_changes(old.dataset, new.dataset) if both else {}
    centers, unchanged = [], []
    for code in sorted(before.keys() | after.keys()):
        a, b = before.get(code), after.get(code)
        keys = [key for key, _ in contract.CENTER_RESULT_COLUMNS if key != "code"]
        fields = {key: [a[key] if a else None, b[key] if b else None] for key in keys
                  if (a[key] if a else None) != (b[key] if b else None)}
        entry = {"code": code, "name": (b or a)["name"]}
        if fields:
            centers.append({**entry, "fields": fields, "inputs": inputs.get(code, [])})
        elif inputs.get(code):
            unchanged.append({**entry, "inputs": inputs[code]})
    pools = {key: [old.result["pools"][key], new.result["pools"][key]]
             for key, _ in contract.POOL_LABELS
             if old.result["pools"][key] != new.result["pools"][key]}
    return {"ok": True, "year": new.result["year"],
            "old": _about_side(old), "new": _about_side(new),
            "inputs_compared": both,
            "centers": centers, "unchanged_centers": unchanged,
            "general_inputs": _general_changes(old.dataset, new.dataset) if both else [],
            "pools": pools,
            "balance": {key: [_balance(old.result)[key], _balance(new.result)[key]]
                        for key, _ in BALANCE_LABELS}}


def _about_side(side: Side) -> dict:
    about = {"file": side.file, "status": side.result.get("status"), "kind": side.kind}
    if side.source:
        about["source"] = side.source
    return about


BALANCE_LABELS = (*BALANCE_PARTS, ("balance", "结余"))


def _balance(result: dict) -> dict[str, str]:
    """资金平衡 of a §7 result: 结余 and the four parts it is made of (documents.md §1)."""
    pools = Pools(**{key: Decimal(result["pools"][key]) for key, _ in contract.POOL_LABELS})
    return {key: f"{amount:.2f}" for key, amount in
            {**balance_parts(pools), "balance": pools.balance}.items()}


# --- the inputs behind a change -------------------------------------------------------------------

def _input_changes(old: Dataset, new: Dataset) -> dict[str, list[dict]]:
    """中心编码 → the changed inputs of that center, as {sheet, cell, what, old, new}."""
    found: dict[str, list[dict]] = {}

    def add(code: str, sheet: str, cell: str, what: str, a, b) -> None:
        if a != b:
            found.setdefault(code, []).append({"sheet": sheet, "cell": cell, "what": what,
                                               "old": a, "new": b})

    codes = sorted({c.code for c in old.centers} | {c.code for c in new.centers})
    items = list(dict.fromkeys([i.name for i in old.indicators] + [i.name for i in new.indicators]))
    for code in codes:
        for item in items:
            a, b = old.volumes.get((code, item), 0), new.volumes.get((code, item), 0)
            add(code, contract.VOLUMES, "", f"业务量：{item}", str(a), str(b))
        _ratings(code, old, new, add)
        for what, a, b, cell in _field_changes(_complaints(code, old), _complaints(code, new),
                                               COMPLAINT_FIELDS):
            add(code, contract.COMPLAINTS, cell, what, a, b)
        for sheet, rows in ((contract.DEDUCTIONS, _deductions), (contract.CALLBACKS, _callbacks),
                            (contract.OBJECTIONS, _objections)):
            for what, (a, b, cell) in _changed_rows(rows(code, old), rows(code, new)).items():
                add(code, sheet, cell, what, a, b)
    return found


def _field_changes(a: dict, b: dict, fields: tuple[tuple[str, str], ...]):
    """(what, old, new, cell) of rows keyed alike on both sides (key → record with ``cells``):
    a row that came or went is one line, its first field's value; a row on both sides a line
    per changed field, at that field's cell (the first field's line is named by the key alone)."""
    for key in sorted(a.keys() | b.keys()):
        before, after = a.get(key), b.get(key)
        for n, (header, attribute) in enumerate(fields):
            old, new = (ABSENT if row is None else _shown(getattr(row, attribute)) for row in (before, after))
            if old == new or n and (before is None or after is None):
                continue
            cell = next((row.cells[header] for row in (after, before) if row is not None and header in row.cells),
                        (after or before).cells.get(fields[0][0], ""))
            yield (f"{key} {header}" if n else key), old, new, cell


def _changed_rows(a: dict[str, tuple[str, str]], b: dict[str, tuple[str, str]]
                  ) -> dict[str, tuple[str, str, str]]:
    """Rows keyed alike on both sides (key → (text, cell)): each key whose text differs, came
    or went, as key → (old text, new text, the cell on the side that has it, new first)."""
    return {key: (a.get(key, (ABSENT, ""))[0], b.get(key, (ABSENT, ""))[0],
                  (b.get(key) or a.get(key))[1])
            for key in sorted(a.keys() | b.keys()) if a.get(key, (ABSENT,))[0] != b.get(key, (ABSENT,))[0]}


def _numbered(key: str, found: dict) -> str:
    """``key``, or ``key（第 n 件）`` when rows before it had the same key: each is a line."""
    earlier = sum(1 for k in found if k.split("（第")[0] == key)
    return f"{key}（第 {earlier + 1} 件）" if earlier else key


RATING_FIELDS = (("服务场所", "venue"), ("标准化下沉", "standardized"), ("区局推荐", "recommended"),
                 ("综合优胜", "winner"), ("一票否决", "vetoed"), ("否决原因", "veto_reason"),
                 ("评定等次", "recorded_grade"), ("评定说明", "grade_note"), ("否决依据", "veto_evidence"))


def _shown(value) -> str:
    if isinstance(value, bool):
        return contract.YES_NO[0] if value else contract.YES_NO[1]
    return "" if value is None else str(value)


def _ratings(code: str, old: Dataset, new: Dataset, add) -> None:
    a, b = old.ratings.get(code), new.ratings.get(code)
    for header, attribute in RATING_FIELDS:
        cell = _rating_cell(new, code, header) or _rating_cell(old, code, header)
        add(code, contract.RATINGS, cell, header, _value(a, attribute), _value(b, attribute))


def _value(rating: Rating | None, attribute: str) -> str:
    return ABSENT if rating is None else _shown(getattr(rating, attribute))


def _rating_cell(data: Dataset, code: str, header: str) -> str:
    return data.origins.get((contract.RATINGS, code, header), ("", ""))[1]


COMPLAINT_FIELDS = (("核实结论", "verdict"), ("日期", "day"), ("来源", "source"), ("条线", "line"),
                    ("内容", "content"), ("核实部门", "verifier"), ("核实日期", "verified_on"))


def _complaints(code: str, data: Dataset) -> dict[str, Complaint]:
    """投诉 <编号 or 日期> → the center's complaint inside the period (of rows sharing a 编号,
    the first)."""
    found: dict[str, Complaint] = {}
    for c in data.period_complaints:
        if c.center == code:
            key = f"投诉 {c.number or c.day.isoformat()}"
            if not c.number:  # one day's complaints without 编号: a line each
                key = _numbered(key, found)
            found.setdefault(key, c)
    return found


def _deductions(code: str, data: Dataset) -> dict[str, tuple[str, str]]:
    """扣减 <原因> → (amount and rate, its cell): the center's rows of the year."""
    found: dict[str, tuple[str, str]] = {}
    for d in data.deductions:
        if d.center == code:
            parts = ([f"{d.amount:,.2f} 元"] if d.amount is not None else []) + \
                ([f"{(d.rate * 100).normalize():f}%"] if d.rate is not None else [])
            found[_numbered(f"扣减：{d.reason}", found)] = ("，".join(parts), d.cell)
    return found


def _callbacks(code: str, data: Dataset) -> dict[str, tuple[str, str]]:
    """回访 <业务流水号> → (result and the working group's decision, its cell)."""
    found = {}
    for case in data.callbacks:
        if case.center == code:
            text = case.result or "未回访"
            if case.decision:
                text += f"，处理决定：{case.decision}" + (f"（{case.decision_note}）" if case.decision_note else "")
            found[f"回访 {case.case_id}"] = (text, case.cell)
    return found


def _objections(code: str, data: Dataset) -> dict[str, tuple[str, str]]:
    """异议 <收到日期> → (content and how it was settled, its cell): the center's rows of the year."""
    found: dict[str, tuple[str, str]] = {}
    for row in data.objections:
        if row.center == code:
            settled = (f"处理结果：{row.outcome}" if row.outcome else "未处理") + \
                (f"（{_short(row.note)}）" if row.note else "") + \
                (f"，处理日期 {row.decided_on.isoformat()}" if row.decided_on else "")
            found[_numbered(f"异议 {row.received.isoformat()}", found)] = (
                f"{_short(row.content)}；{settled}", row.cell)
    return found


def _short(text: str, length: int = 24) -> str:
    """A long text cell cut for a table line (the workbook holds it whole)."""
    return text if len(text) <= length else text[:length - 1] + "…"


def _general_changes(old: Dataset, new: Dataset) -> list[dict]:
    """Inputs that concern no one center: 参数 (its cell), 指标 weights and 硬件 rows."""
    found = []

    def add(sheet: str, cell: str, what: str, a: str, b: str) -> None:
        if a != b:
            found.append({"sheet": sheet, "cell": cell, "what": what, "old": a, "new": b})

    a, b = (dict(settings_table(data.settings).rows) for data in (old, new))
    for header in a:
        if header != "年度":
            add(contract.PARAMS, new.origins.get((contract.PARAMS, header), ("", ""))[1], header,
                a[header], b[header])
    a, b = ({i.name: f"{i.weight.normalize():f}" for i in data.indicators} for data in (old, new))
    for name in dict.fromkeys([*a, *b]):
        cell = (new.origins.get((contract.INDICATORS, name)) or old.origins.get((contract.INDICATORS, name))
                or ("", ""))[1]
        add(contract.INDICATORS, cell, f"指标权重：{name}", a.get(name, ABSENT), b.get(name, ABSENT))
    for what, a, b, cell in _field_changes(_hardware(old), _hardware(new), HARDWARE_FIELDS):
        add(contract.HARDWARE, cell, what, a, b)
    return found


HARDWARE_FIELDS = (("预算补助", "budget"), ("项目名称", "project"), ("计划投入", "planned"),
                   ("实际投入", "actual"), ("已备案", "filed"), ("备案日期", "filed_on"),
                   ("处理决定", "decision"), ("决定说明", "decision_note"))


def _hardware(data: Dataset) -> dict[str, HardwareRow]:
    """硬件 <所属区 第 n 项> → the year's 硬件 row (by place: naming a project is a change of it)."""
    found: dict[str, HardwareRow] = {}
    for row in data.hardware:
        count = sum(1 for key in found if key.startswith(f"硬件 {row.district} "))
        found[f"硬件 {row.district} 第 {count + 1} 项"] = row
    return found


# --- the centers a pool moved -----------------------------------------------------------------------

# A center's fields that move when a pool or the other centers move, its own inputs unchanged.
POOL_DRIVEN = frozenset({"score", "gross_workload", "complaint_deduction", "error_deduction",
                         "net_workload", "redistributed", "total"})


def pool_moved(diff: dict) -> list[dict]:
    """The centers of ``diff`` whose results moved only because a pool (or the factor base) did:
    none of their own inputs changed (when the inputs were compared; else their score did not
    change either) and only money of the workload kind moved — never grade, veto or winner."""
    moved = []
    for center in diff["centers"]:
        fields = set(center["fields"])
        if None in center["fields"].get("total", [0, 0]) or not fields <= POOL_DRIVEN:
            continue
        if center["inputs"] or not diff["inputs_compared"] and "score" in fields:
            continue
        moved.append(center)
    return moved


def pool_line(diff: dict, others: bool) -> str | None:
    """One line for the centers a pool moved (documents.md §7): ``其余 21 个中心仅因工作量补助资金
    W′ 变化而变化``, with the range of the change of their 合计; None when there are none or no
    pool says why."""
    moved = pool_moved(diff)
    if not moved:
        return None
    causes = []
    if "workload_pool" in diff["pools"]:
        causes.append("工作量补助资金 W′")
    if any("score" in c["fields"] for c in moved):
        causes.append("得分基数（市本级业务量合计）")
    if "redistributed_total" in diff["pools"] and any("redistributed" in c["fields"] for c in moved):
        causes.append("再分配资金")
    if not causes:
        return None
    shares = [Decimal(new) / Decimal(old) - 1 for old, new in
              (c["fields"]["total"] for c in moved if "total" in c["fields"]) if Decimal(old)]
    spread = (f"（合计变化 {min(shares):+.2%} 至 {max(shares):+.2%}）" if len(set(shares)) > 1 else
              f"（合计变化 {shares[0]:+.2%}）" if shares else "")
    said = "、".join(causes) + (" " if causes[-1].endswith("W′") else "")
    return (f"{'其余 ' if others else ''}{len(moved)} 个中心仅因{said}变化而变化"
            f"{spread}；逐个中心的变化见 --json")


# --- for the 附件 (report --since) -------------------------------------------------------------------

@dataclass(frozen=True)
class TotalChange:
    """A center whose 合计 changed since OLD: old and new 合计 (None where it was not there) and
    the inputs behind it ({sheet, cell, what, old, new}; empty unless OLD is a workbook)."""

    code: str
    name: str
    old: Decimal | None
    new: Decimal | None
    inputs: tuple[dict, ...]


@dataclass(frozen=True)
class Since:
    """What changed since OLD (the 公示 run), for the 附件's 与公示稿相比的变化 (documents.md §1)."""

    file: str
    status: str | None
    changes: list[TotalChange]  # in 中心编码 order
    pool_note: str | None  # the one line for the centers a pool moved, as diff prints it
    inputs_compared: bool


def since(old: str | Path, outcome: Outcome) -> Since:
    """Compare a valid ``outcome`` with OLD — an allocation workbook, a 分配结果 workbook or a
    ``--json`` result of the same year, read as ``diff`` reads it. Raises DiffError (or its
    InvalidSide) saying why OLD cannot be used."""
    before = load(old, outcome.year, "原结果")
    diff = compare(before, outcome_side(outcome, outcome.book.label))
    changes = [TotalChange(c["code"], c["name"],
                           *(Decimal(v) if v is not None else None for v in c["fields"]["total"]),
                           tuple(c["inputs"]))
               for c in diff["centers"] if "total" in c["fields"]]
    return Since(before.file, before.result.get("status"), changes, pool_line(diff, False),
                 diff["inputs_compared"])


# --- for people -------------------------------------------------------------------------------------

def render_text(diff: dict) -> str:
    """The changes as tables: centers and their fields (those a pool moved in one line), the
    inputs behind them, other inputs, pools, 资金平衡."""
    old, new = diff["old"], diff["new"]
    out = [f"{diff['year']} 年度结果比较：原 {_side_text(old)} → 新 {_side_text(new)}"]
    moved = {c["code"] for c in pool_moved(diff)} if pool_line(diff, True) else set()
    listed = [c for c in diff["centers"] if c["code"] not in moved]
    if listed:
        rows = [(c["code"], c["name"], CENTER_LABELS[key], _text(key, a), _text(key, b))
                for c in listed for key, (a, b) in c["fields"].items()]
        out.append(table_text(Table(f"资金或结果有变化的中心（{len(listed)} 个）",
                                    ("中心编码", "中心名称", ITEM_LABEL, OLD, NEW), (TEXT,) * 5, rows)))
    if moved:
        out.append(pool_line(diff, bool(listed)))
    if not diff["centers"]:
        out.append("各中心的资金和考核结果没有变化。")
    if diff["inputs_compared"]:
        rows = [(c["code"], _where(i), i["what"], i["old"], i["new"])
                for c in diff["centers"] + diff["unchanged_centers"] for i in c["inputs"]]
        rows.sort(key=lambda row: row[0])
        out.append(table_text(Table("变化的输入", ("中心编码", "位置", ITEM_LABEL, OLD, NEW), (TEXT,) * 5, rows))
                   if rows else "两个工作簿中各中心的输入数据没有变化。")
        if diff["unchanged_centers"]:
            out.append(f"（其中 {'、'.join(c['code'] for c in diff['unchanged_centers'])} 的输入有变化，"
                       "但资金和考核结果没有变化。）")
        if diff["general_inputs"]:
            rows = [(_where(i), i["what"], i["old"], i["new"]) for i in diff["general_inputs"]]
            out.append(table_text(Table("参数、指标和硬件的变化", ("位置", ITEM_LABEL, OLD, NEW), (TEXT,) * 4,
                                        rows)))
    else:
        out.append("（至少一方是分配结果工作簿或 JSON 结果，只比较结果；比较两个分配工作簿可看到变化的输入。）")
    if diff["pools"]:
        rows = [(POOL_LABELS[key], _money(a), _money(b)) for key, (a, b) in diff["pools"].items()]
        out.append(table_text(Table("资金汇总的变化（元）", (ITEM_LABEL, OLD, NEW), (TEXT,) * 3, rows)))
    rows = [(label, _money(diff["balance"][key][0]), _money(diff["balance"][key][1]))
            for key, label in BALANCE_LABELS]
    out.append(table_text(Table("资金平衡（结余的构成，元）", (ITEM_LABEL, OLD, NEW), (TEXT,) * 3, rows)))
    return "\n\n".join(out) + "\n"


def _side_text(side: dict) -> str:
    kind = {RESULT_WORKBOOK: "分配结果" + (f"，由 {side['source']} 生成" if side.get("source") else ""),
            JSON_RESULT: "JSON 结果"}.get(side.get("kind"), "")
    return f"{side['file']}（{'，'.join(p for p in (kind, side['status'] or '—') if p)}）"


def _where(change: dict) -> str:
    return f"{change['sheet']}!{change['cell']}" if change["cell"] else change["sheet"]


def _money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def _text(key: str, value) -> str:
    """A center field as people read it: money with separators, 是/否, the score as in JSON."""
    if value is None:
        return ABSENT
    if key in contract.MONEY_KEYS:
        return _money(value)
    if key == "score":
        return f"{value:.6f}"
    return _shown(value)


def to_json(diff: dict) -> str:
    return json.dumps(diff, ensure_ascii=False, indent=2) + "\n"
