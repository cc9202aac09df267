"""Inspection batches are numbered in order per region and year, also when two are created at once."""

import datetime
import threading

import pytest
from django.db import connection, connections

from apps.groups import services
from apps.groups.models import Inspection

DAY = datetime.date(2022, 6, 1)


def _create(by, region, topic):
    return services.inspection_create(kind=Inspection.Kind.SURVEY, region=region, topic=topic, started_on=DAY, by=by)


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_two_batches_created_at_once_get_distinct_numbers(county, committee_staff):
    from django.db import transaction

    first_written, release = threading.Event(), threading.Event()
    numbers, failures = [], []

    def first():
        try:
            with transaction.atomic():
                numbers.append(_create(committee_staff, county, "先建的批次").batch_no)
                first_written.set()
                release.wait(30)  # keep the transaction (and its lock) open until the second one waits
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)
        finally:
            first_written.set()
            connections.close_all()

    def second():
        try:
            first_written.wait(30)
            numbers.append(_create(committee_staff, county, "后建的批次").batch_no)
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_written.wait(30)
    # Let the first transaction commit only once the second is blocked behind its lock.
    for _ in range(3000):
        if _waiting_on_a_lock():
            break
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(60)
    assert not failures
    assert sorted(numbers) == [1, 2]
    assert sorted(Inspection.objects.values_list("batch_no", flat=True)) == [1, 2]


def test_numbers_continue_after_the_last_batch_of_the_year(county, committee_staff):
    for topic in ("一", "二", "三"):
        _create(committee_staff, county, topic)
    assert _create(committee_staff, county, "四").batch_no == 4
    next_year = services.inspection_create(
        kind=Inspection.Kind.INSPECTION,
        region=county,
        topic="新年度",
        started_on=datetime.date(2021, 3, 1),
        by=committee_staff,
    )
    assert next_year.batch_no == 1
