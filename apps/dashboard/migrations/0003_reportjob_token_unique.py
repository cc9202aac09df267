import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_reportjob_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportjob",
            name="token",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="标识"),
        ),
    ]
