"""One contract, run against every provider and its sandbox imitation over real HTTP.

A vendor that cannot do something declares it (a missing ``Capability`` with its
reason in ``limitations``); the contract then checks that the provider refuses
with that reason instead of pretending. Adding a vendor adds a parameter here,
with nothing to write.
"""

import dataclasses
import datetime
import json
import time

import httpx
import pytest

from providers import registry
from providers.base import (
    AttemptStatus,
    Capability,
    ConnectionConfig,
    Invitee,
    KeyRejected,
    Progress,
    Provider,
    RateLimited,
    Unsupported,
    VendorFailure,
    WebhookRejected,
)
from providers.sandbox.server import IMITATIONS
from tests.http_server import Capture, Delivery, capturing

VENDORS = sorted(registry.VENDORS)
# The kinds of test each vendor's sandbox lists: scored tests, live-interview templates, or both.
# The lifecycle is walked once per kind a vendor has, never for one it lacks (a run that returned
# at once passed while proving nothing); ``test_each_vendor_lists_the_kinds_the_contract_walks``
# holds this table to what the vendors list.
LIVE_INTERVIEWS = {"codesignal", "coderpad_interview"}
SCORED_TESTS = set(VENDORS) - {"coderpad_interview"}
KINDS = [(key, False) for key in VENDORS if key in SCORED_TESTS] + [
    (key, True) for key in VENDORS if key in LIVE_INTERVIEWS
]
SECRET = "contract-webhook-secret-0123456789"


@pytest.fixture
def inbox():
    """A webhook receiver on loopback: what the vendor delivered, headers and body."""
    with capturing("/api/webhooks/hook?token=abc") as capture:
        yield capture


@dataclasses.dataclass
class Vendor:
    """One provider wired to the sandbox, plus the sandbox's controls for its imitation."""

    key: str
    provider: Provider
    sandbox_url: str

    def act(self, vendor_attempt_id: str, step: str) -> dict:
        response = httpx.post(
            f"{self.sandbox_url}/_sandbox/{self.key}/attempts/{vendor_attempt_id}/{step}", timeout=10
        )
        response.raise_for_status()
        return response.json()

    def faults(self, **faults) -> None:
        httpx.post(
            f"{self.sandbox_url}/_sandbox/faults", json={"vendor": self.key, **faults}, timeout=10
        ).raise_for_status()

    def stats(self) -> dict:
        return httpx.get(f"{self.sandbox_url}/_sandbox/stats", timeout=10).json()[self.key]

    def can(self, capability: Capability) -> bool:
        return capability in self.provider.capabilities

    def status(self, vendor_attempt_id: str, test_id: str) -> AttemptStatus:
        """The vendor's view of an attempt: asked where it can be, else from the pushed webhook."""
        return self.provider.fetch(vendor_attempt_id, test_id=test_id)


def _build(key: str, sandbox_url: str, *, api_key: str | None = None, webhook_url: str = "") -> Provider:
    spec = registry.VENDORS[key]
    imitation = IMITATIONS[key]
    return registry.build_provider(
        key,
        ConnectionConfig(
            base_url=registry.region_base_url(spec, registry.SANDBOX_REGION, sandbox_url=sandbox_url),
            api_key=api_key or imitation.DEMO_KEY,
            webhook_url=webhook_url,
            webhook_secret=SECRET,
            options=dict(imitation.DEMO_OPTIONS),
            timeout=5,
        ),
    )


@pytest.fixture(params=VENDORS)
def vendor(request, sandbox, inbox) -> Vendor:
    key = request.param
    provider = _build(key, sandbox.url, webhook_url=inbox.url)
    httpx.post(
        f"{sandbox.url}/_sandbox/{key}/webhook", json={"url": inbox.url, "secret": SECRET}, timeout=10
    ).raise_for_status()
    provider.register_webhook()
    return Vendor(key, provider, sandbox.url)


_counter = iter(range(10**6))


def _invitee(**overrides) -> Invitee:
    n = next(_counter)
    values = {
        "name": f"Candidate {n}",
        "email": f"candidate{n}@example.com",
        "reference": f"assay-contract{n:06d}",
        "candidate_ref": str(100 + n),
        "application_ref": str(200 + n),
        "job_ref": "7",
        "job_title": "Backend Engineer",
        **overrides,
    }
    return Invitee(**values)


def _first_test(vendor: Vendor, *, live: bool = False) -> str:
    """The first scored test (or live-interview template) the vendor lists; any, if it has only one kind."""
    tests = vendor.provider.list_tests()
    wanted = [t.id for t in tests if t.live_interview == live]
    return wanted[0] if wanted else tests[0].id


def _lists_scored_tests(vendor: Vendor) -> bool:
    return any(not t.live_interview for t in vendor.provider.list_tests())


def _lists_live_interviews(vendor: Vendor) -> bool:
    return any(t.live_interview for t in vendor.provider.list_tests())


def _statuses_from(vendor: Vendor, inbox: Capture, count: int) -> list[AttemptStatus]:
    """What the webhooks delivered so far say, read and authenticated as Assay would."""
    statuses = []
    for headers, body in inbox.wait(count):
        vendor.provider.authenticate_webhook(headers=headers, body=body)
        statuses.extend(vendor.provider.read_webhook(body).statuses)
    return statuses


def _current(
    vendor: Vendor, inbox: Capture, vendor_attempt_id: str, test_id: str, deliveries: int
) -> AttemptStatus:
    if vendor.can(Capability.POLL):
        return vendor.status(vendor_attempt_id, test_id)
    pushed = [
        s for s in _statuses_from(vendor, inbox, deliveries) if s.vendor_attempt_id == vendor_attempt_id
    ]
    assert pushed, "the vendor pushed nothing about the attempt"
    return pushed[-1]


def test_every_missing_capability_is_explained(vendor):
    missing = set(Capability) - vendor.provider.capabilities

    assert all(vendor.provider.limitations.get(c) for c in missing), "say why, so the UI can"
    assert vendor.provider.display_name and vendor.provider.page_size >= 1


def test_a_valid_key_passes_and_a_wrong_one_is_named_as_such(vendor):
    vendor.provider.validate_key()
    wrong = _build(vendor.key, vendor.sandbox_url, api_key="wrong-key-0000")

    with pytest.raises(KeyRejected) as err:
        wrong.validate_key()

    assert vendor.provider.display_name in str(err.value)
    assert "wrong-key-0000" not in str(err.value)


def test_tests_are_listed_across_every_page(vendor):
    before = len(vendor.provider.list_tests())
    httpx.post(
        f"{vendor.sandbox_url}/_sandbox/{vendor.key}/catalog", json={"extra_tests": 160}, timeout=10
    ).raise_for_status()

    tests = vendor.provider.list_tests()

    assert len(tests) == before + 160
    assert len({t.id for t in tests}) == len(tests)
    assert all(isinstance(t.id, str) and t.name for t in tests)


def test_send_creates_one_invitation_with_a_link(vendor):
    test_id = _first_test(vendor)

    invitation = vendor.provider.send(test_id=test_id, invitee=_invitee())

    assert isinstance(invitation.vendor_attempt_id, str) and invitation.vendor_attempt_id
    assert invitation.test_url and invitation.test_url.startswith("http")
    assert vendor.stats()["invitations_created"] == 1


def test_a_retried_send_finds_the_first_invitation_instead_of_sending_twice(vendor):
    test_id = _first_test(vendor)
    invitee = _invitee()
    invitation = vendor.provider.send(test_id=test_id, invitee=invitee)

    found = vendor.provider.find_by_reference(test_id=test_id, invitee=invitee)

    if vendor.provider.reuses_invitation_per_email:
        # No reference travels (iMocha): the invite is idempotent per email and test, so the
        # retried send itself is the lookup. It adopts the first invitation and creates nothing.
        again = vendor.provider.send(test_id=test_id, invitee=invitee)
        assert found is None or found.vendor_attempt_id == invitation.vendor_attempt_id
        assert again.vendor_attempt_id == invitation.vendor_attempt_id
        assert vendor.stats()["invitations_created"] == 1
        return
    if not vendor.can(Capability.POLL):
        # Nothing to ask: the vendor itself must collapse a repeated invite (declared why).
        assert found is None and vendor.provider.limitations[Capability.POLL]
        return

    assert found is not None and found.vendor_attempt_id == invitation.vendor_attempt_id
    assert vendor.provider.find_by_reference(test_id=test_id, invitee=_invitee()) is None


def test_each_vendor_lists_the_kinds_the_contract_walks(vendor):
    assert (_lists_scored_tests(vendor), _lists_live_interviews(vendor)) == (
        vendor.key in SCORED_TESTS,
        vendor.key in LIVE_INTERVIEWS,
    )


@pytest.mark.parametrize(
    ("vendor", "live"),
    KINDS,
    indirect=["vendor"],
    ids=[f"{key}-{'live-interview' if live else 'test'}" for key, live in KINDS],
)
def test_the_lifecycle_is_followed_by_webhook_and_by_poll(vendor, inbox, live):
    test_id = _first_test(vendor, live=live)
    invitation = vendor.provider.send(test_id=test_id, invitee=_invitee())
    attempt_id = invitation.vendor_attempt_id
    if vendor.can(Capability.POLL):
        assert vendor.status(attempt_id, test_id).progress == Progress.SENT

    vendor.act(attempt_id, "start")
    started = _current(vendor, inbox, attempt_id, test_id, deliveries=1)
    vendor.act(attempt_id, "submit")
    completed = _current(vendor, inbox, attempt_id, test_id, deliveries=2)

    assert started.progress == Progress.STARTED and started.raw_status
    assert completed.progress == Progress.COMPLETED
    if live:
        assert completed.report_url  # the playback / interview record
    else:
        assert completed.result is not None and 0 <= completed.result.score_percent <= 100
    if vendor.can(Capability.WEBHOOK):
        deliveries = inbox.wait(2)
        assert deliveries, "the vendor pushed no webhook"
        notices = [vendor.provider.read_webhook(body) for _headers, body in deliveries]
        named = {i for n in notices for i in n.vendor_attempt_ids} | {
            s.vendor_attempt_id for n in notices for s in n.statuses
        }
        assert attempt_id in named
        assert len({n.delivery_key for n in notices}) == len(notices)
    if vendor.can(Capability.POLL):
        since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        listed = {
            s.vendor_attempt_id: s for s in vendor.provider.list_statuses(since=since, test_ids=[test_id])
        }
        assert listed[attempt_id].progress == Progress.COMPLETED


def test_a_result_s_time_taken_is_the_time_from_its_start_to_its_finish(vendor, inbox):
    """The candidate is invited, starts 20 minutes later and submits 23 minutes after that (the
    sandbox's clock stopped at each moment). HackerRank's and CodeSignal's results read "under
    1 min" (stamped at the second of each click); CoderPad Screen's and Coodesh's read Started =
    Completed beside a time of their own: every vendor now tells those 23 minutes, in order."""
    if not _lists_scored_tests(vendor):
        return  # a live-interview vendor: a pad records no time taken
    invited = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(hours=2)
    started = invited + datetime.timedelta(minutes=20)
    clock = f"{vendor.sandbox_url}/_sandbox/clock"
    test_id = _first_test(vendor)
    try:
        httpx.post(clock, json={"at": invited.isoformat()}, timeout=10).raise_for_status()
        attempt_id = vendor.provider.send(test_id=test_id, invitee=_invitee()).vendor_attempt_id
        httpx.post(clock, json={"at": started.isoformat()}, timeout=10).raise_for_status()
        vendor.act(attempt_id, "start")
        _current(vendor, inbox, attempt_id, test_id, deliveries=1)
        finished = started + datetime.timedelta(minutes=23)
        httpx.post(clock, json={"at": finished.isoformat()}, timeout=10).raise_for_status()
        vendor.act(attempt_id, "submit")
        done = _current(vendor, inbox, attempt_id, test_id, deliveries=2)
    finally:
        httpx.post(clock, json={"at": None}, timeout=10).raise_for_status()

    # iMocha tells times per section, in whole seconds: their sum may fall a second or two short.
    assert done.result is not None and 23 * 60 - 5 <= done.result.duration_seconds <= 23 * 60, done.result
    assert (
        done.started_at == started
        and finished - datetime.timedelta(seconds=5) <= done.completed_at <= finished
    )
    assert done.sent_at is None or done.sent_at == invited


def test_a_listing_asks_for_a_page_only_when_it_is_read(vendor):
    """Readers stop early (a webhook burst once every named attempt is found): no page is wasted."""
    if not vendor.can(Capability.POLL):
        assert vendor.provider.limitations[Capability.POLL]
        return
    test_id = _first_test(vendor)
    first = vendor.provider.send(test_id=test_id, invitee=_invitee())
    vendor.act(first.vendor_attempt_id, "start")
    vendor.act(first.vendor_attempt_id, "submit")  # iMocha lists finished invitations only
    for _ in range(vendor.provider.page_size):  # more than one page
        vendor.provider.send(test_id=test_id, invitee=_invitee())
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    before = vendor.stats()["list_requests"]

    listing = vendor.provider.list_statuses(since=since, test_ids=[test_id])
    asked_before_reading = vendor.stats()["list_requests"] - before
    head = next(listing)
    asked_for_one = vendor.stats()["list_requests"] - before
    everything = [head.vendor_attempt_id, *(s.vendor_attempt_id for s in listing)]
    asked_for_all = vendor.stats()["list_requests"] - before

    assert (asked_before_reading, asked_for_one) == (0, 1)
    assert asked_for_all > 1, "the listing fitted one request: this test proves nothing"
    assert len(everything) == len(set(everything)), "an attempt was listed twice"


def test_a_listed_status_carries_the_moment_its_page_was_asked_for(vendor):
    """A view is held no newer than it is (``AttemptStatus.asked_at``): a page read early and
    handed out late must not outrank a webhook's fetch asked for in between (helper-127 found
    statuses stamped as each was handed out: a page's later ones held newer than they are)."""
    if not vendor.can(Capability.POLL):
        return
    test_id = _first_test(vendor)
    for _ in range(vendor.provider.page_size + 1):  # more than one page
        invitation = vendor.provider.send(test_id=test_id, invitee=_invitee())
        vendor.act(invitation.vendor_attempt_id, "start")
        vendor.act(invitation.vendor_attempt_id, "submit")  # iMocha lists finished invitations only
    if vendor.can(Capability.CANCEL):  # iMocha lists each state on a page of its own
        cancelled = vendor.provider.send(test_id=test_id, invitee=_invitee())
        vendor.provider.cancel(cancelled.vendor_attempt_id, test_id=test_id)
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    before = vendor.stats()["list_requests"]

    listing = vendor.provider.list_statuses(since=since, test_ids=[test_id])
    handed_out = []  # (the moment before next(), the status, the moment it came)
    while True:
        asking = datetime.datetime.now(datetime.UTC)
        status = next(listing, None)
        if status is None:
            break
        handed_out.append((asking, status, datetime.datetime.now(datetime.UTC)))
        time.sleep(0.001)  # a status stamped as it is handed out would carry a moment of its own
        if len(handed_out) == 1:  # a request between two statuses of a page: they keep its moment
            vendor.provider.fetch(status.vendor_attempt_id, test_id=test_id)
    pages = vendor.stats()["list_requests"] - before

    stamps = [status.asked_at for _, status, _ in handed_out]
    assert None not in stamps
    assert len(set(stamps)) > 1, "the listing fitted one page: this test proves nothing"
    assert len(set(stamps)) <= pages, "statuses of one page carry moments of their own"
    assert stamps == sorted(stamps)
    first_of_each_page = {}
    for asking, status, came in handed_out:
        first_of_each_page.setdefault(status.asked_at, (asking, came))
    lag = vendor.provider.listing_lag  # a listing behind the fetches is held that much older
    for stamp, (asking, came) in first_of_each_page.items():
        # Asked for within the next() that brought its page's first status, never after it.
        assert asking - lag <= stamp <= came - lag


def _delivery_of_a_started_attempt(vendor: Vendor, inbox: Capture) -> Delivery | None:
    """Send the first test and start it: the first webhook pushed, or None if the vendor has none."""
    invitation = vendor.provider.send(test_id=_first_test(vendor), invitee=_invitee())
    vendor.act(invitation.vendor_attempt_id, "start")
    if not vendor.can(Capability.WEBHOOK):
        assert vendor.provider.limitations[Capability.WEBHOOK]
        return None
    [delivery] = inbox.wait(1)[:1]
    return delivery


def test_a_tampered_or_foreign_webhook_is_refused(vendor, inbox):
    if (delivery := _delivery_of_a_started_attempt(vendor, inbox)) is None:
        return
    headers, body = delivery
    vendor.provider.authenticate_webhook(headers=headers, body=body)

    # No body at all is CodeSignal's ping on saving a webhook (its "empty payload"), answered 200.
    for junk in (b"{", b"[1]", b'"text"', *((b"",) if vendor.key != "codesignal" else ())):
        with pytest.raises(WebhookRejected) as err:
            vendor.provider.read_webhook(junk)
        assert err.value.status_code == 400
    signature_headers = [h for h in headers if "signature" in h]
    for name in signature_headers:
        forged = {**headers, name: "0" * 64}
        with pytest.raises(WebhookRejected) as err:
            vendor.provider.authenticate_webhook(headers=forged, body=body)
        assert err.value.status_code == 401


def test_cancel_withdraws_a_waiting_invitation_or_is_refused_with_the_reason(vendor, inbox):
    test_id = _first_test(vendor)
    invitation = vendor.provider.send(test_id=test_id, invitee=_invitee())
    if not vendor.can(Capability.CANCEL):
        with pytest.raises(Unsupported, match=vendor.provider.limitations[Capability.CANCEL][:20]):
            vendor.provider.cancel(invitation.vendor_attempt_id, test_id=test_id)
        return

    vendor.provider.cancel(invitation.vendor_attempt_id, test_id=test_id)

    if vendor.can(Capability.POLL):
        assert vendor.status(invitation.vendor_attempt_id, test_id).progress == Progress.CANCELLED


def test_an_expired_invitation_is_seen_as_expired(vendor, inbox):
    test_id = _first_test(vendor)
    invitation = vendor.provider.send(test_id=test_id, invitee=_invitee())

    vendor.act(invitation.vendor_attempt_id, "expire")

    if not vendor.provider.invitations_expire:
        # Nothing lapses at this vendor (a pad stays open until ended): it must not claim otherwise.
        assert vendor.status(invitation.vendor_attempt_id, test_id).progress == Progress.SENT
        return
    if vendor.can(Capability.POLL):
        assert vendor.status(invitation.vendor_attempt_id, test_id).progress == Progress.EXPIRED
        since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        listed = {
            s.vendor_attempt_id: s for s in vendor.provider.list_statuses(since=since, test_ids=[test_id])
        }
        assert listed[invitation.vendor_attempt_id].progress == Progress.EXPIRED


def test_a_reattempt_is_a_new_invitation_that_keeps_the_first_result(vendor, inbox):
    test_id = _first_test(vendor)
    invitee = _invitee()
    first = vendor.provider.send(test_id=test_id, invitee=invitee)
    vendor.act(first.vendor_attempt_id, "start")
    vendor.act(first.vendor_attempt_id, "submit")
    if not vendor.can(Capability.REATTEMPT):
        with pytest.raises(Unsupported):
            vendor.provider.reattempt(first.vendor_attempt_id, test_id=test_id, invitee=invitee)
        return

    second = vendor.provider.reattempt(first.vendor_attempt_id, test_id=test_id, invitee=invitee)

    assert second.test_url
    if vendor.can(Capability.POLL):
        assert vendor.status(second.vendor_attempt_id, test_id).progress == Progress.SENT
        if second.vendor_attempt_id != first.vendor_attempt_id:
            kept = vendor.status(first.vendor_attempt_id, test_id)
            assert kept.progress == Progress.COMPLETED


def test_an_extended_deadline_reaches_the_vendor(vendor):
    test_id = _first_test(vendor)
    invitation = vendor.provider.send(test_id=test_id, invitee=_invitee())
    later = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(days=9)
    if not vendor.can(Capability.EXTEND):
        with pytest.raises(Unsupported):
            vendor.provider.extend(invitation.vendor_attempt_id, test_id=test_id, expires_at=later)
        return

    vendor.provider.extend(invitation.vendor_attempt_id, test_id=test_id, expires_at=later)

    if vendor.can(Capability.POLL):
        assert vendor.status(invitation.vendor_attempt_id, test_id).expires_at == later


def test_a_429_is_waited_out_when_short_and_reported_when_long(vendor):
    vendor.faults(fail_next=[{"status": 429, "retry_after": 1}])
    started = time.monotonic()

    assert vendor.provider.list_tests()

    assert time.monotonic() - started >= 0.9  # Retry-After was honoured
    vendor.faults(fail_next=[{"status": 429, "retry_after": 120}])
    with pytest.raises(RateLimited) as err:
        vendor.provider.list_tests()
    assert err.value.retry_after == 120

    # Asked again before then (the next sweep, a "Sync now"): Assay waits, the vendor hears nothing.
    asked = vendor.stats()["api_requests"]
    with pytest.raises(RateLimited, match="asked Assay to wait") as err:
        vendor.provider.list_tests()
    assert 100 < err.value.retry_after <= 120
    assert vendor.stats()["api_requests"] == asked


def test_a_503_that_says_when_to_come_back_is_retried_then(vendor):
    vendor.faults(fail_next=[{"status": 503, "retry_after": 1}])
    started = time.monotonic()

    assert vendor.provider.list_tests()

    assert time.monotonic() - started >= 0.9  # not the default backoff's fraction of a second


def test_a_5xx_is_retried_then_reported(vendor):
    vendor.faults(fail_next=[{"status": 503}])
    assert vendor.provider.list_tests()  # one failure is retried away

    vendor.faults(fail_next=[{"status": 500}] * 5)
    with pytest.raises(VendorFailure, match="500"):
        vendor.provider.list_tests()

    vendor.faults(fail_next=[{"status": 200, "html": True}] * 5)
    with pytest.raises(VendorFailure, match="could not read"):
        vendor.provider.list_tests()


def test_a_send_is_never_retried_blindly(vendor):
    test_id = _first_test(vendor)
    vendor.faults(fail_next=[{"status": 503}])

    with pytest.raises(VendorFailure):
        vendor.provider.send(test_id=test_id, invitee=_invitee())

    assert vendor.stats()["invitations_created"] == 0


def test_unknown_fields_and_an_unknown_status_do_not_break_parsing(vendor, inbox):
    if (delivery := _delivery_of_a_started_attempt(vendor, inbox)) is None:
        return
    payload = json.loads(delivery.body)
    assert isinstance(payload, dict)
    payload["a_field_added_next_year"] = {"nested": [1, 2, 3]}

    notice = vendor.provider.read_webhook(json.dumps(payload).encode())

    assert notice.vendor_attempt_ids or notice.statuses
