# The public roster of one township read in stroke order from an index (serving only), so a
# page costs the same at any deployment size (bench/results, "public representatives list").

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("representatives", "0002_duty_record"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="representative",
            index=models.Index(
                models.F("township"),
                django.db.models.functions.comparison.Collate("name", "zh_stroke"),
                models.F("id"),
                condition=models.Q(("status", "serving")),
                name="rep_roster_order",
            ),
        ),
    ]
