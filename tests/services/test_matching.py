"""Results Assay cannot tie to an application are kept for a recruiter, never dropped or misapplied.

Coodesh pushes its results by webhook and cannot be asked again, so its
deliveries are applied as they come; they go through Assay's real webhook
endpoint on loopback.
"""

import re
import time

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import assessments, matching, pipeline, queue_view, views
from dashboard.services.actors import SYSTEM, Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import webhook_url
from models import (
    ActorKind,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Integration,
    IntegrationLog,
    UnmatchedResult,
    WebhookDelivery,
    new_session,
)
from providers.base import AssessmentResult, AttemptStatus, Progress
from tests.conftest import (
    a_colleague_meanwhile,
    coodesh_result,
    kept_for_matching,
    reads,
    scored,
    send_test,
    vendor_test_stages,
)


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
    assert answer.status_code == 200


def _wait_applied(seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with new_session() as s:
            if s.exec(select(WebhookDelivery).where(WebhookDelivery.applied_at.is_(None))).first() is None:
                return
        time.sleep(0.1)
    raise AssertionError("deliveries not applied")


def test_a_pushed_result_is_applied_with_a_comment_in_the_history(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, coodesh_result(coodesh_attempt))
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
    _deliver(session, coodesh_attempt, coodesh_result(coodesh_attempt, attempt_id="ffffffffffffffffffffffff"))
    _wait_applied()

    [kept] = matching.open_items(session)
    assert kept.vendor_attempt_id == "ffffffffffffffffffffffff"
    assert "No assessment" in kept.reason
    assert session.get(AssessmentAttempt, coodesh_attempt.id).state == AttemptState.SENT


def test_a_result_naming_another_candidate_is_not_applied_but_kept(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, coodesh_result(coodesh_attempt, email="someone.else@example.com"))
    _wait_applied()

    session.expire_all()
    [kept] = matching.open_items(session)
    assert "another candidate" in kept.reason and kept.candidate_email == "someone.else@example.com"
    assert session.get(AssessmentAttempt, coodesh_attempt.id).state == AttemptState.SENT


def test_a_recruiter_matches_a_kept_result_and_it_is_applied_once(session, coodesh_attempt):
    _deliver(session, coodesh_attempt, coodesh_result(coodesh_attempt, email="ada.work@example.com"))
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


def test_once_a_recruiter_matched_a_result_the_vendors_later_updates_naming_that_email_apply(
    session, coodesh_attempt
):
    """A candidate took the test under another address; a recruiter matched the result. The
    vendor's re-grade, naming that address again, was kept for matching a second time."""
    _deliver(session, coodesh_attempt, coodesh_result(coodesh_attempt, email="Ada.Work@example.com"))
    _wait_applied()
    [kept] = matching.open_items(session)
    matching.match(session=session, unmatched_id=kept.id, attempt_id=coodesh_attempt.id, actor=SYSTEM)

    _deliver(
        session,
        coodesh_attempt,
        coodesh_result(coodesh_attempt, email="ada.work@example.com", total_grade=90),
    )
    _wait_applied()
    _deliver(
        session, coodesh_attempt, coodesh_result(coodesh_attempt, email="mallory@example.com", total_grade=10)
    )
    _wait_applied()

    session.expire_all()
    assert session.get(AssessmentAttempt, coodesh_attempt.id).score_percent == 90
    [waiting] = matching.open_items(session)  # another address still waits for a person
    assert waiting.candidate_email == "mallory@example.com"


def test_the_same_result_delivered_three_times_is_applied_once(session, coodesh_attempt):
    body = coodesh_result(coodesh_attempt)
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


RILEY = Actor(ActorKind.USER, "Riley Recruiter")


def test_a_result_set_aside_is_listed_and_restored_to_needs_matching_both_in_the_audit_log(session, screen):
    """Setting aside had no way back: a result set aside by mistake was lost to the recruiters."""
    grace, alan = (
        kept_for_matching(session, screen, "not-ours-1", "grace@example.com"),
        kept_for_matching(session, screen, "not-ours-2", "alan@example.com"),
    )
    [before] = views.integrations(session)

    matching.dismiss(session=session, unmatched_id=grace.id, actor=RILEY)

    assert [u.id for u in matching.open_items(session)] == [alan.id]
    count, [listed] = queue_view.set_aside(session)
    assert (count, listed.id, listed.vendor_attempt_id, listed.by) == (1, grace.id, "not-ours-1", RILEY.label)

    matching.restore(session=session, unmatched_id=grace.id, actor=RILEY)

    session.expire_all()
    assert [u.id for u in matching.open_items(session)] == [grace.id, alan.id]
    assert queue_view.set_aside(session) == (0, [])
    assert [u.id for u in queue_view.unmatched(session)[1]] == [grace.id, alan.id]
    trail = session.exec(
        select(IntegrationLog).where(IntegrationLog.kind == "audit").order_by(IntegrationLog.id)
    )
    assert [(e.actor_label, e.message) for e in trail][-2:] == [
        (RILEY.label, "Set aside the vendor result for not-ours-1 (grace@example.com)."),
        (RILEY.label, "Restored the vendor result for not-ours-1 (grace@example.com) to needs matching."),
    ]
    [after] = views.integrations(session)  # the connection's page shows both, its health unmoved
    assert [a.summary for a in after.audit][:2] == [
        "Restored the vendor result for not-ours-1 (grace@example.com) to needs matching.",
        "Set aside the vendor result for not-ours-1 (grace@example.com).",
    ]
    assert (after.health, after.webhooks_waiting, after.errors_24h) == (
        before.health,
        before.webhooks_waiting,
        before.errors_24h,
    )


def test_a_matched_result_is_not_counted_as_set_aside_nor_restored(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    kept = kept_for_matching(session, p.integration, "not-ours-1", "ada.work@example.com")
    matching.match(session=session, unmatched_id=kept.id, attempt_id=attempt.id, actor=RILEY)

    assert queue_view.set_aside(session) == (0, [])
    with pytest.raises(UserError, match="was matched to an assessment"):
        matching.restore(session=session, unmatched_id=kept.id, actor=RILEY)


def test_restoring_a_result_waiting_or_gone_is_refused(session, screen):
    kept = kept_for_matching(session, screen, "not-ours-1", "grace@example.com")
    with pytest.raises(UserError, match="already waiting to be matched"):  # restored in another tab
        matching.restore(session=session, unmatched_id=kept.id, actor=RILEY)
    with pytest.raises(NotFound):
        matching.restore(session=session, unmatched_id=kept.id + 4242, actor=RILEY)


def test_restoring_a_result_another_one_for_the_same_attempt_waits_beside_is_refused(session, screen):
    """Kept before a result set aside stayed so: a set-aside row and a newer waiting one for the
    same vendor attempt. Restored, the two would both wait, and matching the older one would
    apply its older word."""
    kept = kept_for_matching(session, screen, "not-ours-1", "grace@example.com")
    matching.dismiss(session=session, unmatched_id=kept.id, actor=RILEY)
    newer = UnmatchedResult(
        integration_id=screen.id, vendor_attempt_id="not-ours-1", reason="Kept.", status=kept.status
    )
    session.add(newer)
    session.commit()

    with pytest.raises(UserError, match="A newer result for not-ours-1 is already waiting"):
        matching.restore(session=session, unmatched_id=kept.id, actor=RILEY)
    assert [u.id for u in matching.open_items(session)] == [newer.id]


def test_a_result_set_aside_that_the_vendor_sends_again_stays_set_aside_with_its_newest_word(session, screen):
    """It came back to needs matching with every update the vendor sent about it (a test account's)."""
    kept = kept_for_matching(session, screen, "not-ours-1", "grace@example.com")
    matching.dismiss(session=session, unmatched_id=kept.id, actor=RILEY)

    again = kept_for_matching(session, screen, "not-ours-1", "grace.h@example.com")

    assert matching.open_items(session) == []
    assert again.id == kept.id and again.resolved_by == "Riley Recruiter"
    assert again.candidate_email == "grace.h@example.com"  # restored, it shows what the vendor said last
    assert queue_view.set_aside(session)[0] == 1


def test_matching_to_an_assessment_number_that_never_existed_names_the_number(session, screen):
    """It said the result 'or' the assessment 'no longer exists', for a number mistyped."""
    kept = kept_for_matching(session, screen, "not-ours-1", "grace@example.com")

    with pytest.raises(NotFound, match="There is no assessment #999999"):
        matching.match(session=session, unmatched_id=kept.id, attempt_id=999999, actor=RILEY)
    with pytest.raises(NotFound, match="That result no longer exists"):
        matching.match(session=session, unmatched_id=kept.id + 4242, attempt_id=999999, actor=RILEY)


def test_a_result_is_applied_to_the_assessment_chosen_never_to_another_holding_its_invitation(
    session, pipeline_with_assessment
):
    """helper-117: Bob and then Ada sent the test; the vendor's result for Ada's invitation names
    bob@example.com. Matched to Bob's assessment, it was applied to Ada's (looked up again by the
    invitation's id, which Ada's holds) and Bob's lost its own invitation."""
    p = pipeline_with_assessment
    bob_application = pipeline.add_application(
        session=session, job_id=p.job.id, name="Bob Byte", email="bob@example.com", actor=SYSTEM
    )
    bob = send_test(session, p.assessment, bob_application)
    ada = send_test(session, p.assessment, p.application)
    status = AttemptStatus(
        ada.vendor_attempt_id,
        Progress.COMPLETED,
        "completed",
        candidate_email="bob@example.com",
        result=AssessmentResult(score_percent=77.0),
    )
    kept = matching.record(
        session=session, integration_id=p.integration.id, status=status, outcome=assessments.Applied.MISMATCH
    )

    with pytest.raises(UserError, match=rf"^This result is for the invitation assessment #{ada.id} holds"):
        matching.match(session=session, unmatched_id=kept.id, attempt_id=bob.id, actor=RILEY)
    session.expire_all()
    assert [(a.state, a.vendor_attempt_id) for a in (session.get(AssessmentAttempt, bob.id),)] == [
        (AttemptState.SENT, bob.vendor_attempt_id)
    ]
    assert session.get(AssessmentAttempt, ada.id).state == AttemptState.SENT
    assert [u.id for u in matching.open_items(session)] == [kept.id]  # still waiting for a person

    outcome = matching.match(session=session, unmatched_id=kept.id, attempt_id=ada.id, actor=RILEY)

    session.expire_all()
    matched = session.get(AssessmentAttempt, ada.id)
    assert (outcome, matched.state, matched.score_percent) == (
        assessments.Applied.CHANGED,
        AttemptState.COMPLETED,
        77.0,
    )


@pytest.mark.parametrize("finished", ["completed", "expired"])
def test_a_result_is_not_matched_onto_a_finished_assessment(session, pipeline_with_assessment, finished):
    """helper-117: matched to an assessment holding its result, it wrote 30% over 92% with no word;
    to an expired one, nothing was applied and the result was resolved all the same, lost."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    if finished == "completed":
        scored(session, p, attempt, 92.0)
    else:
        assessments.apply_vendor_status(
            session=session,
            integration_id=p.integration.id,
            status=AttemptStatus(attempt.vendor_attempt_id, Progress.EXPIRED, "expired"),
            actor=SYSTEM,
        )
    kept = kept_for_matching(session, p.integration, "not-ours-1", "ada.work@example.com")

    refusal = {"completed": "already has its result (92%)", "expired": "is expired"}[finished]
    with pytest.raises(UserError, match=rf"^Assessment #{attempt.id} {re.escape(refusal)}"):
        matching.match(session=session, unmatched_id=kept.id, attempt_id=attempt.id, actor=RILEY)

    session.expire_all()
    left = session.get(AssessmentAttempt, attempt.id)
    assert (left.vendor_attempt_id, left.score_percent) == (
        attempt.vendor_attempt_id,
        92.0 if finished == "completed" else None,
    )
    assert [u.id for u in matching.open_items(session)] == [kept.id]


def test_two_recruiters_matching_one_result_at_once_match_it_once(session, pipeline_with_assessment):
    """helper-117: both were told "matched and applied", both assessments took the vendor's id."""
    p = pipeline_with_assessment
    ada = send_test(session, p.assessment, p.application)
    other = pipeline.add_application(
        session=session, job_id=p.job.id, name="Bob Byte", email="bob@example.com", actor=SYSTEM
    )
    bob = send_test(session, p.assessment, other)
    kept = kept_for_matching(session, p.integration, "not-ours-1", "ada.work@example.com")

    def colleague_matches_to_bob(own):
        matching.match(session=own, unmatched_id=kept.id, attempt_id=bob.id, actor=RILEY)

    session.expire_all()  # the result read from the database, as a page's request does
    with (
        a_colleague_meanwhile(session, reads(UnmatchedResult), colleague_matches_to_bob),
        pytest.raises(UserError, match="already matched"),
    ):
        matching.match(session=session, unmatched_id=kept.id, attempt_id=ada.id, actor=SYSTEM)

    session.expire_all()
    assert session.get(AssessmentAttempt, ada.id).vendor_attempt_id == ada.vendor_attempt_id
    assert session.get(AssessmentAttempt, bob.id).vendor_attempt_id == "not-ours-1"
    assert session.get(UnmatchedResult, kept.id).resolved_attempt_id == bob.id


def test_a_result_set_aside_as_a_colleague_matches_it_is_not_set_aside_too(session, pipeline_with_assessment):
    """helper-117: the audit log said it was set aside, though it had been applied."""
    p = pipeline_with_assessment
    ada = send_test(session, p.assessment, p.application)
    kept = kept_for_matching(session, p.integration, "not-ours-1", "ada.work@example.com")

    def colleague_matches(own):
        matching.match(session=own, unmatched_id=kept.id, attempt_id=ada.id, actor=RILEY)

    session.expire_all()  # the result read from the database, as a page's request does
    with (
        a_colleague_meanwhile(session, reads(UnmatchedResult), colleague_matches),
        pytest.raises(UserError, match="already matched"),
    ):
        matching.dismiss(session=session, unmatched_id=kept.id, actor=SYSTEM)

    session.expire_all()
    audit = session.exec(select(IntegrationLog.message).where(IntegrationLog.kind == "audit")).all()
    assert not [line for line in audit if line.startswith("Set aside")]
    assert session.get(UnmatchedResult, kept.id).resolved_attempt_id == ada.id


def test_the_needs_matching_list_shows_the_oldest_hundred_and_counts_them_all(session, screen):
    """helper-117: every waiting result was read whole (its JSON too) and drawn, on every reload of
    every open queue: another team sending from the same vendor account made thousands."""
    session.execute(
        sa.insert(UnmatchedResult),
        [
            {
                "integration_id": screen.id,
                "vendor_attempt_id": f"not-ours-{n}",
                "reason": "Kept.",
                "status": {},
            }
            for n in range(queue_view.UNMATCHED_SHOWN + 5)
        ],
    )
    session.commit()

    count, rows = queue_view.unmatched(session)

    assert (count, len(rows)) == (queue_view.UNMATCHED_SHOWN + 5, queue_view.UNMATCHED_SHOWN)
    assert rows[0].vendor_attempt_id == "not-ours-0"  # the oldest first
