"""Benchmark workbooks, generated once and cached under build/bench/.

Three sizes:

- ``demo``   — exactly the sample workbook of ``make sample`` (25 centers, 54 indicators);
- ``medium`` — 200 centers × 54 indicators × 12 months = 129,600 业务量 rows;
- ``large``  — 1,450 centers × 60 indicators × 12 months = 1,044,000 业务量 rows, a province-scale
  year just under Excel's 1,048,576-row limit.

For each size two files are written:

- ``<size>.xlsx`` — the tool's input, laid out like the sample: a title line above the 业务量
  table, 中心 given as a code or a name, 事项 sometimes as a 金保 alias, months mostly as date
  cells and sometimes typed as text (2024-03, 2024/03, 2024年3月), two inactive centers that
  still have volume rows, the year before's 参数 and 指标 rows;
- ``<size>-formulas.xlsx`` — the same year as a user would compute it in a spreadsheet: the
  volumes already normalised (center code, indicator name, first-of-month date), and a 模型 sheet
  of native formulas — one SUMIFS per center × indicator, per-indicator totals and rates,
  SUMPRODUCT scores, grades, awards, the gross workload share, complaint deductions and totals.
  LibreOffice recalculates this in the benchmark (see ``lo_recalc.py``).

Both are written with XlsxWriter in ``constant_memory`` mode (rows streamed to disk; strings
are stored inline, as that mode does). Same size → same rows → same bytes: the random streams
are seeded and the document date is fixed.

    .venv/bin/python bench/generate.py [demo medium large]     # prints the paths
"""
from __future__ import annotations

import hashlib
import os
import random
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jbsys_xl import contract as k  # noqa: E402
from jbsys_xl import sample  # noqa: E402
from jbsys_xl.io import values  # noqa: E402

CACHE = ROOT / "build" / "bench"
YEAR = 2024
MODEL_SHEET = "模型"


@dataclass(frozen=True)
class Size:
    name: str
    centers: int  # 0 = the demo sample
    indicators: int
    months: int = 12

    @property
    def label(self) -> str:
        if not self.centers:
            return "demo (sample)"
        return f"{self.centers}×{self.indicators}×{self.months}"


SIZES = {s.name: s for s in (Size("demo", 0, 54), Size("medium", 200, 54), Size("large", 1450, 60))}


# --- the data of one size ----------------------------------------------------------------------

@dataclass
class Data:
    """Every sheet as rows of values in contract header order, plus what the model needs.

    ``volumes`` is a callable returning a fresh iterator of (raw row, normalised row), so a
    million rows are never held in memory at once."""

    sheets: dict[str, tuple[list[str], list[list]]]  # sheet → (headers, rows), 业务量 excluded
    volumes: object  # () -> Iterator[tuple[list, tuple[str, str, date, int]]]
    volume_rows: int
    active: list[tuple[str, str, str]]  # (code, name, district) of the active centers, by code
    indicators: list[tuple[str, float]]  # (name, weight) of YEAR
    aliases: dict[str, str]  # 金保 alias → indicator name
    params: dict[str, object]


def _rows(sheet: str, dict_rows: list[dict]) -> tuple[list[str], list[list]]:
    headers = list(dict_rows[0]) if dict_rows else list(k.SHEET_SPECS[sheet].headers)
    return headers, [[row.get(h) for h in headers] for row in dict_rows]


def _split_aliases(text) -> list[str]:
    if not text:
        return []
    return [a.strip() for a in str(text).replace("；", ";").split(";") if a.strip()]


def demo_data() -> Data:
    """The sample of ``make sample``; its volume rows normalised for the formula model."""
    rows = sample.sample_rows(YEAR)
    centers = rows[k.CENTERS]
    by_key = {c["中心名称"]: c["中心编码"] for c in centers} | {c["中心编码"]: c["中心编码"] for c in centers}
    indicators = [r for r in rows[k.INDICATORS] if r["年度"] == YEAR]
    aliases = {a: r["事项名称"] for r in indicators for a in _split_aliases(r.get("金保事项"))}
    aliases |= {r["事项名称"]: r["事项名称"] for r in indicators}
    volume_rows = rows[k.VOLUMES]

    def volumes():
        for row in volume_rows:
            y, m = values.month(row["月份"])
            raw = [row[h] for h in k.SHEET_SPECS[k.VOLUMES].required]
            yield raw, (by_key[row["中心"]], aliases[row["事项"]], date(y, m, 1), row["业务量"])

    active = sorted((c["中心编码"], c["中心名称"], c["所属区"]) for c in centers
                    if c["启用年度"] in (None, "") or c["启用年度"] <= YEAR
                    if c["停用年度"] in (None, "") or c["停用年度"] >= YEAR)
    params = next(r for r in rows[k.PARAMS] if r["年度"] == YEAR)
    sheets = {name: _rows(name, r) for name, r in rows.items() if name != k.VOLUMES}
    return Data(sheets, volumes, len(volume_rows), active,
                [(r["事项名称"], r["指标权重"]) for r in indicators],
                {a: n for a, n in aliases.items() if a != n}, params)


def scaled_data(size: Size) -> Data:
    """A synthetic province: ``size.centers`` centers in districts of 15, ``size.indicators``
    indicators (附件2's 54, plus extra ones whose weight is taken from the largest)."""
    rng = random.Random(size.centers * 1000 + size.indicators)
    source = sample._indicator_source()  # 序号, 类别, 事项名称, 指标权重, 下沉类别, 考核部门
    items = [(name, float(weight), sink, category, department)
             for _, category, name, weight, sink, department in source]
    extra = size.indicators - len(items)
    if extra > 0:  # take 1.0 point from each of the `extra` largest weights: the sum stays 100
        largest = sorted(range(len(items)), key=lambda i: -items[i][1])[:extra]
        for i in largest:
            name, weight, *rest = items[i]
            items[i] = (name, round(weight - 1.0, 1), *rest)
        items += [(f"省级扩展事项{n + 1}", 1.0, k.SINK_KINDS[n % 2], "扩展事项", "省厅")
                  for n in range(extra)]
    items = items[:size.indicators]
    assert round(sum(w for _, w, *_ in items), 6) == 100, "indicator weights must sum to 100"
    alias_text = sample._ALIASES
    aliases = {a: name for name, text in alias_text.items() for a in _split_aliases(text)}
    alias_of = {name: _split_aliases(text) for name, text in alias_text.items()}

    districts = [f"示例{d + 1:03d}区" for d in range((size.centers + 14) // 15)]
    centers = []
    for i in range(size.centers):
        district = districts[i // 15]
        centers.append((f"C{i + 1:04d}", f"{district}第{i % 15 + 1}街道人社服务中心{sample.SAMPLE_MARK}",
                        district))
    opens_next, closed_last = centers[-1][0], centers[len(centers) // 2][0]
    inactive = {opens_next, closed_last}
    active = [c for c in centers if c[0] not in inactive]
    vetoed = active[7][0]

    total_fund = 120_000 * size.centers
    params = {"年度": YEAR, "资金总额": total_fund, "优胜单位数": 6, "优胜奖励": 20_000,
              "投诉扣减比例": "5%", "评分方法": k.METHOD_SHARE, "扣减资金处理": k.FORFEIT_RECLAIM,
              "金额单位": 0.01}
    sheets = {
        k.PARAMS: _rows(k.PARAMS, [{**params, "年度": YEAR - 1, "资金总额": total_fund - 100_000,
                                    "投诉扣减比例": 0.05},
                                   params]),
        k.INDICATORS: _rows(k.INDICATORS, [
            {"年度": y, "序号": n + 1, "类别": category, "事项名称": name, "指标权重": weight,
             "下沉类别": sink, "考核部门": department, "金保事项": alias_text.get(name)}
            for y in (YEAR - 1, YEAR)
            for n, (name, weight, sink, category, department) in enumerate(items)]),
        k.CENTERS: _rows(k.CENTERS, [
            {"中心编码": code, "中心名称": name, "所属区": district,
             "启用年度": YEAR + 1 if code == opens_next else None,
             "停用年度": YEAR - 1 if code == closed_last else None}
            for code, name, district in centers]),
    }
    venues = rng.choices(k.VENUES, (4, 4, 2), k=len(centers))
    standardized = rng.choices(k.YES_NO, (8, 2), k=len(centers))
    recommended = [k.YES_NO[0] if rng.random() < 0.2 else None for _ in centers]
    # Every center active in a year has its 评定 row (spec §2); the year before too, without
    # the veto, as the sample: the closed center was still active then.
    active_in = {YEAR - 1: [c[0] for c in centers if c[0] != opens_next],
                 YEAR: [c[0] for c in active]}
    sheets[k.RATINGS] = _rows(k.RATINGS, [
        {"年度": y, "中心": name if n % 3 else code, "服务场所": venues[n],
         "标准化下沉": standardized[n], "区局推荐": recommended[n], "综合优胜": None,
         "一票否决": k.YES_NO[0] if code == vetoed and y == YEAR else k.YES_NO[1],
         "否决原因": sample.VETO_REASON if code == vetoed and y == YEAR else None}
        for y in (YEAR - 1, YEAR)
        for n, (code, name, _) in enumerate(centers) if code in active_in[y]])
    start, end = sample._period_days(YEAR)
    complaints = []
    for _ in range(size.centers // 2):
        code, name, _ = rng.choice(active)
        day = date.fromordinal(rng.randint(start.toordinal() - 30, end.toordinal() + 30))
        line, content = rng.choice(sample._COMPLAINT_TOPICS)
        complaints.append({"日期": day, "中心": code if rng.random() < 0.2 else name,
                           "核实结论": rng.choices(k.VERDICTS, (4, 5, 1))[0], "来源": "12333",
                           "条线": line or None, "内容": content})
    sheets[k.COMPLAINTS] = _rows(k.COMPLAINTS, sorted(complaints, key=lambda r: r["日期"]))
    sheets[k.DEDUCTIONS] = _rows(k.DEDUCTIONS, [
        {"年度": YEAR, "中心": code, "原因": "业务台账与金保系统记录不一致",
         "扣减金额": 1_000 if n % 2 else None, "扣减比例": 0.05 if n % 3 == 0 else None}
        for n, (code, _, _) in enumerate(active[::max(1, len(active) // 20)])
        if n % 2 or n % 3 == 0])
    hardware = []
    for d, district in enumerate(districts):
        plan = rng.randrange(20, 40) * 10_000
        hardware.append({"年度": YEAR, "所属区": district, "预算补助": 150_000, "计划投入": plan,
                         "实际投入": plan * rng.choice((7, 10, 11)) // 10,
                         "已备案": k.YES_NO[1] if d % 7 == 3 else k.YES_NO[0]})
    sheets[k.HARDWARE] = _rows(k.HARDWARE, hardware)

    months = sample.period_months(YEAR)[-size.months:]
    names = [name for name, *_ in items]

    seed = rng.random()

    def volumes():  # the same rows on every call: the input and the formula file must agree
        vr = random.Random(seed)
        scale = {code: vr.uniform(0.5, 1.8) for code, _, _ in centers}
        base = {name: weight * vr.uniform(3, 9) for name, weight, *_ in items}
        for code, cname, _ in centers:
            skipped = {name for name, _, sink, *_ in items
                       if vr.random() < (0.03 if sink == k.SINK_KINDS[0] else 0.3)}
            for y, m in months:
                month = sample._month_cell(vr.choices(sample._MONTH_STYLES, sample._MONTH_WEIGHTS)[0],
                                           y, m, vr)
                center = code if vr.random() < 0.15 else cname
                season = sample._SEASON[m - 1]
                for name in names:
                    item = (vr.choice(alias_of[name]) if name in alias_of and vr.random() < 0.2
                            else name)
                    volume = 0 if name in skipped else round(
                        scale[code] * base[name] * season * vr.uniform(0.75, 1.25))
                    yield [center, item, month, volume], (code, name, date(y, m, 1), volume)

    return Data(sheets, volumes, len(centers) * len(names) * len(months), sorted(active),
                [(name, weight) for name, weight, *_ in items], aliases, params)


def data_for(size: Size) -> Data:
    return demo_data() if not size.centers else scaled_data(size)


# --- writing -----------------------------------------------------------------------------------

class _Writer:
    """A constant-memory XlsxWriter workbook with the formats every sheet here needs."""

    def __init__(self, path: Path):
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                                    "strings_to_numbers": False})
        self.book.set_properties({"title": sample.TITLE, "created": datetime(YEAR, 12, 1)})
        self.header = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.title = self.book.add_format({"bold": True, "font_color": "#C00000"})
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.month = self.book.add_format({"num_format": "yyyy-mm"})
        self.percent = self.book.add_format({"num_format": "0%"})

    def cell(self, sheet, row: int, col: int, value, header: str = "", month: bool = False) -> None:
        if isinstance(value, date):
            sheet.write_datetime(row, col, value, self.month if month else self.day)
        elif isinstance(value, str):
            sheet.write_string(row, col, value)
        elif value is not None:
            sheet.write_number(row, col, value, self.percent if header.endswith("比例") else None)

    def table(self, name: str, headers: list[str], rows, top: int = 0, month: bool = False):
        sheet = self.book.add_worksheet(name)
        if top:
            sheet.write_string(0, 0, sample.TITLE, self.title)
        sheet.write_row(top, 0, headers, self.header)
        sheet.freeze_panes(top + 1, 0)
        for r, row in enumerate(rows, start=top + 1):
            for c, value in enumerate(row):
                self.cell(sheet, r, c, value, headers[c], month)
        return sheet


def write_input(data: Data, path: Path) -> None:
    """The tool's input, in the sample's sheet order and layout (title line above 业务量)."""
    writer = _Writer(path)
    for spec in k.INPUT_SHEETS:
        if spec.name == k.VOLUMES:
            writer.table(k.VOLUMES, list(spec.required), (raw for raw, _ in data.volumes()),
                         top=1, month=True)
        else:
            headers, rows = data.sheets.get(spec.name, (list(spec.required), []))  # 回访: optional
            writer.table(spec.name, headers, rows)
    writer.book.close()


def _col(index: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index)


def write_formulas(data: Data, path: Path) -> None:
    """The same year as native spreadsheet formulas over normalised data (see module doc).

    模型 layout: B1/B2 period start/end; row 4 headers; row 5 weights; row 6 Σ volume per
    indicator; row 7 rate = weight / Σ (0 where Σ = 0); rows 8… one active center each:
    volumes (SUMIFS), 得分 (SUMPRODUCT), 等次, 否决, 基础奖励, 工作量补助, 有理投诉,
    投诉扣减, 实得, 合计."""
    writer = _Writer(path)
    n = data.volume_rows
    writer.table(k.VOLUMES, ["中心编码", "事项名称", "月份", "业务量"],
                 (norm for _, norm in data.volumes()), month=True)
    for name in (k.CENTERS, k.RATINGS, k.COMPLAINTS):
        headers, rows = data.sheets[name]
        writer.table(name, headers, rows)

    ratings_headers, ratings = data.sheets[k.RATINGS]
    complaints_headers, complaints = data.sheets[k.COMPLAINTS]
    sheet = writer.book.add_worksheet(MODEL_SHEET)
    (y0, m0), (y1, m1) = sample.period_months(YEAR)[0], sample.period_months(YEAR)[-1]
    p = data.params
    fund = p["资金总额"]
    rate = values.percent(p.get("投诉扣减比例") or 0.05, "") or 0
    sheet.write_string(0, 0, "考核期起")
    sheet.write_formula(0, 1, f"=DATE({y0},{m0},1)")
    sheet.write_string(1, 0, "考核期止")
    sheet.write_formula(1, 1, f"=DATE({y1},{m1}+1,1)-1")
    sheet.write_string(2, 0, "工作量绩效资金")
    m = len(data.indicators)
    layout = model_layout(data)
    first, last, sc = layout["first"], layout["last"], layout["score_col"]  # 0-based
    cols = ["得分", "等次", "否决", "基础奖励", "工作量补助", "有理投诉", "投诉扣减", "实得", "合计"]
    score, grade, veto, basic, gross, cnt, cut, net, total = (_col(sc + i) for i in range(len(cols)))
    r1, rn = first + 1, last + 1  # 1-based
    performance = p.get("工作绩效资金") or f"ROUND({fund}*0.7,2)"
    eligible = f"SUMPRODUCT((LEFT({grade}{r1}:{grade}{rn},1)=\"A\")*({veto}{r1}:{veto}{rn}=FALSE()))"
    sheet.write_formula(2, 1, f"=ROUNDDOWN({performance}-SUM({basic}{r1}:{basic}{rn})-"
                              f"{p.get('优胜奖励') or 0}*MIN({p.get('优胜单位数') or 6},{eligible}),2)")
    sheet.write_row(3, 0, ["中心编码"] + [name for name, _ in data.indicators] + cols)
    # constant_memory: every row is written whole, top to bottom
    sheet.write_string(4, 0, "指标权重")
    for j, (_, weight) in enumerate(data.indicators, start=1):
        sheet.write_number(4, j, weight)
    sheet.write_string(5, 0, "业务量合计")
    for j in range(1, m + 1):  # 否决处理 剔除 (the default): vetoed centers are not in the base
        sheet.write_formula(5, j, f"=SUMIFS({_col(j)}{r1}:{_col(j)}{rn},{veto}{r1}:{veto}{rn},FALSE())")
    sheet.write_string(6, 0, "权重/合计")
    for j in range(1, m + 1):
        sheet.write_formula(6, j, f"=IF({_col(j)}6=0,0,{_col(j)}5/{_col(j)}6)")
    v = lambda col: f"'{k.VOLUMES}'!${col}$2:${col}${n + 1}"  # noqa: E731
    rt = lambda col: f"'{k.RATINGS}'!${col}$2:${col}${len(ratings) + 1}"  # noqa: E731
    ct = lambda col: f"'{k.COMPLAINTS}'!${col}$2:${col}${len(complaints) + 1}"  # noqa: E731
    rh = {h: _col(i) for i, h in enumerate(ratings_headers)}
    ch = {h: _col(i) for i, h in enumerate(complaints_headers)}
    # 评定 and 投诉 name a center by code or name; the model looks them up by both, as a user would.
    last_col = _col(m)
    for r, (code, name, _) in enumerate(data.active, start=first):
        row = r + 1
        sheet.write_string(r, 0, code)
        for j in range(1, m + 1):
            sheet.write_formula(r, j, f"=SUMIFS({v('D')},{v('A')},$A{row},{v('B')},{_col(j)}$4,"
                                      f"{v('C')},\">=\"&$B$1,{v('C')},\"<=\"&$B$2)")
        def rated(*criteria: tuple[str, str]) -> str:
            """How many 评定 rows of YEAR name this center (by code or name) and match."""
            extra = "".join(f",{rt(rh[header])},\"{value}\"" for header, value in criteria)
            return "+".join(f"COUNTIFS({rt(rh['年度'])},{YEAR},{rt(rh['中心'])},{who}{extra})"
                            for who in (f"$A{row}", f"\"{name}\""))

        sheet.write_formula(r, sc, f"=IF({veto}{row},0,SUMPRODUCT(B{row}:{last_col}{row},$B$7:${last_col}$7))")
        ceiling = (f"IF({rated(('服务场所', '独立服务大厅'), ('标准化下沉', '是'))}>0,\"A+\","
                   f"IF({rated(('服务场所', '综合服务窗口'), ('标准化下沉', '是'))}>0,\"A\",\"B\"))")
        if "评定等次" in rh:  # a grade the working group recorded below the ceiling is the grade
            ceiling = (f"IF({rated(('评定等次', 'B'))}>0,\"B\",IF(AND({rated(('评定等次', 'A'))}>0,"
                       f"{ceiling}<>\"B\"),\"A\",{ceiling}))")
        sheet.write_formula(r, sc + 1, f"={ceiling}")
        sheet.write_formula(r, sc + 2, f"={rated(('一票否决', '是'))}>0")
        sheet.write_formula(r, sc + 3, f"=IF({veto}{row},0,IF({grade}{row}=\"A+\",{p.get('A+奖励') or 12000},"
                                       f"IF({grade}{row}=\"A\",{p.get('A奖励') or 10000},0)))")
        sheet.write_formula(r, sc + 4, f"=ROUND($B$3*{score}{row}/SUM(${score}${r1}:${score}${rn}),2)")
        sheet.write_formula(r, sc + 5, f"=COUNTIFS({ct(ch['中心'])},$A{row},{ct(ch['核实结论'])},\"有理\","
                                       f"{ct(ch['日期'])},\">=\"&$B$1,{ct(ch['日期'])},\"<=\"&$B$2)"
                                       f"+COUNTIFS({ct(ch['中心'])},\"{name}\",{ct(ch['核实结论'])},\"有理\","
                                       f"{ct(ch['日期'])},\">=\"&$B$1,{ct(ch['日期'])},\"<=\"&$B$2)")
        sheet.write_formula(r, sc + 6, f"=ROUND({gross}{row}*MIN(1,{rate}*{cnt}{row}),2)")
        sheet.write_formula(r, sc + 7, f"=IF({veto}{row},0,MAX(0,{gross}{row}-{cut}{row}))")
        sheet.write_formula(r, sc + 8, f"={basic}{row}+{net}{row}")
    writer.book.close()


def model_layout(data: Data) -> dict:
    """Where write_formulas put the results: 0-based columns and rows of 模型, and the codes."""
    m = len(data.indicators)
    first = 7
    return {"sheet": MODEL_SHEET, "score_col": m + 1, "gross_col": m + 5, "first": first,
            "last": first + len(data.active) - 1, "codes": [code for code, _, _ in data.active]}


def _write_once(path: Path, write, data: Data) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.xlsx")
    try:
        write(data, partial)
        partial.replace(path)  # never leave a half-written file under the cached name
    finally:
        partial.unlink(missing_ok=True)
    return path


def paths(size: Size) -> tuple[Path, Path]:
    """Cached files are keyed by the code that makes them: editing the sample or this module
    regenerates them instead of measuring stale data."""
    digest = hashlib.sha256()
    for source in (Path(__file__), Path(sample.__file__), ROOT / "jbsys_xl" / "data" / "indicators-attachment2.csv"):
        digest.update(source.read_bytes())
    stem = f"{size.name}-{digest.hexdigest()[:10]}"
    return CACHE / f"{stem}.xlsx", CACHE / f"{stem}-formulas.xlsx"


def workbooks(size: Size) -> tuple[Path, Path]:
    """(input workbook, formula workbook) of ``size``, generating them the first time."""
    inputs, formulas = paths(size)
    if inputs.exists() and formulas.exists():
        return inputs, formulas
    data = data_for(size)
    if not size.centers:
        if not inputs.exists():  # the demo input is exactly what `make sample` writes
            inputs.parent.mkdir(parents=True, exist_ok=True)
            partial = inputs.with_name(f".{inputs.stem}.{os.getpid()}.partial.xlsx")
            sample.write_sample_workbook(partial, YEAR)
            partial.replace(inputs)
    else:
        _write_once(inputs, write_input, data)
    _write_once(formulas, write_formulas, data)
    return inputs, formulas


def main(argv: list[str]) -> int:
    for name in argv or list(SIZES):
        for path in workbooks(SIZES[name]):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
