"""The demo data `make run` seeds: a fresh database meets a fresh sandbox, however old the sandbox's file."""

import datetime
import pathlib
import sqlite3
import subprocess
import sys

from tests.app_process import app_env
from tests.http_server import free_port
from tests.sandbox_server import running_sandbox

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _seed(data_dir: pathlib.Path, sandbox_url: str) -> pathlib.Path:
    database = data_dir / "assay.db"
    env = app_env(
        port=free_port(),
        db_url=f"sqlite:///{database}",
        data_dir=data_dir,
        sandbox_url=sandbox_url,
        poll_seconds=30,
    )
    subprocess.run([sys.executable, "scripts/seed_demo.py"], cwd=ROOT, env=env, check=True, timeout=120)
    return database


def test_a_fresh_database_is_seeded_against_a_sandbox_that_kept_an_earlier_demo(tmp_path):
    """Deleting the database to start the demo afresh once failed: the sandbox, which keeps its own
    file, still held the earlier demo's invitations, and HackerRank refused the same candidates again."""
    with running_sandbox(state_file=str(tmp_path / "sandbox.json")) as sandbox_url:
        (tmp_path / "first").mkdir()
        _seed(tmp_path / "first", sandbox_url)
        (tmp_path / "again").mkdir()
        database = _seed(tmp_path / "again", sandbox_url)

    with sqlite3.connect(database) as db:
        states = dict(db.execute("SELECT state, count(*) FROM assessmentattempt GROUP BY state").fetchall())
    assert "error" not in states
    assert states.get("reviewed", 0) > 0 and states.get("started", 0) > 0


def _when(value: str | None) -> datetime.datetime | None:
    """A time as SQLite holds it, in UTC."""
    if value is None:
        return None
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _finished_demo_results(tmp_path) -> list[dict]:
    """Every finished result of a freshly seeded demo, with its history's times."""
    with running_sandbox() as sandbox_url:
        database = _seed(tmp_path, sandbox_url)
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT a.id, i.vendor, a.sent_at, a.started_at, a.completed_at, a.duration_seconds"
            " FROM assessmentattempt a JOIN integration i ON i.id = a.integration_id"
            " WHERE a.state IN ('completed', 'reviewed')"
        ).fetchall()
        results = []
        for row in rows:
            lines = db.execute(
                "SELECT at, to_state FROM applicationevent WHERE attempt_id = ? ORDER BY id", (row["id"],)
            ).fetchall()
            results.append(
                {
                    **{key: row[key] for key in ("vendor", "duration_seconds")},
                    **{key: _when(row[key]) for key in ("sent_at", "started_at", "completed_at")},
                    "history": [(_when(line["at"]), line["to_state"]) for line in lines],
                }
            )
    return results


def test_a_demo_candidate_took_tens_of_minutes_between_invitation_and_finish_in_order(tmp_path):
    """The demo's HackerRank results read "under 1 min of 75 min": the seed started and submitted
    every test within the second it was sent. Its candidates now take 15 to 40 minutes, started
    after the invitation (the history's "sent" line), finished before the seed's now."""
    results = _finished_demo_results(tmp_path)
    seeded = datetime.datetime.now(datetime.UTC)

    assert {"hackerrank", "coderpad_screen", "imocha"} <= {r["vendor"] for r in results}
    for result in results:
        sent, started, completed = result["sent_at"], result["started_at"], result["completed_at"]
        assert sent <= started <= completed <= seeded, result
        sent_line = next(at for at, state in result["history"] if state == "sent")
        assert sent_line == sent, result
    taken = [r["duration_seconds"] for r in results if r["vendor"] == "hackerrank"]
    assert taken and all(15 * 60 <= seconds <= 40 * 60 for seconds in taken), taken


def test_a_demo_result_s_time_taken_is_the_time_from_its_start_to_its_finish(tmp_path):
    """CoderPad Screen's demo results read Started and Completed at one minute beside "37 min"
    taken: the imitation reported a time of its own. Every vendor's time taken now spans the
    shown start and finish, and the history learns of the finish after it happened."""
    for result in _finished_demo_results(tmp_path):
        span = (result["completed_at"] - result["started_at"]).total_seconds()
        assert 14 * 60 <= span <= 40 * 60 and abs(span - result["duration_seconds"]) < 60, result
        done_line = next(at for at, state in result["history"] if state == "completed")
        assert result["completed_at"] <= done_line, result
        assert [at for at, _ in result["history"]] == sorted(at for at, _ in result["history"]), result


def test_a_demo_job_was_opened_before_its_first_candidate_applied(tmp_path):
    """Seen in the demo: each job read "created" at the seed's real time, hours after its
    candidates had applied (the seed plays their morning in the past)."""
    with running_sandbox() as sandbox_url:
        database = _seed(tmp_path, sandbox_url)
    with sqlite3.connect(database) as db:
        jobs = db.execute(
            "SELECT j.title, j.created_at, min(e.at) FROM job j"
            " JOIN application a ON a.job_id = j.id JOIN applicationevent e ON e.application_id = a.id"
            " GROUP BY j.id"
        ).fetchall()

    assert len(jobs) == 3
    for title, opened, first_applied in jobs:
        assert _when(opened) < _when(first_applied), title
