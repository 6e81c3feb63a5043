"""The run ledger: each scheduled job runs once per scheduled time, however often it fires."""

from __future__ import annotations

import datetime
import os
import socket

import sqlalchemy as sa
from sqlmodel import Session

from models import ScheduledRun, utcnow


def runner() -> str:
    """This process, as the ledger names it: asked at each claim, since Reflex forks its
    workers from a process that imported this module (a name fixed then was the parent's)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, job_name: str, slot: datetime.datetime) -> int | None:
    """Record that this process runs ``job_name`` for ``slot``; None if someone already did."""
    run = ScheduledRun(job_name=job_name, slot=slot, runner=runner())
    try:
        with session.begin_nested():
            session.add(run)
    except sa.exc.IntegrityError:
        return None
    session.commit()
    return run.id


def finish(session: Session, run_id: int, outcome: str) -> None:
    """Close a run with what it did."""
    run = session.get(ScheduledRun, run_id)
    run.finished_at, run.outcome = utcnow(), outcome[:300]
    session.add(run)
    session.commit()


def prune(session: Session, keep_days: int = 7) -> int:
    """Forget runs older than ``keep_days``; returns how many."""
    cutoff = utcnow() - datetime.timedelta(days=keep_days)
    done = session.exec(sa.delete(ScheduledRun).where(ScheduledRun.slot < cutoff))
    session.commit()
    return done.rowcount
