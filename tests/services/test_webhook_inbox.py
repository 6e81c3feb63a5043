"""A burst of webhooks is applied with the vendor's listing, read only as far as needed."""

import concurrent.futures
import multiprocessing
import os
import threading
import time
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from dashboard.jobs.scheduler import retry_webhook_inbox
from dashboard.services import inbox_drain, matching, views, webhooks
from dashboard.services.integrations import disconnect, shared_redis
from dashboard.settings import get_settings
from models import AssessmentAttempt, AttemptState, Integration, WebhookDelivery, new_session
from tests.another_worker import drain_inbox
from tests.conftest import (
    job_sending,
    send_to_applicants,
    start_with_webhooks,
    store_webhook,
    vendor_test_stages,
)

PAGE = 50  # CoderPad Screen's largest page


@pytest.fixture
def sent(session, sandbox, pipeline_with_assessment):
    """PAGE + 5 invitations (two pages of the vendor's listing), webhooks not delivered by the sandbox."""
    sandbox.faults(drop_webhooks=True)
    return send_to_applicants(session, pipeline_with_assessment.assessment, PAGE + 5)


def test_a_burst_on_the_first_page_is_applied_without_reading_the_second(
    session, sandbox, sent, pipeline_with_assessment
):
    burst = sent[: webhooks.BATCH_AT + 1]
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, burst)
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
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, burst)
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
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, burst)
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
    assert health.errors_24h == 2  # the two refused fetches; the rest were not asked about

    sandbox.faults(drop_webhooks=True)  # the admin has mended the key
    retry_webhook_inbox()

    session.expire_all()
    assert {session.get(AssessmentAttempt, a.id).state for a in burst} == {AttemptState.STARTED}
    assert all(d.applied_at and d.error is None for d in session.exec(select(WebhookDelivery)))


def test_one_delivery_the_vendor_cannot_answer_for_holds_up_none_after_it(
    session, sandbox, sent, pipeline_with_assessment
):
    few = sent[:3]  # fewer than a batch: each is fetched on its own
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, few)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 3)  # every try of the first fetch

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    session.expire_all()
    first, *rest = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert done == 2
    assert first.applied_at is None and "503" in first.error  # kept for the scheduled retry
    assert all(d.applied_at and d.error is None for d in rest)
    assert [session.get(AssessmentAttempt, a.id).state for a in few[1:]] == [AttemptState.STARTED] * 2


def test_two_deliveries_about_one_attempt_the_vendor_cannot_answer_for_hold_up_none_after_them(
    session, sandbox, sent, pipeline_with_assessment
):
    """helper-129: an attempt's start and finish, its fetch failing (for weeks), were two kept in
    a row: taken for the vendor down, they stopped the batch, every retry, and every delivery
    after them waited with their reason."""
    integration = pipeline_with_assessment.integration
    failing, other = sent[:2]
    start_with_webhooks(session, sandbox, integration, [failing])
    sandbox.submit(failing.vendor_attempt_id)
    finished = {"event": "test.status_changed", "id": int(failing.vendor_attempt_id), "status": "completed"}
    store_webhook(session, integration, finished)
    start_with_webhooks(session, sandbox, integration, [other])
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 6)  # every try of the two fetches

    done = webhooks.apply_pending(session=session, integration_id=integration.id)

    session.expire_all()
    deliveries = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert done == 1
    assert [d.applied_at is not None for d in deliveries] == [False, False, True]
    assert session.get(AssessmentAttempt, other.id).state == AttemptState.STARTED


def test_two_attempts_the_vendor_keeps_failing_on_hold_up_a_later_delivery_one_retry_at_most(
    session, sandbox, sent, pipeline_with_assessment
):
    """helper-157: two deliveries about two attempts whose fetch always failed (a report broken for
    weeks) were two kept in a row: taken for the vendor down, they stopped the run, and the retry,
    oldest first, met the same two first every time. The delivery behind them was never fetched,
    its reason another attempt's 500. Tried and kept, they now wait behind the others."""
    integration = pipeline_with_assessment.integration
    x, y, z = sent[:3]
    start_with_webhooks(session, sandbox, integration, [x, y, z])
    sandbox.faults(drop_webhooks=True, broken_attempts=[x.vendor_attempt_id, y.vendor_attempt_id])

    drained = webhooks.apply_pending(session=session, integration_id=integration.id)
    retried = [retry_webhook_inbox() for _ in range(2)]

    session.expire_all()
    deliveries = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert (drained, retried) == (0, [1, 0])  # z at the first retry; x and y still failing
    assert [d.applied_at is not None for d in deliveries] == [False, False, True]
    assert session.get(AssessmentAttempt, z.id).state == AttemptState.STARTED


def test_a_vendor_down_is_asked_about_two_deliveries_a_run_each_run_two_others(
    session, sandbox, sent, pipeline_with_assessment
):
    """helper-129's guard kept: a vendor failing about every attempt is asked about two deliveries
    a run (after the listing), not each of a burst; and those tried wait behind the others, so
    every delivery is asked about in turn."""
    integration = pipeline_with_assessment.integration
    burst = sent[: webhooks.BATCH_AT + 3]
    start_with_webhooks(session, sandbox, integration, burst)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 100)  # down for every call below
    calls = []

    for run in range(len(burst) // 2):
        before = sandbox.stats()["api_requests"]
        done = webhooks.apply_pending(session=session, integration_id=integration.id, retry_failed=run > 0)
        calls.append((done, sandbox.stats()["api_requests"] - before))

    session.expire_all()
    deliveries = session.exec(select(WebhookDelivery)).all()
    assert calls == [(0, 3 + 2 * 3)] * (len(burst) // 2)  # the listing, two fetches, three tries each
    assert all(d.applied_at is None and "503" in d.error for d in deliveries)
    assert all(d.tried_at is not None for d in deliveries)  # each asked about once, none skipped


def test_a_delivery_stored_while_a_drain_runs_is_applied_by_that_drain(
    session, sandbox, sent, pipeline_with_assessment
):
    """helper-131: a drain waiting for this one in another worker gives up after a lease (renewed
    now for as long as this one runs), and a delivery it would have drained waited for the
    scheduled retry."""
    integration = pipeline_with_assessment.integration
    first, second = sent[:2]
    start_with_webhooks(session, sandbox, integration, [first])
    sandbox.start(second.vendor_attempt_id)
    sandbox.faults(drop_webhooks=True, latency_ms=500)  # the first fetch takes its time

    def meanwhile() -> None:
        time.sleep(0.2)
        with Session(session.get_bind(), expire_on_commit=False) as other:
            body = {"event": "test.status_changed", "id": int(second.vendor_attempt_id)}
            store_webhook(other, other.get(Integration, integration.id), body)

    storing = threading.Thread(target=meanwhile)
    storing.start()
    done = webhooks.apply_pending(session=session, integration_id=integration.id)
    storing.join()

    session.expire_all()
    assert done == 2
    assert [session.get(AssessmentAttempt, a.id).state for a in (first, second)] == [AttemptState.STARTED] * 2


@pytest.fixture
def busy(session, sent, pipeline_with_assessment) -> list[AssessmentAttempt]:
    """Five pages more of invitations, to another job's test (the vendor lists every test at once)."""
    stage = job_sending(session, pipeline_with_assessment.integration, "Frontend Engineer", test_index=1)
    return send_to_applicants(session, stage, 5 * PAGE)


def test_a_few_deliveries_on_a_long_listing_are_fetched_one_by_one(
    session, sandbox, sent, busy, pipeline_with_assessment
):
    """A quiet hour's trickle on a busy account: a fetch each asks less than every page before them."""
    trickle = sent[-webhooks.BATCH_AT :]  # on the listing's second page of seven
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, trickle)
    before = sandbox.stats()

    done = webhooks.apply_pending(session=session, integration_id=pipeline_with_assessment.integration.id)

    after = sandbox.stats()
    session.expire_all()
    assert done == len(trickle)
    assert {session.get(AssessmentAttempt, a.id).state for a in trickle} == {AttemptState.STARTED}
    assert after["list_requests"] - before["list_requests"] == 0  # not the two pages up to them
    assert after["api_requests"] - before["api_requests"] == len(trickle)


def test_a_delivery_about_an_attempt_assay_does_not_know_does_not_send_the_listing_to_its_end(
    session, sandbox, sent, busy, pipeline_with_assessment
):
    """Made in the vendor's own screens, or long deleted there: it may be on no page, so it is fetched."""
    integration = pipeline_with_assessment.integration
    burst = sent[:20]  # all on the first page of seven
    start_with_webhooks(session, sandbox, integration, burst)
    store_webhook(
        session, integration, {"event": "test.status_changed", "id": 999999}
    )  # none such at the vendor
    before = sandbox.stats()

    done = webhooks.apply_pending(session=session, integration_id=integration.id)

    after = sandbox.stats()
    session.expire_all()
    assert done == len(burst) + 1
    assert {session.get(AssessmentAttempt, a.id).state for a in burst} == {AttemptState.STARTED}
    assert after["list_requests"] - before["list_requests"] == 1  # the first page, not all seven
    assert after["api_requests"] - before["api_requests"] == 2  # and the unknown one's own fetch
    [kept] = matching.open_items(session)  # what the vendor said of it waits for a person
    assert kept.vendor_attempt_id == "999999"


def test_a_burst_of_imocha_callbacks_is_fetched_without_its_listing(session, sandbox):
    """iMocha lists finished invitations without their scores: a listing would settle none of them."""
    integration, (stage,) = vendor_test_stages(session, "imocha", "Data Engineer")
    sandbox.faults("imocha", drop_webhooks=True)
    burst = send_to_applicants(session, stage, webhooks.BATCH_AT + 1)
    for attempt in burst:
        sandbox.start(attempt.vendor_attempt_id, vendor="imocha")
        sandbox.submit(attempt.vendor_attempt_id, vendor="imocha")
        store_webhook(
            session, integration, {"TestInvitationId": int(attempt.vendor_attempt_id), "Status": "Complete"}
        )
    before = sandbox.stats("imocha")

    done = webhooks.apply_pending(session=session, integration_id=integration.id)

    after = sandbox.stats("imocha")
    session.expire_all()
    assert done == len(burst)
    assert {session.get(AssessmentAttempt, a.id).state for a in burst} == {AttemptState.COMPLETED}
    assert all(session.get(AssessmentAttempt, a.id).score_percent is not None for a in burst)
    assert after["list_requests"] - before["list_requests"] == 0
    assert after["api_requests"] - before["api_requests"] == len(burst)  # one report each


def test_two_drains_of_one_connection_at_once_ask_the_vendor_once(
    session, sandbox, sent, pipeline_with_assessment
):
    """The webhook applier and the scheduler's inbox retry reaching for one burst together."""
    integration_id = pipeline_with_assessment.integration.id
    burst = sent[: webhooks.BATCH_AT + 1]
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, burst)
    sandbox.faults(drop_webhooks=True, latency_ms=300)  # a slow vendor: the two drains overlap
    before = sandbox.stats()

    def drain(_n: int) -> int:
        with new_session() as own:
            return webhooks.apply_pending(session=own, integration_id=integration_id, retry_failed=True)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        done = sorted(pool.map(drain, range(2)))

    after = sandbox.stats()
    assert done == [0, len(burst)]  # the second found them applied
    assert after["api_requests"] - before["api_requests"] == 1  # one listing page, not one each


def test_two_workers_draining_one_connection_at_once_ask_the_vendor_once(
    session, sandbox, sandbox_url, sent, pipeline_with_assessment, redis_client
):  # redis_client: make test's Redis is running
    """Production: each backend worker's applier drains the connection's inbox, and a burst
    the load balancer spread over them reaches them all at once (they share Redis)."""
    integration_id = pipeline_with_assessment.integration.id
    burst = sent[: webhooks.BATCH_AT + 1]
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, burst)
    sandbox.faults(drop_webhooks=True, latency_ms=500)  # a slow vendor: the two drains would overlap
    settings = {
        "REFLEX_DB_URL": session.get_bind().url.render_as_string(hide_password=False),
        "REFLEX_REDIS_URL": os.environ["ASSAY_TEST_REDIS_URL"],  # several workers: production mode
        "ASSAY_SANDBOX_URL": sandbox_url,
    }
    before = sandbox.stats()

    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, concurrent.futures.ProcessPoolExecutor(2, mp_context=spawn) as workers:
        ready = manager.Barrier(2)
        drains = [workers.submit(drain_inbox, settings, integration_id, ready) for _ in range(2)]
        done = sorted(d.result(timeout=120) for d in drains)

    after = sandbox.stats()
    assert done == [0, len(burst)]  # the second waited, then found them applied
    assert after["api_requests"] - before["api_requests"] == 1  # one listing page, not one each
    session.expire_all()
    assert {session.get(AssessmentAttempt, a.id).state for a in burst} == {AttemptState.STARTED}


def test_a_drain_longer_than_its_lease_keeps_the_other_workers_out_till_it_ends(redis_client, monkeypatch):
    """helper-129: the lease was never renewed; a second worker's drain took the lock from a drain
    that outlasted it and applied its deliveries beside it (results kept for matching twice)."""
    monkeypatch.setattr(get_settings(), "redis_url", os.environ["ASSAY_TEST_REDIS_URL"])
    monkeypatch.setattr(inbox_drain, "LEASE_SECONDS", 0.6)
    shared_redis.cache_clear()
    try:
        with inbox_drain.draining(987654, wait=0) as held:
            time.sleep(2.0)  # over three leases
            with inbox_drain._across_workers(987654, wait=0) as another_worker:
                taken_meanwhile = another_worker
        with inbox_drain._across_workers(987654, wait=0) as after:
            free_after = after
    finally:
        shared_redis.cache_clear()

    assert (held, taken_meanwhile, free_after) == (True, False, True)


def test_with_redis_away_a_drain_goes_ahead_alone_and_says_so_once(
    session, sandbox, sent, pipeline_with_assessment, monkeypatch, caplog
):
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1")  # nothing listens there
    monkeypatch.setattr(inbox_drain, "_away_until", 0.0)
    shared_redis.cache_clear()
    integration_id = pipeline_with_assessment.integration.id
    try:
        for attempts in (sent[:3], sent[3:6]):
            start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, attempts)
            assert webhooks.apply_pending(session=session, integration_id=integration_id) == len(attempts)
    finally:
        shared_redis.cache_clear()

    warnings = [r.getMessage() for r in caplog.records if r.name == inbox_drain.__name__]
    assert len(warnings) == 1 and "Redis failed" in warnings[0]  # not once a drain


def _failed_one_then_a_slow_burst(session, sandbox, sent, pipeline_with_assessment) -> Callable[[], int]:
    """One delivery kept for retry (its fetch failed), then a burst whose drain takes a while;
    returns the drain, as the webhook applier runs it (fresh deliveries only)."""
    integration_id = pipeline_with_assessment.integration.id
    start_with_webhooks(session, sandbox, pipeline_with_assessment.integration, sent[:1])
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 3)  # every try of its fetch
    assert webhooks.apply_pending(session=session, integration_id=integration_id) == 0  # kept, with the 503
    start_with_webhooks(
        session, sandbox, pipeline_with_assessment.integration, sent[1 : webhooks.BATCH_AT + 2]
    )
    sandbox.faults(drop_webhooks=True, latency_ms=500)  # the burst's drain takes a while

    def drain() -> int:
        with new_session() as own:
            return webhooks.apply_pending(session=own, integration_id=integration_id)

    return drain


def _retried_while(drain: Callable[[], int]) -> int:
    """What the scheduled retry applies when it runs 0.2 s into the burst's drain (which drains it all)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        draining = pool.submit(drain)
        time.sleep(0.2)
        retried = retry_webhook_inbox()
        assert draining.result() == webhooks.BATCH_AT + 1
    return retried


def test_the_scheduled_retry_waits_for_a_short_drain_and_retries_the_failed_deliveries_after_it(
    session, sandbox, sent, pipeline_with_assessment
):
    """helper-129: the retry left any connection a drain held to that drain, but drains take
    fresh deliveries only: on a connection drained whenever the retry looked (a steady
    stream), the failed ones waited for a pause that might not come. It now waits a little."""
    drain = _failed_one_then_a_slow_burst(session, sandbox, sent, pipeline_with_assessment)

    retried = _retried_while(drain)

    assert retried == 1  # the failed one, once the drain let go
    assert webhooks.connections_with_pending(session) == []


def test_the_scheduled_retry_leaves_a_drain_longer_than_its_patience_to_end(
    session, sandbox, sent, pipeline_with_assessment, monkeypatch
):
    """It does not queue behind a long drain (its thread serves every connection and the outbox)."""
    monkeypatch.setattr(inbox_drain, "RETRY_PATIENCE", 0.1)  # shorter than the burst's drain
    drain = _failed_one_then_a_slow_burst(session, sandbox, sent, pipeline_with_assessment)

    retried = _retried_while(drain)

    assert retried == 0  # left to the drain: waited for, the failed one would have been retried
    assert retry_webhook_inbox() == 1  # the next scheduled retry, the connection free


def test_deliveries_kept_for_retry_are_closed_when_their_connection_is_disconnected(
    session, sandbox, pipeline_with_assessment
):
    """Disconnecting erases the key they would be applied with: retried every sweep after, each
    try logged a traceback blaming a changed master key, and they waited forever."""
    integration = pipeline_with_assessment.integration
    sandbox.faults(drop_webhooks=True)
    sent = send_to_applicants(session, pipeline_with_assessment.assessment, 1)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 503}] * 3)  # every try of its fetch
    start_with_webhooks(session, sandbox, integration, sent)
    assert webhooks.apply_pending(session=session, integration_id=integration.id) == 0  # kept, with the 503

    disconnect(session=session, integration_id=integration.id)

    assert retry_webhook_inbox() == 0
    assert webhooks.connections_with_pending(session) == []
    session.expire_all()
    delivery = session.exec(select(WebhookDelivery)).one()
    assert delivery.applied_at is not None and "was disconnected" in delivery.error


def test_a_delivery_stored_as_its_connection_was_disconnected_is_left_not_applied_with_no_key(
    session, sandbox, pipeline_with_assessment
):
    """helper-145: received a moment before the disconnect committed, then drained after it, the
    delivery built a provider with the erased key: "the master key has changed", logged as an error."""
    integration = pipeline_with_assessment.integration
    sandbox.faults(drop_webhooks=True)
    [attempt] = send_to_applicants(session, pipeline_with_assessment.assessment, 1)
    sandbox.start(attempt.vendor_attempt_id)
    disconnect(session=session, integration_id=integration.id)
    session.add(  # as the endpoint stored it, having read the connection still live
        WebhookDelivery(
            integration_id=integration.id,
            delivery_key=f"{integration.id}:late",
            body="{}",
            vendor_attempt_ids=[attempt.vendor_attempt_id],
        )
    )
    session.commit()

    assert webhooks.apply_pending(session=session, integration_id=integration.id) == 0
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).state != AttemptState.STARTED
    late = session.exec(select(WebhookDelivery).where(WebhookDelivery.delivery_key.endswith(":late"))).one()
    assert late.applied_at is not None and "was disconnected" in late.error  # closed, not open for good
