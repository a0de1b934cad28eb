"""The product against an independent oracle (tests/oracle.py, written from the spec alone).

(a) A sweep of seeded random scenarios (tests/scenarios.py), each rendered as a workbook or a
    folder of CSV files with a random layout, run through the product, and compared with the
    oracle field by field, to the fen. A failure names the seed and every differing field;
    reproduce one with ``pytest tests/test_oracle_agreement.py -k "seed_17-"``. When both refuse
    an input for a v3 rule, the product must flag the sheet the oracle names.
(b) Hypothesis properties of the product alone: the money adds up, nothing is negative, row
    order does not matter, the same input gives the same JSON.
"""
from __future__ import annotations

import json
import os
import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oracle
import scenarios
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict

SEEDS = range(500)
YEAR_KEYS = ("year", "status", "period", "method")



def layout(seed: int) -> tuple[str, int]:
    """Every third seed as a CSV folder, the rest as .xlsx; the layout has a seed of its own."""
    return ("csv" if seed % 3 == 0 else "xlsx"), seed * 7919 + 1


def render(scenario, tmp_path: Path, layout_seed, fmt: str) -> Path:
    target = tmp_path / ("input" if fmt == "csv" else "input.xlsx")
    return scenarios.write(scenario, target, layout_seed, fmt)


def epoch(today: date) -> str:
    """SOURCE_DATE_EPOCH for 10:00 Beijing time on ``today``."""
    moment = datetime.combine(today, time(10), timezone(timedelta(hours=8)))
    return str(int(moment.timestamp()))


@contextmanager
def run_on(today: date):
    """The product runs on ``today`` (a 审定日期 may not be later): SOURCE_DATE_EPOCH set."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch(today)
    try:
        yield
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = before  # conftest.py always sets it


def product(path: Path, year: int, today: date) -> dict:
    with run_on(today):
        return result_dict(run(path, year))


def expected(scenario) -> dict:
    try:
        return oracle.allocate(scenario.data, scenario.year, scenario.today)
    except oracle.OracleError as error:
        return {"ok": False, "why": str(error), "sheet": error.sheet}


def error_lines(got: dict) -> list[str]:
    return [f"{c['sheet']}!{c['cell']} {c['message']}" for c in got.get("checks", [])
            if c["level"] == "error"]


def differences(want: dict, got: dict) -> list[str]:
    """Every field where the product differs from the oracle, as readable lines. Where the
    oracle's error is the v3 kind that the spec puts at a cell of one sheet, the product must
    report an error on that sheet too (the oracle checks those rules last: it is the only one)."""
    errors = error_lines(got)
    if want["ok"] != got["ok"]:
        return [f"ok: oracle {want['ok']} ({want.get('why', '')}) product {got['ok']} {errors[:3]}"]
    if not want["ok"]:
        sheet = want.get("sheet")
        if sheet and not any(e.startswith(f"{sheet}!") for e in errors):
            return [f"error sheet: oracle {sheet} ({want['why']}) product {errors[:3]}"]
        return []
    out = [f"{key}: oracle {want[key]!r} product {got.get(key)!r}"
           for key in YEAR_KEYS if want[key] != got.get(key)]
    out += [f"pools.{key}: oracle {value} product {got['pools'].get(key)}"
            for key, value in want["pools"].items() if got["pools"].get(key) != value]
    if set(got["pools"]) != set(want["pools"]):
        out.append(f"pools keys: oracle {sorted(want['pools'])} product {sorted(got['pools'])}")
    codes = [c["code"] for c in want["centers"]]
    if codes != [c["code"] for c in got["centers"]]:
        out.append(f"centers: oracle {codes} product {[c['code'] for c in got['centers']]}")
    by_code = {c["code"]: c for c in got["centers"]}
    for center in want["centers"]:
        mine = by_code.get(center["code"], {})
        if set(mine) != set(center):
            out.append(f"centers[{center['code']}] keys: product {sorted(mine)}")
        for key, value in center.items():
            if mine.get(key) == value and type(mine.get(key)) is type(value):
                continue
            out.append(f"centers[{center['code']}].{key}: oracle {value!r} product {mine.get(key)!r}")
    if want["districts"] != got["districts"]:
        out.append(f"districts: oracle {want['districts']} product {got['districts']}")
    return out


# --- (a) the seeded sweep -----------------------------------------------------------------------

def sweep(seed: int, tmp_path: Path):
    scenario = scenarios.generate(seed)
    fmt, layout_seed = layout(seed)
    got = product(render(scenario, tmp_path, layout_seed, fmt), scenario.year, scenario.today)
    want = expected(scenario)
    return scenario, fmt, differences(want, got)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed_{seed}-")
def test_product_agrees_with_oracle(seed, tmp_path):
    scenario, fmt, diffs = sweep(seed, tmp_path)
    assert not diffs, (f"seed {seed} ({fmt}, year {scenario.year}, "
                       f"features {sorted(scenario.features)}):\n  " + "\n  ".join(diffs[:25]))


def test_sweep_covers_every_setting():
    seen = set().union(*(scenarios.generate(seed).features for seed in SEEDS))
    assert scenarios.FEATURES <= seen, sorted(scenarios.FEATURES - seen)
    outcomes = [expected(scenarios.generate(seed))["ok"] for seed in SEEDS]
    assert 0.1 < outcomes.count(False) / len(outcomes) < 0.3  # some error cases, mostly runs


def test_oracle_credit_code_is_the_spec_example():
    """documents.md §5's worked code passes, and no other check character does; the
    generator's codes pass and its broken ones fail, each way it breaks them."""
    assert oracle.credit_code_ok("91350100M000100Y43")
    assert [ch for ch in oracle.CODE_ALPHABET if oracle.credit_code_ok("91350100M000100Y4" + ch)] \
        == ["3"]
    rng = random.Random(5)
    for _ in range(200):
        assert oracle.credit_code_ok(scenarios.credit_code(rng))
        for how in ("check", "letter", "length", "lowercase"):
            assert not oracle.credit_code_ok(scenarios.broken_code(rng, how)), how


# --- (b) properties of the product ----------------------------------------------------------------

def cents(text: str) -> int:
    value = Decimal(text)
    assert value == value.quantize(Decimal("0.01")) and len(text.split(".")[1]) == 2, text
    return int(value * 100)


MONEY_CENTER_KEYS = ("basic_award", "gross_workload", "complaint_deduction", "error_deduction",
                     "net_workload", "redistributed", "winner_award", "total")
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.function_scoped_fixture])


def product_of(rng, tmp_path: Path, name: str, scenario=None, layout_seed=None, fmt=None):
    scenario = scenario or scenarios.generate(rng, errors=False)
    fmt = fmt or rng.choice(("xlsx", "xlsx", "csv"))
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    path = render(scenario, folder, layout_seed if layout_seed is not None else rng.getrandbits(32),
                  fmt)
    return scenario, path, product(path, scenario.year, scenario.today)


def _folder(tmp_path_factory):
    return tmp_path_factory.mktemp("prop")


@PROPERTY_SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_money_adds_up(rng, tmp_path_factory):
    scenario, _, got = product_of(rng, _folder(tmp_path_factory), "in")
    if not got["ok"]:
        return  # a generated error case (e.g. too many confirmed winners): nothing to add up
    pools = {key: cents(value) for key, value in got["pools"].items()}
    centers = got["centers"]
    for center in centers:
        money = {key: cents(center[key]) for key in MONEY_CENTER_KEYS}
        assert all(value >= 0 for value in money.values()), center
        assert money["total"] == (money["basic_award"] + money["net_workload"]
                                   + money["redistributed"] + money["winner_award"]), center
        assert money["net_workload"] <= money["gross_workload"], center
        if money["redistributed"]:  # §6.7: a penalised center never gets part of it back
            assert not (center["vetoed"] or money["complaint_deduction"] or money["error_deduction"])
    assert all(value >= 0 for value in pools.values()), pools
    gross = sum(cents(c["gross_workload"]) for c in centers)
    assert gross == pools["gross_total"]
    if any(c["score"] > 0 for c in centers):
        assert gross == pools["workload_pool"]  # Σ G = W' whenever ΣS > 0
    else:
        assert gross == 0
    assert pools["workload_pool"] <= pools["performance_fund"] - pools["basic_total"] - pools["winner_total"]
    assert sum(cents(c["net_workload"]) for c in centers) == pools["net_total"]
    assert sum(cents(c["redistributed"]) for c in centers) == pools["redistributed_total"]
    assert pools["gross_total"] - pools["net_total"] == pools["redistributed_total"] + pools["forfeited"]
    assert sum(cents(c["basic_award"]) for c in centers) == pools["basic_total"]
    assert sum(cents(c["winner_award"]) for c in centers) == pools["winner_total"]
    center_total = sum(cents(c["total"]) for c in centers)
    assert center_total + pools["hardware_total"] == pools["paid_total"]
    assert pools["total_fund"] - pools["paid_total"] == pools["balance"]
    rows = [r for r in scenario.data["硬件"] if r["年度"] == scenario.year]
    assert pools["hardware_total"] <= pools["hardware_budget"] + 50 * len(rows)  # ≤ u/2 a row
    paid = [r for r in rows if r.get("处理决定") == "补助" or r["已备案"] and r.get("处理决定") != "不予补助"]
    spent = sum(cents(f"{Decimal(r['实际投入']):.2f}") for r in paid)
    assert pools["hardware_total"] <= spent + 50 * len(rows)  # 先建后补: never above what was spent
    districts = got["districts"]
    assert [d["district"] for d in districts] == list(dict.fromkeys(c["district"] for c in centers))
    for d in districts:
        mine = sum(cents(c["total"]) for c in centers if c["district"] == d["district"])
        assert cents(d["centers_total"]) == mine, d
        assert cents(d["total"]) == cents(d["centers_total"]) + cents(d["hardware_subsidy"]), d
        assert cents(d["hardware_subsidy"]) >= 0, d
    assert sum(cents(d["total"]) for d in districts) == pools["paid_total"]
    assert sum(cents(d["hardware_subsidy"]) for d in districts) == pools["hardware_total"]
    assert [c["code"] for c in centers] == sorted(c["code"] for c in centers)


@PROPERTY_SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rng, tmp_path_factory):
    folder = _folder(tmp_path_factory)
    scenario = scenarios.generate(rng, errors=False)
    fmt, layout_seed = rng.choice(("xlsx", "csv")), rng.getrandbits(32)
    _, _, first = product_of(rng, folder, "a", scenario, layout_seed, fmt)
    shuffled = scenario.shuffled(random.Random(rng.getrandbits(32)))
    _, _, second = product_of(rng, folder, "b", shuffled, layout_seed, fmt)
    first.pop("checks"), second.pop("checks")  # cells move with the rows
    assert first == second


@PROPERTY_SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_same_input_same_json(rng, tmp_path_factory):
    scenario, path, first = product_of(rng, _folder(tmp_path_factory), "in")
    again = product(path, first["year"], scenario.today)
    assert json.dumps(first, ensure_ascii=False, sort_keys=False) == \
        json.dumps(again, ensure_ascii=False, sort_keys=False)


# --- the command line gives the same JSON ---------------------------------------------------------

def first_seed(ok: bool, fmt: str) -> int:
    return next(seed for seed in SEEDS
                if layout(seed)[0] == fmt and expected(scenarios.generate(seed))["ok"] is ok)


@pytest.mark.parametrize("ok, fmt", [(True, "xlsx"), (True, "csv"), (False, "xlsx")])
def test_cli_json_is_the_library_dict(ok, fmt, tmp_path):
    """`allocate --json` writes exactly result_dict(run(...)); exit 0 when ok, 2 on errors."""
    import subprocess
    import sys

    seed = first_seed(ok, fmt)
    scenario = scenarios.generate(seed)
    path = render(scenario, tmp_path, layout(seed)[1], fmt)
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "jbsys_xl.cli", "allocate", str(path),
                           "--year", str(scenario.year), "--json", str(out),
                           "-o", str(tmp_path / "result.xlsx")], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": epoch(scenario.today)})
    assert done.returncode == (0 if ok else 2), (seed, done.stderr[-2000:])
    written = json.loads(out.read_text("utf-8"))
    assert written == product(path, scenario.year, scenario.today)
    assert not differences(expected(scenario), written), seed


@PROPERTY_SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_product_agrees_with_oracle_shrinkable(rng, tmp_path_factory):
    """The sweep again, driven by hypothesis so that a disagreement shrinks to a small case."""
    scenario, _, got = product_of(rng, _folder(tmp_path_factory), "in")
    want = expected(scenario)
    diffs = differences(want, got)
    assert not diffs, \
        f"{scenario.data}\n  " + "\n  ".join(diffs[:25])
