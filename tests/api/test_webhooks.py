"""The webhook endpoint over real HTTP: the sandbox delivers to Assay's API on loopback."""

import json
import pathlib
import time

import httpx
import pytest
from sqlmodel import select

from dashboard.api.applier import QUIET
from dashboard.api.routes import build_api
from dashboard.jobs.scheduler import retry_webhook_inbox
from dashboard.services import assessments, pipeline, secrets, views
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import webhook_url
from models import AssessmentAttempt, AttemptState, Integration, WebhookDelivery, new_session
from tests.conftest import SECOND_SCREEN_KEY, connect_screen
from tests.http_server import serving

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "coderpad_screen"


@pytest.fixture
def sent_attempt(session, assay_api, pipeline_with_assessment) -> AssessmentAttempt:
    p = pipeline_with_assessment
    outcome = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=outcome.attempt_id, actor=SYSTEM)
    return session.get(AssessmentAttempt, outcome.attempt_id)


def _wait_for_state(attempt_id: int, state: AttemptState, seconds: float = 10) -> AssessmentAttempt:
    deadline = time.monotonic() + seconds
    while True:
        with new_session() as session:
            attempt = session.get(AssessmentAttempt, attempt_id)
            if attempt.state == state or time.monotonic() > deadline:
                return attempt
        time.sleep(0.1)


def _url(session, attempt) -> str:
    return webhook_url(session.get(Integration, attempt.integration_id))


def test_the_vendors_webhook_moves_the_attempt(session, sent_attempt, sandbox):
    sandbox.start(sent_attempt.vendor_attempt_id)
    assert _wait_for_state(sent_attempt.id, AttemptState.STARTED).state == AttemptState.STARTED

    sandbox.submit(sent_attempt.vendor_attempt_id)
    attempt = _wait_for_state(sent_attempt.id, AttemptState.COMPLETED)

    assert attempt.state == AttemptState.COMPLETED
    assert attempt.score_percent is not None
    # A delivery is marked applied just after the move it brought (and the completion's rules).
    deliveries = _wait_for_deliveries_applied(session, 2)
    assert len(deliveries) == 2 and all(d.applied_at for d in deliveries)


def test_the_same_delivery_three_times_is_stored_once(session, sent_attempt):
    body = json.loads((FIXTURES / "webhook_started.json").read_text())
    body["id"] = int(sent_attempt.vendor_attempt_id)
    url = _url(session, sent_attempt)

    answers = [httpx.post(url, json=body, timeout=10) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]  # one stored (below), the others known
    assert len(session.exec(select(WebhookDelivery)).all()) == 1


def test_the_same_body_to_two_connections_is_stored_for_each(session, sent_attempt):
    """Two CoderPad Screen accounts (two teams) may send byte-identical deliveries."""
    second = connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)
    body = json.loads((FIXTURES / "webhook_started.json").read_text())
    body["id"] = int(sent_attempt.vendor_attempt_id)

    first = session.get(Integration, sent_attempt.integration_id)

    answers = [httpx.post(webhook_url(i), json=body, timeout=10) for i in (first, second)]

    assert [a.status_code for a in answers] == [200, 200]
    assert len(session.exec(select(WebhookDelivery)).all()) == 2


def test_a_bad_token_is_refused_with_401(session, sent_attempt):
    url = _url(session, sent_attempt).split("?token=")[0] + "?token=guess"

    answer = httpx.post(url, json={"id": 1, "status": "completed"}, timeout=10)

    assert answer.status_code == 401
    assert session.exec(select(WebhookDelivery)).all() == []


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"status": "completed"}'])
def test_a_malformed_delivery_is_refused_with_400(session, sent_attempt, body):
    answer = httpx.post(_url(session, sent_attempt), content=body, timeout=10)

    assert answer.status_code == 400
    assert session.exec(select(WebhookDelivery)).all() == []


def test_an_unknown_integration_is_404(assay_api):
    answer = httpx.post(f"{assay_api}/api/webhooks/coderpad_screen/999?token=x", json={"id": 1}, timeout=10)

    assert answer.status_code == 404


def test_a_delivery_that_cannot_be_applied_stays_in_the_inbox_for_retry_and_on_the_health(
    session, sent_attempt, sandbox
):
    sandbox.faults(drop_webhooks=True)
    sandbox.start(sent_attempt.vendor_attempt_id)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 3)  # every try of the fetch
    body = {"id": int(sent_attempt.vendor_attempt_id), "status": "in_progress"}

    answer = httpx.post(_url(session, sent_attempt), json=body, timeout=10)

    assert answer.status_code == 200
    delivery = _wait_for_delivery_error(session)
    assert "503" in delivery.error and delivery.applied_at is None
    (health,) = views.integrations(session)  # what the integrations page shows the admin
    assert (health.health, health.webhooks_waiting) == ("failing", 1) and "503" in health.webhook_error
    assert (health.errors_24h, health.last_error) == (1, "")  # counted; its reason has a line of its own

    retry_webhook_inbox()

    session.expire_all()
    assert session.get(WebhookDelivery, delivery.id).applied_at is not None
    assert session.get(AssessmentAttempt, sent_attempt.id).state == AttemptState.STARTED
    (health,) = views.integrations(session)
    assert (health.health, health.webhooks_waiting, health.webhook_error) == ("connected", 0, "")


def test_a_server_stopped_while_applying_does_not_hold_up_the_next_one(session, sent_attempt, sandbox):
    """A worker that stops mid-apply (a restart) must leave the connection free for the next worker.

    The applier once kept its books on the server's event loop: a drain that outlived
    its server left the connection marked busy, and every later delivery waited forever.
    """
    vendor_id = sent_attempt.vendor_attempt_id
    sandbox.faults(drop_webhooks=True)
    sandbox.start(vendor_id)
    sandbox.faults(drop_webhooks=True, fail_next=[{"delay_ms": 1500}])  # the first drain's read is slow
    path = _url(session, sent_attempt).split("/api/")[1]
    with serving(build_api(), probe="/api/health") as first_worker:
        started = {"id": int(vendor_id), "status": "in_progress"}
        assert httpx.post(f"{first_worker}/api/{path}", json=started, timeout=10).status_code == 200
        time.sleep(QUIET + 0.3)  # the drain has begun, and waits on the vendor
    sandbox.submit(vendor_id)

    completed = {"id": int(vendor_id), "status": "completed"}
    assert httpx.post(_url(session, sent_attempt), json=completed, timeout=10).status_code == 200

    assert _wait_for_state(sent_attempt.id, AttemptState.COMPLETED).state == AttemptState.COMPLETED
    # The first drain may see "completed" itself; only the second delivery shows the stall.
    assert all(d.applied_at for d in _wait_for_deliveries_applied(session, 2))


def _wait_for_deliveries_applied(session, count: int, seconds: float = 10) -> list[WebhookDelivery]:
    deadline = time.monotonic() + seconds
    while True:
        session.expire_all()
        deliveries = session.exec(select(WebhookDelivery)).all()
        done = len(deliveries) == count and all(d.applied_at for d in deliveries)
        if done or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.05)


def _wait_for_delivery_error(session, seconds: float = 10) -> WebhookDelivery:
    deadline = time.monotonic() + seconds
    while True:
        session.expire_all()
        delivery = session.exec(select(WebhookDelivery)).first()
        if (delivery and delivery.error) or time.monotonic() > deadline:
            return delivery
        time.sleep(0.1)


def test_the_webhook_token_is_stored_encrypted(session, sent_attempt):
    integration = session.get(Integration, sent_attempt.integration_id)
    token = secrets.decrypt(integration.webhook_token_encrypted)

    assert token not in integration.webhook_token_encrypted
    assert token in webhook_url(integration)
