"""A vendor's view asked for before the one an attempt holds is older news: it writes nothing back.

Views are stamped with when Assay asked for them (``AttemptStatus.asked_at``): a Refresh before its
fetch, a webhook's fetch before it, a listing before each status it is asked for. helper-126 found
the holes left once the details were guarded: a failure told by an older view, a sweep stamped at
its start losing a re-score for good, a matched result losing its stamp, a person's new deadline.
"""

import datetime
import time

import pytest
from sqlmodel import select

from dashboard.services import assessments, attempt_actions, matching
from dashboard.services.actors import SYSTEM, user
from models import AssessmentAttempt, AttemptState, UnmatchedResult
from providers.base import AttemptStatus, Progress
from tests.conftest import enter_stage, send_test, vendor_test_stages

RILEY = user(1, "Riley")


def _view(attempt, progress: Progress, *, seconds_ago: float, **details) -> AttemptStatus:
    asked = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds_ago)
    return AttemptStatus(attempt.vendor_attempt_id, progress, progress.value, asked_at=asked, **details)


def _apply(session, integration_id: int, status: AttemptStatus) -> assessments.Applied:
    return assessments.apply_vendor_status(
        session=session, integration_id=integration_id, status=status, actor=SYSTEM
    )


@pytest.mark.parametrize(
    ("newer", "older", "stays"),
    [
        (Progress.ERROR, Progress.STARTED, AttemptState.ERROR),  # not taken out of its failure
        (Progress.STARTED, Progress.ERROR, AttemptState.STARTED),  # nor failed
    ],
    ids=["failed, then an older started", "started, then an older failure"],
)
def test_a_failure_or_its_end_told_by_an_older_view_is_not_written(
    session, pipeline_with_assessment, newer, older, stays
):
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    assert (
        _apply(session, p.integration.id, _view(attempt, newer, seconds_ago=1)) == assessments.Applied.CHANGED
    )

    assert (
        _apply(session, p.integration.id, _view(attempt, older, seconds_ago=2))
        == assessments.Applied.UNCHANGED
    )

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).state == stays


def test_a_listing_stamps_each_status_before_it_is_asked_for():
    """Stamped when the sweep began, a page read after a webhook's fetch was refused, and a re-score
    on it lost for good: a finished attempt is swept no more."""
    produced: list[datetime.datetime] = []

    def listing():
        for n in range(3):
            time.sleep(0.01)  # the page's request
            produced.append(datetime.datetime.now(datetime.UTC))
            yield AttemptStatus(f"v-{n}", Progress.STARTED, "started")

    stamps = [status.asked_at for status in assessments.stamped(listing())]

    assert all(stamp < made for stamp, made in zip(stamps, produced, strict=True))
    assert stamps[1] > produced[0] and stamps[2] > produced[1]  # each its own, not the first's


def test_a_deadline_a_person_moves_is_not_moved_back_by_a_view_asked_for_before(session, sandbox):
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    swept = _view(attempt, Progress.SENT, seconds_ago=0, expires_at=attempt.expires_at)  # a sweep's page
    later = attempt.expires_at + datetime.timedelta(days=3)

    attempt_actions.extend_deadline(session=session, attempt_id=attempt_id, expires_at=later, actor=SYSTEM)
    _apply(session, integration.id, swept)

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).expires_at == later.replace(microsecond=0)


def test_a_kept_result_matched_later_keeps_when_it_was_asked_for(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    kept_view = AttemptStatus(
        "not-ours-1",
        Progress.COMPLETED,
        "completed",
        candidate_email="ada.work@example.com",
        asked_at=datetime.datetime.now(datetime.UTC),
    )
    kept = matching.record(
        session=session,
        integration_id=p.integration.id,
        status=kept_view,
        outcome=assessments.Applied.UNKNOWN,
    )
    matching.match(session=session, unmatched_id=kept.id, attempt_id=attempt.id, actor=RILEY)

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).vendor_read_at == kept_view.asked_at
    assert session.exec(select(UnmatchedResult)).one().resolved_attempt_id == attempt.id
