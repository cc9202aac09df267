import time
import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from apps.core.models import Region
from apps.demo.calendar import calendar_demo_load
from apps.demo.core import DemoSummary, demo_load
from apps.demo.groups import groups_demo_load
from apps.demo.liaison import liaison_demo_load
from apps.demo.livelihood import livelihood_demo_load
from apps.demo.posts import posts_demo_load
from apps.demo.proposals import proposals_demo_load
from apps.demo.representatives import duty_demo_load
from apps.demo.training import training_demo_load
from apps.representatives.choices import Level

# Loaders of the apps built on the roster, in dependency order. Each is idempotent and returns
# one translated line saying what it loaded. The duty record comes after the apps it gathers.
LATER_LOADERS = [training_demo_load, posts_demo_load, groups_demo_load, duty_demo_load, livelihood_demo_load]


class Command(BaseCommand):
    help = _("载入城步苗族自治县演示数据（可重复运行，不会产生重复记录）。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=_("把已存在的演示账号的密码重置为演示密码。"),
        )

    def handle(self, *args, reset_passwords: bool = False, **options):
        started = time.monotonic()
        summary = demo_load(reset_passwords=reset_passwords)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("城步苗族自治县演示数据已载入：本次新建 %(created)s 条记录，用时 %(seconds).1f 秒。")
                % {"created": summary.created, "seconds": elapsed}
            )
        )
        self._write_counts(summary)
        # Before the loaders that count working days (open concerns' deadlines run into 2027).
        self.stdout.write(calendar_demo_load())
        self._load_proposals()
        self._load_liaison()
        for loader in LATER_LOADERS:
            started = time.monotonic()
            line = loader()
            self.stdout.write(
                _("%(line)s（用时 %(seconds).1f 秒）") % {"line": line, "seconds": time.monotonic() - started}
            )
        self._write_accounts(summary)

    def _load_proposals(self) -> None:
        started = time.monotonic()
        counts = proposals_demo_load()
        seconds = time.monotonic() - started
        self.stdout.write(
            _(
                "代表建议：县十八届人大一次会议建议 %(session)s 件（现场交办 %(assigned)s 件，走访 %(visited)s 件，"
                "答复 %(replied)s 件，满意 %(satisfied)s 件，办结 %(closed)s 件），闭会期间建议 %(recess)s 件；"
                "本次新建 %(created)s 件，用时 %(seconds).1f 秒。"
            )
            % {**counts, "seconds": seconds}
        )

    def _load_liaison(self) -> None:
        started = time.monotonic()
        counts = liaison_demo_load()
        seconds = time.monotonic() - started
        self.stdout.write(
            _(
                "联系群众：工作室 %(offices)s 个、联络站 %(stations)s 个"
                "（%(year)s 年县财政专项经费 %(extra_funding)s 元），"
                "接待日 %(reception_days)s 个，驻室值班 %(shifts)s 人次（出勤率 %(attendance)s%%）；"
                "%(year)s 年处理群众意见 %(concerns)s 条（当场答复 %(on_spot)s 条，办结 %(closed)s 条，"
                "满意率 %(satisfaction)s%%），当前在办 %(open)s 条；"
                "新建群众意见 %(created)s 条，用时 %(seconds).1f 秒。"
            )
            % {
                **counts,
                "attendance": counts["attendance"].percent,
                "satisfaction": counts["satisfaction"].percent,
                "seconds": seconds,
            }
        )

    def _write_counts(self, summary: DemoSummary) -> None:
        regions = [(str(label), summary.regions_by_level.get(value, 0)) for value, label in Region.Level.choices]
        reps = [(str(label), summary.representatives_by_level.get(value, 0)) for value, label in Level.choices]
        self.stdout.write(_("行政区域：") + "，".join(f"{label} {n}" for label, n in regions))
        self.stdout.write(_("人大代表：") + "，".join(f"{label} {n}" for label, n in reps if n))
        self.stdout.write(_("承办单位：%(count)s 个") % {"count": summary.units})

    def _write_accounts(self, summary: DemoSummary) -> None:
        self.stdout.write("")
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": summary.password})
        widths = (18, 18)
        header = (_("用户名"), _("角色"), _("范围"))
        self.stdout.write("  " + _pad(header[0], widths[0]) + _pad(header[1], widths[1]) + header[2])
        for account in summary.accounts:
            role = _("超级管理员") if account.is_superuser else account.role
            scope = _("全部") if account.is_superuser else account.scope
            self.stdout.write("  " + _pad(account.username, widths[0]) + _pad(role, widths[1]) + scope)


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two terminal columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)
