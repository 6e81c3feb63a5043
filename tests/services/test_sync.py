"""The scheduled sweep where the vendor's listing cannot tell all (iMocha: no scores, no pending)."""

import datetime

import httpx
import pytest
from sqlmodel import select

from dashboard.services import assessments, sync
from dashboard.services.actors import SYSTEM
from models import AssessmentAttempt, AttemptState, Integration
from providers.sandbox.coderpad_screen import API as SCREEN_API
from providers.sandbox.coderpad_screen import DEMO_KEY as SCREEN_KEY
from tests.conftest import send_to_applicants, vendor_test_stages


@pytest.fixture
def imocha_sent(session, sandbox):
    """Four iMocha tests sent, taken and submitted at the vendor; no webhook reached Assay."""
    sandbox.faults(vendor="imocha", drop_webhooks=True)
    integration, (stage,) = vendor_test_stages(session, "imocha", "Backend")
    attempts = send_to_applicants(session, stage, 4)
    for attempt in attempts:
        sandbox.act(attempt.vendor_attempt_id, "start", vendor="imocha")
        sandbox.act(attempt.vendor_attempt_id, "submit", vendor="imocha")
    return integration


def test_a_completion_listed_without_its_score_waits_for_its_report_past_the_fetch_cap(
    session, sandbox, imocha_sent, monkeypatch
):
    monkeypatch.setattr(sync, "MAX_FETCHES_PER_SWEEP", 2)

    sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    attempts = list(session.exec(select(AssessmentAttempt)))
    completed = [a for a in attempts if a.state == AttemptState.COMPLETED]
    assert len(completed) == 2 and all(a.score_percent is not None for a in completed)
    assert {a.state for a in attempts if a not in completed} == {
        AttemptState.SENT
    }  # still open, no score lost

    sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    attempts = list(session.exec(select(AssessmentAttempt)))
    assert [a.state for a in attempts] == [AttemptState.COMPLETED] * 4
    assert all(a.score_percent is not None for a in attempts)


def test_an_invitation_the_vendor_no_longer_knows_does_not_hold_back_the_rest(session, sandbox, imocha_sent):
    """Looked up first (it waited longest), its report is refused; the others are still read."""
    attempts = list(session.exec(select(AssessmentAttempt).order_by(AssessmentAttempt.id)))
    gone = attempts[0]
    gone.vendor_attempt_id = "987654321"  # deleted at iMocha: not listed, and its report is a 404
    gone.updated_at = gone.updated_at - datetime.timedelta(days=1)
    session.add(gone)
    session.commit()

    report = sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    states = [session.get(AssessmentAttempt, a.id).state for a in attempts]
    assert states == [AttemptState.SENT] + [AttemptState.COMPLETED] * 3
    assert report.error is None and report.corrected == 3
    health = session.get(Integration, imocha_sent.id)
    assert "987654321" in (health.last_error or "")


def test_what_a_failing_listing_gave_before_it_failed_is_kept(session, sandbox, pipeline_with_assessment):
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    sent = send_to_applicants(session, p.assessment, 55)  # two pages of CoderPad Screen's listing
    for attempt in sent:
        sandbox.start(attempt.vendor_attempt_id)
    # The first page is read; the second is refused (400: not retried).
    sandbox.faults(drop_webhooks=True, fail_next=[{"delay_ms": 0}, {"status": 400}])

    report = sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    states = [session.get(AssessmentAttempt, a.id).state for a in sent]
    assert report.error and report.corrected == 50
    assert states.count(AttemptState.STARTED) == 50 and states.count(AttemptState.SENT) == 5


def test_a_session_deleted_at_a_vendor_whose_listing_tells_all_fails_with_the_reason(
    session, sandbox, pipeline_with_assessment
):
    """Left out of CoderPad Screen's complete listing, it is looked up once: a 404, so it fails, saying why."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    kept, deleted = send_to_applicants(session, p.assessment, 2)
    sandbox.start(kept.vendor_attempt_id)
    deleted_at_vendor = deleted.vendor_attempt_id
    gone = httpx.delete(
        f"{sandbox.url}{SCREEN_API}/tests/{deleted_at_vendor}", headers={"API-Key": SCREEN_KEY}
    )
    assert gone.status_code == 204
    before = sandbox.stats()["api_requests"]

    report = sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert session.get(AssessmentAttempt, kept.id).state == AttemptState.STARTED
    failed = session.get(AssessmentAttempt, deleted.id)
    assert failed.state == AttemptState.ERROR
    assert "no longer has this invitation" in failed.error_reason
    assert report.error is None and report.corrected == 2
    assert sandbox.stats()["api_requests"] - before == 2  # the listing's one page, and one lookup

    sync.sync_integration(session=session, integration_id=p.integration.id)  # nothing open is left out

    assert sandbox.stats()["api_requests"] - before == 3

    retried = assessments.retry_assessment(session=session, attempt_id=deleted.id, actor=SYSTEM)

    session.refresh(failed)
    assert retried.sent and failed.state == AttemptState.SENT and failed.error_reason is None
    assert failed.vendor_attempt_id not in (None, deleted_at_vendor)
    assert sandbox.stats()["invitations_created"] == 3  # two at first, one afresh
