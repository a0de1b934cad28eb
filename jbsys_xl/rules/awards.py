"""Grades, basic awards and 综合优胜 winners (spec §5)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .. import contract
from ..model import Center, Check, Rating, Settings


def grade(rating: Rating | None) -> str:
    """A+: own hall and standardized; A: shared window and standardized; else (or unrated) B."""
    if rating is None or not rating.standardized:
        return "B"
    if rating.venue == contract.VENUE_HALL:
        return "A+"
    if rating.venue == contract.VENUE_WINDOW:
        return "A"
    return "B"


def basic_award(settings: Settings, grade_: str, vetoed: bool) -> Decimal:
    if vetoed:
        return Decimal(0)
    return {"A+": settings.award_a_plus, "A": settings.award_a}.get(grade_, Decimal(0))


def winners(settings: Settings, centers: list[Center], ratings: dict[str, Rating],
            grades: dict[str, str], scores: dict[str, Fraction], origins: dict
            ) -> tuple[dict[str, str], list[Check]]:
    """Winner code → status (确定 or 建议), and the checks raised while choosing them."""
    def eligible(code: str) -> bool:
        rating = ratings.get(code)
        return grades[code] in ("A+", "A") and not (rating and rating.vetoed)

    checks: list[Check] = []
    confirmed = [c.code for c in centers if ratings.get(c.code) and ratings[c.code].winner]
    if confirmed:
        for code in confirmed:
            if not eligible(code):
                sheet, cell = origins.get((contract.RATINGS, code), (contract.RATINGS, ""))
                why = "被一票否决" if ratings[code].vetoed else f"评定等次为 {grades[code]}"
                checks.append(Check("error", sheet, cell,
                                    f"中心 {code} 被定为综合优胜，但{why}（优胜单位只能在未被否决的 A+、A 类中评选）"))
        if len(confirmed) > settings.winner_count:
            sheet, cell = origins.get((contract.PARAMS, "优胜单位数"), (contract.PARAMS, ""))
            checks.append(Check("error", contract.RATINGS, "",
                                f"综合优胜定为“是”的中心有 {len(confirmed)} 个，超过优胜单位数 "
                                f"{settings.winner_count}（见 {sheet}!{cell}）"))
        return {code: contract.WINNER_CONFIRMED for code in confirmed}, checks

    pool = [c.code for c in centers if eligible(c.code)]
    recommended = [code for code in pool if ratings[code].recommended]
    candidates = recommended or pool
    candidates.sort(key=lambda code: (-scores[code], code))
    chosen = candidates[:settings.winner_count]
    if chosen:
        basis = "区局推荐的" if recommended else ""
        checks.append(Check("warning", contract.RATINGS, "",
                            f"未确定综合优胜单位，按得分从{basis} A+、A 类中心中建议 {len(chosen)} 个："
                            f"{'、'.join(chosen)}（确定后请在“综合优胜”列填“是”）"))
    return {code: contract.WINNER_PROPOSED for code in chosen}, checks
