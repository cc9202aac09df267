"""Stroke-count ordering (姓氏笔画) of names, the way official rosters list people.

PostgreSQL has it through ICU (`zh-u-co-stroke`, created as collation `zh_stroke` by a
migration); on SQLite the same collation is registered on each connection from PyICU, so
`Collate("name", STROKE)` orders identically on both.
"""

from functools import cache

from django.db.models.functions import Collate

STROKE = "zh_stroke"


@cache
def _collator():
    import icu  # ICU loads its collation data on import: only SQLite (the demo) needs it here

    return icu.Collator.createInstance(icu.Locale("zh@collation=stroke"))


def _compare(a: str, b: str) -> int:
    return _collator().compare(a or "", b or "")


def register_sqlite_collation(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_collation(STROKE, _compare)


def by_stroke(field: str = "name"):
    return Collate(field, STROKE)
