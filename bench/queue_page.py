"""The queue's reads as the workspace grows: does each stay linear in the attempts it holds?

What it measures, on two workspaces made by ``benchlib.build_big_job`` run once per job
(``--jobs`` jobs of the board bench's shape: five stages, a CoderPad assessment whose
attempts are in every state, some re-taken), one of ``--small`` and one of ``--large``
applications in all, with deadlines set on the open invitations so that every bucket
holds some (Expiring within 24 h or overdue, and Stuck, the older ones):

- ``open``: what ``QueueState`` reads when the page opens (the workspace revision, the
  filter choices, the count of every bucket, the first page of Needs sending, the
  results to match and set aside, the jobs with their counts), as its ``_reload`` does;
- ``counts``: ``queue_view.counts``, the seven counts on the bucket buttons;
- ``next_page``: Next pressed on Awaiting candidate: the counts, its first page and its second
  (held by its first row's place, the rows before it counted);
- ``bucket_<key>``: ``queue_view.rows`` for each bucket's first page (100 rows);
- ``search``: a search for one candidate's name (the counts and the first page, as
  ``apply_search`` reloads them).

Each read opens its own session, as the state does; the two workspaces' reads run
alternately and the medians are compared. ``queued_<n>`` is how many attempts the queue
holds (the sum of its disjoint buckets); each read's scaling is, as ``review_scaling``,
(time ratio large/small) / (queued ratio): 1.0 is linear, a fixed-size page read well
indexed stays far below, and a read that compares every attempt with every other
approaches the size ratio itself.

Prints ``queued_<n>=``, ``queue_ms_<n>=`` (the open page) and ``queue_scaling=``, then for
every read ``<read>_ms_<n>=`` and ``<read>_scaling=``, and last ``worst_read=`` and
``worst_scaling=``. With ``--postgres URL`` (a server where that user may create
databases) it runs on PostgreSQL instead, in two scratch databases it drops after.

Goal: ``worst_scaling <= 1.5`` (so ``queue_scaling`` too).

Named ``queue_page``, not ``queue``: on the path of every bench script, a ``queue.py`` here stood
in for the standard library's, which logging imports.

Run: ``.venv/bin/python bench/queue_page.py [--small 1000] [--large 10000] [--jobs 4]
[--repeats 9] [--postgres URL]`` (about a minute on SQLite).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime
import os
import pathlib
import random
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator

# Settings (and the master key file) are read once per process: a scratch data dir first.
if "ASSAY_DATA_DIR" not in os.environ:
    os.environ["ASSAY_DATA_DIR"] = tempfile.mkdtemp(prefix="assay-bench-queue-")
    atexit.register(shutil.rmtree, os.environ["ASSAY_DATA_DIR"], ignore_errors=True)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import sqlalchemy as sa
from benchlib import build_big_job, emit, interleaved_medians
from sqlmodel import Session

from dashboard.services import pipeline, queue_view, views
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Job,
    StageAssessment,
    init_engine,
    utcnow,
)

# The buckets no attempt is in twice (Expiring and Stuck are parts of Awaiting candidate).
DISJOINT = ("needs_sending", "awaiting", "expired", "needs_review", "failed")
# One candidate of each job: ``build_big_job`` names them "Candidate 00000" on in every job.
SEARCH = "candidate 00042"


def build_workspace(url: str, applications: int, jobs: int, seed: int = 1) -> None:
    """``jobs`` jobs of ``applications // jobs`` cards each, their tests on one connection, every
    open invitation with a deadline."""
    for number in range(jobs):
        big = build_big_job(url, applications // jobs, seed=seed + number)
        with init_engine(url).begin() as conn:
            conn.execute(sa.update(Job).where(Job.id == big.job_id).values(title=f"Bench job {number + 1}"))
            # An email is one person's: the next job's builder numbers its candidates from 0 again.
            conn.execute(
                sa.update(Candidate)
                .where(
                    Candidate.id.in_(
                        sa.select(Application.candidate_id).where(Application.job_id == big.job_id)
                    )
                )
                .values(email=f"job{number + 1}." + Candidate.email)
            )
            # One CoderPad account for the workspace, as a team has: each job's tests on the first.
            if number == 0:
                account = big.integration_id
                conn.execute(  # its name is unique per vendor: each builder adds its own
                    sa.update(Integration)
                    .where(Integration.id == account)
                    .values(name="CoderPad Screen (all jobs)")
                )
            else:
                for table in (StageAssessment, AssessmentAttempt):
                    conn.execute(
                        sa.update(table)
                        .where(table.integration_id == big.integration_id)
                        .values(integration_id=account)
                    )
                conn.execute(sa.delete(Integration).where(Integration.id == big.integration_id))
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    with init_engine(url).begin() as conn:
        waiting = conn.execute(
            sa.select(AssessmentAttempt.id).where(
                AssessmentAttempt.state.in_([AttemptState.SENT, AttemptState.STARTED])  # type: ignore[union-attr]
            )
        ).all()
        # Deadlines over the next ten days: about a tenth fall within 24 h (Expiring).
        conn.execute(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == sa.bindparam("attempt"))
            .values(expires_at=sa.bindparam("deadline")),
            [
                {"attempt": attempt_id, "deadline": now + datetime.timedelta(hours=rng.uniform(1, 240))}
                for (attempt_id,) in waiting
            ],
        )


def open_page(session: Session) -> object:
    """What ``QueueState._reload`` reads for an admin opening the queue (Needs sending, no filter)."""
    choices = queue_view.filter_choices(session, None, None)
    buckets = queue_view.counts(session)
    return (
        pipeline.workspace_revision(session),
        choices,
        buckets,
        queue_view.page(
            session,
            "needs_sending",
            queue_view.QueueFilter(),
            None,
            None,
            queue_view.count_of(buckets, "needs_sending"),
        ),
        queue_view.unmatched(session),
        queue_view.set_aside(session),
        views.list_jobs(session, None),
    )


def searched(session: Session) -> object:
    """What ``apply_search`` reloads that a search changes: the counts and the first page."""
    narrowed = queue_view.QueueFilter(search=SEARCH)
    return queue_view.counts(session, narrowed), queue_view.rows(session, "needs_sending", narrowed)


def next_page(session: Session) -> object:
    """Next pressed on the longest bucket: its second page, held by its first row's place, and the
    count of the rows before it (``queue_view.page``, as the state's reload reads it)."""
    bucket, every = "awaiting", queue_view.QueueFilter()
    total = queue_view.count_of(queue_view.counts(session), bucket)
    first = queue_view.page(session, bucket, every, None, None, total)
    return queue_view.page(session, bucket, every, None, first.next_start, total)


READS: dict[str, Callable[[Session], object]] = {
    "open": open_page,
    "next_page": next_page,
    "counts": queue_view.counts,
    "search": searched,
    **{f"bucket_{key}": (lambda s, k=key: queue_view.rows(s, k)) for key in queue_view.BUCKETS},
}


@contextlib.contextmanager
def databases(postgres: str | None, sizes: tuple[int, ...]) -> Iterator[dict[int, str]]:
    """A scratch database per size: SQLite files, or PostgreSQL databases made and dropped."""
    if postgres is None:
        with tempfile.TemporaryDirectory(prefix="assay-bench-queue-") as tmp:
            yield {size: f"sqlite:///{tmp}/queue-{size}.db" for size in sizes}
        return
    server = sa.make_url(postgres)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    names = {size: f"assay_bench_queue_{size}" for size in sizes}
    try:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
                conn.execute(sa.text(f"CREATE DATABASE {name}"))
        yield {
            size: server.set(database=name).render_as_string(hide_password=False)
            for size, name in names.items()
        }
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (scratch databases) instead")
    args = parser.parse_args()
    sizes = (args.small, args.large)
    with databases(args.postgres, sizes) as urls:
        engines = {}
        for size, url in urls.items():
            build_workspace(url, size, args.jobs)
            engines[size] = init_engine(url)  # kept: the next one's init only empties this one's pool
        queued = {}
        for size, engine in engines.items():
            with Session(engine) as session:
                found = {b.key: b.count for b in queue_view.counts(session)}
            assert all(found.values()), f"an empty bucket at {size}: {found}"
            queued[size] = sum(found[key] for key in DISJOINT)

        def timed(read: Callable[[Session], object], engine: sa.Engine) -> Callable[[], object]:
            def run() -> object:
                with Session(engine, expire_on_commit=False) as session:
                    return read(session)

            return run

        medians = interleaved_medians(
            {
                f"{name}_{size}": timed(read, engine)
                for name, read in READS.items()
                for size, engine in engines.items()
            },
            repeats=args.repeats,
        )
        for engine in engines.values():
            engine.dispose()
    growth = queued[args.large] / queued[args.small]
    scaling = {
        name: medians[f"{name}_{args.large}"] / medians[f"{name}_{args.small}"] / growth for name in READS
    }
    for size in sizes:
        emit(f"queued_{size}", queued[size])
        emit(f"queue_ms_{size}", medians[f"open_{size}"])
    emit("queue_scaling", scaling["open"])
    for name in READS:
        for size in sizes:
            emit(f"{name}_ms_{size}", medians[f"{name}_{size}"])
        emit(f"{name}_scaling", scaling[name])
    worst = max(scaling, key=scaling.__getitem__)
    emit("worst_read", worst)
    emit("worst_scaling", scaling[worst])


if __name__ == "__main__":
    main()
