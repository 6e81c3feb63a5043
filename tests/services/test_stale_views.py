"""A vendor's view asked for before the one an attempt holds is older news: it writes nothing back.

Views are stamped with the moment before the request that brought them (``AttemptStatus.asked_at``):
a Refresh's fetch, a webhook's, a sweep's lookup by id, and each page of a listing (the providers
stamp a page's statuses with its own moment, ``VendorClient.asked_at``; stamped as each was handed
out, a page's later statuses were held newer than they are, helper-127).
helper-126 and helper-127 found the holes left once the details were guarded: a failure told by an
older view, a person's new deadline, an older view moving the attempt on.
"""

import datetime
import threading

import pytest

from dashboard.services import assessments, attempt_actions, sync
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import provider_for
from models import AssessmentAttempt, AttemptState, Integration, new_session
from providers.base import AssessmentResult, AttemptStatus, Progress
from tests.conftest import a_colleague_meanwhile, enter_stage, reads, send_test, vendor_test_stages


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
    # Both asked for after the send's reply (the view it holds): the newer two seconds on. Both
    # made now: made as each is applied, on a loaded machine the second read later than the first.
    newer_view, older_view = _view(attempt, newer, seconds_ago=-2), _view(attempt, older, seconds_ago=-1)
    assert _apply(session, p.integration.id, newer_view) == assessments.Applied.CHANGED

    assert _apply(session, p.integration.id, older_view) == assessments.Applied.UNCHANGED

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).state == stays


@pytest.mark.parametrize("progress", [Progress.SENT, Progress.STARTED], ids=["same state", "a move"])
def test_a_deadline_a_person_moves_is_not_moved_back_by_a_view_asked_for_before(session, sandbox, progress):
    """Nor by one that moves the attempt on (helper-127): it writes the move and only what the
    attempt lacks, never the deadline a person set."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    refreshed = _view(
        attempt, progress, seconds_ago=0, expires_at=attempt.expires_at
    )  # asked, not yet answered
    later = attempt.expires_at + datetime.timedelta(days=3)

    attempt_actions.extend_deadline(session=session, attempt_id=attempt_id, expires_at=later, actor=SYSTEM)
    _apply(session, integration.id, refreshed)

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt_id)
    assert (kept.state, kept.expires_at) == (AttemptState(progress.value), later.replace(microsecond=0))


@pytest.mark.parametrize("ended", [Progress.EXPIRED, Progress.CANCELLED])
def test_an_end_told_by_a_view_asked_for_before_a_new_deadline_is_not_written(session, sandbox, ended):
    """helper-131: a page read ahead said "expired"; a recruiter gave three more days since, and the
    vendor opened the invitation again. Written, the attempt was expired for good, and the
    candidate's finish after it dropped. The next view asked for says how it stands."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    listed = _view(attempt, ended, seconds_ago=0)
    later = attempt.expires_at + datetime.timedelta(days=3)

    attempt_actions.extend_deadline(session=session, attempt_id=attempt_id, expires_at=later, actor=SYSTEM)
    assert _apply(session, integration.id, listed) == assessments.Applied.UNCHANGED

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT
    assert (
        _apply(session, integration.id, _view(attempt, ended, seconds_ago=-1)) == assessments.Applied.CHANGED
    )


def test_an_older_finish_writes_each_part_of_the_result_the_attempt_lacks(session, pipeline_with_assessment):
    """helper-131: integrity warnings held alone counted as a result held, and an older view's
    finish then wrote no score. Each part is written where the attempt holds none; what it holds stays."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    flagged = AssessmentResult(score_percent=None, warnings=("Plagiarism suspected.",))
    finished = AssessmentResult(score_percent=82.0, warnings=("Older warning.",))
    # Both views made now (CI233: made as each was applied, the "older" one was read more than a
    # second after the first on a loaded machine, so it was the newer, and its warnings written).
    newer = _view(attempt, Progress.STARTED, seconds_ago=1, result=flagged)
    older = _view(attempt, Progress.COMPLETED, seconds_ago=2, result=finished)
    _apply(session, p.integration.id, newer)

    assert _apply(session, p.integration.id, older) == assessments.Applied.CHANGED

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt.id)
    assert (kept.state, kept.score_percent, kept.warnings) == (
        AttemptState.COMPLETED,
        82.0,
        ["Plagiarism suspected."],
    )


def test_a_view_asked_for_before_an_invitation_was_made_does_not_end_it(session, sandbox):
    """helper-132: a vendor reviving an expired invitation under its old id (a re-attempt) had a
    page read just before, listing it expired, applied after: the new invitation ended at once."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer")
    attempt_id = enter_stage(session, stage)
    listed_before = datetime.datetime.now(datetime.UTC)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    expired = AttemptStatus(attempt.vendor_attempt_id, Progress.EXPIRED, "expired", asked_at=listed_before)

    assert _apply(session, integration.id, expired) == assessments.Applied.UNCHANGED

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT


def test_a_finish_told_by_a_view_asked_for_before_a_new_deadline_brings_its_result(session, sandbox):
    """A page read ahead lists the candidate's finish and score; a recruiter moves the deadline before
    it is applied: the finish was written without its result (helper-128), and no sweep asks about a
    completed test again. What the attempt lacks is written; the deadline moved since stays."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    finished = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    listed = _view(
        attempt,
        Progress.COMPLETED,
        seconds_ago=0,
        expires_at=attempt.expires_at,
        completed_at=finished,
        report_url="https://www.hackerrank.com/x/report",
        result=AssessmentResult(score_percent=82.0, duration_seconds=1500),
    )
    later = attempt.expires_at + datetime.timedelta(days=3)

    attempt_actions.extend_deadline(session=session, attempt_id=attempt_id, expires_at=later, actor=SYSTEM)
    assert _apply(session, integration.id, listed) == assessments.Applied.CHANGED

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt_id)
    assert (kept.state, kept.score_percent, kept.duration_seconds, kept.completed_at, kept.report_url) == (
        AttemptState.COMPLETED,
        82.0,
        1500,
        finished,
        "https://www.hackerrank.com/x/report",
    )
    assert kept.expires_at == later.replace(microsecond=0)


def test_a_page_listed_before_a_person_moves_the_deadline_does_not_move_it_back(session, sandbox):
    """A sweep's page, read ahead of its applying, says the old deadline; a recruiter gives the
    candidate three more days meanwhile: the page, applied after, wrote the old deadline back."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    provider = provider_for(session.get(Integration, integration.id))
    listing = provider.list_statuses(since=None, test_ids=[attempt.vendor_test_id])
    listed = next(s for s in listing if s.vendor_attempt_id == attempt.vendor_attempt_id)
    later = attempt.expires_at + datetime.timedelta(days=3)

    attempt_actions.extend_deadline(session=session, attempt_id=attempt_id, expires_at=later, actor=SYSTEM)
    assert _apply(session, integration.id, listed) == assessments.Applied.UNCHANGED

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).expires_at == later.replace(microsecond=0)


def test_a_sweep_whose_page_says_expired_does_not_end_a_test_a_person_reopened_meanwhile(session, sandbox):
    """helper-152: the sweep read its open attempts at its start and applied each page to those
    copies: the page (read while the invitation had lapsed, on its way for a second) found the copy's
    time of the vendor's last word, older than the recruiter's new deadline given meanwhile in
    another request, and expired the attempt for good. Each is read again as its view is applied."""
    sandbox.faults(vendor="hackerrank", drop_webhooks=True)
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    later = attempt.expires_at + datetime.timedelta(days=3)
    sandbox.act(attempt.vendor_attempt_id, "expire", vendor="hackerrank")
    # The sweep's first call is its page: made at once, its reply held while the recruiter acts.
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"reply_delay_ms": 1500}])

    def recruiter_gives_three_more_days() -> None:
        sandbox.wait_for_a_held_reply("hackerrank")  # the page is made, its reply on its way
        with new_session() as own:
            extended = attempt_actions.extend_deadline(
                session=own, attempt_id=attempt_id, expires_at=later, actor=SYSTEM
            )
            assert extended.sent, extended.message

    recruiter = threading.Thread(target=recruiter_gives_three_more_days)
    recruiter.start()
    report = sync.sync_integration(session=session, integration_id=integration.id)
    recruiter.join()

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt_id)
    assert report.error is None
    assert (kept.state, kept.expires_at) == (AttemptState.SENT, later.replace(microsecond=0))
    assert sync.sync_integration(session=session, integration_id=integration.id).error is None
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT  # the vendor's word now


def test_an_expiry_read_before_a_person_reopened_the_test_is_not_written_over_the_new_deadline(
    session, sandbox
):
    """The attempt is read, then a recruiter gives more days in another request before its view is
    written: the state is still Sent, so only the time of the vendor's word (``vendor_read_at``,
    moved by the extension) shows the attempt changed. The write needs it unchanged too (``_as_read``),
    so the view is decided again on the attempt as it is now: older news, not written."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, attempt_id)
    lapsed = _view(attempt, Progress.EXPIRED, seconds_ago=0)  # asked for before the extension
    later = attempt.expires_at + datetime.timedelta(days=3)

    def recruiter_gives_three_more_days(own) -> None:
        extended = attempt_actions.extend_deadline(
            session=own, attempt_id=attempt_id, expires_at=later, actor=SYSTEM
        )
        assert extended.sent, extended.message

    session.expire_all()
    with a_colleague_meanwhile(session, reads(AssessmentAttempt), recruiter_gives_three_more_days):
        assert _apply(session, integration.id, lapsed) == assessments.Applied.UNCHANGED

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt_id)
    assert (kept.state, kept.expires_at) == (AttemptState.SENT, later.replace(microsecond=0))
