"""One scheduler across workers: the leader lock frees itself when its holder dies; each slot runs once;
one connection's trouble holds up no other."""

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import sqlalchemy as sa
from sqlmodel import select

from dashboard.jobs.leader import ADVISORY_KEY, Leadership
from dashboard.jobs.scheduler import once_per_slot, sync_all_integrations
from dashboard.services import ledger, pipeline
from dashboard.services.actors import SYSTEM
from models import AssessmentAttempt, AttemptState, Integration, ScheduledRun, new_session, utcnow
from tests.conftest import send_test, vendor_test_stages


def test_a_slot_is_claimed_once(session):
    slot = ledger.slot_of(utcnow(), 30)

    first = ledger.claim(session, "sync_all_integrations", slot)
    again = ledger.claim(session, "sync_all_integrations", slot)
    other_job = ledger.claim(session, "retry_webhook_inbox", slot)

    assert first and again is None and other_job


def test_two_workers_firing_the_same_job_at_once_run_it_once(db):
    runs, barrier = [], threading.Barrier(4)

    def work():
        runs.append(1)
        time.sleep(0.2)
        return "done"

    def fire():
        barrier.wait()
        once_per_slot("sync_all_integrations", 3600, work)

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


def test_one_connection_that_cannot_be_swept_holds_up_no_other(session, sandbox, caplog):
    """A CoderPad key stored under a master key that is gone: HackerRank is still swept."""
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

    sync_all_integrations()

    session.expire_all()
    assert session.get(AssessmentAttempt, attempts["hackerrank"].id).state == AttemptState.STARTED
    assert session.get(Integration, screen.id).last_error.startswith("Sync failed: A stored secret cannot be")
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"sync: integration {screen.id} could not be swept"
    ]
    caplog.clear()  # the one ERROR this test expects


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
    engine = sa.create_engine(db)
    with engine.connect() as conn:  # what a restart does to the leader's session
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = :key AND granted"
            ),
            {"key": ADVISORY_KEY},
        )
    engine.dispose()

    assert contender.try_acquire()  # the lock is free the moment the session ends
    assert not leader.still_leading()
    assert not leader.try_acquire()  # and the new leader keeps it
    contender.release()
    leader.release()
