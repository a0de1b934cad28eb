"""Grades, basic awards and 综合优胜 winners (spec §5), with the checks on them (spec §2)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .. import contract
from ..model import Center, Check, Rating, Settings


def _origin(origins: dict, key: tuple, sheet: str) -> tuple[str, str]:
    return origins.get(key, (sheet, ""))


def grades(centers: list[Center], ratings: dict[str, Rating], origins: dict
           ) -> tuple[dict[str, str], list[Check]]:
    """Each center's grade: the 评定等次 recorded, or the ceiling 服务场所/标准化下沉 allow.

    A recorded grade above the ceiling is an error at its cell. (Every active center has a
    评定 row: the dataset refuses a missing one; B stands in for it here.)"""
    result: dict[str, str] = {}
    checks: list[Check] = []
    for center in centers:
        rating = ratings.get(center.code)
        result[center.code] = rating.grade if rating else "B"
        if rating and rating.above_ceiling:
            sheet, cell = _origin(origins, (contract.RATINGS, center.code, "评定等次"), contract.RATINGS)
            checks.append(Check("error", sheet, cell, (
                f"中心 {center.code} 的评定等次“{rating.recorded_grade}”高于可评定的等次 "
                f"{rating.ceiling}（服务场所：{rating.venue}，标准化下沉："
                f"{contract.YES_NO[0] if rating.standardized else contract.YES_NO[1]}）；"
                f"评定等次只能等于或低于 {rating.ceiling}，或留空按 {rating.ceiling} 计")))
    return result, checks


def basic_award(settings: Settings, grade_: str, vetoed: bool) -> Decimal:
    if vetoed:
        return Decimal(0)
    return {"A+": settings.award_a_plus, "A": settings.award_a}.get(grade_, Decimal(0))


def winners(settings: Settings, centers: list[Center], ratings: dict[str, Rating],
            grades_: dict[str, str], scores: dict[str, Fraction], origins: dict
            ) -> tuple[dict[str, str], list[Check]]:
    """Winner code → status (确定 or 建议), and the checks on confirmed winners (proposed ones
    are for the sign-off rules, :mod:`.signoff`)."""
    def eligible(code: str) -> bool:
        rating = ratings.get(code)
        return grades_[code] in ("A+", "A") and not (rating and rating.vetoed)

    def rating_cell(code: str, header: str | None = None) -> tuple[str, str]:
        key = (contract.RATINGS, code, header) if header else (contract.RATINGS, code)
        return _origin(origins, key, contract.RATINGS)

    def params_cell(header: str) -> tuple[str, str]:
        return _origin(origins, (contract.PARAMS, header), contract.PARAMS)

    checks: list[Check] = []
    pool = [c.code for c in centers if eligible(c.code)]
    confirmed = [c.code for c in centers if ratings.get(c.code) and ratings[c.code].winner]
    if confirmed:
        for code in confirmed:
            if not eligible(code):
                why = "被一票否决" if ratings[code].vetoed else f"评定等次为 {grades_[code]}"
                checks.append(Check("error", *rating_cell(code),
                                    f"中心 {code} 被定为综合优胜，但{why}（优胜单位只能在未被否决的 A+、A 类中评选）"))
            elif not ratings[code].recommended:
                checks.append(Check("warning", *rating_cell(code, "区局推荐"),
                                    f"综合优胜单位 {code} 没有区局推荐（区局推荐不是“是”），请核实评选程序"))
        sheet, cell = params_cell("优胜单位数")
        if len(confirmed) > settings.winner_count:
            checks.append(Check("error", contract.RATINGS, rating_cell(confirmed[0])[1],
                                f"综合优胜定为“是”的中心有 {len(confirmed)} 个，超过优胜单位数 "
                                f"{settings.winner_count}（见 {sheet}!{cell}）"))
        elif len(confirmed) < settings.winner_count <= len(pool):
            checks.append(Check("warning", sheet, cell,
                                f"只确定了 {len(confirmed)} 个综合优胜单位，少于优胜单位数 "
                                f"{settings.winner_count}，而符合条件的中心有 {len(pool)} 个"))
        if settings.winner_award == 0:
            checks.append(Check("error", *params_cell("优胜奖励"),
                                f"已确定 {len(confirmed)} 个综合优胜单位，但优胜奖励为 0 元"
                                "（办法规定对优胜单位予以奖励）；请填写优胜奖励金额"))
        return {code: contract.WINNER_CONFIRMED for code in confirmed}, checks

    recommended = [code for code in pool if ratings[code].recommended]
    candidates = recommended or pool
    candidates.sort(key=lambda code: (-scores[code], code))
    chosen = candidates[:settings.winner_count]  # proposed: the sign-off rules say so
    return {code: contract.WINNER_PROPOSED for code in chosen}, checks
