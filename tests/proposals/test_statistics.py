"""The statistics page: a cohort's rates with numerator and denominator, per-unit figures, the export."""

import io
from datetime import datetime

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.proposals.steps import proposal_assigned, rate, reply_after_contact

STATISTICS = "admin:proposals_proposal_statistics"
EXPORT = "admin:proposals_proposal_statistics_export"

# Assigned 20 Jan 2022: replies are due by 20 Apr 2022.
ASSIGNED_ON = datetime(2022, 1, 20, 10)
EARLY = datetime(2022, 2, 15, 10)
LATE = datetime(2022, 5, 10, 10)


def _at(moment):
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def _assigned(session, rep, by, units, title):
    with _at(ASSIGNED_ON):
        return proposal_assigned(session=session, lead=rep, units=units, by=by, title=title)


def _reply(proposal, unit, by, *, when, kind, outcome="A"):
    with _at(when):
        reply_after_contact(proposal.assignments.get(unit=unit), by, outcome=outcome, kind=kind)


def _rate(proposal, rep, by, *, when, result, attitude="satisfied"):
    with _at(when):
        reasons = "资金没有落实" if "dissatisfied" in (result, attitude) else ""
        rate(proposal, rep, by, result=result, reasons=reasons, attitude=attitude)


@pytest.fixture
def known_set(session, rep_a, representative_user, committee_staff, unit, unit2, unit_staff, unit2_staff):
    """Four proposals of unit 县教育局 (one also assisted by 县交通运输局):
    1. visited, replied on time, satisfied, closed;
    2. talked on the phone only, replied late, basically satisfied (B: in follow-up);
    3. met, replied on time, dissatisfied: re-handled, and its 30-day second round is long past;
    4. never answered: overdue."""
    by = committee_staff
    p1 = _assigned(session, rep_a, by, [(unit, "lead"), (unit2, "assist")], "建议一")
    p2, p3, p4 = (_assigned(session, rep_a, by, [(unit, "lead")], t) for t in ("建议二", "建议三", "建议四"))
    _reply(p1, unit, unit_staff, when=EARLY, kind="visit")
    _reply(p2, unit, unit_staff, when=LATE, kind="phone", outcome="B")
    _reply(p3, unit, unit_staff, when=EARLY, kind="meeting")
    _rate(p1, rep_a, representative_user, when=EARLY, result="satisfied")
    _rate(p2, rep_a, representative_user, when=LATE, result="basic")
    _rate(p3, rep_a, representative_user, when=EARLY, result="dissatisfied")
    return [p1, p2, p3, p4]


EXPECTED_RATES = [
    ("走访率", 2, 4),  # 1 visited, 3 met; 2 only phoned
    ("答复率", 3, 4),
    ("按期答复率", 2, 4),
    ("满意率（含基本满意）", 2, 3),
    ("满意率（仅满意）", 1, 3),
    ("办结率", 1, 4),
]


def _rates(response):
    return [(str(label), rate.numerator, rate.denominator) for label, _d, rate in response.context["stats"]["rates"]]


def test_the_rates_of_a_session_show_numerator_and_denominator(login, committee_staff, known_set, session):
    response = login(committee_staff).get(reverse(STATISTICS), {"session": session.pk})
    assert response.status_code == 200
    assert _rates(response) == EXPECTED_RATES
    content = response.content.decode()
    for percent in ("50.0%", "75.0%", "66.7%", "33.3%", "25.0%"):
        assert percent in content


def test_a_year_is_a_cohort_too(login, committee_staff, known_set):
    client = login(committee_staff)
    assert _rates(client.get(reverse(STATISTICS), {"year": 2022})) == EXPECTED_RATES
    empty = client.get(reverse(STATISTICS), {"year": 2023})
    assert [(n, d) for _l, n, d in _rates(empty)] == [(0, 0)] * 6
    assert "—" in empty.content.decode()


def test_the_cohort_can_leave_out_the_recess_proposals(login, committee_staff, known_set, session, rep_a, unit):
    recess = _assigned(session, rep_a, committee_staff, [(unit, "lead")], "闭会期间建议")
    recess.period = "recess"
    recess.save()
    client = login(committee_staff)
    assert _rates(client.get(reverse(STATISTICS), {"session": session.pk}))[0] == ("走访率", 2, 5)
    response = client.get(reverse(STATISTICS), {"session": session.pk, "period": "session"})
    assert _rates(response) == EXPECTED_RATES
    assert "大会期间" in response.context["stats"]["cohort"]


def test_the_page_opens_on_the_latest_session(login, committee_staff, known_set, session):
    response = login(committee_staff).get(reverse(STATISTICS))
    assert response.context["form"].cleaned_data["session"] == session.pk
    assert _rates(response) == EXPECTED_RATES


def test_the_unit_table(login, committee_staff, known_set, session):
    units = login(committee_staff).get(reverse(STATISTICS), {"session": session.pk}).context["stats"]["units"]
    table = {u["unit__name"]: u for u in units}
    lead = table["县教育局"]
    # Overdue today: the unanswered 4, and the second round of 3.
    assert (lead["assigned"], lead["replied"], lead["on_time"], lead["overdue"]) == (4, 3, 2, 2)
    assert (lead["satisfied"], lead["feedback"]) == (2, 3)
    assisting = table["县交通运输局"]  # assists 1 and sent no opinion: it answers nothing itself
    assert (assisting["assigned"], assisting["replied"], assisting["overdue"], assisting["feedback"]) == (0, 0, 0, 0)
    assert (assisting["assisting"], assisting["opinions"], assisting["opinions_on_time"]) == (1, 0, 0)


def test_township_staff_see_the_rates_of_their_township_only(login, staff_b, known_set, session):
    response = login(staff_b).get(reverse(STATISTICS), {"session": session.pk})
    assert [(n, d) for _l, n, d in _rates(response)] == [(0, 0)] * 6


def test_the_export_is_a_workbook_of_rates_and_units(login, committee_staff, known_set, session):
    response = login(committee_staff).get(reverse(EXPORT), {"session": session.pk})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rates, units = book.worksheets
    rows = list(rates.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3]) for r in rows] == EXPECTED_RATES
    assert rows[0][1] == 50.0
    unit_rows = {r[0]: r[1:] for r in units.iter_rows(min_row=2, values_only=True)}
    assert unit_rows["县教育局"] == (4, 3, 2, 2, 2, 3, 0, 0, 0, 0)
    assert unit_rows["县交通运输局"] == (0, 0, 0, 0, 0, 0, 1, 0, 0, 0)


@pytest.mark.parametrize("persona", ["staff_a", "committee_without_export"])
def test_the_export_needs_the_export_permission(login, personas, committee_staff, persona, session):
    if persona == "committee_without_export":
        committee_staff.groups.first().permissions.remove(Permission.objects.get(codename="export_proposal"))
        user = committee_staff
    else:
        user = personas[persona]
    client = login(user)
    assert client.get(reverse(EXPORT), {"session": session.pk}).status_code == 403
    assert "导出 xlsx" not in client.get(reverse(STATISTICS), {"session": session.pk}).content.decode()


@pytest.mark.parametrize(("persona", "expected"), [("unit", 302), ("representative", 302), ("anonymous", 302)])
def test_only_staff_reach_the_statistics(login, personas, persona, expected):
    assert login(personas[persona]).get(reverse(STATISTICS)).status_code == expected


def test_the_statistics_cost_the_same_queries_however_many_proposals(
    login,
    committee_staff,
    known_set,
    session,
    rep_a,
    unit,
    unit_staff,
    representative_user,
    django_assert_max_num_queries,
):
    url = reverse(STATISTICS)
    client = login(committee_staff)
    client.get(url, {"session": session.pk})
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"session": session.pk})
    for i in range(6):
        p = _assigned(session, rep_a, committee_staff, [(unit, "lead")], f"更多建议{i}")
        _reply(p, unit, unit_staff, when=EARLY, kind="visit")
        _rate(p, rep_a, representative_user, when=EARLY, result="satisfied")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"session": session.pk})
    assert response.context["stats"]["rates"][0][2].denominator == 10
