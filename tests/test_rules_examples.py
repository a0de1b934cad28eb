"""Tiny cases worked out by hand from /work/shared/spec/allocation-rules.md.

Each case is plain data (the form tests/oracle.py takes), the arithmetic in comments, and the
exact §7 values expected. Every case is checked twice: against the product (workbook → run →
JSON) and against the oracle, so the oracle itself is pinned to hand arithmetic too.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

import oracle
import scenarios
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict


def indicator(year, seq, name, weight, aliases=None):
    return {"年度": year, "序号": seq, "类别": "就业创业", "事项名称": name, "指标权重": D(weight),
            "下沉类别": "标准化下沉", "金保事项": aliases}


def center(code, name, district="天宁区"):
    return {"中心编码": code, "中心名称": name, "所属区": district}


def volume(center, item, month, amount):
    return {"中心": center, "事项": item, "月份": month, "业务量": amount}


def rating(year, center, venue, standard, **more):
    return {"年度": year, "中心": center, "服务场所": venue, "标准化下沉": standard, **more}


def unrated(year, *centers):
    """评定 rows that give grade B (no venue, not standardized): every active center needs one."""
    return [rating(year, c, "无", False) for c in centers]


def book(**sheets):
    data = {name: [] for name in scenarios.SHEET_HEADERS}
    data.update(sheets)
    return data


def check(result: dict, want: dict) -> None:
    """Every value named in `want` equals the result's (centers by code, the rest whole)."""
    assert result["ok"], [c for c in result.get("checks", []) if c["level"] == "error"]
    for key, value in want.items():
        if key == "centers":
            by_code = {c["code"]: c for c in result["centers"]}
            assert list(by_code) == list(value), "center order"
            for code, fields in value.items():
                assert {k: by_code[code][k] for k in fields} == fields, code
        elif key == "pools":
            assert {k: result["pools"][k] for k in value} == value
        else:
            assert result[key] == value, key


# --- the cases ------------------------------------------------------------------------------------

def share_method_case(method: str | None):
    """2 indicators × 3 centers. C1 A+ (hall + 是), C2 A (window + 是), C3 B (无).

    甲 (w 60): C1 30, C2 10, C3 20                       → Σ 60, max 30
    乙 (w 40): C1 10, C2 5 (2023-12) + 15 (2024-11, via the alias 乙（金保）) → Σ 30, max 20
               C3's 100 in 2024-12 lies outside the period 2023-12..2024-11 and is ignored.
    B = 12000 + 10000 = 22000; one proposed winner (N 1, nobody recommended) gets 3000.
    P = 100000 × 70% = 70000.00; W = 70000 − 22000 − 3000 = 45000.00 = 4 500 000 fen.
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(100000), "优胜单位数": 1, "优胜奖励": D(3000),
             "评分方法": method}],
        指标=[indicator(2024, 1, "甲", 60), indicator(2024, 2, "乙", 40, "乙（金保）")],
        中心=[center("C1", "一中心"), center("C2", "二中心", "钟楼区"), center("C3", "三中心")],
        评定=[rating(2024, "C1", "独立服务大厅", True), rating(2024, "二中心", "综合服务窗口", True),
            rating(2024, "C3", "无", False)],
        业务量=[volume("C1", "甲", (2024, 3), 30), volume("C2", "甲", (2024, 3), 10),
             volume("C3", "甲", (2024, 3), 20), volume("C1", "乙", (2024, 3), 10),
             volume("C2", "乙", (2023, 12), 5), volume("二中心", "乙（金保）", (2024, 11), 15),
             volume("C3", "乙", (2024, 12), 100)])
    if method == "对标法":
        # S1 = 60·30/30 + 40·10/20 = 60 + 20 = 80;  S2 = 60·10/30 + 40·20/20 = 20 + 40 = 60
        # S3 = 60·20/30 = 40;  ΣS = 180
        # G = 4 500 000 fen × 80/180, 60/180, 40/180 = 2 000 000, 1 500 000, 1 000 000 (exact)
        # winner: highest S among eligible C1, C2 → C1.  T = basic + G + winner award.
        scores, gross, totals = (80.0, 60.0, 40.0), ("20000.00", "15000.00", "10000.00"), \
            ("35000.00", "25000.00", "10000.00")
        districts = [("天宁区", "45000.00"), ("钟楼区", "25000.00")]
    else:
        # S1 = 60·30/60 + 40·10/30 = 30 + 13⅓ = 43.333333;  S2 = 10 + 40·20/30 = 36.666667
        # S3 = 60·20/60 = 20;  ΣS = 100
        # G = 4 500 000 × (130/3)/100 = 1 950 000; × (110/3)/100 = 1 650 000; × 20/100 = 900 000
        scores, gross, totals = (43.333333, 36.666667, 20.0), ("19500.00", "16500.00", "9000.00"), \
            ("34500.00", "26500.00", "9000.00")
        districts = [("天宁区", "43500.00"), ("钟楼区", "26500.00")]
    basic = ("12000.00", "10000.00", "0.00")
    want = {
        "period": ["2023-12", "2024-11"], "method": method or "占比法",
        "pools": {"total_fund": "100000.00", "performance_fund": "70000.00", "basic_total": "22000.00",
                  "winner_total": "3000.00", "workload_pool": "45000.00", "gross_total": "45000.00",
                  "net_total": "45000.00", "redistributed_total": "0.00", "forfeited": "0.00",
                  "hardware_budget": "0.00", "hardware_total": "0.00", "paid_total": "70000.00",
                  "balance": "30000.00"},
        "centers": {code: {"grade": grade, "score": score, "basic_award": b, "gross_workload": g,
                           "net_workload": g, "total": t}
                    for code, grade, score, b, g, t in zip(("C1", "C2", "C3"), ("A+", "A", "B"),
                                                           scores, basic, gross, totals)},
        "districts": [{"district": d, "centers_total": t, "hardware_subsidy": "0.00", "total": t}
                      for d, t in districts],
    }
    want["centers"]["C1"].update(winner=True, winner_status="建议", winner_award="3000.00")
    want["centers"]["C2"].update(winner=False, winner_status=None, winner_award="0.00")
    return data, 2024, want


def remainder_tie_case():
    """Largest remainder, ties by 中心编码 in plain code-point order; whole-yuan unit.

    P = 10.50, no awards (all B; N 0) → W = 10.50 → W' = 10 (down to u = 1) → 10 units.
    One indicator, 5 each → S = 100/3 = 33.333333 for all three; q = 10/3 = 3⅓ each.
    ⌊q⌋ = 3, 3, 3 → 1 unit left; remainders all ⅓: tie → lowest code in code-point order:
    "Y2" (U+0059) < "Z3" (U+005A) < "x1" (U+0078) → Y2 gets 4 (a case-blind sort would pick x1).
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(100), "工作绩效资金": D("10.50"), "金额单位": D(1),
             "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("x1", "甲中心"), center("Y2", "乙中心"), center("Z3", "丙中心")],
        评定=unrated(2024, "x1", "Y2", "Z3"),
        业务量=[volume(code, "甲", (2024, 6), 5) for code in ("x1", "Y2", "Z3")])
    want = {"pools": {"performance_fund": "10.50", "workload_pool": "10.00", "gross_total": "10.00",
                      "paid_total": "10.00", "balance": "90.00"},
            "centers": {"Y2": {"score": 33.333333, "gross_workload": "4.00", "total": "4.00"},
                        "Z3": {"score": 33.333333, "gross_workload": "3.00", "total": "3.00"},
                        "x1": {"score": 33.333333, "gross_workload": "3.00", "total": "3.00"}}}
    return data, 2024, want


def complaint_case():
    """Complaint deduction at the default 5 % per valid complaint.

    P = 10000.40 → 1 000 040 fen; S = 75 / 25 → G1 = 7500.30, G2 = 2500.10 (exact).
    C1: 有理 2024-01-15 and 2024-11-30 count (n = 2); 有理 2024-12-01 is after the period,
        无理 and 待核实 never count → D1 = round(7500.30 × 10 %) = 750.03.
    C2: 有理 2023-12-01 (first day of the period) counts, 2023-11-30 does not (n = 1)
        → D2 = round(2500.10 × 5 %) = round(125.005) = 125.01 (half-up).
    N = 6750.27, 2375.09; 收回 → forfeited 875.04; paid 9125.36; balance 20000 − 9125.36.
    """
    def complaint(day, who, verdict):
        return {"日期": day, "中心": who, "核实结论": verdict}
    data = book(
        参数=[{"年度": 2024, "资金总额": D(20000), "工作绩效资金": D("10000.40"), "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心")],
        评定=unrated(2024, "C1", "C2"),
        业务量=[volume("C1", "甲", (2024, 5), 3), volume("C2", "甲", (2024, 5), 1)],
        投诉=[complaint(date(2024, 1, 15), "C1", "有理"), complaint(date(2024, 11, 30), "一中心", "有理"),
            complaint(date(2024, 12, 1), "C1", "有理"), complaint(date(2024, 2, 1), "C1", "无理"),
            complaint(date(2024, 3, 1), "C1", "待核实"), complaint(date(2023, 12, 1), "C2", "有理"),
            complaint(date(2023, 11, 30), "C2", "有理")])
    want = {"pools": {"workload_pool": "10000.40", "gross_total": "10000.40", "net_total": "9125.36",
                      "forfeited": "875.04", "redistributed_total": "0.00", "paid_total": "9125.36",
                      "balance": "10874.64"},
            "centers": {"C1": {"score": 75.0, "gross_workload": "7500.30", "complaints": 2,
                               "complaint_deduction": "750.03", "net_workload": "6750.27",
                               "total": "6750.27"},
                        "C2": {"score": 25.0, "gross_workload": "2500.10", "complaints": 1,
                               "complaint_deduction": "125.01", "net_workload": "2375.09",
                               "total": "2375.09"}}}
    return data, 2024, want


def redistribute_case():
    """再分配 of a forfeit only to centers with N > 0 and no deduction of their own (§6.7);
    a vetoed center under 否决处理 = 计入 stays in the factor base and forfeits its whole G.

    Volumes 4 / 3 / 2 / 1 / 10 → S = 20 / 15 / 10 / 5 / 50 (C5 counted: 计入).
    B = 0 (C1–C4 B; C5 A+ but vetoed), N 0 → P = 2000.00 = W' → G = 400 / 300 / 200 / 100 / 1000.
    D2 = round(300 × 5 %) = 15.00 (one 有理 complaint); E3 = 50.00 (amount); C5 vetoed → N5 = 0.
    N = 400 / 285 / 150 / 100 / 0; F0 = 15 + 50 + 1000 = 1065.00 = 106 500 fen.
    Receivers: C1 and C4 only (C2, C3 penalised, C5 vetoed): N 400 : 100
        q1 = 106500 × 400/500 = 85 200, q4 = 21 300 (exact) → R1 = 852.00, R4 = 213.00.
    T = 1252.00 / 285.00 / 150.00 / 313.00 / 0; forfeited 0; paid 2000.00.
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(5000), "工作绩效资金": D(2000), "扣减资金处理": "再分配",
             "否决处理": "计入", "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center(f"C{k}", f"{k}中心") for k in range(1, 6)],
        评定=unrated(2024, "C1", "C2", "C3", "C4")
        + [rating(2024, "C5", "独立服务大厅", True, 一票否决=True, 否决原因="虚报业务量")],
        业务量=[volume(f"C{k}", "甲", (2024, 3), v) for k, v in ((1, 4), (2, 3), (3, 2), (4, 1), (5, 10))],
        投诉=[{"日期": date(2024, 5, 6), "中心": "C2", "核实结论": "有理"}],
        扣减=[{"年度": 2024, "中心": "3中心", "原因": "差错", "扣减金额": D(50)}])
    want = {"pools": {"gross_total": "2000.00", "net_total": "935.00", "redistributed_total": "1065.00",
                      "forfeited": "0.00", "paid_total": "2000.00", "balance": "3000.00"},
            "centers": {"C1": {"score": 20.0, "gross_workload": "400.00", "net_workload": "400.00",
                               "redistributed": "852.00", "total": "1252.00"},
                        "C2": {"complaint_deduction": "15.00", "net_workload": "285.00",
                               "redistributed": "0.00", "total": "285.00"},
                        "C3": {"error_deduction": "50.00", "net_workload": "150.00",
                               "redistributed": "0.00", "total": "150.00"},
                        "C4": {"net_workload": "100.00", "redistributed": "213.00", "total": "313.00"},
                        "C5": {"grade": "A+", "vetoed": True, "score": 50.0, "basic_award": "0.00",
                               "gross_workload": "1000.00", "net_workload": "0.00",
                               "redistributed": "0.00", "winner": False, "total": "0.00"}}}
    return data, 2024, want


def no_receiver_case():
    """再分配 with every center penalised: nobody may receive, so the forfeit stays (§6.7).

    S = 50 / 50; P = 100.00 → G = 50.00 / 50.00. C1: one 有理 complaint at 20 % → D1 = 10.00;
    C2: 扣减比例 10 % → E2 = 5.00. F0 = 15.00, no receiver → R = 0, forfeited 15.00.
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(1000), "工作绩效资金": D(100), "扣减资金处理": "再分配",
             "投诉扣减比例": D("0.2"), "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心")],
        评定=unrated(2024, "C1", "C2"),
        业务量=[volume("C1", "甲", (2024, 3), 1), volume("C2", "甲", (2024, 3), 1)],
        投诉=[{"日期": date(2024, 5, 6), "中心": "C1", "核实结论": "有理"}],
        扣减=[{"年度": 2024, "中心": "C2", "原因": "差错", "扣减比例": D("0.1")}])
    want = {"pools": {"net_total": "85.00", "redistributed_total": "0.00", "forfeited": "15.00",
                      "paid_total": "85.00", "balance": "915.00"},
            "centers": {"C1": {"complaint_deduction": "10.00", "redistributed": "0.00", "total": "40.00"},
                        "C2": {"error_deduction": "5.00", "redistributed": "0.00", "total": "45.00"}}}
    return data, 2024, want


def veto_case(veto_mode: str | None, method: str | None = None):
    """否决处理 (§4). C1 A+ honest, C2 A+ vetoed with padded volumes, C3 B.

    甲 (w 60): C1 30, C2 90, C3 10;  乙 (w 40): C1 10, C2 50, C3 30.
    A+奖励 1000; N 0; P = 10000 → B = 1000 (C2 vetoed: 0) → W' = 9000.00 = 900 000 fen.
    剔除 (default), 占比法: base {C1, C3}: 甲 Σ 40, 乙 Σ 40
        S1 = 60·30/40 + 40·10/40 = 45 + 10 = 55;  S3 = 15 + 30 = 45;  S2 = 0
        G1 = 900 000 × 55/100 = 495 000 → 4950.00;  G3 = 4050.00;  G2 = 0.
    剔除, 对标法: max over {C1, C3}: 甲 30, 乙 30 (C2's 90 and 50 must not set the bar)
        S1 = 60 + 13⅓ = 73.333333;  S3 = 20 + 40 = 60;  ΣS = 400/3
        G1 = 900 000 × 220/400 = 495 000;  G3 = 405 000 (the same split, by coincidence).
    计入, 占比法: base all three: 甲 Σ 130, 乙 Σ 90
        S1 = 1800/130 + 400/90 = 2140/117 = 18.290598;  S2 = 7460/117 = 63.760684;
        S3 = 2100/117 = 17.948718;  ΣS = 100
        q = 164 615.38, 573 846.15, 161 538.46 → floors sum 899 999 → 1 fen to C3 (.46)
        G = 1646.15 / 5738.46 / 1615.39;  C2 forfeits 5738.46 (收回).
    """
    params = {"年度": 2024, "资金总额": D(20000), "工作绩效资金": D(10000), "A+奖励": D(1000),
              "优胜单位数": 0, "否决处理": veto_mode, "评分方法": method}
    data = book(
        参数=[params],
        指标=[indicator(2024, 1, "甲", 60), indicator(2024, 2, "乙", 40)],
        中心=[center("C1", "一中心"), center("C2", "二中心"), center("C3", "三中心")],
        评定=[rating(2024, "C1", "独立服务大厅", True),
            rating(2024, "C2", "独立服务大厅", True, 一票否决=True, 否决原因="虚报业务量"),
            rating(2024, "C3", "无", False)],
        业务量=[volume(c, item, (2024, 4), v) for c, item, v in (
            ("C1", "甲", 30), ("C2", "甲", 90), ("C3", "甲", 10),
            ("C1", "乙", 10), ("C2", "乙", 50), ("C3", "乙", 30))])
    if veto_mode == "计入":
        scores, gross = (18.290598, 63.760684, 17.948718), ("1646.15", "5738.46", "1615.39")
        totals, forfeited, paid = ("2646.15", "0.00", "1615.39"), "5738.46", "4261.54"
    else:
        scores = (73.333333, 0.0, 60.0) if method == "对标法" else (55.0, 0.0, 45.0)
        gross = ("4950.00", "0.00", "4050.00")
        totals, forfeited, paid = ("5950.00", "0.00", "4050.00"), "0.00", "10000.00"
    want = {"pools": {"basic_total": "1000.00", "workload_pool": "9000.00", "gross_total": "9000.00",
                      "forfeited": forfeited, "paid_total": paid},
            "centers": {code: {"score": score, "gross_workload": g, "total": t}
                        for code, score, g, t in zip(("C1", "C2", "C3"), scores, gross, totals)}}
    want["centers"]["C2"].update(grade="A+", vetoed=True, basic_award="0.00", net_workload="0.00")
    return data, 2024, want


def numbered_complaints_case():
    """Complaints sharing a 投诉编号 count once (§6.4); rows outside the period are ignored, so
    reusing a number there for another center is no error.

    P = 10000.40 → G1 = 7500.30, G2 = 2500.10 (S = 75 / 25).
    C1: 有理 TS-1 (Jan) and TS-1 again (Feb, from 信访), TS-2, and one without a number → n = 3
        → D1 = round(7500.30 × 15 %) = round(1125.045) = 1125.05.
    C2: 有理 TS-3 and 无理 TS-3 (the same matter, same center) → n = 1 → D2 = round(125.005) = 125.01.
    TS-1 on C2 dated 2024-12-15 lies after the period: ignored.
    """
    def complaint(day, who, verdict, number=None, source="12333"):
        return {"日期": day, "中心": who, "核实结论": verdict, "来源": source, "投诉编号": number}
    data = book(
        参数=[{"年度": 2024, "资金总额": D(20000), "工作绩效资金": D("10000.40"), "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心")],
        评定=unrated(2024, "C1", "C2"),
        业务量=[volume("C1", "甲", (2024, 5), 3), volume("C2", "甲", (2024, 5), 1)],
        投诉=[complaint(date(2024, 1, 15), "C1", "有理", "TS-1"),
            complaint(date(2024, 2, 3), "C1", "有理", "TS-1", "信访"),
            complaint(date(2024, 3, 1), "C1", "有理"),
            complaint(date(2024, 4, 1), "一中心", "有理", "TS-2"),
            complaint(date(2024, 5, 1), "C2", "有理", "TS-3"),
            complaint(date(2024, 5, 2), "C2", "无理", "TS-3"),
            complaint(date(2024, 12, 15), "C2", "有理", "TS-1")])
    want = {"pools": {"net_total": "8750.34", "forfeited": "1250.06", "balance": "11249.66"},
            "centers": {"C1": {"complaints": 3, "complaint_deduction": "1125.05",
                               "net_workload": "6375.25"},
                        "C2": {"complaints": 1, "complaint_deduction": "125.01",
                               "net_workload": "2375.09"}}}
    return data, 2024, want


def recorded_grade_case():
    """评定等次 is a ceiling (§5): at or below what 服务场所/标准化下沉 allow, it is used.

    C1 hall + 是 (A+) recorded A → A, 10000; C2 window + 是 (A) recorded B → B, 0;
    C3 hall + 是 recorded A+ → A+, 12000. Equal volumes → G = 78000 / 3 = 26000.00 each
    (B = 22000, no winners, P = 100000). T = 36000 / 26000 / 38000.
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(200000), "工作绩效资金": D(100000), "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心"), center("C3", "三中心")],
        评定=[rating(2024, "C1", "独立服务大厅", True, 评定等次="A"),
            rating(2024, "C2", "综合服务窗口", True, 评定等次="B"),
            rating(2024, "C3", "独立服务大厅", True, 评定等次="A+")],
        业务量=[volume(c, "甲", (2024, 4), 7) for c in ("C1", "C2", "C3")])
    want = {"pools": {"basic_total": "22000.00", "workload_pool": "78000.00"},
            "centers": {"C1": {"grade": "A", "basic_award": "10000.00", "total": "36000.00"},
                        "C2": {"grade": "B", "basic_award": "0.00", "total": "26000.00"},
                        "C3": {"grade": "A+", "basic_award": "12000.00", "total": "38000.00"}}}
    return data, 2024, want


def year_2018_hardware_case():
    """2018 runs 2018-01..2018-11; default P rounds half-up; hardware per row, summed per 区.

    P = round(1000000.05 × 70 %) = round(700000.035) = 700000.04.
    C1: 2018-01 counts, 2017-12 (1000) does not; C2: 2018-11 counts, 2018-12 (50) does not.
    S = 100 × 1/4 = 25, 100 × 3/4 = 75 → G = 70 000 004 fen × ¼ = 17 500 001, × ¾ = 52 500 003.
    Hardware 2018: 天宁区 100000 × min(1, 200000/300000) = 66666.666… → 66666.67 (less than the
    200000 spent), and a second 天宁区 row min(50000 × min(1, 20/10), 20) = 20.00 — 先建后补:
    never more than was spent; 钟楼区 not filed → 0; the 2017 row is ignored.
    Σ 预算补助 = 230000.00 (≤ 30 % × 资金总额, and P + 230000 ≤ 资金总额).
    """
    def hw(year, district, budget, planned, actual, filed):
        return {"年度": year, "所属区": district, "预算补助": D(budget), "计划投入": D(planned),
                "实际投入": D(actual), "已备案": filed}
    data = book(
        参数=[{"年度": 2018, "资金总额": D("1000000.05"), "优胜单位数": 0}],
        指标=[indicator(2018, 1, "甲", 100), indicator(2017, 1, "乙", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心", "钟楼区")],
        评定=unrated(2018, "C1", "C2"),
        业务量=[volume("C1", "甲", (2018, 1), 1), volume("C1", "甲", (2017, 12), 1000),
             volume("C2", "甲", (2018, 11), 3), volume("C2", "甲", (2018, 12), 50)],
        硬件=[hw(2018, "天宁区", 100000, 300000, 200000, True), hw(2018, "天宁区", 50000, 10, 20, True),
            hw(2018, "钟楼区", 80000, 1000, 1000, False), hw(2017, "钟楼区", 99999, 1, 1, True)])
    want = {"period": ["2018-01", "2018-11"],
            "pools": {"total_fund": "1000000.05", "performance_fund": "700000.04",
                      "workload_pool": "700000.04", "hardware_budget": "230000.00",
                      "hardware_total": "66686.67", "paid_total": "766686.71",
                      "balance": "233313.34"},
            "centers": {"C1": {"score": 25.0, "gross_workload": "175000.01"},
                        "C2": {"score": 75.0, "gross_workload": "525000.03"}},
            "districts": [{"district": "天宁区", "centers_total": "175000.01",
                           "hardware_subsidy": "66686.67", "total": "241686.68"},
                          {"district": "钟楼区", "centers_total": "525000.03",
                           "hardware_subsidy": "0.00", "total": "525000.03"}]}
    return data, 2018, want


def winners_case(confirmed: bool):
    """Proposed winners come from the recommended eligible centers; ties by code.

    Volumes 2 / 2 / 6 → S = 20 / 20 / 60. C1, C2, C3 all A+; only C1 and C2 recommended; N = 1.
    Proposed: candidates {C1, C2} (C3 scores more but is not recommended); tie at 20 → C1, 建议.
    Confirmed: 综合优胜 = 是 on C3 decides alone → C3, 确定.
    B = 3 × 12000 = 36000; C = 5000; W = 140000 − 41000 = 99000 → G = 19800 / 19800 / 59400.
    """
    rows = [rating(2024, code, "独立服务大厅", True, 区局推荐=code != "C3",
                   综合优胜=confirmed and code == "C3") for code in ("C1", "C2", "C3")]
    data = book(
        参数=[{"年度": 2024, "资金总额": D(200000), "工作绩效资金": D(140000), "优胜单位数": 1,
             "优胜奖励": D(5000)}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("C1", "一中心"), center("C2", "二中心"), center("C3", "三中心")],
        评定=rows,
        业务量=[volume("C1", "甲", (2024, 3), 2), volume("C2", "甲", (2024, 3), 2),
             volume("C3", "甲", (2024, 3), 6)])
    winner = "C3" if confirmed else "C1"
    gross = {"C1": "19800.00", "C2": "19800.00", "C3": "59400.00"}
    want = {"pools": {"basic_total": "36000.00", "winner_total": "5000.00", "workload_pool": "99000.00"},
            "centers": {code: {"gross_workload": gross[code], "winner": code == winner,
                               "winner_status": ("确定" if confirmed else "建议") if code == winner else None,
                               "winner_award": "5000.00" if code == winner else "0.00"}
                        for code in ("C1", "C2", "C3")}}
    return data, 2024, want


def whole_yuan_rounding_case():
    """u = 1 (typed as a number cell, as people do): D, E and hardware round to whole yuan.

    (Regression: before commit 493cb8b a number cell 1 read as 1.0 and rounded to 0.1 yuan.)

    One center gets all of W' = 10 → G = 10. One valid complaint: D = round(10 × 5 %) =
    round(0.50) = 1 (half-up, to a multiple of 1). Hardware 10 × min(1, 1/3) = 3.33… → 3, but
    only 1.50 was spent: min(3, round(1.50) = 2) = 2 (先建后补, half-up to the yuan).
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(100), "工作绩效资金": D(10), "金额单位": D(1), "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 100)],
        中心=[center("C1", "一中心")],
        评定=unrated(2024, "C1"),
        业务量=[volume("C1", "甲", (2024, 3), 4)],
        投诉=[{"日期": date(2024, 4, 1), "中心": "C1", "核实结论": "有理"}],
        硬件=[{"年度": 2024, "所属区": "天宁区", "预算补助": D(10), "计划投入": D(3),
             "实际投入": D("1.50"), "已备案": True}])
    want = {"pools": {"workload_pool": "10.00", "hardware_total": "2.00", "net_total": "9.00",
                      "forfeited": "1.00", "paid_total": "11.00", "balance": "89.00"},
            "centers": {"C1": {"gross_workload": "10.00", "complaint_deduction": "1.00",
                               "net_workload": "9.00", "total": "9.00"}}}
    return data, 2024, want


def score_tie_case():
    """`score` rounded to 6 decimals half-up: S1 = 50 × 1/256 = 0.1953125 exactly → 0.195313.

    (Half-to-even would give 0.195312.) S2 = 50 × 255/256 + 50 × 10/10 = 99.8046875 → 99.804688.
    """
    data = book(
        参数=[{"年度": 2024, "资金总额": D(100000), "优胜单位数": 0}],
        指标=[indicator(2024, 1, "甲", 50), indicator(2024, 2, "乙", 50)],
        中心=[center("C1", "一中心"), center("C2", "二中心")],
        评定=unrated(2024, "C1", "C2"),
        业务量=[volume("C1", "甲", (2024, 3), 1), volume("C2", "甲", (2024, 3), 255),
             volume("C2", "乙", (2024, 3), 10)])
    want = {"centers": {"C1": {"score": 0.195313}, "C2": {"score": 99.804688}}}
    return data, 2024, want


CASES = {
    "占比法": lambda: share_method_case(None),
    "对标法": lambda: share_method_case("对标法"),
    "remainder-tie-by-code": remainder_tie_case,
    "complaint-5%": complaint_case,
    "再分配": redistribute_case,
    "再分配-no-receiver": no_receiver_case,
    "否决-剔除-default": lambda: veto_case(None),
    "否决-剔除-对标法": lambda: veto_case("剔除", "对标法"),
    "否决-计入": lambda: veto_case("计入"),
    "numbered-complaints": numbered_complaints_case,
    "recorded-grades": recorded_grade_case,
    "2018-hardware": year_2018_hardware_case,
    "winners-proposed": lambda: winners_case(False),
    "winners-confirmed": lambda: winners_case(True),
    "whole-yuan-rounding": whole_yuan_rounding_case,
    "score-half-up": score_tie_case,
}


def product_result(case, tmp_path) -> dict:
    data, year, _ = case()
    return result_dict(run(scenarios.write_plain(data, tmp_path / "case.xlsx"), year))


@pytest.mark.parametrize("name", CASES)
def test_oracle_matches_hand_arithmetic(name):
    data, year, want = CASES[name]()
    check(oracle.allocate(data, year), want)


@pytest.mark.parametrize("name", [name for name in CASES if name != "score-half-up"])
def test_product_matches_hand_arithmetic(name, tmp_path):
    check(product_result(CASES[name], tmp_path), CASES[name]()[2])


def test_product_whole_yuan_rounding_with_unit_as_text(tmp_path):
    """The same case with 金额单位 typed as the text "1"."""
    data, year, want = whole_yuan_rounding_case()
    data["参数"][0]["金额单位"] = "1"
    check(result_dict(run(scenarios.write_plain(data, tmp_path / "case.xlsx"), year)), want)


def test_product_score_rounds_half_up(tmp_path):
    check(product_result(score_tie_case, tmp_path), score_tie_case()[2])
