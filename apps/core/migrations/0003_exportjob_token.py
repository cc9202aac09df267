# Existing jobs get a token of their own: the field is added empty, filled row by row, and only
# then made unique and required (in the next migration, so PostgreSQL alters no table with
# updates pending in the same transaction).

import uuid

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    Job = apps.get_model("core", "ExportJob")
    for job in Job.objects.filter(token__isnull=True).only("pk").iterator():
        Job.objects.filter(pk=job.pk).update(token=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_export_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="token",
            field=models.UUIDField(editable=False, null=True, verbose_name="标识"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
    ]
