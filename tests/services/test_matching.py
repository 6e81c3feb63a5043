"""Results Assay cannot tie to an application are kept for a recruiter, never dropped or misapplied.

Coodesh pushes its results by webhook and cannot be asked again, so its
deliveries are applied as they come; they go through Assay's real webhook
endpoint on loopback.
"""

import json
import pathlib
import time

import httpx
import pytest
from sqlmodel import select

from dashboard.services import assessments, matching, pipeline
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import webhook_url
from models import (
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Integration,
    UnmatchedResult,
    WebhookDelivery,
    new_session,
)
from tests.conftest import send_test, vendor_test_stages

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "coodesh"


@pytest.fixture
def coodesh_attempt(session, sandbox, assay_api) -> AssessmentAttempt:
    _coodesh, (stage,) = vendor_test_stages(
        session, "coodesh", "Backend", options={"company_id": "coodesh-demo-company"}
    )
    application = pipeline.add_application(
        session=session, job_id=stage.job_id, name="Ada Lovelace", email="ada@example.com", actor=SYSTEM
    )
    return send_test(session, stage, application)


def _deliver(session, attempt, body: dict) -> None:
    url = webhook_url(session.get(Integration, attempt.integration_id))
    answer = httpx.post(url, json=body, timeout=10)
    assert answer.status_code in (200, 202)


def _wait_applied(seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with new_session() as s:
            if s.exec(select(WebhookDelivery).where(WebhookDelivery.applied_at.is_(None))).first() is None:
                return
        time.sleep(0.1)
    raise AssertionError("deliveries not applied")


def _result_for(attempt, **changes) -> dict:
    body = json.loads((FIXTURES / "webhook_finished.json").read_text())
    body.update({"attempt_id": attempt.vendor_attempt_id, "callback_url": "", **changes})
    return body


def test_a_pushed_result_is_applied_with_a_comment_in_the_history(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, _result_for(coodesh_attempt))
    _wait_applied()

    session.expire_all()
    attempt = session.get(AssessmentAttempt, coodesh_attempt.id)
    comments = [
        e.summary
        for e in session.exec(
            select(ApplicationEvent).where(ApplicationEvent.application_id == attempt.application_id)
        )
        if e.summary.startswith("Coodesh result")
    ]
    assert attempt.state == AttemptState.COMPLETED and attempt.score_percent == 82
    assert attempt.duration_seconds == 41 * 60
    assert comments and "82" in comments[0] and "41 min" in comments[0]


def test_a_result_for_an_unknown_attempt_waits_for_matching(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, _result_for(coodesh_attempt, attempt_id="ffffffffffffffffffffffff"))
    _wait_applied()

    [kept] = matching.open_items(session)
    assert kept.vendor_attempt_id == "ffffffffffffffffffffffff"
    assert "No assessment" in kept.reason
    assert session.get(AssessmentAttempt, coodesh_attempt.id).state == AttemptState.SENT


def test_a_result_naming_another_candidate_is_not_applied_but_kept(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, _result_for(coodesh_attempt, email="someone.else@example.com"))
    _wait_applied()

    session.expire_all()
    [kept] = matching.open_items(session)
    assert "another candidate" in kept.reason and kept.candidate_email == "someone.else@example.com"
    assert session.get(AssessmentAttempt, coodesh_attempt.id).state == AttemptState.SENT


def test_a_recruiter_matches_a_kept_result_and_it_is_applied_once(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, _result_for(coodesh_attempt, email="ada.work@example.com"))
    _wait_applied()
    [kept] = matching.open_items(session)

    outcome = matching.match(
        session=session, unmatched_id=kept.id, attempt_id=coodesh_attempt.id, actor=SYSTEM
    )

    session.expire_all()
    assert outcome == assessments.Applied.CHANGED
    assert session.get(AssessmentAttempt, coodesh_attempt.id).state == AttemptState.COMPLETED
    assert matching.open_items(session) == []
    assert session.get(UnmatchedResult, kept.id).resolved_attempt_id == coodesh_attempt.id
    with pytest.raises(Exception, match="already matched"):
        matching.match(session=session, unmatched_id=kept.id, attempt_id=coodesh_attempt.id, actor=SYSTEM)


def test_the_same_result_delivered_three_times_is_applied_once(session, coodesh_attempt):
    body = _result_for(coodesh_attempt)
    for _ in range(3):
        _deliver(session, coodesh_attempt, body)
    _wait_applied()

    session.expire_all()
    completions = session.exec(
        select(ApplicationEvent).where(
            ApplicationEvent.attempt_id == coodesh_attempt.id, ApplicationEvent.to_state == "completed"
        )
    ).all()
    assert len(completions) == 1
    assert len(session.exec(select(WebhookDelivery)).all()) == 1
