"""The bench's Django-side steps, each run in its own process on the bench database:

    python -m bench.probe personas <out-dir>   sessions, tokens, codes: what the load needs
    python -m bench.probe explain <capture-dir>  EXPLAIN (ANALYZE) of every captured query
    python -m bench.probe scan                 the overdue-reminder scan, timed (rolled back)
    python -m bench.probe export <rows>        the concern register's background export, peak memory
    python -m bench.probe import <rows>        a roster import of <rows> new rows: preview, confirm,
                                               and the preview of its unchanged export (rolled back)

Each prints one JSON object on its last line of output.
"""

import io
import json
import resource
import secrets
import string
import sys
import time
import urllib.parse
from pathlib import Path

import django
import openpyxl

FIRST_COUNTY = "430141"  # bench.generate's first generated county
BIG_TABLE_ROWS = 100_000
TOKENS = 20_000


class Rollback(Exception):
    pass


def personas(out: Path) -> dict:
    """Logged-in sessions of the people whose pages are measured, and the public forms' inputs."""
    from django.conf import settings
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from apps.core.models import Region, User
    from apps.liaison.forms import issue_form_token
    from apps.liaison.models import Concern

    county = Region.objects.get(code=FIRST_COUNTY)
    township = Region.objects.filter(parent=county).order_by("code").first()
    users = {
        "committee": User.objects.get(username=f"c{FIRST_COUNTY}"),
        "representative": User.objects.get(username=f"r{FIRST_COUNTY}0000"),
        "unit": User.objects.get(username=f"u{FIRST_COUNTY}00"),
        "superuser": User.objects.filter(is_superuser=True).order_by("pk").first(),
    }
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    cookies = {}
    for persona, user in users.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies[persona] = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
    cookies["anonymous"] = f"{settings.CSRF_COOKIE_NAME}={csrf}"
    codes = list(
        Concern.objects.filter(region__path__startswith=county.path)
        .order_by("?")
        .values_list("tracking_code", flat=True)[:500]
    )
    (out / "track-paths.txt").write_text("".join(f"/liaison/track/?code={c}\n" for c in codes))
    description = "村道路面破损，雨天积水严重，群众出行不便，希望尽快修复。"
    fields = {
        "township": township.pk, "village": "", "representative": "", "category": "roads",
        "description": description, "name": "", "phone": "", "consent": "on", "website": "",
        "csrfmiddlewaretoken": csrf,
    }  # fmt: skip
    with open(out / "concern-bodies.txt", "w") as f:
        for _ in range(TOKENS):
            f.write(urllib.parse.urlencode({**fields, "token": issue_form_token()}) + "\n")
    try:
        dashboard = reverse("dashboard:index")
    except NoReverseMatch:
        dashboard = None
    return {"cookies": cookies, "county": county.pk, "dashboard": dashboard, "tokens_at": time.time()}


def explain(folder: Path) -> dict:
    """Every captured query of every page, explained; a sequential scan of a big table flagged."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        rows = {name: int(n) for name, n in cursor.fetchall()}
    pages = {}
    for capture in sorted(folder.glob("*.json")):
        queries = json.loads(capture.read_text())
        plans, flagged, slowest = [], set(), 0.0
        for query in queries:
            plan = _explain_one(query["sql"], query["params"])
            if plan is None:
                continue
            plans.append({"sql": query["sql"], "params": query["params"], "plan": plan})
            slowest = max(slowest, plan[0].get("Execution Time", 0.0))
            for table in _seq_scans(plan[0]["Plan"]):
                if rows.get(table, 0) > BIG_TABLE_ROWS:
                    flagged.add(f"{table} ({rows[table]:,})")
        (folder / f"{capture.stem}.plans").write_text(json.dumps(plans, ensure_ascii=False, indent=1))
        pages[capture.stem] = {"explained": len(plans), "seq_scans": sorted(flagged), "slowest_ms": round(slowest, 1)}
    return pages


def _explain_one(sql: str, params):
    from django.db import DatabaseError, connection, transaction

    if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
        return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # ANALYZE runs the statement; a write is undone with the transaction.
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            raise Rollback
    except Rollback:
        return plan if isinstance(plan, list) else json.loads(plan)
    except DatabaseError:
        # A write replayed against the rows it already wrote (a unique key taken): not a read.
        return None


def _seq_scans(node: dict):
    if node.get("Node Type") == "Seq Scan":
        yield node["Relation Name"]
    for child in node.get("Plans", []):
        yield from _seq_scans(child)


def scan() -> dict:
    """The overdue-concern reminder scan as beat runs it, with all due and with only 1,000 due."""
    from django.utils import timezone

    from apps.liaison.models import Concern

    today = timezone.localdate()
    overdue = Concern.objects.filter(status__in=["accepted", "routed"], resolve_due_on__lt=today).order_by("pk")
    due = overdue.count()
    result = {"concerns": Concern.objects.count(), "runs": []}
    for keep in sorted({min(due, 1000), due}):
        result["runs"].append(_timed_scan(today, overdue, keep))
    return result


def _timed_scan(today, overdue, keep: int) -> dict:
    from django.db import transaction

    from apps.liaison.models import Concern
    from apps.notifications import rules

    name = "liaison.concern_overdue"
    saved = dict(rules.RULES)
    try:
        with transaction.atomic():
            extra = list(overdue.values_list("pk", flat=True)[keep:])
            Concern.objects.filter(pk__in=extra).update(status="closed")
            due = overdue.count()
            rules.RULES.clear()
            rules.RULES[name] = saved[name]
            started = time.perf_counter()
            queued = rules.run_scans(today=today)
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    finally:
        rules.RULES.clear()
        rules.RULES.update(saved)
    return {"due": due, "seconds": round(seconds, 2), "queued": queued}


def export(rows: int) -> dict:
    """The concern register as the background export writes it (apps.core.export_jobs: the
    changelist's queryset streamed through the resource into a write-only xlsx), measured in
    this process: peak RSS should stay roughly flat from 10k to 100k rows."""
    from apps.core.export_jobs import export_file, export_request, export_run
    from apps.core.models import ExportJob, User
    from apps.liaison.models import Concern

    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    last = Concern.objects.order_by("pk").values_list("pk", flat=True)[rows - 1]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    # The same query string the changelist's button would send, narrowed to the first `rows`.
    job = export_request(model_label="liaison.concern", query=f"id__lte={last}", by=user)
    export_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        raise SystemExit(f"export failed: {job.error}")
    path = export_file(job.file_name)
    size = path.stat().st_size
    path.unlink()
    job.delete()
    return {"rows": job.rows_done, "bytes": size, "seconds": round(seconds, 1), "peak_mb": round(peak / 1024),
            "growth_mb": round((peak - before) / 1024), "path": "background"}  # fmt: skip


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "秀英华明国建平志强军丽敏静伟芳娟海燕玉兰春花红梅文德福贵德清正"


def _roster_xlsx(res, rows: int, townships, term_number) -> bytes:
    """`rows` new representatives as a clerk's workbook under the template's headers."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("代表名册")
    sheet.append(res.headers())
    for i in range(rows):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i // len(SURNAMES) % len(GIVEN)] + GIVEN[i % len(GIVEN)]
        values = {
            "姓名": name, "性别": "男" if i % 2 else "女", "民族": "苗" if i % 3 else "汉族",
            "出生日期": f"19{60 + i % 40}-{1 + i % 12}-{1 + i % 28}", "政治面貌": "群众", "学历": "高中",
            "工作单位及职务": "农民", "代表构成": "农民", "代表层级": "县人大代表", "届次": term_number,
            "所在乡镇": townships[i % len(townships)], "代表证号": f"BENCH{i:06d}", "联系电话": f"139{i:08d}",
            "状态": "在任", "当选日期": "2021/11/26",
        }  # fmt: skip
        sheet.append([values.get(h, "") for h in res.headers()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - started, 2)


def roster_import(rows: int) -> dict:
    """The roster import as the admin runs it (apps.core.import_admin: read the upload, import as
    a dry run, report; then read it again and import for real), timed in this process, as the
    Chengbu committee staff; then the preview of the export of those rows, unchanged. Everything
    is rolled back."""
    from django.db import transaction

    from apps.core.models import CongressTerm, User
    from apps.representatives.models import Representative
    from apps.representatives.resources import RepresentativeResource, townships_for

    user = User.objects.filter(username="committee").first() or User.objects.filter(is_superuser=True).first()
    townships = list(townships_for(user).values_list("name", flat=True)[:20])
    county = townships_for(user).first().parent
    term = CongressTerm.objects.filter(region=county).order_by("-number").first()
    content = _roster_xlsx(RepresentativeResource(user=user), rows, townships, term.number)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"rows": rows, "bytes": len(content)}

    def run(data: bytes, dry_run: bool):
        res = RepresentativeResource(user=user)
        return res.report(res.import_data(res.read(data, "roster.xlsx"), dry_run=dry_run, use_transactions=True))

    try:
        with transaction.atomic():
            preview, out["preview_s"] = _timed(lambda: run(content, True))
            confirm, out["confirm_s"] = _timed(lambda: run(content, False))
            out.update(new=preview.new, errors=preview.error_rows, saved=confirm.new)
            saved = Representative.objects.filter(credential_no__startswith="BENCH", term=term)
            export, out["export_s"] = _timed(lambda: RepresentativeResource(user=user).export_workbook(saved))
            unchanged, out["unchanged_preview_s"] = _timed(lambda: run(export, True))
            out["unchanged"] = unchanged.unchanged
            raise Rollback
    except Rollback:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.update(peak_mb=round(peak / 1024), growth_mb=round((peak - before) / 1024))
    return out


if __name__ == "__main__":
    django.setup()
    command, *args = sys.argv[1:]
    if command == "personas":
        out = personas(Path(args[0]))
    elif command == "explain":
        out = explain(Path(args[0]))
    elif command == "scan":
        out = scan()
    elif command == "export":
        out = export(int(args[0]))
    elif command == "import":
        out = roster_import(int(args[0]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(out, ensure_ascii=False))
