import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_exportjob_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportjob",
            name="token",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="标识"),
        ),
    ]
