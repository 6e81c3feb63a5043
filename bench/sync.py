"""The scheduled sync sweep over 10,000 open attempts: vendor requests against the ideal, and wall time.

What it measures: the vendor sandbox (``providers/sandbox/server.py build_app``, served
on a free loopback port in its own process, ``python -m providers.sandbox``) holds
10,000 invitations spread evenly over every vendor whose provider can be polled
(``Capability.POLL``; the vendors are discovered in ``providers.registry.VENDORS``), two
tests each (unevenly: 57.5% / 42.5%). Assay's database (migrated SQLite) holds one
"sent" ``AssessmentAttempt`` per invitation. At the vendor, 20% of the candidates
started and 10% submitted (the sandbox's ``/_sandbox/<vendor>/attempts/<id>/<step>``,
webhooks dropped), so the sweep has news to apply. Then, as the scheduler does,
``dashboard.services.sync.sync_integration`` runs once per connection:

1. A clean sweep. Per vendor: ``requests_<vendor>`` (every API request the sandbox
   counted during that vendor's sweep, ``/_sandbox/stats``), ``ideal_<vendor>`` =
   ceil(open attempts / ``provider.page_size``), summed per test for the vendors that
   list per test (HackerRank, CodeSignal), and ``requests_per_ideal_<vendor>``; also its
   ``list_requests``, the attempts it corrected and its wall time. Ends with the worst
   vendor as ``sync_requests_per_ideal`` (goal <= 1.1).
2. ``again_requests_<vendor>``: the requests of the next sweep's listing read to the end,
   nothing new at the vendor (at most what a later scheduler tick costs; the statuses are
   not re-applied).
3. The clean sweep repeated (the database restored to before step 1) while the sandbox
   answers 429 with ``Retry-After: 1`` (``/_sandbox/faults``) to the first listing request
   of each vendor and again every 4 s while it lists: ``sweep_s`` (all vendors, one after
   the other, as the scheduler runs them), ``floor_s`` = sum over vendors of requests /
   ``RULES.requests_per_second`` (the pacing floor the documented rate limit sets) and
   ``sweep_per_floor``. To tell the vendor conversation from the database work it also
   prints ``listing_s`` (time inside ``provider.list_statuses``, the listing, which the
   sweep reads ahead on a thread of its own while it applies what is listed),
   ``beyond_listing_s`` (the rest: applying what the listing did not overlap, and
   iMocha's report requests), ``answered_429`` and ``listing_per_floor_with_retry_after``
   (listing / (floor + one second per 429)).

Vendors without ``Capability.POLL`` (Coodesh) get a ``skipped_<vendor>=`` line.

The setup sends the invitations through each provider's own ``send`` (its pacing lifted,
for the setup only, so 10,000 sends take seconds rather than 17 minutes) and inserts the
matching candidate, application and attempt rows in bulk.

Run: ``.venv/bin/python bench/sync.py [--attempts 10000]`` (about 3 minutes; most of it is
the two full sweeps applying 10,000 statuses each, and iMocha's paced report requests).
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import contextlib
import functools
import math
import os
import pathlib
import random
import shutil
import sys
import tempfile
import threading
import time

SCRATCH = pathlib.Path(tempfile.mkdtemp(prefix="assay-bench-sync-"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import emit, free_port, sandbox_process  # noqa: E402  (reads no setting)

SANDBOX_PORT = free_port()
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
os.environ["ASSAY_DATA_DIR"] = str(SCRATCH)
os.environ["ASSAY_SANDBOX_URL"] = SANDBOX_URL
# Webhooks are dropped anyway; a dead port of our own makes sure none reaches anyone's app.
os.environ["ASSAY_PUBLIC_URL"] = f"http://127.0.0.1:{free_port()}"

import logging  # noqa: E402

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from dashboard.services import sync  # noqa: E402
from dashboard.services.integrations import provider_for, save_integration  # noqa: E402
from models import (  # noqa: E402
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Job,
    Stage,
    StageKind,
    folded,
    get_engine,
    init_engine,
    migrate,
    new_session,
    utcnow,
)
from providers import registry  # noqa: E402
from providers.base import Capability, Invitee  # noqa: E402
from providers.budget import LocalBudget  # noqa: E402
from providers.sandbox.server import IMITATIONS  # noqa: E402

# Vendors whose list_statuses reads one listing per test (read from each provider's list_statuses).
LISTS_PER_TEST = {"hackerrank", "codesignal"}
SPLIT = 0.575  # share of a vendor's attempts in its first test
STARTED, SUBMITTED = 0.20, 0.10  # shares of candidates who started / finished at the vendor
INJECT_EVERY_S = 4.0


# One client for the sandbox's control API: each new httpx client loads the CA bundle (~25 ms).
CONTROL = httpx.Client(base_url=SANDBOX_URL, timeout=30)


def stats() -> dict[str, dict]:
    return CONTROL.get("/_sandbox/stats").json()


def faults(vendor: str, **values) -> None:
    CONTROL.post(
        "/_sandbox/faults", json={"vendor": vendor, "drop_webhooks": True, **values}
    ).raise_for_status()


def connect(vendors: list[str]) -> dict[str, int]:
    """One sandbox connection per vendor, through the integrations service (key checked live)."""
    ids = {}
    with new_session() as session:
        for vendor in vendors:
            imitation = IMITATIONS[vendor]
            integration = save_integration(
                session=session,
                vendor=vendor,
                name=registry.VENDORS[vendor].display_name,
                region="sandbox",
                custom_base_url="",
                api_key=imitation.DEMO_KEY,
                options=dict(imitation.DEMO_OPTIONS),
            )
            ids[vendor] = integration.id
    return ids


def send_all(vendor: str, integration_id: int, count: int, first_index: int) -> list[dict]:
    """Invite ``count`` candidates through the vendor's provider; returns attempt rows to insert."""
    with new_session() as session:
        provider = provider_for(session.get(Integration, integration_id))
    # Setup only: the connection's provider is cached and shared, so the sweeps below get it
    # back with its pacing restored.
    provider._http._budget = LocalBudget(None)
    tests = [t for t in provider.list_tests()]
    scored = [t for t in tests if not t.live_interview] or tests  # CoderPad Interview has only pads
    chosen = scored[:2]
    plan = []
    for n in range(count):
        index = first_index + n
        test = chosen[0] if n < round(count * SPLIT) else chosen[-1]
        invitee = Invitee(
            name=f"Sync Candidate{index:05d}",
            email=f"sync{index}@example.com",
            reference=f"sync-{index}",
            candidate_ref=str(index),
            application_ref=str(index),
            job_ref="1",
            job_title="Sync bench",
        )
        plan.append((index, test, invitee))

    def send(item):
        index, test, invitee = item
        invitation = provider.send(test_id=test.id, invitee=invitee)
        return {
            "index": index,
            "vendor_test_id": test.id,
            "vendor_test_name": test.name[:200],
            "reference": invitee.reference,
            "vendor_attempt_id": invitation.vendor_attempt_id,
            "test_url": invitation.test_url,
            "expires_at": invitation.expires_at,
        }

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        rows = list(pool.map(send, plan))
    provider._http._budget = LocalBudget(provider._http.rules.requests_per_second)
    return rows


def insert_rows(job_id: int, stage_ids: dict[str, int], integration_ids: dict[str, int], sent: dict) -> None:
    now = utcnow()
    everyone = sorted((row["index"], vendor, row) for vendor, rows in sent.items() for row in rows)
    with get_engine().begin() as conn:
        first = conn.execute(sa.text("SELECT coalesce(max(id), 0) + 1 FROM candidate")).scalar()
        conn.execute(
            sa.insert(Candidate),
            [
                {
                    "name": f"Sync Candidate{i:05d}",
                    "search_name": folded(f"Sync Candidate{i:05d}"),
                    "email": f"sync{i}@example.com",
                }
                for i, _, _ in everyone
            ],
        )
        conn.execute(
            sa.insert(Application),
            [
                {
                    "candidate_id": first + n,
                    "job_id": job_id,
                    "stage_id": stage_ids[vendor],
                    "stage_entered_at": now,
                    "updated_at": now,
                    "decision_version": 0,
                }
                for n, (_, vendor, _) in enumerate(everyone)
            ],
        )
        app_ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM application ORDER BY id"))]
        conn.execute(
            sa.insert(AssessmentAttempt),
            [
                {
                    "application_id": app_id,
                    "stage_id": stage_ids[vendor],
                    "integration_id": integration_ids[vendor],
                    "vendor_test_id": row["vendor_test_id"],
                    "vendor_test_name": row["vendor_test_name"],
                    "live_interview": False,
                    "attempt_number": 1,
                    "reference": row["reference"],
                    "state": AttemptState.SENT.value,
                    "send_tries": 1,
                    "vendor_attempt_id": row["vendor_attempt_id"],
                    "test_url": row["test_url"],
                    "created_at": now,
                    "updated_at": now,
                    "sent_at": now,
                    "expires_at": row["expires_at"],
                    "subscores": [],
                    "warnings": [],
                    "error_retryable": False,
                }
                for app_id, (_, vendor, row) in zip(app_ids, everyone, strict=True)
            ],
        )


def play_candidates(sent: dict[str, list[dict]], rng: random.Random) -> dict[str, int]:
    """Some candidates start, some submit, at the vendor (webhooks dropped: Assay does not hear)."""
    steps = []
    for vendor, rows in sent.items():
        for row in rows:
            roll = rng.random()
            if roll < STARTED + SUBMITTED:
                steps.append((vendor, row["vendor_attempt_id"], "start"))
            if roll < SUBMITTED:
                steps.append((vendor, row["vendor_attempt_id"], "submit"))

    def act(step):
        vendor, vendor_attempt_id, what = step
        CONTROL.post(f"/_sandbox/{vendor}/attempts/{vendor_attempt_id}/{what}").raise_for_status()

    # Starts before submits: each attempt's steps are in order in the list, one worker per attempt.
    by_attempt = collections.defaultdict(list)
    for step in steps:
        by_attempt[step[:2]].append(step)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda group: [act(s) for s in group], by_attempt.values()))
    return collections.Counter(v for v, _, what in steps if what == "start")


class Listing:
    """Times the vendor's listing inside a sweep (``provider.list_statuses``) and, when armed,
    has the sandbox answer 429 with ``Retry-After: 1`` on the listing's first request and
    every ``INJECT_EVERY_S`` after."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.throttle = False
        self.arguments: dict[str, dict] = {}  # vendor -> the last list_statuses kwargs

    def provider_for(self, integration):
        provider = provider_for(
            integration
        )  # cached per connection: wrap its class's method, never a wrapper
        listing = functools.partial(type(provider).list_statuses, provider)

        def timed(**kwargs):
            # A generator like the listing it wraps: the pages are asked for while it is read.
            self.arguments[provider.vendor] = kwargs
            stop = threading.Event()
            if self.throttle:
                faults(provider.vendor, fail_next=[{"status": 429, "retry_after": 1}])
                thread = threading.Thread(target=self._inject, args=(provider.vendor, stop), daemon=True)
                thread.start()
            start = time.perf_counter()
            try:
                yield from listing(**kwargs)
            finally:
                self.seconds = time.perf_counter() - start
                stop.set()
                if self.throttle:
                    thread.join()
                    faults(provider.vendor)  # drop a 429 queued after the last request

        provider.list_statuses = timed
        return provider

    @staticmethod
    def _inject(vendor: str, stop: threading.Event) -> None:
        while not stop.wait(INJECT_EVERY_S):
            faults(vendor, fail_next=[{"status": 429, "retry_after": 1}])


LISTING = Listing()
sync.provider_for = LISTING.provider_for  # instrumentation only: the same provider, timed


def listing_again(integration_ids: dict[str, int]) -> dict[str, int]:
    """Requests of the listing the next sweep makes with nothing new at the vendor.

    The same ``list_statuses`` call (same ``since`` and tests: every attempt was sent at
    once, so closing some moves neither) through the connection's provider (untimed),
    vendors at once (each has its own pacing and its own counters), read to the end: an
    upper bound, since a sweep stops once every open attempt is seen. The statuses are
    not applied again.
    """

    def again(vendor: str) -> int:
        with new_session() as session:
            provider = provider_for(session.get(Integration, integration_ids[vendor]))
        before = stats()[vendor]["api_requests"]
        listing = type(provider).list_statuses(provider, **LISTING.arguments[vendor])
        collections.deque(listing, maxlen=0)
        return stats()[vendor]["api_requests"] - before

    with concurrent.futures.ThreadPoolExecutor(len(integration_ids)) as pool:
        return dict(zip(integration_ids, pool.map(again, integration_ids), strict=True))


def sweep(integration_ids: dict[str, int], *, throttle: bool = False) -> dict[str, dict]:
    """``sync_integration`` once per connection, as the scheduler runs them; per-vendor figures."""
    out = {}
    LISTING.throttle = throttle
    for vendor, integration_id in integration_ids.items():
        before = stats()[vendor]
        LISTING.seconds = 0.0
        start = time.perf_counter()
        with new_session() as session:
            report = sync.sync_integration(session=session, integration_id=integration_id)
        took = time.perf_counter() - start
        after = stats()[vendor]
        out[vendor] = {
            "requests": after["api_requests"] - before["api_requests"],
            "lists": after["list_requests"] - before["list_requests"],
            "open": report.open_attempts,
            "corrected": report.corrected,
            "error": report.error,
            "seconds": took,
            "listing": LISTING.seconds,
        }
    LISTING.throttle = False
    return out


def rate_of(vendor: str) -> float:
    module = sys.modules[registry.VENDORS[vendor].provider.__module__]
    return float(module.RULES.requests_per_second)


def ideal(vendor: str, integration_id: int) -> int:
    """ceil(open / page size), per test where the vendor lists per test."""
    with new_session() as session:
        provider = provider_for(session.get(Integration, integration_id))
        per_test = session.exec(
            sa.select(AssessmentAttempt.vendor_test_id, sa.func.count())
            .where(
                AssessmentAttempt.integration_id == integration_id,
                AssessmentAttempt.state.in_([AttemptState.SENT, AttemptState.STARTED]),
            )
            .group_by(AssessmentAttempt.vendor_test_id)
        ).all()
    if vendor in LISTS_PER_TEST:
        return sum(math.ceil(n / provider.page_size) for _, n in per_test)
    return math.ceil(sum(n for _, n in per_test) / provider.page_size)


def states_after(integration_id: int) -> str:
    """``state:count,...`` of one connection's attempts."""
    with new_session() as session:
        rows = session.exec(
            sa.select(AssessmentAttempt.state, sa.func.count())
            .where(AssessmentAttempt.integration_id == integration_id)
            .group_by(AssessmentAttempt.state)
        ).all()
    return ",".join(f"{state.value}:{n}" for state, n in sorted(rows))


def main() -> None:
    logging.getLogger("stamina").setLevel(logging.ERROR)  # one line per honoured 429 otherwise
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    args = parser.parse_args()
    with sandbox_process(SANDBOX_PORT, SCRATCH / "sandbox.log"):
        try:
            run(args)
        finally:
            with contextlib.suppress(RuntimeError):  # no engine if the setup failed early
                get_engine().dispose()
            shutil.rmtree(SCRATCH, ignore_errors=True)


def run(args) -> None:
    db = SCRATCH / "sync.db"
    url = f"sqlite:///{db}"
    migrate(url)
    init_engine(url)
    polled, skipped = [], []
    for vendor in registry.VENDORS:
        if vendor not in IMITATIONS:
            skipped.append((vendor, "no sandbox imitation"))
            continue
        capabilities = registry.VENDORS[vendor].provider.capabilities
        if Capability.POLL not in capabilities:
            skipped.append((vendor, "no Capability.POLL: its results arrive by webhook only"))
            continue
        polled.append(vendor)
    for vendor, why in skipped:
        emit(f"skipped_{vendor}", why)
    for vendor in polled:
        faults(vendor)  # drop webhooks: Assay is not listening, and the sweep must find the news
    CONTROL.post("/_sandbox/coderpad_interview/quota", json={"limit": 10 * args.attempts}).raise_for_status()
    integration_ids = connect(polled)
    with new_session() as session:
        job = Job(title="Sync bench")
        session.add(job)
        session.flush()
        stages = {}
        for position, vendor in enumerate(polled):
            stage = Stage(job_id=job.id, position=position, name=vendor, kind=StageKind.ASSESSMENT)
            session.add(stage)
            session.flush()
            stages[vendor] = stage.id
        session.commit()
        job_id = job.id
    share = args.attempts // len(polled)
    started = time.perf_counter()
    sent = {}
    for n, vendor in enumerate(polled):
        count = share if n < len(polled) - 1 else args.attempts - share * (len(polled) - 1)
        sent[vendor] = send_all(vendor, integration_ids[vendor], count, n * share)
    insert_rows(job_id, stages, integration_ids, sent)
    play_candidates(sent, random.Random(3))
    emit("setup_s", time.perf_counter() - started)
    emit("open_attempts", sum(len(rows) for rows in sent.values()))
    ideals = {v: ideal(v, integration_ids[v]) for v in polled}
    get_engine().dispose()
    shutil.copy(db, SCRATCH / "before.db")

    clean = sweep(integration_ids)
    found = {v: states_after(integration_ids[v]) for v in polled}
    again = listing_again(integration_ids)
    worst = 0.0
    for vendor in polled:
        figures = clean[vendor]
        if figures["error"]:
            emit(f"error_{vendor}", figures["error"])
        ratio = figures["requests"] / ideals[vendor]
        worst = max(worst, ratio)
        emit(f"open_{vendor}", figures["open"])
        emit(f"corrected_{vendor}", figures["corrected"])  # any detail refreshed counts
        emit(f"states_{vendor}", found[vendor])
        emit(f"list_requests_{vendor}", figures["lists"])
        emit(f"listing_s_{vendor}", figures["listing"])
        emit(f"sync_s_{vendor}", figures["seconds"])
        emit(f"again_requests_{vendor}", again[vendor])
        emit(f"requests_{vendor}", figures["requests"])
        emit(f"ideal_{vendor}", ideals[vendor])
        emit(f"requests_per_ideal_{vendor}", ratio)
        if not registry.VENDORS[vendor].provider.listing_tells_all:
            # The fewest requests its API allows: the listings, and a report for each attempt
            # they show finished (they carry no result, and no endpoint returns results in bulk).
            completed = dict(pair.split(":") for pair in found[vendor].split(",")).get("completed", "0")
            minimum = figures["lists"] + int(completed)
            emit(f"api_minimum_{vendor}", minimum)
            emit(f"requests_per_api_minimum_{vendor}", figures["requests"] / minimum)

    get_engine().dispose()
    shutil.copy(SCRATCH / "before.db", db)
    for suffix in ("-wal", "-shm"):
        pathlib.Path(f"{db}{suffix}").unlink(missing_ok=True)
    init_engine(url)
    started = time.perf_counter()
    throttled = sweep(integration_ids, throttle=True)
    total = time.perf_counter() - started
    floor = sum(throttled[v]["requests"] / rate_of(v) for v in polled)
    # The clean sweep made the same real requests: the rest were answered 429.
    refused = sum(throttled[v]["requests"] - clean[v]["requests"] for v in polled)
    listing = sum(throttled[v]["listing"] for v in polled)
    for vendor in polled:
        if throttled[vendor]["error"]:
            emit(f"throttled_error_{vendor}", throttled[vendor]["error"])
        emit(f"throttled_requests_{vendor}", throttled[vendor]["requests"])
        emit(f"throttled_listing_s_{vendor}", throttled[vendor]["listing"])
        emit(f"throttled_sweep_s_{vendor}", throttled[vendor]["seconds"])
    emit("answered_429", refused)
    # Listing = the vendor conversation; the rest of a sweep applies statuses to the database.
    emit("listing_s", listing)
    emit("beyond_listing_s", total - listing)
    # Each honoured Retry-After costs a second that the pacing floor does not count.
    emit("floor_with_retry_after_s", floor + refused)
    emit("listing_per_floor_with_retry_after", listing / (floor + refused))
    emit("sweep_s", total)
    emit("floor_s", floor)
    emit("sweep_per_floor", total / floor)
    emit("sync_requests_per_ideal", worst)  # the worst vendor's, printed last as the issue asks


if __name__ == "__main__":
    main()
