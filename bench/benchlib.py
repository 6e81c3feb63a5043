"""Shared helpers for the benchmarks in bench/: timing, loopback servers, the 10,000-card job.

Not a benchmark itself. Importing it reads no setting (Assay's modules are imported inside
the functions that need them), so a script may import it first, then point
``ASSAY_DATA_DIR`` and the other settings at its scratch folder, then use the app.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import pathlib
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

# Ports the shared machine's other services use; never bind these.
RESERVED_PORTS = {3000, 3100, 8700, 8800}


def free_port() -> int:
    """A loopback TCP port nobody listens on now (never one of the reserved ones)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


@contextlib.contextmanager
def serving(app, *, port: int | None = None, probe: str = "/", **config) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a background thread (as tests/http_server.py does)."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("bench server did not start")
        time.sleep(0.02)
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url + probe, timeout=5)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextlib.contextmanager
def process(
    command: list[str], *, probe: str, log_path: pathlib.Path, env: dict | None = None, timeout: float = 30
) -> Iterator[subprocess.Popen]:
    """Run ``command`` (in its own process group) until ``probe`` answers 200; stop it after."""
    with open(log_path, "wb") as log:
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(probe, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[:4]} did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield child
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=5)


def sandbox_process(port: int, log_path: pathlib.Path):
    """The vendor sandbox (``build_app``) in its own process, as ``make run`` starts it."""
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "providers.sandbox", "--host", "127.0.0.1", "--port", str(port)]
    return process([*command, "--public-url", url], probe=f"{url}/_sandbox/stats", log_path=log_path)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def timed_ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def interleaved_medians(
    works: dict[str, Callable[[], object]], repeats: int = 15, warmup: int = 2
) -> dict[str, float]:
    """Median ms of each piece of work, run alternately so machine noise hits them alike."""
    for _ in range(warmup):
        for work in works.values():
            work()
    timings: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            timings[name].append(timed_ms(work))
    return {name: statistics.median(values) for name, values in timings.items()}


def emit(key: str, value: object) -> None:
    """One ``key=value`` line, flushed at once (a long run shows progress)."""
    if isinstance(value, float):
        value = f"{value:.2f}"
    print(f"{key}={value}", flush=True)


# ---------------------------------------------------------------------------------------
# The big job: 10,000 applications over a five-stage plan, one stage sending a test.

PLAN = ["Applied", "Recruiter screen", "CoderPad assessment", "Onsite", "Offer"]
ASSESSMENT_POSITION = 2
SCREEN_KEY = "demo-coderpad-screen-key"
SCREEN_CAMPAIGN = ("101", "Backend Engineer (Python)")
# The newest attempt's state for applications in (or past) the assessment stage.
ATTEMPT_MIX = [
    ("ready_to_send", 15),
    ("sent", 25),
    ("started", 15),
    ("completed", 20),
    ("reviewed", 10),
    ("expired", 5),
    ("cancelled", 5),
    ("error", 5),
]


@dataclasses.dataclass(frozen=True)
class BigJob:
    job_id: int
    stage_ids: list[int]
    assessment_stage_id: int
    integration_id: int
    applications: int
    attempts: int


def connect_screen_row(session):
    """A CoderPad Screen connection row (sandbox region), secrets encrypted as the service does."""
    from dashboard.services import secrets
    from models import Integration

    integration = Integration(
        vendor="coderpad_screen",
        name="CoderPad Screen",
        region="sandbox",
        api_key_encrypted=secrets.encrypt(SCREEN_KEY),
        api_key_last4=SCREEN_KEY[-4:],
        webhook_token_encrypted=secrets.encrypt(secrets.new_webhook_token()),
    )
    session.add(integration)
    session.flush()
    return integration


def build_big_job(url: str, applications: int = 10_000, seed: int = 1) -> BigJob:
    """Migrate ``url`` and fill it with one job of ``applications`` cards (bulk inserts)."""
    import sqlalchemy as sa

    from models import (
        Application,
        AssessmentAttempt,
        AttemptState,
        Candidate,
        Job,
        Stage,
        StageAssessment,
        StageKind,
        folded,
        init_engine,
        migrate,
        new_session,
        utcnow,
    )

    migrate(url)
    engine = init_engine(url)
    rng = random.Random(seed)
    with new_session() as session:
        integration = connect_screen_row(session)
        job = Job(title="Bench job (10k)")
        session.add(job)
        session.flush()
        stages = [
            Stage(
                job_id=job.id,
                position=i,
                name=name,
                kind=StageKind.ASSESSMENT if i == ASSESSMENT_POSITION else StageKind.REGULAR,
            )
            for i, name in enumerate(PLAN)
        ]
        session.add_all(stages)
        session.flush()
        assessment = stages[ASSESSMENT_POSITION]
        session.add(
            StageAssessment(
                stage_id=assessment.id,
                integration_id=integration.id,
                vendor_test_id=SCREEN_CAMPAIGN[0],
                vendor_test_name=SCREEN_CAMPAIGN[1],
            )
        )
        session.commit()
        stage_ids = [s.id for s in stages]
        job_id, integration_id, assessment_id = job.id, integration.id, assessment.id
    now = utcnow()
    day = datetime.timedelta(days=1)
    with engine.begin() as conn:
        first_candidate = conn.execute(sa.text("SELECT coalesce(max(id), 0) + 1 FROM candidate")).scalar()
        conn.execute(
            sa.insert(Candidate),
            [
                {
                    "name": f"Candidate {i:05d}",
                    "search_name": folded(f"Candidate {i:05d}"),
                    "email": f"c{i}@example.com",
                }
                for i in range(applications)
            ],
        )
        rows = []
        for i in range(applications):
            # Later stages hold fewer people, as a real funnel does.
            stage_index = rng.choices(range(len(PLAN)), weights=[30, 25, 25, 12, 8])[0]
            entered = now - rng.random() * 30 * day
            rows.append(
                {
                    "candidate_id": first_candidate + i,
                    "job_id": job_id,
                    "stage_id": stage_ids[stage_index],
                    "stage_entered_at": entered.replace(microsecond=0),
                    "updated_at": entered.replace(microsecond=0),
                    "rejected_at": now if rng.random() < 0.05 else None,
                    "rejection_reason": None,
                    "decision_version": 0,
                }
            )
        conn.execute(sa.insert(Application), rows)
        placed = conn.execute(
            sa.select(Application.id, Application.stage_id).where(Application.job_id == job_id)
        ).all()
        attempts = []
        states, weights = zip(*[(AttemptState(s), w) for s, w in ATTEMPT_MIX], strict=True)
        for app_id, stage_id in placed:
            position = stage_ids.index(stage_id)
            if position < ASSESSMENT_POSITION:
                continue
            if position == ASSESSMENT_POSITION:
                state = rng.choices(states, weights)[0]
            else:  # passed the assessment stage: a finished result stays on record
                state = rng.choice([AttemptState.COMPLETED, AttemptState.REVIEWED])
            history = []
            if state in (AttemptState.SENT, AttemptState.STARTED) and rng.random() < 0.2:
                history.append(rng.choice([AttemptState.CANCELLED, AttemptState.EXPIRED]))
            history.append(state)
            for number, each in enumerate(history, start=1):
                sent = each != AttemptState.READY_TO_SEND
                updated = (now - rng.random() * 10 * day).replace(microsecond=0)
                attempts.append(
                    {
                        "application_id": app_id,
                        "stage_id": assessment_id,
                        "integration_id": integration_id,
                        "vendor_test_id": SCREEN_CAMPAIGN[0],
                        "vendor_test_name": SCREEN_CAMPAIGN[1],
                        "live_interview": False,
                        "attempt_number": number,
                        "reference": f"bench-{app_id}-{number}",
                        "state": each.value,
                        "send_tries": int(sent),
                        "vendor_attempt_id": f"{app_id}{number:02d}" if sent else None,
                        "created_at": updated,
                        "updated_at": updated,
                        "sent_at": updated if sent else None,
                        "score_percent": float(rng.randint(20, 100))
                        if each in (AttemptState.COMPLETED, AttemptState.REVIEWED)
                        else None,
                        "subscores": [],
                        "warnings": [],
                        "error_reason": "Bench: vendor failed" if each == AttemptState.ERROR else None,
                        "error_retryable": each == AttemptState.ERROR,
                    }
                )
        conn.execute(sa.insert(AssessmentAttempt), attempts)
    # No ANALYZE: the app never runs it, so the planner sees what it sees in production.
    return BigJob(job_id, stage_ids, assessment_id, integration_id, applications, len(attempts))
