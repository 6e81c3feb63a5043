"""A result the vendor changes after the review: kept, said once, the decision standing.

HackerRank sends updates of a result (a re-score, an integrity flag), and a recruiter may let
the candidate take the test again at the vendor under the same invitation. These were dropped
as "reviewed is final" (helper-112): the page went on showing a score the vendor had changed.
"""

import dataclasses
import datetime

import pytest
from sqlmodel import select

from dashboard.services import accounts, assessments
from dashboard.services.actors import SYSTEM, user
from models import ApplicationEvent, AssessmentAttempt, AttemptState, Notification, OutboxMessage, Role
from providers.base import AssessmentResult, AttemptStatus, Progress
from tests.conftest import a_colleague_meanwhile, reads, rejected_by_a_recruiter, send_test

ALICE = user(1, "Alice Reviewer")
FINISHED = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)


def _result(p, attempt, score: float, *, finished=FINISHED, warnings=()) -> AttemptStatus:
    return AttemptStatus(
        vendor_attempt_id=attempt.vendor_attempt_id,
        progress=Progress.COMPLETED,
        raw_status="completed",
        completed_at=finished,
        result=AssessmentResult(score_percent=score, warnings=list(warnings)),
    )


def _apply(session, p, status) -> assessments.Applied:
    return assessments.apply_vendor_status(
        session=session, integration_id=p.integration.id, status=status, actor=SYSTEM
    )


def _reviewed_at_70(session, p) -> AssessmentAttempt:
    attempt = send_test(session, p.assessment, p.application)
    _apply(session, p, _result(p, attempt, 70.0))
    assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=ALICE)
    return attempt


def _lines(session, attempt) -> list[str]:
    return list(
        session.exec(
            select(ApplicationEvent.summary)
            .where(ApplicationEvent.attempt_id == attempt.id)
            .order_by(ApplicationEvent.id)
        )
    )


def test_a_score_the_vendor_changes_after_the_review_is_kept_and_said_the_decision_standing(
    session, pipeline_with_assessment
):
    p = pipeline_with_assessment
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    attempt = _reviewed_at_70(session, p)
    reviewed_at = session.get(AssessmentAttempt, attempt.id).reviewed_at

    outcome = _apply(session, p, _result(p, attempt, 75.0))
    again = _apply(session, p, _result(p, attempt, 75.0))  # the same word again: nothing more to say
    _apply(session, p, _result(p, attempt, 70.0))  # changed back, and again: each change told (helper-116)
    _apply(session, p, _result(p, attempt, 75.0))

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt.id)
    assert (outcome, again) == (assessments.Applied.REFRESHED, assessments.Applied.UNCHANGED)
    assert (kept.state, kept.score_percent, kept.reviewed_at) == (AttemptState.REVIEWED, 75.0, reviewed_at)
    said = [line for line in _lines(session, attempt) if "after the review" in line]
    assert said == [
        f"Backend Engineer (Python): the vendor changed the result after the review ({change})"
        for change in ("70% → 75%", "75% → 70%", "70% → 75%")
    ]
    told = session.exec(
        select(Notification.message).where(Notification.kind == "result_revised").order_by(Notification.id)
    ).all()
    assert (
        told[0]
        == "Ada Lovelace's Backend Engineer (Python) changed after the review: 70% → 75% (Backend Engineer)."
    )
    assert len(told) == 3
    emailed = session.exec(select(OutboxMessage.to_address).where(OutboxMessage.subject == told[0])).all()
    assert emailed == ["riley@example.com"] * 2


def test_an_integrity_flag_raised_after_the_review_is_said(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    attempt = _reviewed_at_70(session, p)

    _apply(session, p, _result(p, attempt, 70.0, warnings=["Plagiarism suspected: high similarity."]))

    said = [line for line in _lines(session, attempt) if "after the review" in line]
    assert said == [
        "Backend Engineer (Python): the vendor changed the result after the review "
        "(70%; Plagiarism suspected: high similarity.)"
    ]


def test_a_new_take_at_the_vendor_after_the_review_is_said_as_one(session, pipeline_with_assessment):
    """Taken again under the same invitation (a later finish), it is not a re-score of the one reviewed."""
    p = pipeline_with_assessment
    attempt = _reviewed_at_70(session, p)

    _apply(session, p, _result(p, attempt, 82.0, finished=FINISHED + datetime.timedelta(days=3)))

    said = [line for line in _lines(session, attempt) if "after the review" in line]
    assert said == [
        "Backend Engineer (Python): taken again at the vendor after the review, "
        "finished 2026-11-05 09:30 UTC (70% → 82%)"
    ]
    assert session.get(AssessmentAttempt, attempt.id).completed_at == FINISHED + datetime.timedelta(days=3)


def test_one_re_score_delivered_twice_at_once_is_said_once(session, pipeline_with_assessment):
    """A vendor sending its update twice, the second applied by another worker just after the
    first read the attempt: each read the score before, and both kept and said it."""
    p = pipeline_with_assessment
    attempt = _reviewed_at_70(session, p)

    with a_colleague_meanwhile(
        session, reads(AssessmentAttempt), lambda own: _apply(own, p, _result(p, attempt, 75.0))
    ):
        outcome = _apply(session, p, _result(p, attempt, 75.0))

    assert outcome == assessments.Applied.UNCHANGED  # the colleague's worker kept it
    said = [line for line in _lines(session, attempt) if "after the review" in line]
    assert len(said) == 1
    assert len(session.exec(select(Notification).where(Notification.kind == "result_revised")).all()) == 1


def test_a_rejected_candidate_s_result_changed_after_the_review_is_written_but_told_to_no_one(
    session, pipeline_with_assessment
):
    """helper-119: no one waits on a rejected candidate's results, yet the whole team was emailed."""
    p = pipeline_with_assessment
    attempt = _reviewed_at_70(session, p)
    rejected_by_a_recruiter(session, p.application.id)

    _apply(session, p, _result(p, attempt, 75.0))

    assert [line for line in _lines(session, attempt) if "after the review" in line]
    assert session.exec(select(Notification).where(Notification.kind == "result_revised")).all() == []


def test_a_score_changed_as_a_colleague_marks_it_reviewed_is_said(session, pipeline_with_assessment):
    """helper-119: decided from the attempt as read (completed), the change was written silently
    over the result a colleague had just marked reviewed."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    _apply(session, p, _result(p, attempt, 70.0))
    attempt_id, rescored = attempt.id, _result(p, attempt, 75.0)
    session.expire_all()

    with a_colleague_meanwhile(
        session,
        reads(AssessmentAttempt),
        lambda own: assessments.mark_reviewed(session=own, attempt_id=attempt_id, actor=ALICE),
    ):
        _apply(session, p, rescored)

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt_id)
    assert (kept.state, kept.score_percent) == (AttemptState.REVIEWED, 75.0)
    assert [line for line in _lines(session, kept) if "after the review" in line] == [
        "Backend Engineer (Python): the vendor changed the result after the review (70% → 75%)"
    ]


def _asked(status: AttemptStatus, seconds_ago: float) -> AttemptStatus:
    return dataclasses.replace(
        status, asked_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds_ago)
    )


@pytest.mark.parametrize("reviewed", [False, True], ids=["waiting for review", "reviewed"])
def test_a_view_asked_for_before_the_one_applied_does_not_write_its_older_score_back(
    session, pipeline_with_assessment, reviewed
):
    """A person's Refresh asked the vendor (70%) and waited; the vendor re-scored, and a webhook's
    fetch, asked after it, answered first and applied 75%; the Refresh's answer then wrote 70% back
    (or told "changed after the review (75% → 70%)") though the vendor says 75%."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    _apply(session, p, _asked(_result(p, attempt, 70.0), -1))  # each after the send's reply
    if reviewed:
        assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=ALICE)
    slow_refresh = _asked(_result(p, attempt, 70.0), -2)  # asked before the webhook's fetch
    webhook = _asked(_result(p, attempt, 75.0), -3)

    assert _apply(session, p, webhook) == assessments.Applied.REFRESHED
    assert _apply(session, p, slow_refresh) == assessments.Applied.UNCHANGED

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).score_percent == 75.0
    assert not [line for line in _lines(session, attempt) if "75% → 70%" in line]
    # A view asked for later than the one applied is written, as ever: the vendor changed it back.
    assert _apply(session, p, _asked(_result(p, attempt, 70.0), -4)) == assessments.Applied.REFRESHED
