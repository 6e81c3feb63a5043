"""The fault matrix: every vendor under every fault, end to end, over real HTTP.

For each vendor the registry discovers: a 429 with Retry-After, a 500, a 503, a
timeout, a connection reset, the same webhook three times, webhooks reordered,
webhooks about one attempt arriving together, a webhook dropped, an expiry never
reported, the backend killed with SIGKILL in the middle of a sync sweep and
restarted, and two workers racing for one sweep.

Everything is real: Assay's services on a real database, the vendor sandbox on
loopback (faults injected through ``/_sandbox/faults``), and Assay's own webhook
API, which the sandbox delivers to. Each case asserts the same four things:

- no lost update: after a sync and/or the inbox retry, Assay holds what the vendor holds;
- no duplicate invitation: the vendor created one invitation per attempt;
- no backwards transition: each attempt's history moves forward only, every step
  allowed by the lifecycle and starting where the previous one ended;
- the final state equals the vendor's (and the score, once there is one).

A vendor that cannot be asked (no ``Capability.POLL``, e.g. Coodesh) or never pushes
(no ``Capability.WEBHOOK``, e.g. CoderPad Interview) is not skipped: where the fault
needs what it lacks, the case asserts the limitation it declares instead, and what
Assay does keeps to it (it never invents a state).

To stay fast, the vendor timeout is short, the SQLite file is copied from one migrated
template, and retries do not wait between tries (``no_backoff``), except where the
wait is what is tested (a 429's Retry-After).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import itertools
import pathlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
import stamina
from sqlmodel import select

from dashboard.api.routes import build_api
from dashboard.jobs.scheduler import once_per_slot, retry_webhook_inbox, sweep_connection, sync_job_name
from dashboard.services import assessments, pipeline, plans, secrets
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import list_vendor_tests, provider_for, save_integration, webhook_url
from dashboard.services.sync import SyncReport, sync_integration
from dashboard.settings import get_settings
from models import (
    ActorKind,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Integration,
    ScheduledRun,
    WebhookDelivery,
    new_session,
)
from models.lifecycle import ALLOWED
from providers import registry
from providers.base import AttemptStatus, Capability, Progress
from providers.sandbox.server import IMITATIONS
from tests.http_server import serving

VENDORS = sorted(registry.VENDORS)
ROOT = pathlib.Path(__file__).resolve().parents[2]

TIMEOUT = 0.5  # seconds Assay waits for one vendor reply, in these tests
RETRY_AFTER = 0.3  # the Retry-After of an injected 429, seconds
STALL_MS = int(TIMEOUT * 1000) + 300  # longer than the timeout: the caller gives up
TRIES = 3  # VendorClient's tries per idempotent call: this many failures exhaust them
SLOT = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)  # one scheduled time, fired twice

_STATE = {
    Progress.SENT: AttemptState.SENT,
    Progress.STARTED: AttemptState.STARTED,
    Progress.COMPLETED: AttemptState.COMPLETED,
    Progress.CANCELLED: AttemptState.CANCELLED,
    Progress.EXPIRED: AttemptState.EXPIRED,
    Progress.ERROR: AttemptState.ERROR,
}
_RANK = {
    AttemptState.READY_TO_SEND: 0,
    AttemptState.SENT: 1,
    AttemptState.STARTED: 2,
    AttemptState.COMPLETED: 3,
    AttemptState.REVIEWED: 4,
    AttemptState.CANCELLED: 5,
    AttemptState.EXPIRED: 5,
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def no_backoff():
    """Retries without waiting between tries (same number of tries), where the wait is not the point."""
    with stamina.set_testing(True, attempts=TRIES, cap=True):
        yield


@contextlib.contextmanager
def default_vendor_timeout():
    """Assay's default vendor timeout for a while, inside this module's short one."""
    settings = get_settings()
    short = settings.vendor_timeout_seconds
    settings.vendor_timeout_seconds = type(settings)().vendor_timeout_seconds
    try:
        yield
    finally:
        settings.vendor_timeout_seconds = short


@pytest.fixture(scope="module", autouse=True)
def short_vendor_timeout():
    """A short vendor timeout, so a timeout costs little; restored afterwards."""
    settings = get_settings()
    previous = settings.vendor_timeout_seconds
    settings.vendor_timeout_seconds = TIMEOUT
    yield
    settings.vendor_timeout_seconds = previous


@pytest.fixture(scope="module")
def assay_api():
    """Assay's webhook API on loopback for the whole module; vendors are told its URL.

    It reads whichever database the current test's ``db`` fixture set up.
    """
    settings = get_settings()
    previous = settings.public_url
    with serving(build_api(), probe="/api/webhooks") as url:
        settings.public_url = url
        yield url
    settings.public_url = previous


_people = itertools.count(1)


@dataclasses.dataclass
class Rig:
    """One vendor connected to the sandbox, a job whose plan sends its test, and the checks."""

    key: str
    control: httpx.Client  # the sandbox's control API, one client for the whole test
    db_url: str
    integration_id: int
    job_id: int
    stage_id: int
    capabilities: frozenset
    limitations: dict
    invitations_expire: bool
    # What the vendor holds for attempts it cannot be asked about (no POLL), driven by ``act``.
    pushed: dict[int, Progress] = dataclasses.field(default_factory=dict)
    # Vendor ids of invitations whose send reply Assay never read (taken from the sandbox).
    lost: dict[int, str] = dataclasses.field(default_factory=dict)

    # ---- the vendor's side

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def faults(self, **faults) -> None:
        self.control.post("/_sandbox/faults", json={"vendor": self.key, **faults}).raise_for_status()

    def stats(self) -> dict:
        return self.control.get("/_sandbox/stats").json()[self.key]

    def act(self, attempt_id: int, step: str) -> None:
        """The candidate (start, submit) or the clock (expire) at the vendor."""
        vendor_attempt_id = self.attempt(attempt_id).vendor_attempt_id or self.lost.get(attempt_id)
        if vendor_attempt_id:
            self.control.post(f"/_sandbox/{self.key}/attempts/{vendor_attempt_id}/{step}").raise_for_status()
        else:
            self.lost[attempt_id] = self._act_on_lost_reply(step)
        now = self.pushed.get(attempt_id, Progress.SENT)
        if step == "start" and now == Progress.SENT:
            self.pushed[attempt_id] = Progress.STARTED
        elif step == "submit" and now == Progress.STARTED:
            self.pushed[attempt_id] = Progress.COMPLETED
        elif step == "expire" and now in (Progress.SENT, Progress.STARTED) and self.invitations_expire:
            self.pushed[attempt_id] = Progress.EXPIRED

    def _act_on_lost_reply(self, step: str) -> str:
        """Play the candidate of the invitation whose reply a fault took from Assay.

        The sandbox kept the reply's body; whichever of its values the vendor's controls
        accept as an attempt id is the invitation's.
        """
        deadline = time.monotonic() + 10
        while not (replies := self.control.get(f"/_sandbox/{self.key}/faulted-replies").json()):
            assert time.monotonic() < deadline, f"{self.key}: the sandbox kept no faulted reply"
            time.sleep(0.05)  # a delayed reply is kept once the vendor finally sends it
        reply = replies[-1]
        values = reply.values() if isinstance(reply, dict) else [reply]
        for value in [str(v) for v in values if isinstance(v, str | int)]:
            acted = self.control.post(f"/_sandbox/{self.key}/attempts/{value}/{step}")
            if acted.status_code == 200:
                return value
        raise AssertionError(f"{self.key}: no attempt id in the lost reply {reply!r}")

    def vendor_status(self, attempt_id: int) -> AttemptStatus | None:
        """The vendor's own view: asked where it can be; else None (see ``vendor_progress``)."""
        if not self.can(Capability.POLL):
            return None
        attempt = self.attempt(attempt_id)
        with new_session() as session:
            provider = provider_for(session.get(Integration, self.integration_id))
        return provider.fetch(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id)

    def vendor_progress(self, attempt_id: int) -> Progress:
        """Where the vendor says the attempt is; for a vendor that cannot be asked, what it was made to do."""
        status = self.vendor_status(attempt_id)
        return status.progress if status else self.pushed.get(attempt_id, Progress.SENT)

    # ---- Assay's side

    def attempt(self, attempt_id: int) -> AssessmentAttempt:
        with new_session() as session:
            return session.get(AssessmentAttempt, attempt_id)

    def open(self) -> int:
        """A new candidate applies and is moved into the assessment stage; returns the attempt."""
        n = next(_people)
        with new_session() as session:
            application = pipeline.add_application(
                session=session,
                job_id=self.job_id,
                name=f"Fault Candidate {n}",
                email=f"fault.candidate{n}@example.com",
                actor=SYSTEM,
            )
            outcome = pipeline.move_application(
                session=session, application_id=application.id, stage_id=self.stage_id, actor=SYSTEM
            )
        assert outcome.attempt_id
        return outcome.attempt_id

    def send(self, attempt_id: int) -> assessments.SendOutcome:
        with new_session() as session:
            return assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    def retry(self, attempt_id: int) -> assessments.SendOutcome:
        """The recruiter's Retry on a failed send, once the fault is cleared: it waits as long as
        Assay's default vendor timeout, as ``sent`` does (CI188: a Retry after a 429, no fault
        left, took longer than the short ``TIMEOUT`` on a machine running five test processes)."""
        with new_session() as session, default_vendor_timeout():
            return assessments.retry_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    def sent(self) -> int:
        """An attempt sent without faults (and whatever the vendor pushes about the send, applied).

        A setup step, so the send waits as long as Assay's default vendor timeout: a send is
        not retried, and on a busy shared machine a reply with no fault injected once took
        longer than this module's short ``TIMEOUT``.
        """
        attempt_id = self.open()
        with default_vendor_timeout():
            outcome = self.send(attempt_id)
        assert outcome.sent, outcome.message
        self.settle()
        return attempt_id

    def sync(self) -> SyncReport:
        with new_session() as session:
            return sync_integration(session=session, integration_id=self.integration_id)

    def recover(self) -> None:
        """What the scheduler does next: retry the webhook inbox, then sync the connection."""
        self.settle()
        retry_webhook_inbox()
        report = self.sync()
        assert report.error is None, report.error

    def deliveries(self) -> list[WebhookDelivery]:
        with new_session() as session:
            return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))

    def settle(self, seconds: float = 20) -> None:
        """Wait until the vendor has posted every webhook and Assay has applied (or failed) each one."""
        deadline = time.monotonic() + seconds
        while True:
            in_flight = self.stats()["webhooks_in_flight"]
            pending = [d.id for d in self.deliveries() if d.applied_at is None and d.error is None]
            if not in_flight and not pending:
                return
            assert time.monotonic() < deadline, (
                f"{self.key}: {in_flight} webhooks still in flight, deliveries {pending} neither "
                "applied nor failed (an apply that died without recording why)"
            )
            time.sleep(0.02)

    # ---- the assertions of every case

    def check(self, attempt_ids: list[int]) -> None:
        """No lost update, no duplicate invitation, no backwards transition, Assay == vendor.

        ``attempt_ids`` are every attempt of the test: one invitation each at the vendor.
        """
        assert self.stats()["invitations_created"] == len(attempt_ids), (
            f"{self.key}: duplicate invitation at the vendor"
        )
        for attempt_id in attempt_ids:
            attempt = self.attempt(attempt_id)
            status = self.vendor_status(attempt_id)
            progress = status.progress if status else self.pushed.get(attempt_id, Progress.SENT)
            assert attempt.state == _STATE[progress], (
                f"{self.key}: attempt {attempt_id} is {attempt.state.value} in Assay but "
                f"{progress.value} at the vendor"
            )
            if status and status.result and status.result.score_percent is not None:
                assert attempt.score_percent == pytest.approx(status.result.score_percent), (
                    f"{self.key}: the vendor's score did not reach Assay"
                )
            assert_moves_forward(attempt_id)


def assert_moves_forward(attempt_id: int) -> None:
    """The attempt's history: allowed steps only, each from where the last one ended, never back.

    A lost update or two writers racing shows here as a step that does not start
    where the previous one ended, or as a state recorded twice.
    """
    with new_session() as session:
        attempt = session.get(AssessmentAttempt, attempt_id)
        events = list(
            session.exec(
                select(ApplicationEvent)
                .where(ApplicationEvent.attempt_id == attempt_id, ApplicationEvent.to_state.is_not(None))
                .order_by(ApplicationEvent.id)
            )
        )
    steps = [(e.from_state, e.to_state) for e in events]
    assert steps and steps[0] == (None, AttemptState.READY_TO_SEND.value), steps
    reached = []
    for (before, after), (_, previous) in zip(steps[1:], steps[:-1], strict=True):
        assert before == previous, (
            f"attempt {attempt_id}: {after} recorded from {before}, but it was {previous}: {steps}"
        )
        assert (AttemptState(before), AttemptState(after)) in ALLOWED, f"attempt {attempt_id}: {steps}"
        if after not in (AttemptState.ERROR, AttemptState.READY_TO_SEND):
            reached.append(AttemptState(after))
    ranks = [_RANK[s] for s in reached]
    assert ranks == sorted(ranks), f"attempt {attempt_id} moved backwards: {steps}"
    assert len(set(reached)) == len(reached), f"attempt {attempt_id}: a transition recorded twice: {steps}"
    assert steps[-1][1] == attempt.state.value, steps


@pytest.fixture(params=VENDORS)
def rig(request, db, session, sandbox, assay_api) -> Rig:
    """One vendor connected to the sandbox as an admin would, and a job whose plan sends its test."""
    key = request.param
    spec, imitation = registry.VENDORS[key], IMITATIONS[key]
    integration = save_integration(
        session=session,
        vendor=key,
        name=spec.display_name,
        region="sandbox",
        custom_base_url="",
        api_key=imitation.DEMO_KEY,
        options=dict(imitation.DEMO_OPTIONS),
    )
    # Vendors configured in their own UI (CodeSignal): what the admin does there.
    sandbox.post(
        f"/_sandbox/{key}/webhook",
        json={
            "url": webhook_url(integration),
            "secret": secrets.decrypt(integration.webhook_token_encrypted),
        },
    )
    tests = list_vendor_tests(session=session, integration_id=integration.id)
    test = next((t for t in tests if not t.live_interview), tests[0])
    job = plans.create_job(session=session, title=f"Fault matrix ({key})", stage_names=["Applied", "Onsite"])
    applied, _onsite = plans.stages_of(session, job.id)
    stage = plans.add_assessment_stage(
        session=session,
        job_id=job.id,
        name=f"{spec.display_name} assessment",
        integration_id=integration.id,
        vendor_test_id=test.id,
        vendor_test_name=test.name,
        after_stage_id=applied.id,
    )
    provider = provider_for(integration)
    control = httpx.Client(base_url=sandbox.url, timeout=10)
    rig = Rig(
        key=key,
        control=control,
        db_url=db,
        integration_id=integration.id,
        job_id=job.id,
        stage_id=stage.id,
        capabilities=provider.capabilities,
        limitations=dict(provider.limitations),
        invitations_expire=provider.invitations_expire,
    )
    yield rig
    # Nothing of this test may still be arriving when the next one starts.
    rig.faults()
    rig.settle()
    control.close()


# --------------------------------------------------------------------------- vendor API faults

API_FAULTS = ["429", "500", "503", "timeout", "reset"]


def _send_fault(fault: str) -> dict:
    """The fault on the call that creates the invitation (never retried by Assay on its own)."""
    return {
        "429": {"fail_next": [{"status": 429, "retry_after": RETRY_AFTER}]},
        "500": {"fail_next": [{"status": 500}]},
        "503": {"fail_next": [{"status": 503}]},
        # The vendor created the invitation, but its reply comes after Assay gave up / never comes.
        "timeout": {"reply_delay_ms": STALL_MS},
        "reset": {"reset_replies": 1},
    }[fault]


def _read_faults(fault: str) -> list[dict]:
    """Failures queued for the next reads: enough to exhaust the retries, but for a 429 (its
    Retry-After is honoured within the call) and a timeout (each costs the full timeout)."""
    one = {
        "429": {"status": 429, "retry_after": RETRY_AFTER},
        "500": {"status": 500},
        "503": {"status": 503},
        "timeout": {"delay_ms": STALL_MS},
        "reset": {"reset": True},
    }[fault]
    return [one] * (1 if fault in ("429", "timeout") else TRIES)


@pytest.mark.parametrize("fault", API_FAULTS)
def test_a_vendor_api_fault_loses_nothing_and_duplicates_nothing(request, rig, fault):
    if fault != "429":  # a 429's wait is Retry-After's, and is checked; the others' backoff is not
        request.getfixturevalue("no_backoff")
    attempt_id = rig.open()
    reads = _read_faults(fault)
    exhausting = len(reads) == TRIES

    # 1. The send meets the fault. Assay records a retryable failure (nothing is lost), and
    # a retry adopts what the vendor may already have instead of inviting twice.
    rig.faults(**_send_fault(fault))
    outcome = rig.send(attempt_id)
    rig.faults()
    injected = rig.stats()["failures_injected"]
    assert injected == (0 if fault == "timeout" else 1)
    vendor_acted = fault in ("timeout", "reset")
    if not outcome.sent:
        attempt = rig.attempt(attempt_id)
        assert attempt.state == AttemptState.ERROR and attempt.error_retryable, attempt.error_reason
        assert rig.stats()["invitations_created"] == int(vendor_acted)
        can_find = rig.can(Capability.POLL) or registry.VENDORS[rig.key].provider.reuses_invitation_per_email
        if vendor_acted and not can_find:
            # Declared: the vendor cannot be asked whether a send that failed this way reached it,
            # so no retry is made; its webhook (which carries our reference) brings the attempt.
            assert rig.limitations[Capability.POLL]
        else:
            if fault == "429":
                # Asked again before the vendor's Retry-After, Assay would not call it at all.
                time.sleep(RETRY_AFTER)
            retried = rig.retry(attempt_id)
            assert retried.sent, retried.message
    assert rig.stats()["invitations_created"] == 1

    # 2. The candidate starts; the webhook's re-fetch (or, without webhooks, the sync) meets the fault.
    rig.settle()
    asks = rig.can(Capability.POLL)
    if asks:
        rig.faults(fail_next=reads)
    rig.act(attempt_id, "start")
    rig.settle()
    if asks and not rig.can(Capability.WEBHOOK):
        report = rig.sync()
        assert bool(report.error) == exhausting, report
    if asks:
        injected += len(reads)
        assert rig.stats()["failures_injected"] == injected, "the fault was never met"
    rig.recover()
    rig.check([attempt_id])

    # 3. The candidate submits and the webhook is lost: the sync meets the fault, then catches up.
    if asks:
        rig.faults(drop_webhooks=True, fail_next=reads)
        rig.act(attempt_id, "submit")
        began = time.monotonic()
        report = rig.sync()
        took = time.monotonic() - began
        injected += len(reads)
        assert rig.stats()["failures_injected"] == injected, "the fault was never met"
        if exhausting:
            # Every try failed: the sweep says so, and the attempt keeps its last known state.
            assert report.error and rig.attempt(attempt_id).state == AttemptState.STARTED
        else:
            assert report.error is None, report.error
        if fault == "429":
            assert took >= RETRY_AFTER * 0.9, "Retry-After was not honoured"
        rig.faults()
    else:
        # Declared: nothing can be asked, so the result comes by webhook only.
        assert rig.limitations[Capability.POLL]
        rig.act(attempt_id, "submit")
    rig.recover()

    assert rig.vendor_progress(attempt_id) == Progress.COMPLETED
    rig.check([attempt_id])


# --------------------------------------------------------------------------- webhook faults


def _no_webhooks(rig: Rig) -> None:
    """A vendor that never pushes declares it; it delivered nothing."""
    assert not rig.can(Capability.WEBHOOK) and rig.limitations[Capability.WEBHOOK]
    stats = rig.stats()
    assert stats["webhooks_sent"] == stats["webhooks_dropped"] == 0


def test_the_same_webhook_three_times_is_applied_once(rig):
    attempt_id = rig.open()
    rig.faults(duplicate_webhooks=2)  # from the send on: some vendors push the invitation too
    assert rig.send(attempt_id).sent
    rig.settle()

    rig.act(attempt_id, "start")
    rig.settle()
    rig.act(attempt_id, "submit")
    rig.settle()

    deliveries = rig.deliveries()
    if rig.can(Capability.WEBHOOK):
        assert deliveries, f"{rig.key} pushed nothing"
        assert rig.stats()["webhooks_sent"] == 3 * len(deliveries), "each delivery is stored once"
        assert all(d.applied_at for d in deliveries)
        rig.check([attempt_id])  # before any sync: the webhooks alone brought it
    else:
        _no_webhooks(rig)
    rig.recover()
    assert rig.vendor_progress(attempt_id) == Progress.COMPLETED
    rig.check([attempt_id])


def test_reordered_webhooks_never_move_an_attempt_back(rig):
    attempt_id = rig.sent()
    rig.faults(reorder_webhooks=2)  # hold "started", then send "completed" before it

    rig.act(attempt_id, "start")
    rig.act(attempt_id, "submit")
    rig.faults()  # anything still held goes out, newest first
    rig.settle()

    if rig.can(Capability.WEBHOOK):
        assert rig.deliveries()
        rig.check([attempt_id])  # before any sync
    else:
        _no_webhooks(rig)
    rig.recover()
    assert rig.vendor_progress(attempt_id) == Progress.COMPLETED
    rig.check([attempt_id])


def test_webhooks_arriving_together_never_move_an_attempt_back(rig):
    """The vendor posts "started" and "finished" of one attempt at once (a burst): Assay applies
    both, and must still record each step once, in order, and end where the vendor is."""
    attempts = [rig.sent() for _ in range(6)]

    for attempt_id in attempts:
        rig.faults(burst_webhooks=2)  # hold the "started" webhook, post it with the next one
        rig.act(attempt_id, "start")
        rig.act(attempt_id, "submit")
        rig.faults()  # whatever is still held goes out (a vendor that posted only once)
        rig.settle()

    if rig.can(Capability.WEBHOOK):
        rig.check(attempts)  # before any sync: the webhooks alone
    else:
        _no_webhooks(rig)
    rig.recover()
    rig.check(attempts)


def test_a_dropped_webhook_is_caught_up(rig):
    attempt_id = rig.sent()

    # The first webhook (the start) is lost.
    rig.faults(drop_next_webhooks=1)
    rig.act(attempt_id, "start")
    rig.settle()
    rig.recover()
    if rig.can(Capability.POLL):
        rig.check([attempt_id])  # the sync found what the webhook would have said
    else:
        # Declared: the vendor cannot be asked; Assay keeps what it knew and invents nothing.
        assert rig.limitations[Capability.POLL]
        assert rig.attempt(attempt_id).state == AttemptState.SENT
    if not rig.can(Capability.WEBHOOK):
        _no_webhooks(rig)

    # The last webhook (the result) is lost too, where a sync can find it; else it arrives.
    if rig.can(Capability.POLL):
        rig.faults(drop_next_webhooks=1)
    rig.act(attempt_id, "submit")
    rig.settle()
    rig.recover()

    assert rig.vendor_progress(attempt_id) == Progress.COMPLETED
    rig.check([attempt_id])


def test_an_expiry_never_reported_is_found_by_the_sync(rig):
    attempt_id = rig.sent()
    rig.faults(drop_webhooks=True)

    rig.act(attempt_id, "expire")
    rig.settle()
    rig.recover()

    if not rig.invitations_expire:
        # Declared: nothing lapses at this vendor; it must not be shown as expired.
        assert rig.vendor_progress(attempt_id) == Progress.SENT
        assert rig.attempt(attempt_id).state == AttemptState.SENT
    elif not rig.can(Capability.POLL):
        # Declared: an expiry that is not pushed cannot be learnt; Assay invents nothing.
        assert rig.limitations[Capability.POLL]
        assert rig.attempt(attempt_id).state == AttemptState.SENT
        return
    else:
        assert rig.vendor_progress(attempt_id) == Progress.EXPIRED
    rig.check([attempt_id])


# --------------------------------------------------------------------------- the backend dies

SWEEP = textwrap.dedent(
    """
    import sys
    from dashboard.settings import get_settings
    settings = get_settings()
    settings.sandbox_url, settings.public_url = sys.argv[2], sys.argv[3]
    from dashboard.services.sync import sync_integration
    from models import init_engine, new_session
    init_engine(sys.argv[1])
    print("sweeping", flush=True)
    with new_session() as session:
        report = sync_integration(session=session, integration_id=int(sys.argv[4]))
    print("swept", report, flush=True)
    """
)


class _WriteLock:
    """The database's write lock, taken and given back on one connection of the test's own."""

    def __init__(self, db_url: str) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._held = False
        if db_url.startswith("sqlite"):
            self._sqlite = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None, timeout=10)
        else:
            self._engine = sa.create_engine(db_url)
            self._pg = self._engine.connect()

    def take(self) -> None:
        """From now on the sweep blocks at its next write (and dies there if killed)."""
        if self._sqlite is not None:
            self._sqlite.execute("BEGIN IMMEDIATE")
        else:
            self._pg.execute(sa.text("LOCK TABLE applicationevent IN EXCLUSIVE MODE"))
        self._held = True

    def give_back(self) -> None:
        if self._held:
            if self._sqlite is not None:
                self._sqlite.execute("ROLLBACK")
            else:
                self._pg.rollback()
            self._held = False

    def poll_events(self) -> int:
        """What the sweep has applied so far: the history lines written by a poll."""
        query = "SELECT count(*) FROM applicationevent WHERE actor_kind = :kind"
        if self._sqlite is not None:
            return self._sqlite.execute(query.replace(":kind", "?"), (ActorKind.POLL.value,)).fetchone()[0]
        return self._pg.execute(sa.text(query), {"kind": ActorKind.POLL.value}).scalar_one()

    def close(self) -> None:
        self.give_back()
        if self._sqlite is not None:
            self._sqlite.close()
        else:
            self._pg.close()
            self._engine.dispose()


@contextlib.contextmanager
def _frozen_after_its_first_apply(db_url: str, backend: subprocess.Popen, deadline: float) -> Iterator[int]:
    """Hold the write lock once the sweep has applied something; yields how much it had applied.

    Each look is taken under the lock, so the sweep cannot write between the look and the
    hold, and every write it tries meanwhile waits its turn: it is caught mid-sweep unless it
    ended between two looks. (Looking first and locking after let a quick sweep finish in
    between, once in a dozen CI runs.)
    """
    lock = _WriteLock(db_url)
    try:
        while True:
            lock.take()
            applied = lock.poll_events()
            if applied or backend.poll() is not None or time.monotonic() > deadline:
                break
            lock.give_back()
            time.sleep(0.001)
        yield applied
    finally:
        lock.close()


def test_a_sweep_killed_with_sigkill_and_run_again_loses_and_duplicates_nothing(rig, no_backoff):
    # Attempts in every waiting state; then results and expiries whose webhooks are lost,
    # so the sweep has work to do (where the vendor cannot be asked, the webhooks do it).
    attempts = [rig.sent() for _ in range(6)]
    for attempt_id in attempts[:3]:
        rig.act(attempt_id, "start")
    rig.settle()
    if rig.can(Capability.POLL):
        rig.faults(drop_webhooks=True)
    for attempt_id in attempts[:2]:
        rig.act(attempt_id, "submit")
    for attempt_id in attempts[3:5]:
        rig.act(attempt_id, "expire")
    rig.settle()
    settings = get_settings()
    rig.faults(drop_webhooks=rig.can(Capability.POLL), latency_ms=150)  # a slow vendor: a slow sweep
    listed = rig.stats()["list_requests"]

    backend = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SWEEP,
            rig.db_url,
            settings.sandbox_url,
            settings.public_url,
            str(rig.integration_id),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    where = "before the sweep"
    try:
        assert backend.stdout.readline().strip() == "sweeping", backend.stderr.read()
        deadline = time.monotonic() + 20
        if rig.can(Capability.POLL):
            while rig.stats()["list_requests"] == listed:  # the sweep is asking the vendor
                assert backend.poll() is None and time.monotonic() < deadline, backend.stderr.read()
                time.sleep(0.01)
            where = "while listing"
            with _frozen_after_its_first_apply(rig.db_url, backend, deadline) as applied:
                where = f"after {applied} applied" if backend.poll() is None else "after it ended"
                backend.send_signal(signal.SIGKILL)
                backend.wait(timeout=10)
        else:
            backend.send_signal(signal.SIGKILL)
            backend.wait(timeout=10)
    finally:
        backend.kill()
        backend.wait(timeout=10)
    print(f"{rig.key}: the sweep was killed {where}")
    if rig.can(Capability.POLL):
        assert backend.returncode == -signal.SIGKILL, f"the sweep ended before it was killed ({where})"

    # The backend restarts: the next sweep (and the inbox retry) finish the work.
    rig.faults()
    rig.recover()

    rig.check(attempts)
    assert rig.attempt(attempts[0]).state == AttemptState.COMPLETED
    if not rig.can(Capability.POLL):
        assert rig.limitations[Capability.POLL]


# --------------------------------------------------------------------------- two workers


def test_two_workers_firing_the_sweep_in_one_slot_run_it_once(rig, no_backoff):
    done = rig.sent()
    waiting = rig.sent()
    if rig.can(Capability.POLL):
        rig.faults(drop_webhooks=True)
    rig.act(done, "start")
    rig.settle()
    rig.act(done, "submit")
    rig.settle()
    rig.faults(drop_webhooks=rig.can(Capability.POLL), latency_ms=100)
    before = rig.stats()["list_requests"]
    barrier, outcomes = threading.Barrier(2), []
    job = sync_job_name(rig.integration_id)

    def worker() -> None:
        barrier.wait()
        outcomes.append(once_per_slot(job, SLOT, lambda: sweep_connection(rig.integration_id)))

    workers = [threading.Thread(target=worker) for _ in range(2)]
    # Assay's own timeout, not this module's short one: a busy machine answering slower than
    # 0.5 s would have the listing retried, and the count below would no longer be one sweep's.
    with default_vendor_timeout():
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=30)
    raced = rig.stats()["list_requests"] - before

    with new_session() as session:
        runs = list(session.exec(select(ScheduledRun)))
    assert len(runs) == 1 and runs[0].finished_at, runs
    assert sorted(outcomes) == sorted(["skipped: already ran in this slot", runs[0].outcome])
    assert runs[0].job_name == job and runs[0].outcome.endswith("corrected"), runs[0]
    # The vendor was swept once: as many list calls as one sweep of the same connection makes.
    before = rig.stats()["list_requests"]
    with default_vendor_timeout():
        rig.sync()
    assert raced == rig.stats()["list_requests"] - before
    rig.faults()
    rig.recover()
    rig.check([done, waiting])
