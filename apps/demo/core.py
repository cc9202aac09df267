"""Demo data for 城步苗族自治县: regions, congress terms, handling units, representatives, accounts.

The static facts live in `fixtures/chengbu.json`; people are generated from a fixed seed. Every
row is found by its natural key before it is created, so loading twice changes nothing.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.core import services
from apps.core.models import CongressSession, CongressTerm, HandlingUnit, Region, User
from apps.representatives.choices import Level, Status
from apps.representatives.models import Representative

DATA_PATH = Path(settings.BASE_DIR) / "fixtures" / "chengbu.json"

Data = dict[str, Any]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    is_superuser: bool


@dataclass
class DemoSummary:
    password: str
    regions_by_level: dict[str, int] = field(default_factory=dict)
    representatives_by_level: dict[str, int] = field(default_factory=dict)
    units: int = 0
    created: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


@dataclass(frozen=True)
class TownshipInfo:
    """A township with what the generator needs to write plausible occupations."""

    region: Region
    villages: tuple[str, ...]
    communities: tuple[str, ...]
    population: int
    seats: int


def demo_data_read(*, path: Path = DATA_PATH) -> Data:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def demo_load(*, path: Path = DATA_PATH, reset_passwords: bool = False) -> DemoSummary:
    """Load (or complete) the Chengbu demo in one transaction and say what is there now."""
    data = demo_data_read(path=path)
    before = _row_total()
    with transaction.atomic():
        county, townships = _regions_load(data=data)
        county_term = _term_load(region=county, spec=data["county_term"])
        township_terms = {t.region.pk: _term_load(region=t.region, spec=data["township_term"]) for t in townships}
        _units_load(data=data, county=county)
        plan = _representatives_plan(
            data=data, county_term=county_term, township_terms=township_terms, townships=townships
        )
        _representatives_save(plan=plan)
        for spec in data["accounts"]:
            _account_load(spec=spec, password=data["password"], reset_passwords=reset_passwords)
    summary = demo_summary(data=data, county=county)
    summary.created = _row_total() - before
    return summary


# --- Generic -----------------------------------------------------------------------------


def _ensure(model: type[models.Model], *, lookup: dict, values: dict) -> models.Model:
    """Get the row by its natural key or create it; only touch it when a managed field differs.

    Saving unchanged rows would add a history record on every run.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    elif all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def _row_total() -> int:
    demo_models = (Region, CongressTerm, CongressSession, HandlingUnit, Representative, User)
    return sum(m.objects.count() for m in demo_models)


def apportion(*, weights: dict[str, float], n: int) -> dict[str, int]:
    """Split n by weight with the largest-remainder method (exact totals, no rounding drift)."""
    total = sum(weights.values())
    exact = {key: n * w / total for key, w in weights.items()}
    counts = {key: int(share) for key, share in exact.items()}
    by_remainder = sorted(weights, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in by_remainder[: n - sum(counts.values())]:
        counts[key] += 1
    return counts


def _quota(rng: random.Random, *, weights: dict[str, float], n: int) -> list[str]:
    """n values in the weighted proportions, shuffled: shares hold exactly, not only on average."""
    items = [key for key, count in apportion(weights=weights, n=n).items() for _copy in range(count)]
    rng.shuffle(items)
    return items


# --- Regions, terms, units ---------------------------------------------------------------


def _regions_load(*, data: Data) -> tuple[Region, list[TownshipInfo]]:
    spec = data["county"]
    county = _ensure(
        Region,
        lookup={"code": spec["code"]},
        values={"name": spec["name"], "level": Region.Level.COUNTY, "kind": spec["kind"], "parent": None},
    )
    townships = [_township_load(county=county, spec=spec, sort_order=i) for i, spec in enumerate(data["townships"], 1)]
    return county, townships


def _township_load(*, county: Region, spec: dict, sort_order: int) -> TownshipInfo:
    township = _ensure(
        Region,
        lookup={"code": spec["code"]},
        values={
            "name": spec["name"],
            "level": Region.Level.TOWNSHIP,
            "kind": spec["kind"],
            "parent": county,
            "sort_order": sort_order,
        },
    )
    for i, (code, name, kind) in enumerate(_village_codes(township_code=township.code, names=spec["villages"]), 1):
        _ensure(
            Region,
            lookup={"code": code},
            values={"name": name, "level": Region.Level.VILLAGE, "kind": kind, "parent": township, "sort_order": i},
        )
    names = spec["villages"]
    return TownshipInfo(
        region=township,
        villages=tuple(n for n in names if not n.endswith("社区")),
        communities=tuple(n for n in names if n.endswith("社区")),
        population=spec["population"],
        seats=spec["township_seats"],
    )


def _village_codes(*, township_code: str, names: list[str]) -> list[tuple[str, str, str]]:
    """Statistical codes: communities (居委会) number from 001, villages (村委会) from 201."""
    codes, communities, villages = [], 0, 0
    for name in names:
        if name.endswith("社区"):
            communities += 1
            codes.append((f"{township_code}{communities:03d}", name, Region.Kind.COMMUNITY))
        else:
            villages += 1
            codes.append((f"{township_code}{200 + villages:03d}", name, Region.Kind.VILLAGE))
    return codes


def _term_load(*, region: Region, spec: dict) -> CongressTerm:
    term = _ensure(
        CongressTerm,
        lookup={"region": region, "number": spec["number"]},
        values={"started_on": date.fromisoformat(spec["started_on"])},
    )
    session = spec["session"]
    _ensure(
        CongressSession,
        lookup={"term": term, "number": session["number"]},
        values={
            "opened_on": date.fromisoformat(session["opened_on"]),
            "closed_on": date.fromisoformat(session["closed_on"]),
        },
    )
    return term


def _units_load(*, data: Data, county: Region) -> list[HandlingUnit]:
    return [
        _ensure(
            HandlingUnit,
            lookup={"region": county, "name": spec["name"]},
            values={"short_name": spec["short_name"], "category": spec["category"]},
        )
        for spec in data["units"]
    ]


# --- Representatives ---------------------------------------------------------------------


def _representatives_plan(
    *,
    data: Data,
    county_term: CongressTerm,
    township_terms: dict[int, CongressTerm],
    townships: list[TownshipInfo],
) -> list[Representative]:
    """Every demo representative as an unsaved instance, identical on every run."""
    seed = data["seed"]
    plan = _group(
        data=data,
        rng=random.Random(f"{seed}:county"),
        seats=_county_seats(townships=townships, n=data["county_term"]["seats"]),
        level=Level.COUNTY,
        term=county_term,
        prefix=f"{county_term.region.code}-{county_term.number}",
    )
    for info in townships:
        term = township_terms[info.region.pk]
        plan += _group(
            data=data,
            rng=random.Random(f"{seed}:township:{info.region.code}"),
            seats=[info] * info.seats,
            level=Level.TOWNSHIP,
            term=term,
            prefix=f"{info.region.code}-{term.number}",
        )
    for spec in data["upper_representatives"]:
        rng = random.Random(f"{seed}:{spec['level']}")
        seats = rng.choices(townships, weights=[t.population for t in townships], k=spec["count"])
        prefix = spec["credential_prefix"]
        plan += _group(data=data, rng=rng, seats=seats, level=spec["level"], term=None, prefix=prefix)
    return plan


def _county_seats(*, townships: list[TownshipInfo], n: int) -> list[TownshipInfo]:
    """County seats by township population, the largest township (儒林镇) first."""
    counts = apportion(weights={t.region.code: t.population for t in townships}, n=n)
    return [t for t in townships for _seat in range(counts[t.region.code])]


def _group(
    *,
    data: Data,
    rng: random.Random,
    seats: list[TownshipInfo],
    level: str,
    term: CongressTerm | None,
    prefix: str,
) -> list[Representative]:
    """One delegation: fixed shares of category, gender and ethnicity; names unique within it."""
    people, n = data["people"], len(seats)
    scope = {Level.COUNTY: "county", Level.TOWNSHIP: "township"}.get(level, "upper")
    categories = _quota(rng, weights=data["categories"][scope], n=n)
    female = people["female_share"]
    genders = _quota(rng, weights={"F": female, "M": 1 - female}, n=n)
    ethnicities = _quota(rng, weights=people["ethnicities"], n=n)
    statuses = _statuses(rng, changes=data["status_changes"].get(scope, {}), n=n)
    elected_on = term.started_on if term else None
    names: set[str] = set()
    group = []
    for i, info in enumerate(seats):
        rep = Representative(
            name=_unique_name(rng, people=people, gender=genders[i], taken=names),
            gender=genders[i],
            ethnicity=ethnicities[i],
            category=categories[i],
            level=level,
            term=term,
            township=info.region,
            credential_no=f"{prefix}-{i + 1:03d}",
            elected_on=elected_on,
            status=statuses[i],
        )
        _fill_details(rng, rep=rep, data=data, info=info, scope=scope)
        group.append(rep)
    return group


def _statuses(rng: random.Random, *, changes: dict[str, int], n: int) -> list[str]:
    statuses = [status for status, count in changes.items() for _copy in range(count)]
    statuses += [Status.SERVING] * (n - len(statuses))
    rng.shuffle(statuses)
    return statuses


def _unique_name(rng: random.Random, *, people: dict, gender: str, taken: set[str]) -> str:
    surnames = list(people["surnames"])
    weights = list(people["surnames"].values())
    pool = people["given_female"] if gender == "F" else people["given_male"]
    for _attempt in range(50):
        given = "".join(rng.sample(pool, k=rng.choice((1, 2, 2))))
        name = rng.choices(surnames, weights=weights)[0] + given
        if name not in taken:
            break
    taken.add(name)
    return name


def _fill_details(rng: random.Random, *, rep: Representative, data: Data, info: TownshipInfo, scope: str) -> None:
    """Birth date, party, education, occupation and phone, drawn in a fixed order."""
    reference = rep.elected_on or date(2022, 1, 1)
    low, high = data["people"]["age_range"]
    rep.birth_date = date(reference.year - rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
    rep.party = _weighted(rng, data["parties"], rep.category)
    rep.education = _weighted(rng, data["education"], rep.category)
    rep.occupation = _occupation(rng, data=data, info=info, category=rep.category, scope=scope)
    rep.phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    if rep.status != Status.SERVING:
        rep.status_changed_on = reference + timedelta(days=rng.randint(120, 900))


def _weighted(rng: random.Random, table: dict[str, dict[str, float]], category: str) -> str:
    weights = table.get(category, table["default"])
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _occupation(rng: random.Random, *, data: Data, info: TownshipInfo, category: str, scope: str) -> str:
    pools = data["occupations"]
    templates = list(pools[category])
    if category == "official" and scope != "township":
        templates = pools["official_county"] + (templates if scope == "county" else [])
    if not info.communities:
        templates = [t for t in templates if "{community}" not in t]
    if not info.villages:
        templates = [t for t in templates if "{village}" not in t]
    return rng.choice(templates).format(
        township=info.region.name,
        village=rng.choice(info.villages) if info.villages else "",
        community=rng.choice(info.communities) if info.communities else "",
        head="镇长" if info.region.kind == Region.Kind.TOWN else "乡长",
    )


def _representatives_save(*, plan: list[Representative]) -> list[Representative]:
    """Insert the planned representatives not there yet, keyed on (term, credential_no)."""
    existing = set(Representative.objects.values_list("term_id", "credential_no"))
    missing = [rep for rep in plan if (rep.term_id, rep.credential_no) not in existing]
    for rep in missing:
        # Township and term were loaded a moment ago and the keys were checked above: skipping
        # their per-row existence and uniqueness queries makes the first load several times faster.
        rep.full_clean(exclude=["township", "term"])
    return bulk_create_with_history(missing, Representative, batch_size=500)


# --- Accounts ----------------------------------------------------------------------------


def _account_load(*, spec: dict, password: str, reset_passwords: bool) -> User:
    """Create the demo account once; afterwards only its password may be reset, on request."""
    representative = None
    if "representative_of" in spec:
        representative = _demo_representative(township_code=spec["representative_of"])
    user = User.objects.filter(username=spec["username"]).first()
    if user is None:
        user = services.user_create(
            username=spec["username"],
            password=password,
            role=spec["role"],
            full_name=representative.name if representative else spec.get("full_name", ""),
            regions=list(Region.objects.filter(code__in=spec.get("regions", []))),
            handling_unit=HandlingUnit.objects.get(name=spec["handling_unit"]) if "handling_unit" in spec else None,
        )
        if spec.get("superuser"):
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
            services.user_apply_role(user=user)
    elif reset_passwords:
        user.set_password(password)
        user.save(update_fields=["password"])
    if representative and representative.user_id is None and not hasattr(user, "representative"):
        representative.user = user
        representative.save(update_fields=["user"])
    return user


def _demo_representative(*, township_code: str) -> Representative:
    """The serving county representative of the township with the first credential number."""
    return (
        Representative.objects.filter(level=Level.COUNTY, township__code=township_code, status=Status.SERVING)
        .order_by("credential_no")
        .first()
    )


# --- Summary -----------------------------------------------------------------------------


def demo_summary(*, data: Data, county: Region) -> DemoSummary:
    regions = Region.objects.filter(path__startswith=county.path).values_list("level").annotate(n=Count("pk"))
    reps = (
        Representative.objects.filter(township__path__startswith=county.path)
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    return DemoSummary(
        password=data["password"],
        regions_by_level=dict(regions),
        representatives_by_level=dict(reps),
        units=HandlingUnit.objects.filter(region=county).count(),
        accounts=[_account_row(username=spec["username"]) for spec in data["accounts"]],
    )


def _account_row(*, username: str) -> DemoAccount:
    user = User.objects.select_related("handling_unit").prefetch_related("regions").get(username=username)
    if user.handling_unit:
        scope = user.handling_unit.name
    elif user.role == User.Role.REPRESENTATIVE and hasattr(user, "representative"):
        rep = user.representative
        scope = _("%(township)s %(level)s %(name)s") % {
            "township": rep.township.name,
            "level": rep.get_level_display(),
            "name": rep.name,
        }
    else:
        scope = "、".join(r.name for r in user.regions.all())
    return DemoAccount(
        username=user.username, role=user.get_role_display(), scope=scope, is_superuser=user.is_superuser
    )
