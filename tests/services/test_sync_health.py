"""A connection's health moving, and only that, moves what belongs to no job: the integrations page
follows it live, while a sweep that changes nothing wakes no open page (``models.revisions``).

The sandbox over real HTTP, the real scheduled sweep; the revision read as the pages' watch reads it.
"""

import time

import pytest

from dashboard.services import pipeline, sync, views
from models import new_session
from tests.conftest import send_to_applicants, vendor_test_stages

VENDOR = "coderpad_screen"


@pytest.fixture
def screen(session, sandbox):
    """A CoderPad Screen connection with two tests out, so each sweep asks the vendor."""
    sandbox.faults(vendor=VENDOR, drop_webhooks=True)
    integration, (stage,) = vendor_test_stages(session, VENDOR, "Backend")
    send_to_applicants(session, stage, 2)
    return integration


def _sweep(integration_id: int) -> tuple[sync.SyncReport, int, str]:
    """One scheduled sweep in a session of its own; the revision after it and the card's health."""
    with new_session() as s:
        report = sync.sync_integration(session=s, integration_id=integration_id)
    with new_session() as s:
        card = next(c for c in views.integrations(s) if c.id == integration_id)
        return report, pipeline.outside_jobs_revision(s), card.health


def _revision() -> int:
    with new_session() as s:
        return pipeline.outside_jobs_revision(s)


def test_sweeps_of_a_healthy_connection_move_no_revision(screen):
    before = _revision()

    for _ in range(3):
        report, revision, health = _sweep(screen.id)
        assert report.error is None and health == "connected"

    assert revision == before


def test_a_connection_starting_to_fail_and_recovering_moves_the_revision_once_each(screen, sandbox):
    _sweep(screen.id)  # healthy, as the page was loaded
    before = _revision()
    sandbox.faults(vendor=VENDOR, drop_webhooks=True, fail_next=[{"status": 500}] * 6)  # two sweeps' tries

    report, failing_at, health = _sweep(screen.id)
    assert report.error and health == "failing"
    assert failing_at > before  # ok -> failing: the open page is woken

    report, still_failing_at, health = _sweep(screen.id)
    assert report.error and health == "failing"
    assert still_failing_at == failing_at  # failing the same way: every sweep would wake every page

    sandbox.faults(vendor=VENDOR, drop_webhooks=True)
    time.sleep(1)  # the next sweep, seconds on: a success in the failure's own second reads as before it
    report, recovered_at, health = _sweep(screen.id)
    assert report.error is None and health == "connected"
    assert recovered_at > still_failing_at  # failing -> ok

    _report, later, _health = _sweep(screen.id)
    assert later == recovered_at


def test_sweeps_refused_with_another_wait_each_time_move_the_revision_once(screen, sandbox):
    """helper-90's review: a 429's words count the wait down ("try again in 30 s", then "in 20 s"),
    so each refused sweep read as another failure and woke every open page of every worker."""
    _sweep(screen.id)
    before = _revision()
    waits = [{"status": 429, "retry_after": 30}] * 3 + [{"status": 429, "retry_after": 20}] * 3
    sandbox.faults(vendor=VENDOR, drop_webhooks=True, fail_next=waits)

    _report, first, health = _sweep(screen.id)
    assert health == "failing" and first > before
    time.sleep(1)
    _report, second, health = _sweep(screen.id)

    assert health == "failing" and second == first
