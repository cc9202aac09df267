"""The satisfaction grade (满意度测评, DOMAIN.md §2): the Zhenhai rule by default, another by setting."""

import pytest

from apps.livelihood.grading import grade_for


@pytest.mark.parametrize(("satisfied", "basic", "dissatisfied"), [(182, 10, 1), (185, 8, 0)])
def test_the_published_tallies_are_satisfied(satisfied, basic, dissatisfied):
    members = satisfied + basic + dissatisfied
    assert grade_for(satisfied=satisfied, basic=basic, dissatisfied=dissatisfied, members=members) == "satisfied"


@pytest.mark.parametrize(
    ("satisfied", "basic", "dissatisfied", "members", "grade"),
    [
        (101, 0, 99, 200, "satisfied"),  # one more than half
        (100, 1, 99, 200, "basic"),  # exactly half satisfied is not more than half
        (100, 0, 100, 200, "dissatisfied"),  # exactly half satisfied or basic: not more than half
        (60, 41, 99, 200, "basic"),
        (60, 40, 100, 200, "dissatisfied"),
        (97, 0, 0, 193, "satisfied"),  # odd: 97 > 96.5
        (96, 1, 0, 193, "basic"),
        (96, 0, 0, 193, "dissatisfied"),  # abstentions count against: the half is of all members
    ],
)
def test_the_zhenhai_rule_at_the_half(satisfied, basic, dissatisfied, members, grade):
    assert grade_for(satisfied=satisfied, basic=basic, dissatisfied=dissatisfied, members=members) == grade


def test_the_rule_is_chosen_by_setting(settings):
    tallies = {"satisfied": 3, "basic": 4, "dissatisfied": 4, "members": 11}
    assert grade_for(**tallies) == "basic"
    settings.RENDA_LIVELIHOOD = {**settings.RENDA_LIVELIHOOD, "GRADING_RULE": "plurality"}
    assert grade_for(**tallies) == "dissatisfied"  # a tie goes to the lower grade
    assert grade_for(satisfied=5, basic=4, dissatisfied=2, members=11) == "satisfied"
    settings.RENDA_LIVELIHOOD = {**settings.RENDA_LIVELIHOOD, "GRADING_RULE": "nonesuch"}
    with pytest.raises(LookupError, match="nonesuch"):
        grade_for(**tallies)
