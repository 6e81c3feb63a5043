"""Webhook ingest through Assay's real endpoint, against a bare Starlette endpoint on the same machine.

What it measures: ``dashboard.api.routes.build_api()`` served by uvicorn on loopback (in
its own process, ``bench/webhook_servers.py assay``) over a migrated SQLite file with a
CoderPad Screen connection (made by the integrations service, key checked at the vendor
sandbox) and ``--attempts`` sent attempts whose candidates have started the test at the
sandbox (10% of them also submitted it). Each request is one CoderPad Screen
``test.status_changed`` delivery for a different attempt, with the connection's token:
Assay checks the token, reads and stores the delivery in the inbox, answers 200, then
applies it off the request: deliveries are gathered until they pause (0.15 s, at most
2 s), then settled by the vendor's own listing, read page by page at the provider's pace
and only as far as the last attempt named (Assay does not trust the payload of a vendor
it can ask), and each attempt moves to started or completed. The bare endpoint
(``bench/webhook_servers.py bare``, Starlette under the same uvicorn) reads the body and
answers 200. One asyncio httpx client with ``--concurrency`` requests in flight drives both
alike; rounds alternate (ingest, bare, ingest, ...) and the medians are compared.

- ``ingest_rps``: deliveries per second from the round's first request until the last of
  its deliveries is applied (``webhookdelivery.applied_at``): verify, store and apply.
- ``answer_rps``: the same round's requests per second until its last answer (store only).
- ``bare_rps``: requests per second through the bare endpoint.
- ``ingest_ratio`` = ingest_rps / bare_rps, goal >= 0.3.
- ``ingest_p99_ms``: the 99th percentile of the ingest requests' answer times (all rounds).
- ``vendor_fetch_rps``: the sandbox's API requests per second while the ingest rounds ran,
  beside ``vendor_limit_rps``, the rate the provider paces its calls to.

Run: ``.venv/bin/python bench/webhooks.py [--attempts 900] [--rounds 3] [--concurrency 16]``
(about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

SCRATCH = pathlib.Path(tempfile.mkdtemp(prefix="assay-bench-webhooks-"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import emit, free_port, percentile, process, sandbox_process  # noqa: E402 (reads no setting)

SANDBOX_PORT = free_port()
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
DB_URL = f"sqlite:///{SCRATCH / 'webhooks.db'}"
SETTINGS = {
    "ASSAY_DATA_DIR": str(SCRATCH),
    "ASSAY_SANDBOX_URL": SANDBOX_URL,
    "REFLEX_DB_URL": DB_URL,
    # Webhooks from the sandbox are dropped; a dead port of our own makes sure none reaches anyone.
    "ASSAY_PUBLIC_URL": f"http://127.0.0.1:{free_port()}",
}
os.environ.update(SETTINGS)

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from dashboard.services.integrations import provider_for, save_integration, webhook_url  # noqa: E402
from models import (  # noqa: E402
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Job,
    Stage,
    StageKind,
    WebhookDelivery,
    folded,
    get_engine,
    init_engine,
    migrate,
    new_session,
    utcnow,
)
from providers.base import Invitee  # noqa: E402
from providers.budget import LocalBudget  # noqa: E402
from providers.coderpad_screen import RULES  # noqa: E402
from providers.sandbox.coderpad_screen import DEMO_KEY  # noqa: E402

VENDOR = "coderpad_screen"
SUBMITTED = 0.10


def setup(attempts: int) -> tuple[int, str, list[dict]]:
    """The connection, ``attempts`` sent attempts started at the sandbox; returns what to post."""
    migrate(DB_URL)
    init_engine(DB_URL)
    httpx.post(
        f"{SANDBOX_URL}/_sandbox/faults", json={"vendor": VENDOR, "drop_webhooks": True}, timeout=10
    ).raise_for_status()
    with new_session() as session:
        integration = save_integration(
            session=session,
            vendor=VENDOR,
            name="CoderPad Screen",
            region="sandbox",
            custom_base_url="",
            api_key=DEMO_KEY,
        )
        url = webhook_url(integration)
        provider = provider_for(integration)
        job = Job(title="Webhook bench")
        session.add(job)
        session.flush()
        stage = Stage(job_id=job.id, position=0, name="CoderPad", kind=StageKind.ASSESSMENT)
        session.add(stage)
        session.commit()
        integration_id, job_id, stage_id = integration.id, job.id, stage.id
    provider._http._budget = LocalBudget(None)  # setup only: the server's providers are its own, paced
    campaign = provider.list_tests()[0]

    control = httpx.Client(timeout=30)  # one client: each new one loads the CA bundle (~25 ms)

    def send(index: int) -> dict:
        invitee = Invitee(
            name=f"Hook Candidate{index:05d}", email=f"hook{index}@example.com", reference=f"hook-{index}"
        )
        invitation = provider.send(test_id=campaign.id, invitee=invitee)
        act = f"{SANDBOX_URL}/_sandbox/{VENDOR}/attempts/{invitation.vendor_attempt_id}"
        control.post(f"{act}/start").raise_for_status()
        status = "in_progress"
        if index % round(1 / SUBMITTED) == 0:
            control.post(f"{act}/submit").raise_for_status()
            status = "completed"
        return {"index": index, "invitation": invitation, "status": status, "email": invitee.email}

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        sent = list(pool.map(send, range(attempts)))
    now = utcnow()
    with get_engine().begin() as conn:
        conn.execute(
            sa.insert(Candidate),
            [
                {
                    "name": f"Hook Candidate{s['index']:05d}",
                    "search_name": folded(f"Hook Candidate{s['index']:05d}"),
                    "email": s["email"],
                }
                for s in sent
            ],
        )
        candidates = [r[0] for r in conn.execute(sa.text("SELECT id FROM candidate ORDER BY id"))]
        conn.execute(
            sa.insert(Application),
            [
                {
                    "candidate_id": candidate_id,
                    "job_id": job_id,
                    "stage_id": stage_id,
                    "stage_entered_at": now,
                    "updated_at": now,
                    "decision_version": 0,
                }
                for candidate_id in candidates
            ],
        )
        applications = [r[0] for r in conn.execute(sa.text("SELECT id FROM application ORDER BY id"))]
        conn.execute(
            sa.insert(AssessmentAttempt),
            [
                {
                    "application_id": application_id,
                    "stage_id": stage_id,
                    "integration_id": integration_id,
                    "vendor_test_id": campaign.id,
                    "vendor_test_name": campaign.name,
                    "live_interview": False,
                    "attempt_number": 1,
                    "reference": f"hook-{s['index']}",
                    "state": AttemptState.SENT.value,
                    "send_tries": 1,
                    "vendor_attempt_id": s["invitation"].vendor_attempt_id,
                    "test_url": s["invitation"].test_url,
                    "created_at": now,
                    "updated_at": now,
                    "sent_at": now,
                    "subscores": [],
                    "warnings": [],
                    "error_retryable": False,
                }
                for application_id, s in zip(applications, sent, strict=True)
            ],
        )
    get_engine().dispose()
    bodies = [
        json.dumps(
            {
                "event": "test.status_changed",
                "id": int(s["invitation"].vendor_attempt_id),
                "status": s["status"],
                "campaign_id": int(campaign.id),
                "candidate_email": s["email"],
                "timestamp": int(time.time() * 1000) + s["index"],
            }
        ).encode()
        for s in sent
    ]
    path_and_token = url.split("/api/webhooks/", 1)[1]
    return integration_id, "/api/webhooks/" + path_and_token, bodies


async def fire(
    base: str, path: str, bodies: list[bytes], concurrency: int
) -> tuple[float, list[float], list[int]]:
    """POST every body with ``concurrency`` in flight; (seconds, latencies in ms, status codes)."""
    latencies: list[float] = []
    codes: list[int] = []
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                start = time.perf_counter()
                response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
                latencies.append((time.perf_counter() - start) * 1000)
                codes.append(response.status_code)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, latencies, codes


def applied(delivery_count_before: int) -> int:
    with get_engine().connect() as conn:
        return (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.applied_at.is_not(None))
            ).scalar()
            - delivery_count_before
        )


def ingest_round(base: str, path: str, bodies: list[bytes], concurrency: int) -> dict:
    before = applied(0)
    vendor_before = httpx.get(f"{SANDBOX_URL}/_sandbox/stats", timeout=10).json()[VENDOR][
        "api_requests"
    ]  # before the clock
    start = time.perf_counter()
    answered_s, latencies, codes = asyncio.run(fire(base, path, bodies, concurrency))
    deadline = time.monotonic() + 120
    while applied(before) < len(bodies) and time.monotonic() < deadline:
        time.sleep(0.02)
    total = time.perf_counter() - start
    vendor_after = httpx.get(f"{SANDBOX_URL}/_sandbox/stats", timeout=10).json()[VENDOR]["api_requests"]
    done = applied(before)
    return {
        "ingest_rps": done / total,
        "answer_rps": len(bodies) / answered_s,
        "latencies": latencies,
        "bad": sum(code != 200 for code in codes),
        "unapplied": len(bodies) - done,
        "vendor_rps": (vendor_after - vendor_before) / total,
    }


def bare_round(base: str, path: str, bodies: list[bytes], concurrency: int) -> dict:
    seconds, latencies, codes = asyncio.run(fire(base, path, bodies, concurrency))
    return {
        "bare_rps": len(bodies) / seconds,
        "latencies": latencies,
        "bad": sum(code != 200 for code in codes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=900)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    try:
        with sandbox_process(SANDBOX_PORT, SCRATCH / "sandbox.log"):
            started = time.perf_counter()
            _integration_id, path, bodies = setup(args.attempts)
            emit("setup_s", time.perf_counter() - started)
            init_engine(DB_URL)  # this process only reads the inbox's progress
            assay_port, bare_port = free_port(), free_port()
            server = str(pathlib.Path(__file__).resolve().parent / "webhook_servers.py")
            with (
                process(
                    [sys.executable, server, "assay", str(assay_port)],
                    probe=f"http://127.0.0.1:{assay_port}/api/health",
                    log_path=SCRATCH / "assay.log",
                    env=SETTINGS,
                ),
                process(
                    [sys.executable, server, "bare", str(bare_port)],
                    probe=f"http://127.0.0.1:{bare_port}/api/health",
                    log_path=SCRATCH / "bare.log",
                ),
            ):
                assay, bare = f"http://127.0.0.1:{assay_port}", f"http://127.0.0.1:{bare_port}"
                share = len(bodies) // args.rounds
                bare_round(bare, path, bodies[:200], args.concurrency)  # warm both up
                ingests, bares = [], []
                for n in range(args.rounds):
                    chunk = bodies[n * share : (n + 1) * share]
                    ingests.append(ingest_round(assay, path, chunk, args.concurrency))
                    bares.append(bare_round(bare, path, chunk, args.concurrency))
            errors = [
                line for line in (SCRATCH / "assay.log").read_text().splitlines() if "Traceback" in line
            ]
        emit("deliveries", share * args.rounds)
        emit("concurrency", args.concurrency)
        emit("not_accepted", sum(r["bad"] for r in ingests))
        emit("not_applied", sum(r["unapplied"] for r in ingests))
        emit("server_errors", len(errors))
        emit("answer_rps", statistics.median(r["answer_rps"] for r in ingests))
        emit("vendor_fetch_rps", statistics.median(r["vendor_rps"] for r in ingests))
        emit("vendor_limit_rps", float(RULES.requests_per_second))
        emit("bare_p99_ms", percentile([x for r in bares for x in r["latencies"]], 0.99))
        ingest_rps = statistics.median(r["ingest_rps"] for r in ingests)
        bare_rps = statistics.median(r["bare_rps"] for r in bares)
        emit("ingest_p99_ms", percentile([x for r in ingests for x in r["latencies"]], 0.99))
        emit("bare_rps", bare_rps)
        emit("ingest_rps", ingest_rps)
        emit("ingest_ratio", ingest_rps / bare_rps)
    finally:
        get_engine().dispose()
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
