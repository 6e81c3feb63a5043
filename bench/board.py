"""Pipeline board read time for a job with 10,000 applications, against raw SQL for the same page.

What it measures: ``board_view.board(session, job_id, BoardFilter(), {})`` -- the read
``BoardState`` runs on page load and on every change -- on a migrated SQLite file holding
one job of 10,000 applications over five stages (Applied, Recruiter screen, a CoderPad
assessment stage whose attempts are in every state, some with a re-attempt, Onsite,
Offer), against hand-written SQL returning the same page: the job, its stages and tests,
the count per column, ``board_view.PAGE`` cards per column (id, entered, rejected, name)
and, for the assessment column, the newest attempt per card (state, updated, test name,
score). Both open a fresh session per read, as the state handler does; they run
alternately and the medians are compared, so the shared machine's noise hits both alike.

Goal: ``board_ratio`` (board/raw) <= 3.

Prints ``applications=``, ``attempts=``, ``board_ms=``, ``raw_ms=`` and last
``board_ratio=``. With ``--explain`` it first prints, per SQL statement the service
issued, its median time (``stmt<i>_ms=``), its text (``stmt<i>_sql=``) and SQLite's
plan (``stmt<i>_plan=``), to find a missing index.

Run: ``.venv/bin/python bench/board.py [--applications N] [--repeats N] [--explain]``
(about 20 s). The browser round trips are in ``bench/board_browser.py``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import pathlib
import shutil
import statistics
import sys
import tempfile

# Settings (and the master key file) are read once per process: a scratch data dir first.
if "ASSAY_DATA_DIR" not in os.environ:
    os.environ["ASSAY_DATA_DIR"] = tempfile.mkdtemp(prefix="assay-bench-board-")
    atexit.register(shutil.rmtree, os.environ["ASSAY_DATA_DIR"], ignore_errors=True)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import sqlalchemy as sa
from benchlib import build_big_job, emit, interleaved_medians, timed_ms

from dashboard.services import board_view
from models import get_engine, new_session

JOB = sa.text("SELECT id, title FROM job WHERE id = :job")
STAGES = sa.text("SELECT id, name, kind, send_automatically FROM stage WHERE job_id = :job ORDER BY position")
TESTS = sa.text(
    "SELECT t.stage_id, t.vendor_test_name FROM stageassessment t JOIN stage s ON s.id = t.stage_id "
    "WHERE s.job_id = :job ORDER BY t.position"
)
COUNTS = sa.text("SELECT stage_id, count(*) FROM application WHERE job_id = :job GROUP BY stage_id")
PAGE = sa.text(
    """
    SELECT a.id, a.stage_entered_at, a.rejected_at, c.name
    FROM application a JOIN candidate c ON c.id = a.candidate_id
    WHERE a.job_id = :job AND a.stage_id = :stage
    ORDER BY a.stage_entered_at DESC, a.id DESC
    LIMIT :limit
    """
)
CHIPS = sa.text(
    """
    SELECT t.application_id, t.state, t.updated_at, t.vendor_test_name, t.score_percent
    FROM assessmentattempt t
    WHERE t.id IN (
        SELECT max(id) FROM assessmentattempt
        WHERE stage_id = :stage AND application_id IN :ids
        GROUP BY application_id, integration_id, vendor_test_id
    )
    ORDER BY t.id
    """
).bindparams(sa.bindparam("ids", expanding=True))


def raw_page(job_id: int) -> list:
    """The same page as ``board_view.board`` in hand-written SQL (no ORM objects)."""
    with get_engine().connect() as conn:
        job = conn.execute(JOB, {"job": job_id}).one()
        stages = conn.execute(STAGES, {"job": job_id}).all()
        tests = conn.execute(TESTS, {"job": job_id}).all()
        counts = dict(conn.execute(COUNTS, {"job": job_id}).all())
        columns = []
        for stage_id, _name, kind, _auto in stages:
            cards = conn.execute(PAGE, {"job": job_id, "stage": stage_id, "limit": board_view.PAGE}).all()
            chips = []
            if kind == "assessment" and cards:
                chips = conn.execute(CHIPS, {"stage": stage_id, "ids": [c[0] for c in cards]}).all()
            columns.append((stage_id, counts.get(stage_id, 0), cards, chips))
        return [job, tests, columns]


def service_page(job_id: int) -> board_view.BoardView:
    with new_session() as session:
        return board_view.board(session, job_id, board_view.BoardFilter(), {})


def check_same(job_id: int) -> None:
    """The two reads must agree, or the comparison means nothing."""
    view = service_page(job_id)
    _job, _tests, columns = raw_page(job_id)
    for column, (stage_id, count, cards, chips) in zip(view.columns, columns, strict=True):
        assert column.stage_id == stage_id and column.count == count, (column.name, column.count, count)
        assert [c.application_id for c in column.cards] == [c[0] for c in cards], column.name
        assert sum(len(c.chips) for c in column.cards) == len(chips), column.name
    assert sum(c.count for c in view.columns) == view.total


def explain(job_id: int, repeats: int) -> None:
    """Per statement the service issues: median time, SQL and SQLite's query plan."""
    engine = get_engine()
    captured: list[tuple[str, tuple]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        captured.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        service_page(job_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for index, (statement, parameters) in enumerate(captured, start=1):
            times = [
                timed_ms(lambda s=statement, p=parameters: cursor.execute(s, p).fetchall())
                for _ in range(repeats)
            ]
            plan = " | ".join(row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters))
            emit(f"stmt{index}_ms", statistics.median(times))
            emit(f"stmt{index}_sql", " ".join(statement.split()))
            emit(f"stmt{index}_plan", plan)
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assay-bench-board-") as tmp:
        big = build_big_job(f"sqlite:///{tmp}/board.db", args.applications)
        check_same(big.job_id)
        if args.explain:
            explain(big.job_id, args.repeats)
        medians = interleaved_medians(
            {"board": lambda: service_page(big.job_id), "raw": lambda: raw_page(big.job_id)},
            repeats=args.repeats,
        )
        get_engine().dispose()
    emit("applications", big.applications)
    emit("attempts", big.attempts)
    emit("board_ms", medians["board"])
    emit("raw_ms", medians["raw"])
    emit("board_ratio", medians["board"] / medians["raw"])


if __name__ == "__main__":
    main()
