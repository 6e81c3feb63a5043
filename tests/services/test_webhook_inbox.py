"""A burst of webhooks is applied with the vendor's listing, read only as far as needed."""

import json
import urllib.parse

import pytest
from sqlmodel import select

from dashboard.services import webhooks
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
