"""Draft versus final (documents.md §7): what changed between two runs of one year, and why.

When an objection changes a figure, the working group reads this: each center whose money,
score, grade, veto or winner status moved (old → new), the inputs behind it that changed
(业务量 per indicator, 评定, 投诉, 扣减, 回访 decisions), then the pools and the 资金平衡.
Either side is a workbook (or CSV folder), run through the same pipeline as ``allocate``, or a
``--json`` result of ``allocate``; the inputs can only be compared between two workbooks.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .. import contract
from ..model import Check, Dataset, Pools, Rating
from ..pipeline import run
from .json_result import result_dict
from .tables import BALANCE_PARTS, ITEM_LABEL, TEXT, Table, balance_parts, table_text

CENTER_LABELS = dict(contract.CENTER_RESULT_COLUMNS)
POOL_LABELS = dict(contract.POOL_LABELS)
OLD, NEW = "原值", "新值"
ABSENT = "（无）"


class DiffError(Exception):
    """The two runs cannot be compared; the message says why, in Chinese."""


class InvalidSide(DiffError):
    """A workbook with errors: its checks say where (printed like ``allocate`` prints them)."""

    def __init__(self, label: str, checks: list[Check]):
        self.checks = checks
        super().__init__(f"{label}有错误，无法比较")


@dataclass
class Side:
    """One run: its file, its §7 result and, when read from a workbook, its inputs."""

    file: str
    result: dict
    dataset: Dataset | None = None


def load(path: str | Path, year: int | None, label: str) -> Side:
    """A workbook or CSV folder through the pipeline, or a ``--json`` result of ``allocate``."""
    path = Path(path)
    if path.suffix.lower() == ".json" and path.is_file():
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
        if year is not None and result.get("year") != year:
            raise DiffError(f"{label}“{path}”是 {result.get('year')} 年度的结果，不是 {year} 年度")
        return Side(str(path), result)
    outcome = run(path, year)
    if not outcome.ok:
        raise InvalidSide(label, outcome.checks)
    return Side(str(path), result_dict(outcome), outcome.dataset)


def compare(old: Side, new: Side) -> dict:
    """The §7 JSON: changed fields per center (only the changed keys, old → new), the inputs
    behind them, and the changed pools."""
    if old.result["year"] != new.result["year"]:
        raise DiffError(f"两次结果不是同一年度（{old.result['year']} 年度和 {new.result['year']} 年度），"
                        "请用 --year 指定同一年度")
    before = {c["code"]: c for c in old.result["centers"]}
    after = {c["code"]: c for c in new.result["centers"]}
    inputs = _input_changes(old.dataset, new.dataset) if old.dataset and new.dataset else {}
    centers = []
    for code in sorted(before.keys() | after.keys()):
        a, b = before.get(code), after.get(code)
        keys = [key for key, _ in contract.CENTER_RESULT_COLUMNS if key != "code"]
        fields = {key: [a[key] if a else None, b[key] if b else None] for key in keys
                  if (a[key] if a else None) != (b[key] if b else None)}
        if fields or inputs.get(code):
            centers.append({"code": code, "name": (b or a)["name"], "fields": fields,
                            "inputs": inputs.get(code, [])})
    pools = {key: [old.result["pools"][key], new.result["pools"][key]]
             for key, _ in contract.POOL_LABELS
             if old.result["pools"][key] != new.result["pools"][key]}
    return {"ok": True, "year": new.result["year"],
            "old": {"file": old.file, "status": old.result.get("status")},
            "new": {"file": new.file, "status": new.result.get("status")},
            "inputs_compared": bool(old.dataset and new.dataset),
            "centers": centers, "pools": pools,
            "balance": {key: [_balance(old.result)[key], _balance(new.result)[key]]
                        for key, _ in BALANCE_LABELS}}


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
        for what, (a, b, cell) in _complaints(code, old, new).items():
            add(code, contract.COMPLAINTS, cell, what, a, b)
        a, b = (_deductions(code, data) for data in (old, new))
        add(code, contract.DEDUCTIONS, "", "扣减", a, b)
        for what, (a, b, cell) in _callbacks(code, old, new).items():
            add(code, contract.CALLBACKS, cell, what, a, b)
    return found


RATING_FIELDS = (("服务场所", "venue"), ("标准化下沉", "standardized"), ("区局推荐", "recommended"),
                 ("综合优胜", "winner"), ("一票否决", "vetoed"), ("否决原因", "veto_reason"),
                 ("评定等次", "recorded_grade"), ("评定说明", "grade_note"))


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


def _complaints(code: str, old: Dataset, new: Dataset) -> dict[str, tuple[str, str, str]]:
    """投诉 <编号 or 日期> → (old verdict, new verdict, cell): the center's complaints inside the
    period whose verdict changed, or that came or went."""
    def verdicts(data: Dataset) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for c in data.period_complaints:
            if c.center == code:
                key = f"投诉 {c.number or c.day.isoformat()}"
                earlier = sum(1 for k in found if k.split("（")[0] == key)
                if earlier and not c.number:  # one day's complaints without 编号: a line each
                    key += f"（第 {earlier + 1} 件）"
                found.setdefault(key, (c.verdict, c.cell))
        return found
    a, b = verdicts(old), verdicts(new)
    return {key: (a.get(key, (ABSENT, ""))[0], b.get(key, (ABSENT, ""))[0],
                  (b.get(key) or a.get(key))[1]) for key in sorted(a.keys() | b.keys())}


def _deductions(code: str, data: Dataset) -> str:
    rows = sorted(f"{d.reason}（{d.amount or 0:.2f} 元，{(d.rate or 0) * 100:g}%）"
                  for d in data.deductions if d.center == code)
    return "；".join(rows) or ABSENT


def _callbacks(code: str, old: Dataset, new: Dataset) -> dict[str, tuple[str, str, str]]:
    """回访 <业务流水号> → (old, new, cell): result and the working group's decision."""
    def cases(data: Dataset) -> dict[str, tuple[str, str]]:
        found = {}
        for case in data.callbacks:
            if case.center == code:
                text = case.result or "未回访"
                if case.decision:
                    text += f"，处理决定：{case.decision}" + (f"（{case.decision_note}）" if case.decision_note else "")
                found[f"回访 {case.case_id}"] = (text, case.cell)
        return found
    a, b = cases(old), cases(new)
    return {key: (a.get(key, (ABSENT, ""))[0], b.get(key, (ABSENT, ""))[0],
                  (b.get(key) or a.get(key))[1]) for key in sorted(a.keys() | b.keys())}


# --- for people -------------------------------------------------------------------------------------

def render_text(diff: dict) -> str:
    """The changes as tables: centers and their fields, the inputs behind them, pools, 资金平衡."""
    old, new = diff["old"], diff["new"]
    out = [f"{diff['year']} 年度结果比较：原 {old['file']}（{old['status'] or '—'}） → "
           f"新 {new['file']}（{new['status'] or '—'}）"]
    moved = [c for c in diff["centers"] if c["fields"]]
    if moved:
        rows = [(c["code"], c["name"], CENTER_LABELS[key], _text(key, a), _text(key, b))
                for c in moved for key, (a, b) in c["fields"].items()]
        out.append(table_text(Table(f"资金或结果有变化的中心（{len(moved)} 个）",
                                    ("中心编码", "中心名称", ITEM_LABEL, OLD, NEW), (TEXT,) * 5, rows)))
    else:
        out.append("各中心的资金和考核结果没有变化。")
    if diff["inputs_compared"]:
        rows = [(c["code"], f"{i['sheet']}!{i['cell']}" if i["cell"] else i["sheet"], i["what"],
                 i["old"], i["new"]) for c in diff["centers"] for i in c["inputs"]]
        out.append(table_text(Table("变化的输入", ("中心编码", "位置", ITEM_LABEL, OLD, NEW), (TEXT,) * 5, rows))
                   if rows else "两个工作簿中各中心的输入数据没有变化。")
    else:
        out.append("（至少一方是 JSON 结果，无法比较输入数据；比较两个工作簿可看到变化的输入。）")
    if diff["pools"]:
        rows = [(POOL_LABELS[key], _money(a), _money(b)) for key, (a, b) in diff["pools"].items()]
        out.append(table_text(Table("资金汇总的变化（元）", (ITEM_LABEL, OLD, NEW), (TEXT,) * 3, rows)))
    rows = [(label, _money(diff["balance"][key][0]), _money(diff["balance"][key][1]))
            for key, label in BALANCE_LABELS]
    out.append(table_text(Table("资金平衡（结余的构成，元）", (ITEM_LABEL, OLD, NEW), (TEXT,) * 3, rows)))
    return "\n\n".join(out) + "\n"


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
