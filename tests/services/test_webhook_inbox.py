"""A burst of webhooks is applied with the vendor's listing, read only as far as needed."""

import json
import urllib.parse

import pytest
from sqlmodel import select

from dashboard.jobs.scheduler import retry_webhook_inbox
from dashboard.services import views, webhooks
from dashboard.services.integrations import webhook_url
from models import AssessmentAttempt, AttemptState, WebhookDelivery
from tests.conftest import send_to_applicants

PAGE = 50  # CoderPad Screen's largest page


def _deliver(session, integration, attempt: AssessmentAttempt) -> None:
    """Store the vendor's "status changed" delivery the way the endpoint does."""
    token = urllib.parse.parse_qs(urllib.parse.urlparse(webhook_url(integration)).query)["token"][0]
    body = json.dumps({"event": "test.status_changed", "id": int(attempt.vendor_attempt_id)}).encode()
    receipt = webhooks.receive(
        session=session,
        vendor="coderpad_screen",
        integration_id=integration.id,
        token=token,
        headers={},
        body=body,
    )
    assert receipt.status_code == 202


@pytest.fixture
def sent(session, sandbox, pipeline_with_assessment):
    """PAGE + 5 invitations (two pages of the vendor's listing), webhooks not delivered by the sandbox."""
    sandbox.faults(drop_webhooks=True)
    return send_to_applicants(session, pipeline_with_assessment.assessment, PAGE + 5)


def test_a_burst_on_the_first_page_is_applied_without_reading_the_second(
    session, sandbox, sent, pipeline_with_assessment
):
    burst = sent[: webhooks.BATCH_AT + 1]
    for attempt in burst:
        sandbox.start(attempt.vendor_attempt_id)
        _deliver(session, pipeline_with_assessment.integration, attempt)
    before = sandbox.stats()

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    after = sandbox.stats()
    session.expire_all()
    assert done == len(burst)
    assert {session.get(AssessmentAttempt, a.id).state for a in burst} == {AttemptState.STARTED}
    assert after["list_requests"] - before["list_requests"] == 1  # one page, no second
    assert after["api_requests"] - before["api_requests"] == 1  # and no fetch per delivery
    assert all(d.applied_at for d in session.exec(select(WebhookDelivery)))


def test_a_burst_spread_over_both_pages_reads_each_page_once(
    session, sandbox, sent, pipeline_with_assessment
):
    burst = [*sent[:3], *sent[-3:]]
    for attempt in burst:
        sandbox.start(attempt.vendor_attempt_id)
        _deliver(session, pipeline_with_assessment.integration, attempt)
    sandbox.submit(burst[-1].vendor_attempt_id)  # listed completions carry their result here
    before = sandbox.stats()

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    after = sandbox.stats()
    session.expire_all()
    assert done == len(burst)
    assert [session.get(AssessmentAttempt, a.id).state for a in burst] == [AttemptState.STARTED] * 5 + [
        AttemptState.COMPLETED
    ]
    assert after["list_requests"] - before["list_requests"] == 2
    assert after["api_requests"] - before["api_requests"] == 2


def test_a_burst_that_meets_a_revoked_key_waits_in_the_inbox_until_the_key_works_again(
    session, sandbox, sent, pipeline_with_assessment
):
    """A key refused is about the connection, not the attempts: nothing is given up, and the
    vendor is not asked once per delivery with a key it refuses."""
    burst = sent[: webhooks.BATCH_AT + 3]
    for attempt in burst:
        sandbox.start(attempt.vendor_attempt_id)
        _deliver(session, pipeline_with_assessment.integration, attempt)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 401}] * 20)  # the key revoked at the vendor
    before = sandbox.stats()

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    after = sandbox.stats()
    session.expire_all()
    deliveries = session.exec(select(WebhookDelivery)).all()
    assert done == 0
    assert after["api_requests"] - before["api_requests"] == 3  # the listing, then two deliveries' fetches
    assert all(d.applied_at is None and "rejected (401)" in d.error for d in deliveries)
    (health,) = views.integrations(session)  # what the admin sees on the integrations page
    assert (health.health, health.webhooks_waiting) == ("failing", len(burst))
    assert "rejected (401)" in health.webhook_error

    sandbox.faults(drop_webhooks=True)  # the admin has mended the key
    retry_webhook_inbox()

    session.expire_all()
    assert {session.get(AssessmentAttempt, a.id).state for a in burst} == {AttemptState.STARTED}
    assert all(d.applied_at and d.error is None for d in session.exec(select(WebhookDelivery)))


def test_one_delivery_the_vendor_cannot_answer_for_holds_up_none_after_it(
    session, sandbox, sent, pipeline_with_assessment
):
    few = sent[:3]  # fewer than a batch: each is fetched on its own
    for attempt in few:
        sandbox.start(attempt.vendor_attempt_id)
        _deliver(session, pipeline_with_assessment.integration, attempt)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 3)  # every try of the first fetch

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    session.expire_all()
    first, *rest = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert done == 2
    assert first.applied_at is None and "503" in first.error  # kept for the scheduled retry
    assert all(d.applied_at and d.error is None for d in rest)
    assert [session.get(AssessmentAttempt, a.id).state for a in few[1:]] == [AttemptState.STARTED] * 2


def test_a_few_deliveries_on_a_long_listing_are_fetched_one_by_one(
    session, sandbox, sent, pipeline_with_assessment
):
    """A quiet hour's trickle on a busy account: a fetch each asks less than every page before them."""
    busy = [*sent, *send_to_applicants(session, pipeline_with_assessment.assessment, 5 * PAGE)]
    trickle = busy[-webhooks.BATCH_AT :]  # on the listing's last page
    for attempt in trickle:
        sandbox.start(attempt.vendor_attempt_id)
        _deliver(session, pipeline_with_assessment.integration, attempt)
    before = sandbox.stats()

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    after = sandbox.stats()
    session.expire_all()
    assert done == len(trickle)
    assert {session.get(AssessmentAttempt, a.id).state for a in trickle} == {AttemptState.STARTED}
    assert after["list_requests"] - before["list_requests"] == 0  # not the six pages up to them
    assert after["api_requests"] - before["api_requests"] == len(trickle)
