"""Fill the bench database fast: COPY of rows that keep the services' invariants.

    python -m bench.generate small|large      (DJANGO_SETTINGS_MODULE=bench.settings)

The Chengbu demo (apps.core.demo and the LATER_LOADERS, through the services) is loaded first,
so every table holds realistic rows of one real county. Then `generated` counties are written
with COPY: regions with their materialised paths, congress terms and the current session,
handling units, liaison offices, accounts with their role groups, representatives, a year of
citizens' concerns with their status history, and this year's proposals with co-signers,
assignments, replies, feedback and status history. Statuses carry the dates they imply
(accepted_at <= resolved_at <= closed_at, due dates after the dates they run from), tracking
codes are unique, and exactly `due` concerns are past their resolution deadline.

Not written for generated rows: simple-history's tables (nothing on the measured pages reads
them) and photos. The training, posts, groups and livelihood tables hold the demo county's
year only.
"""

import io
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import lru_cache

import django

SEED = 20221


@dataclass(frozen=True)
class Size:
    cities: int
    counties_per_city: int
    townships: int  # per county
    villages: int  # per township
    representatives: int  # per county
    units: int  # per county
    concerns: int  # in all
    proposals: int  # in all
    due: int  # concerns past their resolution deadline


SIZES = {
    "small": Size(1, 1, 12, 6, 740, 27, 10_000, 1_000, 1_000),
    "large": Size(14, 10, 15, 10, 714, 30, 1_000_000, 100_000, 10_000),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅兵春生文斌德林海燕"
DEPARTMENTS = [
    "发展和改革局",
    "教育局",
    "公安局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化旅游广电体育局",
    "卫生健康局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "医疗保障局",
    "林业局",
    "城市管理和综合执法局",
    "乡村振兴局",
    "统计局",
    "信访局",
    "司法局",
    "退役军人事务局",
    "供电公司",
    "自来水公司",
    "移动公司",
    "人民法院",
]
TEXTS = [
    "村道路面破损，雨天积水严重，群众出行不便，希望尽快修复。",
    "集中供水管网老化，夏季经常停水，请求改造。",
    "学校周边缺少交通安全设施，接送学生存在隐患。",
    "卫生院缺少全科医生，群众看病需要到县城。",
    "农村垃圾收运不及时，部分地方堆放时间较长。",
]


# --- COPY ------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    s = str(value)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


class Table:
    """Rows of one model, buffered and sent with COPY; omitted fields take the model's default
    (so a new column with a default needs no change here), a missing required value is an error."""

    CHUNK = 50_000

    def __init__(self, cursor, model):
        self.cursor = cursor
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: self._default(f) for f in self.fields}
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0
        self.next_id = self._max_id() + 1

    @staticmethod
    def _default(field):
        value = field.get_default()
        return value() if callable(value) else value

    def _max_id(self) -> int:
        self.cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.model._meta.db_table}"')  # noqa: S608
        return self.cursor.fetchone()[0]

    def add(self, **values) -> int:
        pk = values.setdefault("id", self.next_id)
        self.next_id = max(self.next_id, pk + 1)
        row = []
        for field in self.fields:
            value = values[field.attname] if field.attname in values else self.defaults[field.attname]
            if value is None and not field.null:
                raise ValueError(f"{self.model.__name__}.{field.attname} is required")
            row.append(_text(value))
        self.buffer.write("\t".join(row))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= self.CHUNK:
            self.flush()
        return pk

    def flush(self):
        if not self.pending:
            return
        self.buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.copy_expert(f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN', self.buffer)
        self.written += self.pending
        self.buffer = io.StringIO()
        self.pending = 0


# --- the generator -------------------------------------------------------------------------------


class Generator:
    def __init__(self, size: Size, cursor):
        from django.contrib.auth.hashers import make_password
        from django.utils import timezone

        self.size = size
        self.cursor = cursor
        self.rng = random.Random(SEED)  # noqa: S311 -- reproducible data, not secrets
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.password = make_password("bench-password-2026")
        self.tables = {}
        self.codes = set()

    def table(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(self.cursor, model)
        return self.tables[model]

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, dtime(hour, self.rng.randrange(60)), self.tz)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        return "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def tracking_code(self) -> str:
        from apps.liaison.services import CODE_ALPHABET, CODE_LENGTH

        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    # --- structure --------------------------------------------------------------------------

    def run(self) -> dict:
        from django.contrib.auth.models import Group

        self.groups = {g.name.removeprefix("role:"): g.pk for g in Group.objects.filter(name__startswith="role:")}
        self.counties = []
        for city in range(1, self.size.cities + 1):
            for k in range(self.size.counties_per_city):
                self.counties.append(self.county(f"43{city:02d}{41 + k:02d}", f"第{city}市第{k + 1}县"))
        self.flush()
        self.concerns()
        self.flush()
        self.proposals()
        self.flush()
        self.sequences()
        return {t.model._meta.label: t.written for t in self.tables.values()} | {"counties": len(self.counties)}

    def flush(self):
        for table in self.tables.values():
            table.flush()

    def region(self, *, code, name, level, kind, parent, path, order):
        from apps.core.models import Region

        return self.table(Region).add(
            code=code, name=name, level=level, kind=kind, parent_id=parent, path=path, sort_order=order
        )

    def user(self, *, username, role, full_name="", regions=(), unit=None):
        from apps.core.models import User

        staff = role in User.STAFF_ROLES
        pk = self.table(User).add(
            username=username,
            password=self.password,
            role=role,
            full_name=full_name,
            is_staff=staff,
            is_active=True,
            date_joined=self.at(self.today - timedelta(days=400)),
            handling_unit_id=unit,
        )
        for region in regions:
            self.table(User.regions.through).add(user_id=pk, region_id=region)
        self.table(User.groups.through).add(user_id=pk, group_id=self.groups[role])
        return pk

    def county(self, code: str, name: str) -> dict:
        from apps.core.models import CongressSession, CongressTerm, HandlingUnit
        from apps.liaison.models import LiaisonOffice

        path = f"/{code}/"
        county = self.region(
            code=code, name=name, level="county", kind="county", parent=None, path=path, order=int(code[-4:])
        )
        term = self.table(CongressTerm).add(region_id=county, number=18, started_on=date(2022, 1, 10))
        session = self.table(CongressSession).add(
            term_id=term,
            number=self.today.year - 2021,
            opened_on=date(self.today.year, 1, 15),
            closed_on=date(self.today.year, 1, 18),
        )
        info = {"code": code, "id": county, "term": term, "session": session, "townships": []}
        info["committee"] = self.user(username=f"c{code}", role="committee", full_name=name, regions=[county])
        for t in range(self.size.townships):
            tcode = f"{code}{100 + t:03d}"
            tpath = f"{path}{tcode}/"
            township = self.region(
                code=tcode, name=f"{name}第{t + 1}镇", level="township", kind="town", parent=county, path=tpath, order=t
            )
            villages = [
                self.region(
                    code=f"{tcode}{200 + v:03d}",
                    name=f"{name}第{t + 1}镇第{v + 1}村",
                    level="village",
                    kind="village",
                    parent=township,
                    path=f"{tpath}{tcode}{200 + v:03d}/",
                    order=v,
                )
                for v in range(self.size.villages)
            ]
            tterm = self.table(CongressTerm).add(region_id=township, number=18, started_on=date(2022, 1, 5))
            office = self.table(LiaisonOffice).add(
                name=f"{name}第{t + 1}镇代表联系群众工作室", level="office", region_id=township, is_active=True
            )
            staff = self.user(username=f"t{tcode}", role="township", full_name=f"第{t + 1}镇人大", regions=[township])
            info["townships"].append(
                {"id": township, "term": tterm, "office": office, "villages": villages, "staff": staff}
            )
        info["units"], info["unit_staff"] = [], {}
        for u in range(self.size.units):
            unit = self.table(HandlingUnit).add(
                name=f"{name}{DEPARTMENTS[u % len(DEPARTMENTS)]}",
                region_id=county,
                category="court" if "法院" in DEPARTMENTS[u % len(DEPARTMENTS)] else "government",
                is_active=True,
            )
            staff = self.user(username=f"u{code}{u:02d}", role="unit", full_name=f"{name}单位{u}", unit=unit)
            info["units"].append(unit)
            info["unit_staff"][unit] = staff
        info["representatives"] = self.representatives(info)
        return info

    def representatives(self, county: dict) -> list[tuple[int, int, int]]:
        """(pk, township id, user id) of the county's county- and township-level representatives."""
        from apps.representatives.models import Representative

        n = self.size.representatives
        county_seats = round(n * 190 / 740)
        higher = max(1, round(n * 10 / 740))
        made = []
        for i in range(n):
            township = county["townships"][i % len(county["townships"])]
            level = "county" if i < county_seats else "township" if i < n - higher else "provincial"
            term = county["term"] if level == "county" else township["term"] if level == "township" else None
            name = self.name()
            user = None
            if level != "provincial":
                user = self.user(username=f"r{county['code']}{i:04d}", role="representative", full_name=name)
            pk = self.table(Representative).add(
                name=name,
                gender=self.rng.choice("MF"),
                ethnicity=self.rng.choice(("01", "06", "12", "13")),
                birth_date=date(1960 + self.rng.randrange(40), 1 + self.rng.randrange(12), 1 + self.rng.randrange(28)),
                party=self.rng.choice(("cpc", "masses", "nonpartisan")),
                education="university",
                occupation="村党支部书记" if i % 3 else "教师",
                category=self.rng.choice(("farmer", "worker", "official")),
                level=level,
                term_id=term,
                township_id=township["id"],
                credential_no=f"{county['code']}{i:05d}",
                phone=self.phone(),
                status="serving",
                elected_on=date(2021, 11, 20),
                user_id=user,
            )
            if user:
                made.append((pk, township["id"], user))
        return made

    # --- concerns ---------------------------------------------------------------------------

    def concerns(self):
        """A year of concerns up to today, spread over the counties; `due` of them overdue."""
        from apps.liaison.models import Concern, ConcernEvent

        events = self.table(ConcernEvent)
        table = self.table(Concern)
        due = set(self.rng.sample(range(self.size.concerns), self.size.due))
        for n in range(self.size.concerns):
            county = self.counties[n % len(self.counties)]
            township = county["townships"][self.rng.randrange(len(county["townships"]))]
            region = self.rng.choice(township["villages"]) if self.rng.random() < 0.6 else township["id"]
            # The overdue ones are older than any resolution deadline; none is from today.
            age = self.rng.randrange(41, 365) if n in due else self.rng.randrange(1, 365)
            submitted = self.at(self.today - timedelta(days=age), 8 + self.rng.randrange(10))
            row = self._concern_states(n in due, age, submitted.date(), county, township)
            addressed = self.rng.choice(county["representatives"]) if self.rng.random() < 0.2 else None
            pk = table.add(
                tracking_code=self.tracking_code(),
                channel=self.rng.choice(("online", "online", "reception")),
                region_id=region,
                office_id=township["office"],
                addressed_to_id=addressed[0] if addressed else None,
                category=self.rng.choice(Concern.Category.values),
                is_urgent=self.rng.random() < 0.1,
                description=self.rng.choice(TEXTS),
                name=self.name(),
                phone=self.phone(),
                consented_at=submitted,
                submitted_at=submitted,
                accept_due_on=_workdays(submitted.date(), 2),
                **row,
            )
            self._concern_events(events, pk, submitted, row)

    def _concern_states(self, overdue: bool, age: int, day: date, county: dict, township: dict) -> dict:
        """Status with the fields and dates it implies; recent ones are still open, in time."""
        accept_due = _workdays(day, 2)
        if overdue:
            status = self.rng.choice(("accepted", "routed"))
        elif age > 40:
            status = self.rng.choices(("closed", "resolved", "referred_out"), (70, 20, 10))[0]
        else:
            status = self.rng.choice(("accepted", "routed", "resolved", "closed"))
            if accept_due >= self.today and self.rng.random() < 0.5:
                status = "submitted"
        row = {"status": status}
        if status == "submitted":
            return row
        submitted = datetime.combine(day, dtime(18, 0), self.tz)
        accepted = min(submitted + timedelta(hours=self.rng.randrange(1, 40)), self.now)
        row["accepted_at"] = accepted
        if status == "referred_out":
            return row | {"referral_reason": "petition", "closed_at": accepted}
        row["resolve_due_on"] = _workdays(accepted.date(), 15)
        if not overdue and status in ("accepted", "routed") and row["resolve_due_on"] < self.today:
            status = row["status"] = "resolved"
        if status != "accepted":
            route = self.rng.choice(("township", "unit", "representative"))
            row["route"] = route
            if route == "unit":
                row["unit_id"] = self.rng.choice(county["units"])
            elif route == "representative":
                row["representative_id"] = self.rng.choice(county["representatives"])[0]
        if status in ("resolved", "closed"):
            resolved = min(accepted + timedelta(days=self.rng.randrange(1, 15)), self.now)
            row |= {"resolved_at": resolved, "answer": "已协调相关部门处理。", "public_answer": "已处理。"}
        if status == "closed":
            row |= {"closed_at": row["resolved_at"], "rating": self.rng.choice(("satisfied", "satisfied", "basic"))}
            row["rated_at"] = row["resolved_at"]
        return row

    @staticmethod
    def _concern_events(events: Table, pk: int, submitted: datetime, row: dict):
        steps = [("submit", "", "submitted", submitted)]
        status = row["status"]
        if "accepted_at" in row:
            steps.append(("accept", "submitted", "accepted", row["accepted_at"]))
        if status == "referred_out":
            steps.append(("refer_out", "accepted", "referred_out", row["accepted_at"]))
        if row.get("route"):
            steps.append(("route", "accepted", "routed", row["accepted_at"]))
        if row.get("resolved_at"):
            steps.append(("resolve", "routed", "resolved", row["resolved_at"]))
        if status == "closed":
            steps.append(("close", "resolved", "closed", row["closed_at"]))
        for action, before, after, at in steps:
            events.add(concern_id=pk, action=action, from_status=before, to_status=after, at=at)

    # --- proposals --------------------------------------------------------------------------

    def proposals(self):
        from apps.proposals.models import Assignment, CoSigner, Feedback, Proposal, ProposalEvent, Reply

        per_county = {}
        opened = date(self.today.year, 1, 18)
        for n in range(self.size.proposals):
            county = self.counties[n % len(self.counties)]
            number = per_county[county["id"]] = per_county.get(county["id"], 0) + 1
            lead, township, _user = self.rng.choice(county["representatives"])
            recess = self.rng.random() < 0.2
            submitted = self.at(opened if not recess else opened + timedelta(days=self.rng.randrange(30, 200)))
            assigned = submitted + timedelta(days=30)
            due = _months(assigned.date(), 3)
            status = self.rng.choices(("closed", "replied", "follow_up", "assigned"), (60, 20, 5, 15))[0]
            if status == "assigned" and due < self.today:
                status = "replied"
            replied = min(assigned + timedelta(days=self.rng.randrange(20, 80)), self.now)
            pk = self.table(Proposal).add(
                session_id=county["session"],
                number=number,
                period="recess" if recess else "session",
                title=f"关于{self.rng.choice(TEXTS)[:12]}的建议",
                content=self.rng.choice(TEXTS) * 3,
                category=self.rng.choice(Proposal.Category.values),
                lead_id=lead,
                township_id=township,
                status=status,
                submitted_at=submitted,
                assigned_at=assigned,
                closed_at=replied + timedelta(days=20) if status == "closed" else None,
                created_by_id=county["committee"],
                created_at=submitted,
            )
            cosigners = self.rng.sample(county["representatives"], self.rng.choice((0, 0, 1, 2)))
            for rep, _t, _u in cosigners:
                if rep != lead:
                    self.table(CoSigner).add(proposal_id=pk, representative_id=rep, confirmed_at=submitted)
            units = self.rng.sample(county["units"], self.rng.choice((1, 1, 2, 3)))
            for i, unit in enumerate(units):
                role = "lead" if i == 0 else "assist"
                assignment = self.table(Assignment).add(
                    proposal_id=pk,
                    unit_id=unit,
                    role=role,
                    state="active",
                    assigned_at=assigned,
                    due_on=due,
                    opinion_due_on=assigned.date() + timedelta(days=30) if role == "assist" else None,
                    replied_at=replied if status != "assigned" and role == "lead" else None,
                )
                if status != "assigned" and role == "lead":
                    self.table(Reply).add(
                        assignment_id=assignment,
                        round=1,
                        outcome=self.rng.choice("AABC"),
                        text="已办理。",
                        replied_by_id=county["unit_staff"][unit],
                        replied_at=replied,
                        on_time=replied.date() <= due,
                    )
            if status in ("closed", "follow_up"):
                self.table(Feedback).add(
                    proposal_id=pk,
                    round=1,
                    representative_id=lead,
                    attitude="satisfied",
                    result="satisfied" if status == "closed" else "basic",
                    submitted_at=replied + timedelta(days=10),
                )
            steps = [("submit", "draft", "submitted", submitted), ("accept", "submitted", "accepted", submitted)]
            steps.append(("assign", "accepted", "assigned", assigned))
            if status != "assigned":
                steps.append(("reply", "assigned", "replied", replied))
            if status in ("closed", "follow_up"):
                steps.append(("feedback", "replied", status, replied + timedelta(days=10)))
            for action, before, after, at in steps:
                self.table(ProposalEvent).add(proposal_id=pk, action=action, from_status=before, to_status=after, at=at)

    def sequences(self):
        for table in self.tables.values():
            name = table.model._meta.db_table
            sequence = f"pg_get_serial_sequence('\"{name}\"', 'id')"
            self.cursor.execute(f'SELECT setval({sequence}, (SELECT COALESCE(MAX(id), 1) FROM "{name}"))')  # noqa: S608


@lru_cache(maxsize=4096)
def _workdays(start: date, count: int) -> date:
    from apps.core.workdays import add_workdays

    return add_workdays(start, count)


def _months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def generate(size_name: str) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    size = SIZES[size_name]
    started = time.monotonic()
    call_command("load_demo", verbosity=0)
    demo_seconds = time.monotonic() - started
    with transaction.atomic(), connection.cursor() as cursor:
        # Django's foreign keys are checked at COMMIT (deferred): millions of queued checks. The
        # generator makes every id it refers to, so the checks are off while copying and the
        # references are verified afterwards, table by table, with one join each.
        cursor.execute("SET LOCAL session_replication_role = replica")
        generator = Generator(size, cursor.cursor)
        counts = generator.run()
    copied = time.monotonic() - started - demo_seconds
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        orphans = _orphans(cursor, [t.model for t in generator.tables.values()])
    if orphans:
        raise SystemExit(f"generated rows refer to missing rows: {orphans}")
    counts |= {"demo seconds": round(demo_seconds, 1), "copy seconds": round(copied, 1)}
    counts["analyze and check seconds"] = round(time.monotonic() - started - demo_seconds - copied, 1)
    return counts


def _orphans(cursor, models) -> dict:
    """Foreign keys of the generated tables that point at nothing (should be none)."""
    found = {}
    for model in models:
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            table, column = model._meta.db_table, field.column
            target, key = field.related_model._meta.db_table, field.target_field.column
            cursor.execute(
                f'SELECT COUNT(*) FROM "{table}" t LEFT JOIN "{target}" r ON r."{key}" = t."{column}" '  # noqa: S608
                f'WHERE t."{column}" IS NOT NULL AND r."{key}" IS NULL'
            )
            if n := cursor.fetchone()[0]:
                found[f"{table}.{field.column}"] = n
    return found


if __name__ == "__main__":
    django.setup()
    result = generate(sys.argv[1] if len(sys.argv) > 1 else "small")
    for key, value in result.items():
        print(f"{key}\t{value}")
