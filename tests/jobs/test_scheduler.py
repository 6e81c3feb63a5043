"""One scheduler across workers: the leader lock frees itself when its holder dies; each scheduled time
runs once; each connection has its own sync job; one connection's trouble holds up no other."""

import asyncio
import datetime
import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.jobs import scheduler as jobs
from dashboard.jobs.leader import ADVISORY_KEY, Leadership
from dashboard.jobs.scheduler import once_per_slot, sweep_connection
from dashboard.services import integrations, ledger, pipeline, sync
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from models import (
    AssessmentAttempt,
    AttemptState,
    Integration,
    IntegrationLog,
    ScheduledRun,
    new_session,
    utcnow,
)
from models.db import get_engine
from tests import another_worker
from tests.conftest import SCREEN_KEY, SECOND_SCREEN_KEY, connect_screen, send_test, vendor_test_stages

SLOT = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)


def test_a_slot_is_claimed_once(session):
    first = ledger.claim(session, "sync:1", SLOT)
    again = ledger.claim(session, "sync:1", SLOT)
    other_job = ledger.claim(session, "sync:2", SLOT)

    assert first and again is None and other_job


def test_two_workers_firing_the_same_job_at_once_run_it_once(db):
    runs, barrier = [], threading.Barrier(4)

    def work():
        runs.append(1)
        time.sleep(0.2)
        return "done"

    def fire():
        barrier.wait()
        once_per_slot("sync:1", SLOT, work)

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    with new_session() as session:
        [run] = session.exec(select(ScheduledRun)).all()
    assert len(runs) == 1 and run.outcome == "done" and run.finished_at


HOLDER = textwrap.dedent(
    """
    import pathlib, sys, time
    from dashboard.jobs.leader import Leadership
    lead = Leadership(sys.argv[1], pathlib.Path(sys.argv[2]))
    assert lead.try_acquire()
    print("leading", flush=True)
    time.sleep(120)
    """
)


def test_only_one_leader_and_a_dead_leaders_lock_frees_itself(db, tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db, str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "leading"
        contender = Leadership(db, tmp_path)
        assert not contender.try_acquire()

        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)

        deadline = time.monotonic() + 10
        while not contender.try_acquire():
            assert time.monotonic() < deadline, "the dead leader's lock was never freed"
            time.sleep(0.2)
        contender.release()
    finally:
        holder.kill()


def test_a_connection_that_cannot_be_swept_says_why_and_holds_up_no_other(session, sandbox, caplog):
    """A CoderPad key stored under a master key that is gone: its job records why; HackerRank's sweeps on."""
    screen, (screen_stage,) = vendor_test_stages(session, "coderpad_screen", "Backend")
    _hackerrank, (hackerrank_stage,) = vendor_test_stages(session, "hackerrank", "Frontend")
    attempts = {}
    for name, stage in (("screen", screen_stage), ("hackerrank", hackerrank_stage)):
        application = pipeline.add_application(
            session=session,
            job_id=stage.job_id,
            name=f"Ada {name}",
            email=f"{name}@example.com",
            actor=SYSTEM,
        )
        attempts[name] = send_test(session, stage, application)
    sandbox.start(attempts["hackerrank"].vendor_attempt_id, "hackerrank")
    screen.api_key_encrypted = "not a token any master key made"
    session.add(screen)
    session.commit()

    failed = sweep_connection(screen.id)
    swept = sweep_connection(_hackerrank.id)

    assert failed.startswith("failed: A stored secret cannot be") and swept == "1 open, 1 corrected"
    session.expire_all()
    assert session.get(AssessmentAttempt, attempts["hackerrank"].id).state == AttemptState.STARTED
    assert session.get(Integration, screen.id).last_error.startswith("Sync failed: A stored secret cannot be")
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"sync: integration {screen.id} could not be swept"
    ]
    caplog.clear()  # the one ERROR this test expects


def _cut_the_leaders_connection(db: str) -> None:
    """What a database restart does to the PostgreSQL session holding the advisory lock."""
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = :key AND granted"
                # This test's database only: the production browser test's app, running beside
                # it on the same server (scripts/test.sh), holds the same key in its own.
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"key": ADVISORY_KEY},
        )
    engine.dispose()


def test_a_leader_whose_lock_connection_was_cut_knows_it_no_longer_leads(db, tmp_path):
    """A database restart or a network blip frees the lock: the old leader must not go on leading."""
    leader, contender = Leadership(db, tmp_path), Leadership(db, tmp_path)
    assert leader.try_acquire()
    checked: list[bool] = []
    checker = threading.Thread(target=lambda: checked.append(leader.still_leading()))
    checker.start()  # the scheduler checks from threads other than the one that won the lock
    checker.join()
    assert checked == [True]
    if db.startswith("sqlite"):
        assert not contender.try_acquire()  # the file lock only frees with its process
        leader.release()
        assert contender.try_acquire()  # released from this thread, won on another
        contender.release()
        return
    _cut_the_leaders_connection(db)

    assert contender.try_acquire()  # the lock is free the moment the session ends
    assert not leader.still_leading()
    assert not leader.try_acquire()  # and the new leader keeps it
    contender.release()
    leader.release()


def test_each_live_connection_has_its_own_sync_job_at_its_own_interval(session, sandbox):
    """Connect, change the interval, disconnect: the leader's jobs follow within one check."""
    screen, _ = vendor_test_stages(session, "coderpad_screen", "Backend")
    hackerrank, _ = vendor_test_stages(session, "hackerrank", "Frontend")
    scheduler = jobs.build_scheduler()

    def sync_jobs() -> dict[str, float]:
        jobs.keep_sync_jobs(scheduler, sync.sync_intervals(session, default_seconds=30))
        return {j.id: j.trigger.interval_length for j in scheduler.get_jobs() if j.id.startswith("sync:")}

    assert sync_jobs() == {f"sync:{screen.id}": 30, f"sync:{hackerrank.id}": 30}
    now = datetime.datetime.now(datetime.UTC)
    fire_at = {
        scheduler.get_job(f"sync:{i}").trigger.get_next_fire_time(None, now)
        for i in (screen.id, hackerrank.id)
    }
    assert len(fire_at) == 2  # staggered: connections are not all swept in the same instant
    integrations.set_sync_interval(session=session, integration_id=hackerrank.id, seconds=900)
    assert sync_jobs() == {f"sync:{screen.id}": 30, f"sync:{hackerrank.id}": 900}
    integrations.disconnect(session=session, integration_id=screen.id)
    assert sync_jobs() == {f"sync:{hackerrank.id}": 900}
    # Every process computes the same fire times, so the ledger can tell a double run: a
    # leader running for a while (each time from the one before) and one that took over
    # just after the previous run (from the clock) agree.
    later = jobs.build_scheduler()
    jobs.keep_sync_jobs(later, sync.sync_intervals(session, default_seconds=30))
    [ours, theirs] = (s.get_job(f"sync:{hackerrank.id}").trigger for s in (scheduler, later))
    fired = ours.get_next_fire_time(None, datetime.datetime.now(datetime.UTC))
    for _ in range(200):
        following = ours.get_next_fire_time(fired, fired)
        assert following == theirs.get_next_fire_time(None, fired + datetime.timedelta(microseconds=1))
        assert following - fired == datetime.timedelta(seconds=900)
        fired = following


def test_two_schedulers_running_at_once_do_each_scheduled_run_once(db):
    """Two leaders for a moment (a lock handed over, a clock step): every scheduled time runs once."""
    runs: list[float] = []
    threads: set[str] = set()

    def work() -> str:
        runs.append(time.monotonic())
        threads.add(threading.current_thread().name)
        return "done"

    async def two_leaders() -> None:
        schedulers = [jobs.build_scheduler() for _ in range(2)]
        for scheduler in schedulers:
            scheduler.remove_all_jobs()
            scheduler.add_job(jobs.run_once_in_slot, jobs.every(1), args=["probe", work], id="probe")
            scheduler.start()
        await asyncio.sleep(3.5)
        for scheduler in schedulers:
            await jobs.stand_down(scheduler)  # the last runs finish their ledger rows

    asyncio.run(two_leaders())

    with new_session() as session:
        slots = [r.slot for r in session.exec(select(ScheduledRun).where(ScheduledRun.job_name == "probe"))]
    assert len(runs) == len(slots) >= 3
    assert all(name.startswith("assay-job") for name in threads), threads  # never the pages' threads
    # Each run is recorded at the time it was scheduled for: whole seconds, one apart.
    assert all(slot.microsecond == 0 for slot in slots)
    assert sorted(slots) == [min(slots) + datetime.timedelta(seconds=n) for n in range(len(slots))]


def test_a_sync_interval_assay_does_not_offer_is_refused(session, sandbox):
    screen, _ = vendor_test_stages(session, "coderpad_screen", "Backend")

    with pytest.raises(UserError, match="Choose how often to sync from the list: every minute"):
        integrations.set_sync_interval(session=session, integration_id=screen.id, seconds=7)
    integrations.set_sync_interval(session=session, integration_id=screen.id, seconds=300)
    integrations.set_sync_interval(session=session, integration_id=screen.id, seconds=None)

    session.expire_all()
    assert session.get(Integration, screen.id).sync_every_seconds is None
    audit = [
        e.message
        for e in session.exec(select(IntegrationLog).where(IntegrationLog.integration_id == screen.id))
    ]
    assert audit[-2:] == [
        "Sync every 30 s (the workspace default) \u2192 every 5 minutes.",
        "Sync every 5 minutes \u2192 every 30 s (the workspace default).",
    ]


def test_a_leader_that_loses_its_lock_pauses_its_scheduler_until_it_wins_it_again(
    db, tmp_path, monkeypatch, sandbox
):
    """Never two schedulers: the moment another worker holds the lock, this one's jobs stop."""
    from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING

    monkeypatch.setattr(jobs, "LEADER_CHECK_S", 0.05)
    with new_session() as session:
        screen, _ = vendor_test_stages(session, "coderpad_screen", "Backend")
        screen_job = jobs.sync_job_name(screen.id)
    ours, theirs = Leadership(db, tmp_path), Leadership(db, tmp_path)
    scheduler = jobs.build_scheduler()

    async def until(condition, what: str) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, what
            await asyncio.sleep(0.02)

    def lose_the_lock() -> None:
        if db.startswith("sqlite"):
            ours.release()
        else:
            _cut_the_leaders_connection(db)

    async def scenario() -> None:
        leading = asyncio.create_task(jobs.lead(scheduler, ours))
        await until(lambda: scheduler.state == STATE_RUNNING, "the only worker never led")
        await until(lambda: scheduler.get_job(screen_job) is not None, "no sync job for the connection")
        # The other worker must win the freed lock. The old leader waits a check interval after it
        # sees the loss before it tries again, so that interval becomes a second from now on: on a
        # busy machine 50 ms could let it beat the other worker to the lock (CI once saw that).
        monkeypatch.setattr(jobs, "LEADER_CHECK_S", 1.0)
        await asyncio.to_thread(lose_the_lock)
        deadline = time.monotonic() + 10
        while not await asyncio.to_thread(theirs.try_acquire):  # another worker takes over
            assert time.monotonic() < deadline, "the lost lock was never free"
            await asyncio.sleep(0.02)
        await until(lambda: scheduler.state == STATE_PAUSED, "the old leader's scheduler ran on")
        await asyncio.sleep(0.3)
        assert scheduler.state == STATE_PAUSED  # and stays paused while the other worker leads
        await asyncio.to_thread(theirs.release)
        await until(lambda: scheduler.state == STATE_RUNNING, "the lock came back but the jobs did not")
        await jobs.stand_down(scheduler, leading)

    try:
        asyncio.run(scenario())
    finally:
        ours.release()
        theirs.release()


def test_slow_sweeps_never_hold_up_the_other_jobs(db):
    """Three vendors slow to answer fill the sync threads; the outbox job still runs at once."""
    release = threading.Event()

    def slow_sweep() -> str:
        release.wait(10)
        return "swept"

    async def scenario() -> str:
        jobs._scheduled_for.set(SLOT)  # what the executor sets for a scheduled run
        sweeps = [asyncio.create_task(jobs.run_once_in_slot(f"sync:{n}", slow_sweep)) for n in (1, 2, 3)]
        await asyncio.sleep(0.2)
        try:
            return await asyncio.wait_for(jobs.run_once_in_slot("deliver_outbox", lambda: "delivered"), 5)
        finally:
            release.set()
            await asyncio.gather(*sweeps)

    assert asyncio.run(scenario()) == "delivered"


def test_a_server_stopping_as_runs_fire_lets_them_finish(db):
    """The runs APScheduler has just handed to the loop finish, ledger row and all, when the server stops."""
    done: list[str] = []

    def work() -> str:
        time.sleep(0.2)  # still working when the server stops
        done.append("outbox delivered")
        return "done"

    async def stop_as_a_run_fires() -> None:
        scheduler = jobs.build_scheduler()
        scheduler.remove_all_jobs()
        now = datetime.datetime.now(datetime.UTC)
        scheduler.add_job(
            jobs.run_once_in_slot, jobs.every(3600), args=["probe", work], id="probe", next_run_time=now
        )
        scheduler.start()
        scheduler._process_jobs()  # APScheduler hands the due run to the loop, as its timer would...
        await jobs.stand_down(scheduler)  # ...and the server stops before the run's first step

    asyncio.run(stop_as_a_run_fires())

    assert done == ["outbox delivered"]
    with new_session() as session:
        assert [r.outcome for r in session.exec(select(ScheduledRun))] == ["done"]


def test_the_ledger_names_the_worker_that_ran_a_job_not_the_process_it_was_forked_from(db):
    """Reflex forks its backend workers from a process that imported the app: a runner name
    fixed at import named that parent for every worker, so the ledger could not tell whether
    one worker or several ran the scheduled jobs."""
    child = os.fork()
    if child == 0:  # the worker: claim a slot with the modules as the parent imported them
        code = 1
        try:
            get_engine().dispose(close=False)  # the parent's pooled connections stay the parent's
            with new_session() as session:
                code = 0 if ledger.claim(session, "sync:1", SLOT) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0

    with new_session() as session:
        [run] = session.exec(select(ScheduledRun)).all()
    assert run.runner == f"{socket.gethostname()}:{child}", (
        f"the run names {run.runner}, not the worker {child}"
    )


def _restart_the_database(db: str) -> None:
    """What a database restart does to every other connection to it: cut, pooled ones too."""
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # an outage SQLite's file lock cannot have
def test_after_a_database_restart_a_worker_takes_the_scheduled_jobs_again(db, tmp_path, monkeypatch):
    """The restart fails the next try of every worker waiting for the lock: they must keep
    trying, or no worker runs the scheduled jobs again until the app restarts."""
    monkeypatch.setattr(jobs, "LEADER_CHECK_S", 0.1)
    leader, waiting = Leadership(db, tmp_path), Leadership(db, tmp_path)
    assert leader.try_acquire() and not waiting.try_acquire()  # the waiting one pools its connection
    _restart_the_database(db)

    async def takes_over() -> bool:
        scheduler = jobs.build_scheduler()
        leading = asyncio.create_task(jobs.lead(scheduler, waiting))
        try:
            async with asyncio.timeout(10):
                while not scheduler.running:
                    if leading.done():
                        leading.result()  # why it stopped trying
                        return False
                    await asyncio.sleep(0.05)
            return True
        finally:
            await jobs.stand_down(scheduler, leading)

    try:
        assert asyncio.run(takes_over()), "the waiting worker stopped trying to lead"
    finally:
        assert not leader.still_leading()  # its lock went with the restart
        waiting.release()
        leader.release()


def _connecting(session) -> list[Integration]:
    """The connections being made (written hidden before the vendor is asked), as the database holds them."""
    session.expire_all()
    hidden = session.exec(select(Integration).where(Integration.disconnected_at.is_not(None))).all()
    return [i for i in hidden if " (connecting " in i.name]


def _until(found, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := found()):
        assert time.monotonic() < deadline, "never came"
        time.sleep(0.1)
    return result


def test_a_connection_whose_worker_was_killed_while_connecting_is_forgotten_by_the_housekeeping(
    session, sandbox, sandbox_url
):
    """The task's gap: connecting writes the connection hidden, with its encrypted key, before the
    vendor is asked; a worker killed while it answered left that row, key and all, forever. The
    scheduler's housekeeping deletes one still connecting long after any vendor could answer, and
    leaves a connect still in progress alone."""
    sandbox.faults(latency_ms=3000)  # each call to the vendor: the key's check, the webhook's registration
    settings = {"REFLEX_DB_URL": session.get_bind().url.render_as_string(hide_password=False)}
    settings["ASSAY_SANDBOX_URL"] = sandbox_url
    worker = multiprocessing.get_context("spawn").Process(
        target=another_worker.connect_screen, args=(settings, "CoderPad Screen", SCREEN_KEY)
    )
    worker.start()
    [killed] = _until(lambda: _connecting(session))
    worker.kill()  # while the vendor answers
    worker.join(10)
    long_ago = utcnow() - integrations.ABANDONED_AFTER - datetime.timedelta(minutes=1)
    killed.created_at = killed.disconnected_at = long_ago
    session.add(killed)
    session.commit()
    killed_id = killed.id
    made: list[Integration] = []
    admin = threading.Thread(
        target=lambda: made.append(
            connect_in_own_session(name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)
        )
    )
    admin.start()
    [in_progress] = _until(lambda: [i.id for i in _connecting(session) if i.id != killed_id])

    swept = jobs.forget_abandoned_connections()

    admin.join(30)
    assert swept == 1
    session.expire_all()
    assert session.get(Integration, killed_id) is None  # and its key with it
    assert [(i.id, i.name, i.disconnected_at) for i in session.exec(select(Integration))] == [
        (in_progress, "CoderPad Screen (EU team)", None)
    ]
    assert [i.id for i in made] == [in_progress]
    assert "forget_abandoned_connections" in {job.id for job in jobs.build_scheduler().get_jobs()}


def connect_in_own_session(**overrides) -> Integration:
    with new_session() as own:
        return connect_screen(own, **overrides)
