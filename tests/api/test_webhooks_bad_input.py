"""Odd deliveries over real HTTP: each is refused with a clear status or applied, never a 500, and
none holds up the deliveries after it (found by a review of the webhook path)."""

import json
import time

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from dashboard.services import pipeline, sync, views
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import disconnect, webhook_secret, webhook_url
from models import (
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Integration,
    WebhookDelivery,
    new_session,
)
from tests.conftest import coodesh_result, send_test, vendor_test_stages


@pytest.fixture
def coodesh_pair(session, sandbox, assay_api) -> list[AssessmentAttempt]:
    """Two candidates sent a Coodesh test (Coodesh pushes results; they are applied as sent)."""
    _coodesh, (stage,) = vendor_test_stages(
        session, "coodesh", "Backend", options={"company_id": "coodesh-demo-company"}
    )
    people = [("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com")]
    return [
        send_test(
            session,
            stage,
            pipeline.add_application(
                session=session, job_id=stage.job_id, name=name, email=email, actor=SYSTEM
            ),
        )
        for name, email in people
    ]


def _post(session, attempt, body) -> httpx.Response:
    url = webhook_url(session.get(Integration, attempt.integration_id))
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(url, content=content, headers={"Content-Type": "application/json"}, timeout=10)


def _all_applied(seconds: float = 10) -> list[WebhookDelivery]:
    deadline = time.monotonic() + seconds
    while True:
        with new_session() as s:
            deliveries = list(s.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        if all(d.applied_at for d in deliveries) or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.1)


def test_a_status_too_long_to_keep_is_cut_and_holds_up_no_delivery_after_it(session, coodesh_pair):
    """PostgreSQL refused the history line of a status over 60 characters; the delivery failed
    again on every retry, first in its connection's line, and every delivery after it waited."""
    odd, fine = coodesh_pair
    wordy = "awaiting the proctoring team's manual review of the recorded session " * 2

    answers = [_post(session, odd, {"attempt_id": odd.vendor_attempt_id, "status": wordy})]
    answers.append(_post(session, fine, coodesh_result(fine, email="grace@example.com", name="Grace Hopper")))

    assert [a.status_code for a in answers] == [200, 200]
    deliveries = _all_applied()
    assert [(d.applied_at is not None, d.error) for d in deliveries] == [(True, None), (True, None)]
    session.expire_all()
    assert session.get(AssessmentAttempt, fine.id).state == AttemptState.COMPLETED
    held = session.get(AssessmentAttempt, odd.id)
    assert (held.state, held.raw_status) == (AttemptState.ERROR, wordy[:60])
    line = session.exec(select(ApplicationEvent).where(ApplicationEvent.attempt_id == odd.id)).all()[-1]
    assert line.raw_status == wordy[:60]


@pytest.mark.parametrize("time_taken", [36_000_000, 1e307, "1e307"])
def test_a_time_taken_too_long_to_be_real_is_left_out_and_the_result_kept(session, coodesh_pair, time_taken):
    """Ten hours in milliseconds read as minutes overflowed PostgreSQL's column (the delivery
    then failed on every retry); 1e307 minutes overflowed the reading itself (a 500, so the
    vendor's every retry failed too and the grade was lost)."""
    attempt = coodesh_pair[0]

    answer = _post(session, attempt, coodesh_result(attempt, time_taken=time_taken))

    assert answer.status_code == 200
    [delivery] = _all_applied()
    assert (delivery.applied_at is not None, delivery.error) == (True, None)
    session.expire_all()
    done = session.get(AssessmentAttempt, attempt.id)
    assert (done.state, done.score_percent, done.duration_seconds) == (AttemptState.COMPLETED, 82, None)
    if time_taken == 36_000_000:  # read, then found too long (the others cannot even be read)
        assert any("time taken that cannot be" in warning for warning in done.warnings)


def test_an_attempt_id_longer_than_any_is_refused_with_400(session, coodesh_pair):
    """Stored, it failed on every try to apply on PostgreSQL (the id kept for matching is 120
    characters at most), and held up every delivery after it."""
    attempt = coodesh_pair[0]

    answer = _post(session, attempt, coodesh_result(attempt, attempt_id="a" * 121))

    assert answer.status_code == 400 and "over 120 characters" in answer.json()["message"]
    assert session.exec(select(WebhookDelivery)).all() == []


def test_a_reference_that_is_no_url_is_read_as_none(session, coodesh_pair):
    """``callback_url`` "http://[" made Python's URL reader raise: a 500 on every retry."""
    attempt = coodesh_pair[0]

    answer = _post(session, attempt, coodesh_result(attempt, callback_url="http://["))

    assert answer.status_code == 200
    _all_applied()
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).state == AttemptState.COMPLETED


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000])
def test_a_body_nested_too_deep_to_read_is_refused_with_400(session, coodesh_pair, body):
    """Python's JSON reader gives up on deep nesting with RecursionError, which is no ValueError."""
    answer = _post(session, coodesh_pair[0], body)

    assert answer.status_code == 400
    assert session.exec(select(WebhookDelivery)).all() == []


@pytest.fixture
def codesignal_connection(session, sandbox, assay_api) -> Integration:
    integration, _stages = vendor_test_stages(session, "codesignal")
    return integration


def test_codesignals_check_on_saving_the_webhook_is_answered_200(session, sandbox, codesignal_connection):
    """CodeSignal saves a webhook only if its empty first delivery gets exactly 200 (and marks the
    endpoint unhealthy on any other answer, queueing events behind it); Assay answered 202."""
    saved = httpx.post(
        sandbox.url + "/codesignal/client-dashboard/webhooks",
        data={"url": webhook_url(codesignal_connection), "secret": webhook_secret(codesignal_connection)},
        timeout=15,
    )

    assert saved.status_code == 200 and "Webhook saved and tested" in saved.text


def test_a_signature_that_is_not_ascii_is_refused_with_401(session, codesignal_connection):
    """Comparing it as text raised TypeError: a 500 instead of a refusal."""
    answer = httpx.post(
        webhook_url(codesignal_connection),
        content=b'{"event": "companyTestSessionStarted", "triggeredOn": 1, "payload": {}}',
        headers={"Content-Type": "application/json", "X-CodeSignal-Signature": "\u00e9".encode("latin-1")},
        timeout=10,
    )

    assert answer.status_code == 401
    assert session.exec(select(WebhookDelivery)).all() == []


def test_a_body_too_large_is_refused_with_413_unread(session, coodesh_pair):
    """Read whole into memory before anything was checked, and stored whole once authenticated."""
    attempt = coodesh_pair[0]
    huge = json.dumps(coodesh_result(attempt, notes="x" * (5 * 1024 * 1024))).encode()

    answer = _post(session, attempt, huge)

    assert answer.status_code == 413
    assert session.exec(select(WebhookDelivery)).all() == []


def test_a_started_test_is_not_moved_back_by_way_of_an_odd_status(session, coodesh_pair):
    """An error leaves to any step: started, then a status Assay cannot read (error), then a late
    "pending" put the test back to "sent", as if the candidate had never begun."""
    attempt = coodesh_pair[0]
    for status in ("started", "awaiting_manual_review", "pending"):
        assert (
            _post(session, attempt, {"attempt_id": attempt.vendor_attempt_id, "status": status}).status_code
            == 200
        )
        _all_applied()

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt.id)
    assert (kept.state, kept.raw_status) == (AttemptState.ERROR, "awaiting_manual_review")


def test_deliveries_refused_show_on_the_connection_s_health_until_one_is_accepted(
    session, sandbox, codesignal_connection
):
    """helper-107: a delivery refused (a signature made with another secret, a token from before a
    change, a body Assay cannot read) left no trace but a log line: with every one refused, the
    connection still read "connected" with no error. Kept at most once a minute, so neither a
    vendor's retries nor anyone posting to the address can fill the error log."""

    def refused() -> int:
        return httpx.post(
            webhook_url(codesignal_connection),
            content=b'{"event": "companyTestSessionStarted", "triggeredOn": 1, "payload": {}}',
            headers={
                "Content-Type": "application/json",
                "X-CodeSignal-Signature": "made-with-another-secret",
            },
            timeout=10,
        ).status_code

    def health() -> tuple[str, str, int]:
        session.expire_all()
        [view] = [v for v in views.integrations(session) if v.id == codesignal_connection.id]
        return view.health, view.webhooks_refused, view.errors_24h

    before = pipeline.outside_jobs_revision(session)
    assert (refused(), refused()) == (401, 401)
    assert pipeline.outside_jobs_revision(session) == before + 1  # the open integrations pages wake, once
    state, error, errors = health()
    assert (state, errors) == ("failing", 1)
    assert error.startswith("Webhook delivery refused (401): The CodeSignal webhook signature does not match")
    assert "Assay shows (at " in error and error.endswith("; none accepted since.")

    saved = httpx.post(  # CodeSignal's own first delivery, signed with the connection's secret
        sandbox.url + "/codesignal/client-dashboard/webhooks",
        data={"url": webhook_url(codesignal_connection), "secret": webhook_secret(codesignal_connection)},
        timeout=15,
    )
    assert saved.status_code == 200
    assert health() == ("connected", "", 1)
    assert pipeline.outside_jobs_revision(session) == before + 2  # and wake to take the note away

    time.sleep(
        1.1
    )  # times are kept to the second: a refusal in the acceptance's own second reads as before it
    assert refused() == 401  # within the minute, but after one was accepted: said again
    state, _error, errors = health()
    assert (state, errors) == ("failing", 2)


def test_a_webhook_token_the_master_key_cannot_read_is_a_refusal_said_on_the_card(
    session, codesignal_connection
):
    """helper-108: with the master key that encrypted it gone, the token could not be compared and
    every delivery was answered 500, with nothing on the connection's card."""
    address = webhook_url(codesignal_connection)
    codesignal_connection.webhook_token_encrypted = Fernet(Fernet.generate_key()).encrypt(b"t").decode()
    session.add(codesignal_connection)
    session.commit()

    answer = httpx.post(address, content=b"{}", headers={"Content-Type": "application/json"}, timeout=10)

    assert answer.status_code == 401
    session.expire_all()
    [view] = [v for v in views.integrations(session) if v.id == codesignal_connection.id]
    assert "webhook token can no longer be read: rotate its key" in view.webhooks_refused


def _codesignal_posts_to(sandbox, connection: Integration) -> None:
    """The admin pastes the connection's webhook address and secret in CodeSignal's settings."""
    saved = httpx.post(
        sandbox.url + "/codesignal/client-dashboard/webhooks",
        data={"url": webhook_url(connection), "secret": webhook_secret(connection)},
        timeout=15,
    )
    assert saved.status_code == 200


def test_a_codesignal_connection_made_again_says_so_while_codesignal_posts_to_the_old_address(
    session, sandbox, assay_api
):
    """helper-118: made again, a connection has a new webhook address, and CodeSignal, given the old
    one by hand, posts there still; the card read "connected" while every change waited for a sync."""
    old, _stages = vendor_test_stages(session, "codesignal", "Backend")
    _codesignal_posts_to(sandbox, old)
    disconnect(session=session, integration_id=old.id)
    made_again, (stage,) = vendor_test_stages(session, "codesignal", "Frontend")
    attempt = send_test(
        session,
        stage,
        pipeline.add_application(
            session=session, job_id=stage.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
        ),
    )
    sandbox.start(attempt.vendor_attempt_id, vendor="codesignal")  # told to the old address: refused

    sync.sync_integration(session=session, integration_id=made_again.id)

    [card] = views.integrations(session)
    assert card.health == "connected"
    assert card.webhooks_silent == (
        "The last sync found 1 change no webhook told of, and no webhook has come yet: check that "
        "CodeSignal posts to this connection's webhook address below (a connection made again has "
        "a new one; saving this connection registers it again where Assay registers it). Until then, "
        "news waits for each sync."
    )

    _codesignal_posts_to(sandbox, made_again)  # its first delivery, CodeSignal's check, arrives
    session.expire_all()
    [card] = views.integrations(session)
    assert card.webhooks_silent == ""
