"""The 12333 callback sample (金保 contract §7): which counted cases each center's callers ring,
which 统计 tallies the 条线 check against the paper 台账, and the record of the draw.

The population of a center is its counted 明细 cases of the year — the import's own reading,
mapping and deduplication — that have a phone number and are not in the workbook's 回访 sheet
yet (a row of this seed's own 抽取批次 does not count: the same seed re-draws the same list, also
after its results came back). The draw sorts each population by a keyed hash (BLAKE2b keyed
with the seed) of the case's item and id and takes the first N: it depends on nothing but the
seed and the cases, so the same seed gives the same list whatever the order of the files or
rows, a larger N extends the list, and anyone can re-draw it. Items that reach the year only as
统计 counts cannot be called back; the 台账抽查 draws K of each center's counted 统计 tallies by
the same kind of keyed hash of (item, month).

The list is a record a center can be shown when it says it was picked unfairly: 抽取记录 holds
the seed, the moment of the draw (Beijing time; SOURCE_DATE_EPOCH fixes it), who drew, every
source file with its SHA-256 and each center's counts, from counted cases to the sample.

Personal data (names, ID numbers, phones) goes only into the 回访清单 sheet; the JSON, the other
sheets and every message carry case ids and masked ID numbers only.
"""
from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

import numpy as np
import xlsxwriter

from .. import __version__, contract
from ..clock import ClockError, run_moment, utc_moment
from ..doors import CLI, Door
from ..io.callbacks import read_callbacks
from ..io.dataset import CenterLookup
from ..io.names import normalize
from ..io.tables import Checks, locate
from ..model import Check, Month, month_text
from ..report import tables as t
from ..report.page import A4, FOOTER, Formats, set_widths, write_table
from .columns import month_of_index
from .headers import ID_NUMBER, NAME, PHONE, STATS
from .importer import ImportResult, Progress, run_import
from .sources import SourceFile

DEFAULT_PER_CENTER = 5
DEFAULT_LEDGER_PER_CENTER = 3
SHEET, RECORD_SHEET, LEDGER_SHEET = "回访清单", "抽取记录", "台账抽查"
CONFIDENTIAL = "内部资料 注意保密"
PERSONAL_COLUMNS = ("姓名", "证件号码", "联系电话")  # the 回访清单 only, never read back
# Filled in by 12333: 回访结果 … 说明, then who called and the ticket.
ENTRY_COLUMNS = ("回访结果", "回访日期", "说明", "回访人", "工单号")
COLUMNS = ("序号", "中心编码", "中心名称", "业务流水号", "业务事项", "经办日期", *PERSONAL_COLUMNS,
           *ENTRY_COLUMNS)
LEDGER_RESULTS = ("相符", "不符")  # 台账抽查.核查结果
LEDGER_ENTRY = ("核查结果", "核查人", "说明")
LEDGER_COLUMNS = ("序号", "中心编码", "中心名称", "事项", "月份", "业务量", "来源", *LEDGER_ENTRY)
# 抽取记录: one label per line in column A, its value in B (callback-results reads them back).
YEAR_LABEL, SEED_LABEL, MOMENT_LABEL, OPERATOR_LABEL = "年度", "随机种子", "抽取时间（北京时间）", "抽取人"
MOMENT_FORMAT = "%Y-%m-%d %H:%M:%S"
RECORD_CENTER_COLUMNS = ("中心编码", "中心名称", "计入明细", "有电话", "电话覆盖率", "已回访", "可回访",
                         "抽取", "统计条数", "台账抽查")
MIN_PHONE_DIGITS = 7  # a landline without area code; 无, -, 0 are no phone
MIN_PHONE_COVERAGE = Fraction(1, 2)  # below: a warning (a center that leaves phones out shrinks its sample)


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


def ledger_order(seed: int, item: str, month: Month) -> bytes:
    """A 统计 tally's place in the 台账抽查: a keyed hash of (item, month) — within a center
    the identity of a tally (two 统计 rows for one center, item and month are an error)."""
    return draw_order(seed, f"台账\x1f{item}", month_text(month))


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
    """One center's line of 抽取记录: counted cases → with a phone → not yet called → sampled."""

    code: str
    name: str
    population: int  # with a phone and not called yet: what the draw took from
    sampled: int
    counted: int = 0  # counted 明细 cases of the year
    with_phone: int = 0
    called: int = 0  # with a phone, already in 回访 (another 抽取批次)
    tallies: int = 0  # counted 统计 tallies (业务量 > 0)
    ledger_sampled: int = 0

    @property
    def coverage(self) -> Fraction | None:
        """电话覆盖率: the share of counted cases with a phone; None without counted cases."""
        return Fraction(self.with_phone, self.counted) if self.counted else None


@dataclass(frozen=True)
class LedgerTally:
    """A counted 统计 tally drawn for the 台账抽查, with the cell it came from."""

    center: str
    item: str
    month: Month
    volume: int
    where: str  # file!sheet!cell


@dataclass(frozen=True)
class SourceRecord:
    file: str  # as the import names it
    sha256: str


@dataclass
class CallbackDraw:
    year: int | None
    seed: int
    per_center: int
    centers: list[CenterDraw] = field(default_factory=list)
    cases: list[CallbackCase] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    ledger_per_center: int = DEFAULT_LEDGER_PER_CENTER
    ledger: list[LedgerTally] = field(default_factory=list)
    operator: str = ""  # 抽取人
    drawn_at: datetime | None = None  # Beijing time
    sources: list[SourceRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.year is not None and not any(c.level == "error" for c in self.checks)

    @property
    def batch(self) -> str:
        """抽取批次 of the 回访 sheet: the seed."""
        return str(self.seed)


def draw_callbacks(workbook, sources: Iterable, year: int | None = None,
                   per_center: int = DEFAULT_PER_CENTER, seed: int | None = None,
                   progress: Progress | None = None, operator: str | None = None,
                   ledger_per_center: int = DEFAULT_LEDGER_PER_CENTER, door: Door = CLI) -> CallbackDraw:
    """Read the case lists as the import does, then draw min(N, population) cases and up to K
    统计 tallies per active center. Without a seed one is drawn (and must be shown: it is how
    the list is re-drawn); without an operator the record says so in a warning."""
    seed = new_seed() if seed is None else seed
    draw = CallbackDraw(None, seed, per_center, ledger_per_center=ledger_per_center,
                        operator=(operator or "").strip())
    try:
        draw.drawn_at = run_moment()
    except ClockError as exc:
        draw.checks.append(Check("error", "", "", str(exc)))
        return draw
    imported = run_import(workbook, sources, year, progress, personal=True, door=door)
    draw.year, draw.checks = imported.year, draw.checks + list(imported.checks)
    if not imported.ok:
        return draw
    checks = Checks()
    called = _called(imported, checks, draw.batch)
    draw.checks += checks.finish()
    if not draw.ok:
        return draw
    try:
        draw.sources = [SourceRecord(f.label, file_sha256(f)) for f in imported.files]
    except OSError as exc:
        draw.checks.append(Check("error", "", "", f"无法再次读取导出文件以记录其 SHA-256（{exc.strerror or exc}）"))
        return draw
    tallies = _tallies(imported)
    cases, targets = imported.cases, imported.targets
    names = {c.code: c.name for c in imported.centers}
    phones = cases.person[PHONE] if cases is not None else None
    for index, code in enumerate(targets.codes):
        rows = np.flatnonzero(cases.center == index).tolist() if cases is not None else []
        reachable = [r for r in rows if has_phone(phones[r])]
        pool = [r for r in reachable if cases.case[r] not in called]
        pool.sort(key=lambda r: (draw_order(seed, targets.item_names[cases.item[r]], cases.case[r]),
                                 cases.case[r]))
        chosen = pool[:per_center]
        ledger = sorted(tallies.get(code, []), key=lambda x: (ledger_order(seed, x.item, x.month),
                                                              x.item, x.month))[:ledger_per_center]
        center = CenterDraw(code, names.get(code, code), len(pool), len(chosen), len(rows), len(reachable),
                            len(reachable) - len(pool), len(tallies.get(code, [])), len(ledger))
        draw.centers.append(center)
        draw.ledger += ledger
        for r in chosen:
            draw.cases.append(CallbackCase(
                code, cases.case[r], targets.item_names[cases.item[r]], date.fromordinal(int(cases.day[r])),
                _text(cases.person[NAME][r]), _text(cases.person[ID_NUMBER][r]), _text(phones[r])))
        _warn(draw, center)
    if not draw.operator:
        draw.checks.append(Check("warning", "", "", "未填写抽取人：抽取记录中的抽取人为空，这份清单作为抽取的"
                                                   f"记录不完整（{door.operator}）"))
    return draw


def _warn(draw: CallbackDraw, center: CenterDraw) -> None:
    """A center with nothing to call, or one that left phones out of most of its cases."""
    code = center.code
    if center.coverage is not None and center.coverage < MIN_PHONE_COVERAGE:
        draw.checks.append(Check("warning", "", "", (
            f"中心 {code} 计入的 {center.counted:,} 件明细业务中只有 {center.with_phone:,} 件留有联系电话"
            f"（电话覆盖率 {percent(center.coverage)}，低于 {float(MIN_PHONE_COVERAGE):.0%}）：漏填电话会使"
            f"该中心可回访的案件变少，请核实其业务记录")))
    if not center.population:
        draw.checks.append(Check("warning", "", "", f"中心 {code} 没有可回访的案件（{draw.year} 年度计入的"
                                 f"明细业务中，留有联系电话且未回访过的为 0 件），清单中列出但无案件"))


def percent(share: Fraction) -> str:
    return f"{float(share) * 100:.1f}%"


def file_sha256(source: SourceFile) -> str:
    digest = hashlib.sha256()
    with source.path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tallies(imported: ImportResult) -> dict[str, list[LedgerTally]]:
    """The counted 统计 tallies (业务量 > 0) of the given files by center code."""
    targets = imported.targets
    found: dict[str, list[LedgerTally]] = {}
    for part in imported.parts:
        if part.kind != STATS:
            continue
        for center, item, month, volume, cell in zip(part.center.tolist(), part.item.tolist(),
                                                     part.month.tolist(), part.volume.tolist(), part.cells):
            if volume > 0:
                code = targets.codes[center]
                found.setdefault(code, []).append(LedgerTally(
                    code, targets.item_names[item], month_of_index(month), int(volume), f"{part.where}!{cell}"))
    return found


def new_seed() -> int:
    """A seed short enough to read out and type back (--seed)."""
    return 100_000 + secrets.randbelow(900_000)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _called(imported: ImportResult, checks: Checks, batch: str) -> set[str]:
    """Case ids already in the workbook's 回访 sheet, any year: nobody is called twice. Rows of
    ``batch`` (this seed's own draw, its results read back) do not count: the seed re-draws them."""
    table = locate(imported.workbook, contract.SHEET_SPECS[contract.CALLBACKS], checks)
    return {record.case_id for record in read_callbacks(table, imported.year, CenterLookup(imported.centers))
            if normalize(record.batch) != batch}


# --- outputs -------------------------------------------------------------------------------------

def callback_dict(draw: CallbackDraw) -> dict:
    """The JSON: no names, no phones, ID numbers masked."""
    return {
        "ok": draw.ok, "year": draw.year, "seed": draw.seed, "per_center": draw.per_center,
        "ledger_per_center": draw.ledger_per_center,
        "drawn_at": draw.drawn_at.isoformat() if draw.drawn_at else None, "operator": draw.operator or None,
        "sources": [{"file": s.file, "sha256": s.sha256} for s in draw.sources],
        "centers": [{"code": c.code, "counted": c.counted, "with_phone": c.with_phone, "called": c.called,
                     "population": c.population, "sampled": c.sampled, "tallies": c.tallies,
                     "ledger_sampled": c.ledger_sampled} for c in draw.centers],
        "cases": [{"center": c.center, "case_id": c.case_id, "item": c.item, "date": c.day.isoformat(),
                   "id_number_masked": c.id_number_masked} for c in draw.cases],
        "ledger": [{"center": x.center, "item": x.item, "month": month_text(x.month), "volume": x.volume,
                    "where": x.where} for x in draw.ledger],
        "checks": [c.as_dict() for c in draw.checks],
    }


def callback_json(draw: CallbackDraw) -> str:
    return json.dumps(callback_dict(draw), ensure_ascii=False, indent=2) + "\n"


def moment_text(moment: datetime) -> str:
    return moment.strftime(MOMENT_FORMAT)


def callback_workbook_bytes(draw: CallbackDraw) -> bytes:
    """回访清单 (one row per drawn case, by center; a center without cases says so), 台账抽查
    and 抽取记录. Printable A4 landscape, marked 内部资料 注意保密 on screen and on every page."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": f"{draw.year} 年度 12333 回访清单", "author": "JBSys-XL",
                         "comments": f"JBSys-XL {__version__}；{CONFIDENTIAL}",
                         "created": utc_moment()})
    fmt = Formats(book)
    _list_sheet(book, draw)
    _ledger_sheet(book, fmt, draw)
    _record_sheet(book, fmt, draw)
    book.close()
    return buffer.getvalue()


def _list_sheet(book, draw: CallbackDraw) -> None:
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
    sheet.write_string(1, 0, f"随机种子 {draw.seed}；抽取时间 {moment_text(draw.drawn_at)}（北京时间）；"
                             f"抽取人 {draw.operator or '（未填写）'}；每个中心抽取 {draw.per_center} 件"
                             f"（不足的全部抽取）；可回访案件共 {population:,} 件，抽取 {len(draw.cases):,} 件；"
                             f"回访日期不得早于抽取时间", None)
    sheet.write_string(2, 0, f"{CONFIDENTIAL}：含个人信息，仅供回访使用，回访后请妥善保管或销毁", warn)
    top = 3
    for col, text in enumerate(COLUMNS):
        sheet.write_string(top, col, text, header)
    row = top + 1
    by_center: dict[str, list[CallbackCase]] = {}
    for case in draw.cases:
        by_center.setdefault(case.center, []).append(case)
    number = 0
    result_col = COLUMNS.index(ENTRY_COLUMNS[0])
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
            for offset in range(len(ENTRY_COLUMNS)):
                sheet.write_blank(row, result_col + offset, None, entry_day if offset == 1 else entry)
            row += 1
    if row > top + 1:
        sheet.data_validation(top + 1, result_col, row - 1, result_col, {
            "validate": "list", "source": list(contract.CALLBACK_RESULTS), "error_type": "stop",
            "error_title": "回访结果", "error_message": f"请选择：{'、'.join(contract.CALLBACK_RESULTS)}"})
        sheet.data_validation(top + 1, result_col + 1, row - 1, result_col + 1, {
            "validate": "date", "criteria": ">=", "value": draw.drawn_at.date(),
            "error_title": "回访日期", "error_message": f"请填写抽取时间（{moment_text(draw.drawn_at)}）以后的日期，"
                                                     f"如 {draw.drawn_at:%Y-%m-%d}"})
    for col, width in enumerate((6, 10, 30, 22, 30, 11, 10, 22, 15, 10, 11, 24, 10, 16)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(top + 1, 0)
    _print_setup(sheet, top)


def ledger_table(draw: CallbackDraw) -> t.Table:
    """台账抽查: the drawn 统计 tallies, their source cells, and empty columns for the 条线."""
    names = {c.code: c.name for c in draw.centers}
    rows = [(n, x.center, names[x.center], x.item, month_text(x.month), x.volume, x.where, None, None, None)
            for n, x in enumerate(draw.ledger, start=1)]
    kinds = (t.INT, t.TEXT, t.TEXT, t.TEXT, t.TEXT, t.INT, t.TEXT, t.TEXT, t.TEXT, t.TEXT)
    return t.Table(LEDGER_SHEET, LEDGER_COLUMNS, kinds, rows)


def _ledger_sheet(book, fmt: Formats, draw: CallbackDraw) -> None:
    sheet = book.add_worksheet(LEDGER_SHEET)
    table = ledger_table(draw)
    sheet.write_string(0, 0, f"{draw.year} 年度统计业务量台账抽查（随机种子 {draw.seed}）", fmt.heading)
    sheet.write_string(1, 0, f"只以统计数导入的业务无法电话回访：每个中心从所给文件计入的统计数（业务量大于 0）中"
                             f"抽取至多 {draw.ledger_per_center} 条，由条线对照纸质台账核查，核查结果填"
                             f"“{'”或“'.join(LEDGER_RESULTS)}”")
    top = 2
    end = write_table(sheet, fmt, table, top, set_widths(sheet, [table]))
    if table.rows:
        col = LEDGER_COLUMNS.index(LEDGER_ENTRY[0])
        sheet.data_validation(top + 1, col, end - 1, col, {
            "validate": "list", "source": list(LEDGER_RESULTS), "error_type": "stop",
            "error_title": LEDGER_ENTRY[0], "error_message": f"请选择：{'、'.join(LEDGER_RESULTS)}"})
    else:
        sheet.write_string(end, 0, "（所给文件中没有计入的统计数，无需台账抽查）")
    sheet.freeze_panes(top + 1, 0)
    _print_setup(sheet, top)


def record_tables(draw: CallbackDraw) -> list[t.Table]:
    """抽取记录: how the list was drawn (label, value), the source files, each center's counts."""
    rule = (f"每个中心的可回访案件（计入的明细业务中留有联系电话、未在“回访”表中的）按以随机种子为密钥的 BLAKE2b "
            f"散列值（事项、业务流水号）排序，取前 {draw.per_center} 件；台账抽查按同样密钥的散列值（事项、月份）"
            f"排序，取前 {draw.ledger_per_center} 条。同一种子、同样的文件得到同一份清单，与文件和行的顺序无关")
    about = t.Table(RECORD_SHEET, ("项目", "内容"), (t.TEXT, t.TEXT), [
        (YEAR_LABEL, str(draw.year)), (SEED_LABEL, draw.batch),
        (MOMENT_LABEL, moment_text(draw.drawn_at)), (OPERATOR_LABEL, draw.operator or None),
        ("每个中心抽取件数", str(draw.per_center)), ("台账每个中心抽查条数", str(draw.ledger_per_center)),
        ("抽取规则", rule), ("程序", f"JBSys-XL {__version__}")])
    files = t.Table("来源文件", ("序号", "文件", "SHA-256"), (t.INT, t.TEXT, t.TEXT),
                    [(n, s.file, s.sha256) for n, s in enumerate(draw.sources, start=1)])
    kinds = (t.TEXT, t.TEXT, t.INT, t.INT, t.PERCENT, t.INT, t.INT, t.INT, t.INT, t.INT)
    rows = [(c.code, c.name, c.counted, c.with_phone, c.coverage, c.called, c.population, c.sampled,
             c.tallies, c.ledger_sampled) for c in draw.centers]
    counted, with_phone = sum(c.counted for c in draw.centers), sum(c.with_phone for c in draw.centers)
    rows.append(t.summary_row({1: t.TOTAL, 4: Fraction(with_phone, counted) if counted else None}, rows, kinds))
    centers = t.Table("各中心", RECORD_CENTER_COLUMNS, kinds, rows, totals=frozenset({len(rows) - 1}))
    return [about, files, centers]


def _record_sheet(book, fmt: Formats, draw: CallbackDraw) -> None:
    sheet = book.add_worksheet(RECORD_SHEET)
    tables = record_tables(draw)
    widths = set_widths(sheet, tables)
    sheet.write_string(0, 0, f"{draw.year} 年度 12333 回访抽取记录", fmt.heading)
    row = 1
    for table in tables:
        if table.title != RECORD_SHEET:
            sheet.write_string(row, 0, table.title, fmt.section)
            row += 1
        row = write_table(sheet, fmt, table, row, widths) + 1
    _print_setup(sheet, None)


def _print_setup(sheet, header_row: int | None) -> None:
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_header(f"&C{CONFIDENTIAL}")
    sheet.set_footer(FOOTER)


def seed_note(draw: CallbackDraw) -> str:
    return f"随机种子：{draw.seed}（用 --seed {draw.seed} 可重新得到同一份清单）"
