"""Bulk writes for loaders that move many rows at once (the demo's re-dating of records)."""

from django.db import connection, models
from psycopg2.extras import execute_batch


def update_rows(*, model: type[models.Model], rows: list[models.Model], fields: list[str]) -> None:
    """One UPDATE per row, sent in batches: bulk_update's CASE expressions take seconds at this size."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            execute_batch(cursor.cursor, sql, params, page_size=500)
        else:
            cursor.executemany(sql, params)
