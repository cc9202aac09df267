# The back office's proposal list is ordered newest submission first, never-submitted drafts last
# (submitted_at DESC NULLS LAST). PostgreSQL gets an index in that exact order; SQLite (the demo)
# cannot declare NULLS LAST in an index and has no data that needs one.

from django.db import migrations

INDEX = "proposal_newest_submitted"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON proposals_proposal (submitted_at DESC NULLS LAST, id DESC)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0003_notice_public_and_publisher"),
    ]

    operations = [migrations.RunPython(create, drop)]
