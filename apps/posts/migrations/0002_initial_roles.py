"""The roles the seed article names (宣传员, 监督员, 巡查员) and two more of common practice."""

from django.db import migrations

ROLES = [
    ("宣传员", "宣传党的政策和法律法规，收集群众意见。"),
    ("监督员", "监督有关单位依法履职，反映存在的问题。"),
    ("巡查员", "定期巡查生态环境、安全生产等情况，发现问题及时报告。"),
    ("调解员", "参与矛盾纠纷排查调处，化解邻里、土地等纠纷。"),
    ("信息员", "收集社情民意，及时向乡镇人大和代表联系群众工作室报送。"),
]


def add_roles(apps, schema_editor):
    PostRole = apps.get_model("posts", "PostRole")
    for order, (name, description) in enumerate(ROLES, start=1):
        PostRole.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]

    operations = [migrations.RunPython(add_roles, migrations.RunPython.noop)]
