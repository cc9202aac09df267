"""Deadlines counted in working days, recomputed when a year's holiday calendar changes.

Never silently: staff see a preview of what moves, then confirm; each change goes through the
owning app's service, which writes it to the item's history. The apps that store such deadlines
register a source here in their AppConfig.ready() (apps/core cannot import them).

A source is an object with
    `label`: what its items are ("群众意见"),
    `preview(*, user, years, calendars) -> list[DeadlineMove]`: open items whose deadline, counted
        again on today's calendar, differs, among those the user's scope covers,
    `apply(*, move, by)`: set one item's deadline to `move.new` through the app's service.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from apps.core.workdays import Calendars

SOURCES: dict[str, object] = {}


@dataclass(frozen=True)
class DeadlineMove:
    source: str
    pk: int
    field: str
    item: str  # what staff recognise the item by (a tracking code)
    field_label: str
    old: date
    new: date
    url: str = ""


def register_deadline_source(name: str, source) -> None:
    SOURCES[name] = source


def deadline_preview(*, user, years: list[int]) -> list[DeadlineMove]:
    """What would move if the open deadlines touching `years` were counted again now."""
    calendars = Calendars()
    moves = []
    for name, source in SOURCES.items():
        moves += [m for m in source.preview(user=user, years=years, calendars=calendars) if m.source == name]
    return moves


def preview_fingerprint(moves: list[DeadlineMove]) -> str:
    """Confirming applies exactly what was previewed: a changed list asks staff to look again."""
    text = "|".join(f"{m.source}:{m.pk}:{m.field}:{m.old}:{m.new}" for m in moves)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def deadlines_recompute(*, user, years: list[int], fingerprint: str) -> list[DeadlineMove] | None:
    """Apply the previewed moves; None (and nothing changed) if the preview is no longer what
    the staff member saw."""
    moves = deadline_preview(user=user, years=years)
    if preview_fingerprint(moves) != fingerprint:
        return None
    for move in moves:
        SOURCES[move.source].apply(move=move, by=user)
    return moves
