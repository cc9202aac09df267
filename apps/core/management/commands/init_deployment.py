import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.core import services
from apps.core.models import User

PASSWORD_VARIABLE = "RENDA_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Command(BaseCommand):
    help = _(
        "为正式环境准备空数据库：执行迁移，建立一个超级管理员，不装入任何演示数据。"
        "密码取自环境变量 RENDA_ADMIN_PASSWORD，未设置时在终端输入；密码不会显示。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_true", help=_("不提示输入（须设置环境变量）"))

    def handle(self, *args, username, email, no_input, **options):
        call_command("migrate", interactive=False, verbosity=options["verbosity"] - 1 if options["verbosity"] else 0)
        if User.objects.filter(username=username).exists():
            self.stdout.write(_("账号 %(username)s 已存在，未作改动。") % {"username": username})
            return
        password = os.environ.get(PASSWORD_VARIABLE) or self._prompt(no_input)
        try:
            services.superuser_create(username=username, email=email, password=password)
        except ValidationError as error:  # a weak password is told why, never echoed
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(
            _("已建立超级管理员 %(username)s。下一步：登录后台，打开“开通向导”。") % {"username": username}
        )

    def _prompt(self, no_input: bool) -> str:
        if no_input:
            raise CommandError(_("请设置环境变量 %(name)s。") % {"name": PASSWORD_VARIABLE})
        first = getpass.getpass(_("超级管理员密码："))
        if first != getpass.getpass(_("再输入一次：")):
            raise CommandError(_("两次输入的密码不一致。"))
        return first
