"""The grade of a satisfaction poll (满意度测评, DOMAIN.md §2), by the configured rule.

Rules differ between places, so the rule is a setting (RENDA_LIVELIHOOD["GRADING_RULE"]):

- "zhenhai" (default, 镇海 [V S18]): 满意 votes > half of the members -> 满意; otherwise
  满意 + 基本满意 > half -> 基本满意; otherwise 不满意. "Half" is strict: exactly half fails.
- "plurality": the option with most votes; a tie goes to the lower grade, so a split vote
  never reads better than it is.
"""

from collections.abc import Callable

from apps.core.config import config

SATISFIED, BASIC, DISSATISFIED = "satisfied", "basic", "dissatisfied"


def _more_than_half(votes: int, members: int) -> bool:
    # Integers only: 2 * votes > members is "more than half" without rounding.
    return 2 * votes > members


def zhenhai(*, satisfied: int, basic: int, dissatisfied: int, members: int) -> str:
    if _more_than_half(satisfied, members):
        return SATISFIED
    if _more_than_half(satisfied + basic, members):
        return BASIC
    return DISSATISFIED


def plurality(*, satisfied: int, basic: int, dissatisfied: int, members: int) -> str:
    # Worst first: max() keeps the first of equals, i.e. the lower grade.
    ranked = [(dissatisfied, DISSATISFIED), (basic, BASIC), (satisfied, SATISFIED)]
    return max(ranked, key=lambda pair: pair[0])[1]


RULES: dict[str, Callable[..., str]] = {"zhenhai": zhenhai, "plurality": plurality}


def grade_for(*, satisfied: int, basic: int, dissatisfied: int, members: int) -> str:
    """The grade of one project. `members`: the base the rule halves (all representatives of
    the congress, or those who voted, as the ballot says)."""
    name = config("LIVELIHOOD", "GRADING_RULE")
    try:
        rule = RULES[name]
    except KeyError:
        raise LookupError(f"Unknown RENDA_LIVELIHOOD['GRADING_RULE']: {name!r}; choose from {sorted(RULES)}") from None
    return rule(satisfied=satisfied, basic=basic, dissatisfied=dissatisfied, members=members)
