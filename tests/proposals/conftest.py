import pytest

from apps.core import services as core_services
from apps.core.models import User
from apps.proposals import services
from tests.factories import HandlingUnitFactory, RepresentativeFactory, SessionFactory


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


@pytest.fixture
def cosigner_rep(township_a, county_term):
    rep = RepresentativeFactory(name="刘建国", township=township_a, term=county_term)
    rep.user = core_services.user_create(username="cosigner", password=None, role=User.Role.REPRESENTATIVE)
    rep.save()
    return rep


@pytest.fixture
def unit2(county):
    return HandlingUnitFactory(region=county, name="县交通运输局")


@pytest.fixture
def unit2_staff(unit2):
    return core_services.user_create(username="unit2_staff", password=None, role=User.Role.UNIT, handling_unit=unit2)


@pytest.fixture
def draft(session, rep_a, representative_user):
    return services.proposal_create(
        lead=rep_a,
        session=session,
        title="关于修缮儒林镇中心小学校舍的建议",
        content="校舍年久失修。",
        category="education",
        by=representative_user,
    )


@pytest.fixture
def joint_draft(session, rep_a, cosigner_rep, representative_user):
    """A joint draft of rep_a, co-signed (not yet confirmed) by cosigner_rep."""
    return services.proposal_create(
        lead=rep_a,
        session=session,
        title="关于硬化茅坪至儒林公路的建议",
        content="路面坑洼。",
        category="transport",
        by=representative_user,
        cosigners=[cosigner_rep],
    )


@pytest.fixture
def joint_submitted(joint_draft, representative_user):
    """The joint draft submitted: it waits for cosigner_rep's confirmation."""
    services.proposal_submit(proposal=joint_draft, by=representative_user)
    joint_draft.refresh_from_db()
    return joint_draft


@pytest.fixture
def accepted(draft, representative_user, committee_staff):
    services.proposal_submit(proposal=draft, by=representative_user)
    return services.proposal_accept(proposal=draft, by=committee_staff)


@pytest.fixture
def assigned(accepted, unit, unit2, committee_staff, unit_staff, unit2_staff):
    services.proposal_assign(proposal=accepted, units=[(unit, "lead"), (unit2, "assist")], by=committee_staff)
    accepted.refresh_from_db()
    return accepted


@pytest.fixture
def lead_assignment(assigned, unit):
    return assigned.assignments.get(unit=unit)
