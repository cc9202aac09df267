from base64 import b32encode
from io import StringIO

import segno
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.core import services
from apps.core.models import User


class Command(BaseCommand):
    help = _(
        "为工作人员账号添加动态口令（TOTP）设备，并在终端显示二维码。"
        "生产环境默认要求工作人员输入动态口令，第一个超级管理员用它获得设备。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help=_("设备名称，默认“手机”"))

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not user.is_staff:
            raise CommandError(_("没有用户名为 %(username)s 的在用工作人员账号。") % {"username": username})
        device = services.totp_device_add(user=user, name=name or _("手机"))
        key = b32encode(device.bin_key).decode()
        self.stdout.write(_("用手机上的验证器应用扫描下面的二维码，或手工输入密钥 %(key)s：") % {"key": key})
        picture = StringIO()  # whole, then written once: the command's stdout would end each piece
        segno.make(device.config_url).terminal(out=picture, compact=True)
        self.stdout.write(picture.getvalue(), ending="")
