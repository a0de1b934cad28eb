"""The 12333 callback sample (金保 contract §7): which counted cases each center's callers ring.

The population of a center is its counted 明细 cases of the year — the import's own reading,
mapping and deduplication — that have a phone number and are not in the workbook's 回访 sheet
yet. The draw sorts each population by a keyed hash (BLAKE2b keyed with the seed) of the case's
item and id and takes the first N: it depends on nothing but the seed and the cases, so the same
seed gives the same list whatever the order of the files or rows, and anyone can re-draw it.

Personal data (names, ID numbers, phones) goes only into the 回访清单 workbook; the JSON and
every message carry case ids and masked ID numbers only.
"""
from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import xlsxwriter

from .. import __version__, contract
from ..io.dataset import CenterLookup
from ..io.callbacks import read_callbacks
from ..io.names import normalize
from ..io.tables import Checks, locate
from ..model import Check
from ..clock import utc_moment
from ..report.page import A4, FOOTER
from .headers import ID_NUMBER, NAME, PHONE
from .importer import ImportResult, Progress, run_import

DEFAULT_PER_CENTER = 5
SHEET, SUMMARY_SHEET = "回访清单", "抽样汇总"
CONFIDENTIAL = "内部资料 注意保密"
COLUMNS = ("序号", "中心编码", "中心名称", "业务流水号", "业务事项", "经办日期", "姓名", "证件号码", "联系电话",
           "回访结果", "回访日期", "说明")
MIN_PHONE_DIGITS = 7  # a landline without area code; 无, -, 0 are no phone


def mask_id(value: str | None) -> str:
    """An ID number with only its first 6 and last 4 characters shown (the rest ``*``); a value
    too short to keep anything back is masked whole."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def has_phone(value) -> bool:
    return isinstance(value, str) and sum(ch.isdigit() for ch in normalize(value)) >= MIN_PHONE_DIGITS


def draw_order(seed: int, item: str, case_id: str) -> bytes:
    """The case's place in the draw: a keyed hash of (item, case id) — the identity of a case."""
    return hashlib.blake2b(f"{item}\x1f{case_id}".encode(), key=str(seed).encode(),
                           digest_size=16).digest()


@dataclass(frozen=True)
class CallbackCase:
    center: str
    case_id: str
    item: str
    day: date
    name: str  # personal: the 回访清单 only
    id_number: str  # personal, unmasked: the 回访清单 masks it
    phone: str  # personal

    @property
    def id_number_masked(self) -> str:
        return mask_id(self.id_number)


@dataclass(frozen=True)
class CenterDraw:
    code: str
    name: str
    population: int
    sampled: int


@dataclass
class CallbackDraw:
    year: int | None
    seed: int
    per_center: int
    centers: list[CenterDraw] = field(default_factory=list)
    cases: list[CallbackCase] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.year is not None and not any(c.level == "error" for c in self.checks)


def draw_callbacks(workbook, sources: Iterable, year: int | None = None,
                   per_center: int = DEFAULT_PER_CENTER, seed: int | None = None,
                   progress: Progress | None = None) -> CallbackDraw:
    """Read the case lists as the import does, then draw min(N, population) cases per active
    center. Without a seed one is drawn (and must be shown: it is how the list is re-drawn)."""
    seed = new_seed() if seed is None else seed
    imported = run_import(workbook, sources, year, progress, personal=True)
    draw = CallbackDraw(imported.year, seed, per_center, checks=list(imported.checks))
    if not imported.ok:
        return draw
    checks = Checks()
    called = _called(imported, checks)
    draw.checks += checks.finish()
    if not draw.ok:
        return draw
    cases, targets = imported.cases, imported.targets
    names = {c.code: c.name for c in imported.centers}
    phones = cases.person[PHONE] if cases is not None else None
    for index, code in enumerate(targets.codes):
        rows = np.flatnonzero(cases.center == index).tolist() if cases is not None else []
        pool = [r for r in rows if has_phone(phones[r]) and cases.case[r] not in called]
        pool.sort(key=lambda r: (draw_order(seed, targets.item_names[cases.item[r]], cases.case[r]),
                                 cases.case[r]))
        chosen = pool[:per_center]
        draw.centers.append(CenterDraw(code, names.get(code, code), len(pool), len(chosen)))
        for r in chosen:
            draw.cases.append(CallbackCase(
                code, cases.case[r], targets.item_names[cases.item[r]], date.fromordinal(int(cases.day[r])),
                _text(cases.person[NAME][r]), _text(cases.person[ID_NUMBER][r]), _text(phones[r])))
        if not pool:
            draw.checks.append(Check("warning", "", "", f"中心 {code} 没有可回访的案件（{draw.year} 年度计入的"
                                     f"明细业务中，留有联系电话且未回访过的为 0 件），清单中列出但无案件"))
    return draw


def new_seed() -> int:
    """A seed short enough to read out and type back (--seed)."""
    return 100_000 + secrets.randbelow(900_000)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _called(imported: ImportResult, checks: Checks) -> set[str]:
    """Case ids already in the workbook's 回访 sheet, any year: nobody is called twice."""
    table = locate(imported.workbook, contract.SHEET_SPECS[contract.CALLBACKS], checks)
    return {record.case_id for record in read_callbacks(table, imported.year, CenterLookup(imported.centers))}


# --- outputs -------------------------------------------------------------------------------------

def callback_dict(draw: CallbackDraw) -> dict:
    """The JSON: no names, no phones, ID numbers masked."""
    return {
        "ok": draw.ok, "year": draw.year, "seed": draw.seed, "per_center": draw.per_center,
        "centers": [{"code": c.code, "population": c.population, "sampled": c.sampled} for c in draw.centers],
        "cases": [{"center": c.center, "case_id": c.case_id, "item": c.item, "date": c.day.isoformat(),
                   "id_number_masked": c.id_number_masked} for c in draw.cases],
        "checks": [c.as_dict() for c in draw.checks],
    }


def callback_json(draw: CallbackDraw) -> str:
    return json.dumps(callback_dict(draw), ensure_ascii=False, indent=2) + "\n"


def callback_workbook_bytes(draw: CallbackDraw) -> bytes:
    """回访清单 (one row per drawn case, by center; a center without cases says so), and
    抽样汇总. Printable A4 landscape, marked 内部资料 注意保密 on screen and on every page."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": f"{draw.year} 年度 12333 回访清单", "author": "JBSys-XL",
                         "comments": f"JBSys-XL {__version__}；{CONFIDENTIAL}",
                         "created": utc_moment()})
    bold = book.add_format({"bold": True, "font_size": 14})
    warn = book.add_format({"bold": True, "font_color": "#C00000"})
    header = book.add_format({"bold": True, "border": 1, "bg_color": "#D9D9D9", "align": "center"})
    cell = book.add_format({"border": 1})
    day = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    entry = book.add_format({"border": 1, "bg_color": "#FFF2CC"})
    entry_day = book.add_format({"border": 1, "bg_color": "#FFF2CC", "num_format": "yyyy-mm-dd"})
    names = {c.code: c.name for c in draw.centers}
    population = sum(c.population for c in draw.centers)

    sheet = book.add_worksheet(SHEET)
    sheet.write_string(0, 0, f"{draw.year} 年度 12333 回访清单", bold)
    sheet.write_string(1, 0, f"随机种子 {draw.seed}；每个中心抽取 {draw.per_center} 件（不足的全部抽取）；"
                             f"可回访案件共 {population:,} 件，抽取 {len(draw.cases):,} 件", None)
    sheet.write_string(2, 0, f"{CONFIDENTIAL}：含个人信息，仅供回访使用，回访后请妥善保管或销毁", warn)
    top = 3
    for col, text in enumerate(COLUMNS):
        sheet.write_string(top, col, text, header)
    row = top + 1
    by_center: dict[str, list[CallbackCase]] = {}
    for case in draw.cases:
        by_center.setdefault(case.center, []).append(case)
    number = 0
    result_col = COLUMNS.index("回访结果")
    for center in draw.centers:
        cases = by_center.get(center.code, [])
        if not cases:
            sheet.write_row(row, 0, ["", center.code, center.name, "（无可回访案件：没有留有联系电话的计入业务）"]
                            + [""] * (len(COLUMNS) - 4), cell)
            row += 1
            continue
        for case in cases:
            number += 1
            sheet.write_number(row, 0, number, cell)
            for col, value in enumerate((case.center, names[case.center], case.case_id, case.item), start=1):
                sheet.write_string(row, col, value, cell)
            sheet.write_datetime(row, 5, case.day, day)
            for col, value in enumerate((case.name, case.id_number_masked, case.phone), start=6):
                sheet.write_string(row, col, value, cell)
            sheet.write_blank(row, result_col, None, entry)
            sheet.write_blank(row, result_col + 1, None, entry_day)
            sheet.write_blank(row, result_col + 2, None, entry)
            row += 1
    if row > top + 1:
        sheet.data_validation(top + 1, result_col, row - 1, result_col, {
            "validate": "list", "source": list(contract.CALLBACK_RESULTS), "error_type": "stop",
            "error_title": "回访结果", "error_message": f"请选择：{'、'.join(contract.CALLBACK_RESULTS)}"})
        sheet.data_validation(top + 1, result_col + 1, row - 1, result_col + 1, {
            "validate": "date", "criteria": ">=", "value": date(draw.year - 1, 1, 1),
            "error_title": "回访日期", "error_message": "请填写日期，如 2024-12-05"})
    for col, width in enumerate((6, 10, 30, 22, 30, 11, 10, 22, 15, 10, 11, 24)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(top + 1, 0)
    _print_setup(sheet, top)

    summary = book.add_worksheet(SUMMARY_SHEET)
    summary.write_string(0, 0, f"{draw.year} 年度 12333 回访抽样汇总（随机种子 {draw.seed}）", bold)
    for col, text in enumerate(("中心编码", "中心名称", "可回访案件数", "抽取件数")):
        summary.write_string(1, col, text, header)
    for offset, center in enumerate(draw.centers, start=2):
        summary.write_string(offset, 0, center.code, cell)
        summary.write_string(offset, 1, center.name, cell)
        summary.write_number(offset, 2, center.population, cell)
        summary.write_number(offset, 3, center.sampled, cell)
    summary.set_column(0, 0, 10)
    summary.set_column(1, 1, 30)
    summary.set_column(2, 3, 14)
    _print_setup(summary, 1)
    book.close()
    return buffer.getvalue()


def _print_setup(sheet, header_row: int) -> None:
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_header(f"&C{CONFIDENTIAL}")
    sheet.set_footer(FOOTER)


def seed_note(draw: CallbackDraw) -> str:
    return f"随机种子：{draw.seed}（用 --seed {draw.seed} 可重新得到同一份清单）"
