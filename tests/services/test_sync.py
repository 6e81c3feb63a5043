"""The scheduled sweep where a listing cannot say all: no scores or no pending (iMocha), a failing page, a deletion."""

import datetime
import threading
import time

import httpx
import pytest
from sqlmodel import Session, select

from dashboard.services import (
    assessments,
    attempt_actions,
    deleted_at_vendor,
    matching,
    pipeline,
    sync,
    views,
)
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import disconnect, provider_for
from models import AssessmentAttempt, AttemptState, Integration, IntegrationLog, new_session, utcnow
from providers.base import AttemptStatus, Progress
from providers.sandbox.coderpad_screen import API as SCREEN_API
from providers.sandbox.coderpad_screen import DEMO_KEY as SCREEN_KEY
from tests.conftest import enter_stage, job_sending, send_to_applicants, vendor_test_stages


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


def test_past_the_fetch_cap_each_sweep_looks_up_those_looked_up_longest_ago(session, sandbox, monkeypatch):
    """iMocha lists no pending or started invitation, so each is looked up by its id, at most
    ``MAX_FETCHES_PER_SWEEP`` a sweep. A lookup that finds nothing new changes nothing, so the
    same oldest invitations were asked about every sweep and the rest never (helper-112): a
    candidate who started one of those showed "sent" for good once the callback was lost."""
    monkeypatch.setattr(sync, "MAX_FETCHES_PER_SWEEP", 2)
    sandbox.faults(vendor="imocha", drop_webhooks=True)
    integration, (stage,) = vendor_test_stages(session, "imocha", "Backend")
    attempts = send_to_applicants(session, stage, 4)
    ids = [a.id for a in attempts]

    sync.sync_integration(session=session, integration_id=integration.id)  # the two oldest, still pending
    for attempt in attempts[2:]:
        sandbox.act(attempt.vendor_attempt_id, "start", vendor="imocha")
    sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    states = [session.get(AssessmentAttempt, i).state for i in ids]
    assert states == [AttemptState.SENT, AttemptState.SENT, AttemptState.STARTED, AttemptState.STARTED]


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


def test_a_key_refused_for_one_report_is_not_tried_on_the_others(session, sandbox, imocha_sent):
    """A refused key is about the connection: the sweep stops there instead of asking about each."""
    listings = 1  # the completed invitations' listing names all four: no other is read
    sandbox.faults(
        vendor="imocha", drop_webhooks=True, fail_next=[{"delay_ms": 0}] * listings + [{"status": 401}] * 4
    )
    before = sandbox.stats("imocha")

    report = sync.sync_integration(session=session, integration_id=imocha_sent.id)

    assert sandbox.stats("imocha")["api_requests"] - before["api_requests"] == listings + 1
    assert "rejected (401)" in report.error
    session.expire_all()
    assert {a.state for a in session.exec(select(AssessmentAttempt))} == {AttemptState.SENT}

    sandbox.faults(vendor="imocha", drop_webhooks=True)  # the admin has mended the key
    report = sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    assert report.error is None
    assert [a.state for a in session.exec(select(AssessmentAttempt))] == [AttemptState.COMPLETED] * 4


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


def _delete_at_vendor(sandbox, vendor_attempt_id: str) -> None:
    """Someone deletes the test session at CoderPad Screen (``DELETE /tests/{id}``)."""
    gone = httpx.delete(
        f"{sandbox.url}{SCREEN_API}/tests/{vendor_attempt_id}", headers={"API-Key": SCREEN_KEY}
    )
    assert gone.status_code == 204


def _missing_for_an_hour_already(session, *attempts) -> None:
    """As if the sweep that first missed them ran an hour ago."""
    for attempt in attempts:
        row = session.get(AssessmentAttempt, attempt.id)
        row.missing_since = utcnow() - deleted_at_vendor.MISSING_FOR
        session.add(row)
    session.commit()


def test_a_session_deleted_at_the_vendor_is_cancelled_once_missing_for_an_hour(
    session, sandbox, pipeline_with_assessment
):
    """Left out of CoderPad Screen's complete listing and a 404 when looked up: cancelled, not left Sent."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    kept, deleted = send_to_applicants(session, p.assessment, 2)
    sandbox.start(kept.vendor_attempt_id)
    _missing_for_an_hour_already(session, kept)  # missed once before, listed again now
    _delete_at_vendor(sandbox, deleted.vendor_attempt_id)
    before = sandbox.stats()["api_requests"]

    sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert session.get(AssessmentAttempt, kept.id).state == AttemptState.STARTED
    assert session.get(AssessmentAttempt, kept.id).missing_since is None
    first_miss = session.get(AssessmentAttempt, deleted.id)
    assert first_miss.state == AttemptState.SENT and first_miss.missing_since is not None  # once is no proof
    assert sandbox.stats()["api_requests"] - before == 2  # the listing's one page, and one lookup
    assert (
        "1 open attempt is no longer at CoderPad Screen (deleted there?); each is cancelled once missing for 1 hour."
        in session.get(Integration, p.integration.id).last_error
    )

    sync.sync_integration(session=session, integration_id=p.integration.id)

    assert sandbox.stats()["api_requests"] - before == 3  # within the hour it is not asked about again
    _missing_for_an_hour_already(session, deleted)
    report = sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    gone = session.get(AssessmentAttempt, deleted.id)
    assert gone.state == AttemptState.CANCELLED and gone.raw_status == deleted_at_vendor.DELETED
    assert report.error is None and report.corrected == 1
    (card,) = views.integrations(session)
    assert card.health == "connected"  # the line went with the attempt: cancelled, it is open no more

    retake = attempt_actions.reattempt(session=session, attempt_id=deleted.id, actor=SYSTEM)

    assert retake.sent and sandbox.stats()["invitations_created"] == 3  # two at first, one fresh


def test_nothing_is_cancelled_when_the_listing_holds_none_of_ours(session, sandbox, pipeline_with_assessment):
    """Every attempt missing looks like a key swapped for another account's: the admin is told, no cancel."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    sent = send_to_applicants(session, p.assessment, 2)
    for attempt in sent:
        _delete_at_vendor(sandbox, attempt.vendor_attempt_id)
    _missing_for_an_hour_already(session, *sent)

    sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert [session.get(AssessmentAttempt, a.id).state for a in sent] == [AttemptState.SENT] * 2
    assert "check that the key and region" in session.get(Integration, p.integration.id).last_error


def _one_finished_one_deleted_an_hour_ago(session, sandbox, p):
    """Two sent: the first finished (and synced as such), the second deleted at the vendor an hour ago."""
    sandbox.faults(drop_webhooks=True)
    finished, deleted = send_to_applicants(session, p.assessment, 2)
    sandbox.start(finished.vendor_attempt_id)
    sandbox.submit(finished.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    session.expire_all()
    assert session.get(AssessmentAttempt, finished.id).state == AttemptState.COMPLETED
    _delete_at_vendor(sandbox, deleted.vendor_attempt_id)
    _missing_for_an_hour_already(session, deleted)
    return finished, deleted


def test_the_only_open_session_deleted_is_proven_by_a_finished_one_in_the_same_listing(
    session, sandbox, pipeline_with_assessment
):
    """Nothing else is open, but a finished session of ours is listed: the key reaches the right account."""
    p = pipeline_with_assessment
    _finished, deleted = _one_finished_one_deleted_an_hour_ago(session, sandbox, p)

    report = sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    gone = session.get(AssessmentAttempt, deleted.id)
    assert gone.state == AttemptState.CANCELLED and gone.raw_status == deleted_at_vendor.DELETED
    assert report.corrected == 1


def test_a_finished_session_listed_under_another_reference_proves_nothing(
    session, sandbox, pipeline_with_assessment
):
    """The listed session has our id but not our reference (tag): no proof, the deleted one is kept."""
    p = pipeline_with_assessment
    finished, deleted = _one_finished_one_deleted_an_hour_ago(session, sandbox, p)
    row = session.get(AssessmentAttempt, finished.id)
    row.reference = "assay-not-this-one"  # as if the id were another account's session
    session.add(row)
    session.commit()

    sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert session.get(AssessmentAttempt, deleted.id).state == AttemptState.SENT
    assert "check that the key and region" in session.get(Integration, p.integration.id).last_error


def test_an_attempt_the_vendor_answers_for_is_no_longer_missing(session, sandbox, pipeline_with_assessment):
    """Any status applied from the vendor (a webhook, a refresh) stops the missing clock, not only a sweep."""
    p = pipeline_with_assessment
    attempt = send_to_applicants(session, p.assessment, 1)[0]
    _missing_for_an_hour_already(session, attempt)
    sandbox.start(attempt.vendor_attempt_id)

    assessments.refresh_attempt(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.expire_all()
    refreshed = session.get(AssessmentAttempt, attempt.id)
    assert refreshed.state == AttemptState.STARTED and refreshed.missing_since is None


def test_after_a_key_change_only_an_older_listed_attempt_proves_the_older_ones_deleted(
    session, sandbox, pipeline_with_assessment
):
    """A key or region changed since two were sent: only newer tests are listed, so the two are kept."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    older, also_older, _newer = send_to_applicants(session, p.assessment, 3)  # only the newest is listed
    two_days_ago = utcnow() - datetime.timedelta(days=2)
    for attempt in (older, also_older):
        row = session.get(AssessmentAttempt, attempt.id)
        row.sent_at = two_days_ago
        session.add(row)
    integration = session.get(Integration, p.integration.id)
    integration.credentials_changed_at = utcnow() - datetime.timedelta(days=1)
    newer = session.get(AssessmentAttempt, _newer.id)
    newer.sent_under = integration.credentials_changed_at  # sent with the new key
    session.add_all([integration, newer])
    session.commit()
    for attempt in (older, also_older):
        _delete_at_vendor(sandbox, attempt.vendor_attempt_id)
    _missing_for_an_hour_already(session, older, also_older)

    sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert [session.get(AssessmentAttempt, a.id).state for a in (older, also_older)] == [
        AttemptState.SENT
    ] * 2
    assert "check that the key and region" in session.get(Integration, p.integration.id).last_error


def test_an_attempt_the_vendor_answered_for_after_the_sweep_read_it_is_not_cancelled(
    session, sandbox, pipeline_with_assessment
):
    """helper-129: the sweep cancelled on the missing clock it read at its start; a webhook's fetch
    or a Refresh that found the attempt meanwhile (and stopped the clock) was not looked at."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    listed, missing = send_to_applicants(session, p.assessment, 2)
    _missing_for_an_hour_already(session, missing)
    integration = session.get(Integration, p.integration.id)
    swept = session.get(AssessmentAttempt, missing.id)  # as the sweep read it: missing for an hour
    proof = deleted_at_vendor.AccountProof.of(integration)
    proof.saw(
        AttemptStatus(listed.vendor_attempt_id, Progress.SENT, "sent"), listed, assessments.Applied.UNCHANGED
    )
    session.commit()  # the sweep's copies are kept as read (expire_on_commit off)
    with Session(session.get_bind()) as refresh:  # a Refresh meanwhile: the vendor answers for it
        assessments.refresh_attempt(session=refresh, attempt_id=missing.id, actor=SYSTEM)

    deleted_at_vendor.settle(
        session,
        provider=provider_for(integration),
        open_attempts=[swept],
        seen=set(),
        not_found=[swept],
        proof=proof,
        apply=lambda status: assessments.apply_vendor_status(
            session=session, integration_id=integration.id, status=status, actor=SYSTEM
        ),
    )

    session.expire_all()
    assert session.get(AssessmentAttempt, missing.id).state == AttemptState.SENT


def test_after_two_key_changes_an_attempt_is_proven_deleted_only_by_one_sent_under_the_same_key(
    session, sandbox, pipeline_with_assessment
):
    """helper-129: a team moved to a new account, then rotated its key. An attempt listed from the
    new account, sent before the rotation, proved an open one sent to the old account, alive
    there, deleted: both were "sent before the last change". Now only one sent under the same
    key proves it; one sent under the same key as a listed one, and gone, is still cancelled."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)
    to_the_old_account, listed, gone = send_to_applicants(session, p.assessment, 3)
    first_key = utcnow() - datetime.timedelta(days=3)  # the connection made
    second_key = utcnow() - datetime.timedelta(days=2)  # the new account's
    for attempt, under in ((to_the_old_account, first_key), (listed, second_key), (gone, second_key)):
        row = session.get(AssessmentAttempt, attempt.id)
        row.sent_at = row.sent_under = under
        session.add(row)
    integration = session.get(Integration, p.integration.id)
    integration.created_at = first_key
    integration.credentials_changed_at = utcnow() - datetime.timedelta(days=1)  # its key rotated
    session.add(integration)
    session.commit()
    for attempt in (to_the_old_account, gone):
        _delete_at_vendor(sandbox, attempt.vendor_attempt_id)  # not in the account reached now
    _missing_for_an_hour_already(session, to_the_old_account, gone)

    sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert [session.get(AssessmentAttempt, a.id).state for a in (to_the_old_account, listed, gone)] == [
        AttemptState.SENT,
        AttemptState.SENT,
        AttemptState.CANCELLED,
    ]
    assert "check that the key and region" in session.get(Integration, p.integration.id).last_error


def test_a_send_keeps_the_connections_credentials_it_went_under(session, sandbox, pipeline_with_assessment):
    p = pipeline_with_assessment
    [attempt] = send_to_applicants(session, p.assessment, 1)

    integration = session.get(Integration, p.integration.id)
    assert session.get(AssessmentAttempt, attempt.id).sent_under == (
        integration.credentials_changed_at or integration.created_at
    )


def _two_tests_sent(session) -> tuple[Integration, list[AssessmentAttempt]]:
    """A HackerRank connection, and an attempt sent for each of two of its tests."""
    integration, (first_stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer")
    second_stage = job_sending(session, integration, "Backend Engineer", test_index=1)
    attempts = []
    for stage in (first_stage, second_stage):
        attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
        assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
        session.refresh(attempt)
        attempts.append(attempt)
    return integration, attempts


def test_one_tests_listing_refused_does_not_hold_back_the_tests_after_it(session, sandbox):
    """helper-129: HackerRank lists test by test; a 403 for one test (the key's user cannot see it)
    ended the listing, and the sweep, there, every sweep: the tests after it were never read
    again. The others are listed and applied; the refusal is said, and nothing is taken for
    deleted."""
    integration, attempts = _two_tests_sent(session)
    for attempt in attempts:
        sandbox.act(attempt.vendor_attempt_id, "start", vendor="hackerrank")
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"status": 403}])  # the first test's

    report = sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    states = sorted(session.get(AssessmentAttempt, a.id).state.value for a in attempts)
    assert states == [AttemptState.SENT.value, AttemptState.STARTED.value]
    assert report.corrected == 1 and "lacks access to this test" in (report.unlisted or "")


def test_a_test_the_vendor_will_not_list_leaves_the_rest_of_the_sweep_to_run(session, sandbox):
    """helper-131: a test refused (deleted at HackerRank, or unseen by the key's user) ended the
    sweep once the other tests were listed, every sweep: the attempts the listing left out were
    never looked up, none missing was ever seen, and the connection was never swept. The sweep
    now goes on: the other tests' omitted attempts are looked up and their missing clocks
    started; the refused test's attempts are neither asked about one by one nor taken for
    deleted; the sweep's time is set and the refusal said on the connection's health."""
    integration, (first_stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer")
    second_stage = job_sending(session, integration, "Backend Engineer", test_index=1)
    sent = []
    for stage, name in ((first_stage, "Ada"), (second_stage, "Bob"), (second_stage, "Cy")):
        attempt = session.get(AssessmentAttempt, enter_stage(session, stage, name=name, email=f"{name}@x.io"))
        assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
        session.refresh(attempt)
        sent.append(attempt)
    refused_test = min(a.vendor_test_id for a in sent)  # listed first: the 403 below is its listing's
    (in_refused,) = [a for a in sent if a.vendor_test_id == refused_test]
    listed, deleted = [a for a in sent if a.vendor_test_id != refused_test]
    sandbox.act(listed.vendor_attempt_id, "start", vendor="hackerrank")
    deleted.vendor_attempt_id = "999999"  # an invitation HackerRank no longer has: a 404 when asked for
    session.add(deleted)
    session.commit()
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"status": 403}])

    report = sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    assert (report.error, report.corrected) == (None, 1)
    assert "lacks access to this test" in report.unlisted
    assert session.get(AssessmentAttempt, listed.id).state == AttemptState.STARTED
    looked_up = session.get(AssessmentAttempt, deleted.id)
    assert looked_up.looked_up_at is not None and looked_up.missing_since is not None
    left = session.get(AssessmentAttempt, in_refused.id)
    assert (left.state, left.looked_up_at, left.missing_since) == (AttemptState.SENT, None, None)
    connection = session.get(Integration, integration.id)
    assert connection.last_sync_at is not None
    said = f'The test "{in_refused.vendor_test_name}" could not be listed at HackerRank; its open attempts'
    assert connection.last_error.startswith(said) and report.unlisted.startswith(said)


def test_a_test_the_vendor_still_will_not_list_stays_on_the_connections_health_logged_once_a_day(
    session, sandbox
):
    """helper-134: the sweep's own success hid the line from the next sweep on (no call had
    failed since it was said), and it was not said again, being the same: a test deleted at
    the vendor was shown once, for one sweep's interval, then never. helper-136: kept shown by a
    second commit, it was hidden and shown again every sweep, waking every open page twice."""
    integration, _attempts = _two_tests_sent(session)
    revisions = []

    def sweep() -> None:
        first_test_refused = [{"status": 404}]
        sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=first_test_refused)
        sync.sync_integration(session=session, integration_id=integration.id)
        revisions.append(pipeline.outside_jobs_revision(session))

    for _sweep in range(3):
        if revisions:
            time.sleep(1)  # seconds on: a success in the line's own second reads as before it
        sweep()

    session.expire_all()
    (card,) = views.integrations(session)
    assert card.health == "failing" and "could not be listed at HackerRank" in card.last_error
    errors = select(IntegrationLog).where(
        IntegrationLog.integration_id == integration.id, IntegrationLog.kind == "error"
    )
    [logged] = session.exec(errors).all()  # said once, shown while it lasts
    assert revisions[1] == revisions[2]  # still so: no open page woken

    logged.at -= datetime.timedelta(days=1, minutes=1)  # a day on, the line still so (helper-137)
    session.add(logged)
    session.commit()
    sweep()
    assert len(session.exec(errors).all()) == 2  # logged again: "Errors (24 h)" counts it


def test_every_test_refused_its_access_is_the_sweeps_failure_not_a_sweep(session, sandbox):
    """helper-134: a locked account refuses each test on its own (a 403 each); with every test
    refused the sweep listed nothing, yet set its time, and the connection read as synced."""
    integration, attempts = _two_tests_sent(session)
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"status": 403}] * 2)

    report = sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    assert report.error and "(and 1 other test)" in report.error and report.unlisted is None
    connection = session.get(Integration, integration.id)
    assert connection.last_sync_at is None and connection.last_error == report.error
    assert {session.get(AssessmentAttempt, a.id).looked_up_at for a in attempts} == {None}


def test_the_line_of_a_sweep_goes_once_the_attempts_it_was_about_are_closed(session, sandbox):
    """helper-136: with nothing left open, the sweep returns before asking the vendor, and the
    last sweep's line about the attempts closed since stayed on the health for a day."""
    integration, attempts = _two_tests_sent(session)
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"status": 404}])
    sync.sync_integration(session=session, integration_id=integration.id)
    assert "could not be listed" in session.get(Integration, integration.id).last_error  # said, to go
    for attempt in attempts:
        attempt_actions.cancel_by_hand(session=session, attempt_id=attempt.id, actor=SYSTEM)

    sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    (card,) = views.integrations(session)
    assert (card.health, card.last_error, card.open_attempts) == ("connected", "", 0)


def test_a_connections_only_test_deleted_at_the_vendor_is_said_by_name_not_as_the_accounts_failure(
    session, sandbox
):
    """helper-136: every test with open attempts refused was taken for the account shut out,
    so one deleted test (a 404, that test's alone) failed the whole sweep in the vendor's words."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer")
    attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"status": 404}])

    report = sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    assert report.error is None and report.unlisted.startswith(f'The test "{attempt.vendor_test_name}"')
    assert session.get(Integration, integration.id).last_sync_at is not None


def test_one_report_the_vendor_keeps_failing_to_give_does_not_hold_back_the_rest(
    session, sandbox, imocha_sent
):
    """helper-112: one finished invitation whose report answered 500 (its tries spent) ended the
    sweep as if the vendor were down: the other three reports were never asked for, and the next
    sweep asked in the same order, met the same 500 first, and so on for as long as it lasted.
    Two such answers in a row still end it (the vendor, not the attempt)."""
    sandbox.faults(vendor="imocha", fail_next=[{"delay_ms": 0}] + [{"status": 500}] * 3)  # the listing, then

    report = sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    states = [a.state for a in session.exec(select(AssessmentAttempt).order_by(AssessmentAttempt.id))]
    assert sorted(states) == [AttemptState.COMPLETED] * 3 + [AttemptState.SENT]
    assert report.corrected == 3
    assert "1 attempt could not be read at the vendor" in session.get(Integration, imocha_sent.id).last_error


def test_two_reports_the_vendor_keeps_failing_to_give_wait_behind_the_others_next_sweep(
    session, sandbox, imocha_sent
):
    """helper-152: two reports answering 500 in a row end the sweep (the vendor, it seems), and the
    reports were asked for in the listing's order: the next sweep asked for the same two first, met
    the same 500s, and so on every sweep, no other result ever read. Asked for once, they wait
    behind the others next time (the sandbox fails calls in turn: the next sweep's third and fourth)."""
    failing_pair = [{"status": 500}] * 6  # two reports, each its three tries spent

    sandbox.faults(vendor="imocha", fail_next=[{"delay_ms": 0}, *failing_pair])  # the listing, then
    first = sync.sync_integration(session=session, integration_id=imocha_sent.id)
    session.expire_all()
    asked_first = {a.id for a in session.exec(select(AssessmentAttempt)) if a.looked_up_at is not None}
    sandbox.faults(
        vendor="imocha", fail_next=[{"delay_ms": 0}] * 3 + failing_pair
    )  # listing, two reports, then
    second = sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    completed = {a.id for a in session.exec(select(AssessmentAttempt)) if a.state == AttemptState.COMPLETED}
    assert (first.corrected, second.corrected, len(asked_first)) == (0, 2, 2)
    assert first.error and second.error  # two in a row again: the vendor, it seems
    assert completed.isdisjoint(asked_first)  # the others' reports were asked for first
    sandbox.faults(vendor="imocha")
    assert sync.sync_integration(session=session, integration_id=imocha_sent.id).corrected == 2


def test_a_refusal_between_two_failing_reports_does_not_make_them_two_in_a_row(session, sandbox, imocha_sent):
    """Only 5xx in a row end the sweep (the vendor, not the attempt): a report answered 500, the
    next refused (404, an answer about that one), the next 500 again: the fourth is still read."""
    sandbox.faults(
        vendor="imocha",
        fail_next=[{"delay_ms": 0}] + [{"status": 500}] * 3 + [{"status": 404}] + [{"status": 500}] * 3,
    )

    report = sync.sync_integration(session=session, integration_id=imocha_sent.id)

    session.expire_all()
    states = [a.state for a in session.exec(select(AssessmentAttempt).order_by(AssessmentAttempt.id))]
    assert (report.error, report.corrected) == (None, 1)
    assert sorted(states) == [AttemptState.COMPLETED] + [AttemptState.SENT] * 3
    assert "3 attempts could not be read at the vendor" in session.get(Integration, imocha_sent.id).last_error


def test_a_sweep_of_a_connection_disconnected_or_gone_says_so_and_writes_nothing(
    session, pipeline_with_assessment, sandbox
):
    """helper-140: Sync now on a card disconnected meanwhile said "Checked 0 open attempts" and
    wrote its sweep time on the retired connection; on an id with no row, a server error."""
    p = pipeline_with_assessment
    disconnect(session=session, integration_id=p.integration.id)
    swept_before = session.get(Integration, p.integration.id).last_sync_at

    disconnected = sync.sync_integration(session=session, integration_id=p.integration.id)
    missing = sync.sync_integration(session=session, integration_id=p.integration.id + 999)

    assert "no longer exists" in disconnected.error and "no longer exists" in missing.error
    session.expire_all()
    assert session.get(Integration, p.integration.id).last_sync_at == swept_before


def test_a_result_taken_under_another_address_is_kept_for_matching_once(session, sandbox):
    """helper-152: with its webhook lost, the sweep read the attempt under another candidate's
    address and dropped it: nothing kept for a person, the attempt "sent" for good, read again and
    dropped again every sweep. Kept as a webhook's is; the next sweep's same word writes nothing."""
    sandbox.faults(vendor="hackerrank", drop_webhooks=True)
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer")
    attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    sandbox.act(attempt.vendor_attempt_id, "under_another_email", vendor="hackerrank")
    sandbox.act(attempt.vendor_attempt_id, "submit", vendor="hackerrank")  # a score, its tuples kept as lists

    first = sync.sync_integration(session=session, integration_id=integration.id)
    revision = pipeline.workspace_revision(session)
    second = sync.sync_integration(session=session, integration_id=integration.id)

    session.expire_all()
    [kept] = matching.open_items(session)
    assert (first.corrected, second.corrected) == (0, 0)
    assert (kept.vendor_attempt_id, kept.candidate_email) == (
        attempt.vendor_attempt_id,
        "someone.else@example.com",
    )
    assert "another candidate" in kept.reason
    assert session.get(AssessmentAttempt, attempt.id).state == AttemptState.SENT  # for a person to match
    assert pipeline.workspace_revision(session) == revision  # the second sweep's same word: no page woken


def test_a_sweep_failing_after_its_connection_was_disconnected_writes_nothing_on_it(
    session, sandbox, imocha_sent
):
    """helper-152: a sweep whose vendor failed after an admin disconnected the connection (its page
    on its way) wrote the failure on the retired connection, which helper-138 had ruled out for a
    sweep that ends well."""
    # The listing's reply held a second while the admin disconnects, then two reports failing in a row.
    sandbox.faults(vendor="imocha", fail_next=[{"reply_delay_ms": 1000}, *[{"status": 500}] * 6])

    def admin_disconnects() -> None:
        sandbox.wait_for_a_held_reply("imocha")  # the listing is made, its reply on its way
        with new_session() as own:
            disconnect(session=own, integration_id=imocha_sent.id)

    admin = threading.Thread(target=admin_disconnects)
    admin.start()
    report = sync.sync_integration(session=session, integration_id=imocha_sent.id)
    admin.join()

    session.expire_all()
    integration = session.get(Integration, imocha_sent.id)
    logged = session.exec(select(IntegrationLog).where(IntegrationLog.kind == "error")).all()
    assert "500" in report.error
    assert integration.disconnected_at is not None and integration.last_error is None
    assert logged == []
