"""APScheduler inside the Reflex backend's lifespan, run by one process only.

Every backend worker runs the lifespan; ``Leadership`` (a PostgreSQL advisory
lock, or a file lock on SQLite) elects the one that runs the jobs, and another
takes over within seconds if it dies. Each live connection has its own sync job
at its own interval, so a slow or failing vendor holds up no other. Every run
claims its job and scheduled time in the run ledger (triggers share one anchor,
so every process schedules the same times), and a run that fires twice (two
leaders for a moment, a restart) does its work once. Every job is safe to run
twice anyway.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import datetime
import functools
import logging

import sqlalchemy as sa
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from dashboard.jobs.leader import Leadership
from dashboard.services import (
    assessments,
    attempt_actions,
    inbox_drain,
    integrations,
    ledger,
    notify,
    sync,
    webhooks,
)
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import record_vendor_error
from dashboard.settings import get_settings
from models import Integration, new_session

log = logging.getLogger(__name__)

# How often a worker tries to become the leader, and the leader checks it still is.
LEADER_CHECK_S = 5.0

# One sync job per live connection: ``sync:<integration id>``.
SYNC_JOB_PREFIX = "sync:"


def once_per_slot(job_name: str, slot: datetime.datetime, work) -> str:
    """Run ``work()`` unless ``job_name`` already ran for ``slot`` somewhere; returns the outcome."""
    with new_session() as session:
        run_id = ledger.claim(session, job_name, slot)
    if run_id is None:
        return "skipped: already ran in this slot"
    outcome = "failed"
    try:
        outcome = str(work())
    finally:
        with new_session() as session:
            ledger.finish(session, run_id, outcome)
    return outcome


def sync_job_name(integration_id: int) -> str:
    return f"{SYNC_JOB_PREFIX}{integration_id}"


def sweep_connection(integration_id: int) -> str:
    """Reconcile one connection's open attempts with its vendor; returns what the sweep did.

    A failure is recorded on the connection's health (and logged) rather than
    raised: the next run tries again.
    """
    try:
        with new_session() as session:
            report = sync.sync_integration(session=session, integration_id=integration_id)
        if report.error:  # on the connection's health already, or it was disconnected meanwhile
            return f"failed: {report.error}"
        return f"{report.open_attempts} open, {report.corrected} corrected"
    except Exception as err:
        log.exception("sync: integration %s could not be swept", integration_id)
        with new_session() as session:
            record_vendor_error(
                session=session,
                integration=session.get(Integration, integration_id),
                message=f"Sync failed: {err} Assay tries again at the next sweep.",
            )
        return f"failed: {err}"


def retry_webhook_inbox() -> int:
    """Apply deliveries stored but not applied yet (a vendor was down, a restart); returns how many.

    Then finish what results set off (the stage's rule, the feedback email) where the run that
    stored the result failed or died after it, as a delivery's retry would: a sweep's result has
    no delivery to retry (``assessments.finish_after_completions``).
    """
    done = _retry_deliveries()
    try:
        with new_session() as session:
            assessments.finish_after_completions(session)
    except Exception:  # the database away for a moment: the next run tries again
        log.exception("results whose follow-up did not finish could not be finished now")
    return done


def _retry_deliveries() -> int:
    with new_session() as session:
        integration_ids = webhooks.connections_with_pending(session)
    done = 0
    for integration_id in integration_ids:
        try:
            with new_session() as session:
                done += webhooks.apply_pending(
                    session=session,
                    integration_id=integration_id,
                    retry_failed=True,
                    wait=inbox_drain.RETRY_PATIENCE,  # a long drain (a burst read page by page) is left to end
                )
        except Exception:  # one connection's trouble must not hold up the others' deliveries
            log.exception("webhook inbox: integration %s could not be retried", integration_id)
    return done


def deliver_outbox() -> int:
    """Hand queued emails to SMTP (when configured); returns how many went."""
    with new_session() as session:
        return notify.deliver_outbox(session)


def send_reminders() -> int:
    """Remind candidates whose deadline is near (where the stage asks and the vendor can)."""
    with new_session() as session:
        return attempt_actions.send_due_reminders(session=session, actor=SYSTEM)


def prune_ledger() -> int:
    with new_session() as session:
        return ledger.prune(session)


def forget_abandoned_connections() -> int:
    """Delete the connections (and their keys) that a worker killed while connecting left hidden."""
    with new_session() as session:
        return integrations.forget_abandoned_connections(session)


# The jobs beside the sync jobs, at the workspace's interval.
JOBS = {
    "retry_webhook_inbox": retry_webhook_inbox,
    "deliver_outbox": deliver_outbox,
    "send_reminders": send_reminders,
}

# Every trigger counts its intervals from here, so every process schedules the same
# times and the run ledger's (job, scheduled time) key catches a run fired twice.
_ANCHOR = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)

# The time the running job was scheduled for: its slot in the run ledger.
_scheduled_for: contextvars.ContextVar[datetime.datetime] = contextvars.ContextVar("scheduled_for")


class _LedgerExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, telling each run the time it was scheduled for."""

    def _do_submit_job(self, job, run_times):
        # The job's task is created in here and copies this context.
        token = _scheduled_for.set(run_times[-1])
        try:
            super()._do_submit_job(job, run_times)
        finally:
            _scheduled_for.reset(token)


def every(seconds: float, offset: float = 0.0) -> IntervalTrigger:
    """An interval trigger on the shared anchor, ``offset`` seconds in (the same fire times in every process)."""
    start = _ANCHOR + datetime.timedelta(seconds=offset)
    return IntervalTrigger(seconds=seconds, start_date=start, timezone=datetime.UTC)


def _sync_every(integration_id: int, seconds: float) -> IntervalTrigger:
    """A connection's sync trigger, its phase spread by its id so connections are not all swept at once."""
    return every(seconds, offset=(integration_id * 0.618034 % 1.0) * seconds)


_running: set[asyncio.Task] = set()

# The jobs' own threads: a long sweep must never take the threads the pages' event
# handlers run their database work on (asyncio's default pool). Sweeps of different
# vendors overlap, up to three at once, on threads of their own, so slow vendors never
# hold up the outbox, the webhook inbox or the reminders.
_SYNC_THREADS = concurrent.futures.ThreadPoolExecutor(max_workers=3, thread_name_prefix="assay-job-sync")
_JOB_THREADS = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="assay-job")


async def _in_thread(work, *args, threads: concurrent.futures.Executor = _JOB_THREADS):
    """Run a blocking job on the jobs' threads, remembered so shutdown can let it finish."""
    task = asyncio.current_task()
    _running.add(task)
    try:
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            threads, functools.partial(context.run, work, *args)
        )
    except asyncio.CancelledError:
        # The server is stopping. The thread finishes on its own or dies with the
        # process; every job is safe to run again, so this is not an error.
        log.info("stopping: a scheduled job was still running and is left to finish")
        return None
    finally:
        _running.discard(task)


async def run_once_in_slot(job_name: str, work, *args) -> str | None:
    """A scheduled run: claim (job, scheduled time) in the ledger, then work in a thread."""
    threads = _SYNC_THREADS if job_name.startswith(SYNC_JOB_PREFIX) else _JOB_THREADS
    return await _in_thread(
        once_per_slot, job_name, _scheduled_for.get(), functools.partial(work, *args), threads=threads
    )


def build_scheduler() -> AsyncIOScheduler:
    """A fresh scheduler with Assay's fixed jobs (built anew on every start); sync jobs come later."""
    interval = get_settings().poll_seconds
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    scheduler = AsyncIOScheduler(
        job_defaults=defaults, executors={"default": _LedgerExecutor()}, timezone=datetime.UTC
    )
    for name, work in JOBS.items():
        scheduler.add_job(run_once_in_slot, every(interval), args=[name, work], id=name)
    scheduler.add_job(_in_thread, every(6 * 3600), args=[prune_ledger], id="prune_ledger")
    # Deleting is safe twice over, so no ledger claim; often enough that a key left behind goes soon.
    scheduler.add_job(
        _in_thread,
        every(600, offset=300),
        args=[forget_abandoned_connections],
        id="forget_abandoned_connections",
    )
    return scheduler


def keep_sync_jobs(scheduler: AsyncIOScheduler, wanted: dict[int, float]) -> None:
    """One sync job per live connection at its interval: add new ones, reschedule, drop the gone."""
    for job in scheduler.get_jobs():
        if not job.id.startswith(SYNC_JOB_PREFIX):
            continue
        integration_id = int(job.id.removeprefix(SYNC_JOB_PREFIX))
        if integration_id not in wanted:
            job.remove()
        elif job.trigger.interval != datetime.timedelta(seconds=wanted[integration_id]):
            job.reschedule(_sync_every(integration_id, wanted[integration_id]))
    for integration_id, seconds in wanted.items():
        name = sync_job_name(integration_id)
        if scheduler.get_job(name) is None:
            scheduler.add_job(
                run_once_in_slot,
                _sync_every(integration_id, seconds),
                args=[name, sweep_connection, integration_id],
                id=name,
            )


def _sync_intervals() -> dict[int, float]:
    with new_session() as session:
        return sync.sync_intervals(session, get_settings().poll_seconds)


async def _try_to_lead(leadership: Leadership) -> bool:
    """Whether this process won the lock; False while the database cannot be asked.

    A database restart fails every worker's next try at once: a failure raised from here
    ended ``lead`` in all of them, and no worker ran the scheduled jobs again until the app
    restarted. They keep asking instead.
    """
    try:
        return await asyncio.to_thread(leadership.try_acquire)
    except sa.exc.DBAPIError as err:
        log.warning("could not ask the database for the scheduler's lock; trying again (%s)", err.orig or err)
        return False


async def lead(scheduler: AsyncIOScheduler, leadership: Leadership) -> None:
    """Run the scheduler while this process holds the lock; pause it the moment the lock is lost."""
    while True:
        while not await _try_to_lead(leadership):
            await asyncio.sleep(LEADER_CHECK_S)
        if scheduler.running:
            scheduler.resume()
        else:
            scheduler.start()
        log.info("this process runs the scheduled jobs (every %ss)", get_settings().poll_seconds)
        while await asyncio.to_thread(leadership.still_leading):
            try:
                keep_sync_jobs(scheduler, await asyncio.to_thread(_sync_intervals))
            except Exception:  # the database away for a moment: keep the jobs as they are
                log.warning(
                    "could not read the connections to sync; keeping the current sync jobs", exc_info=True
                )
            await asyncio.sleep(LEADER_CHECK_S)
        scheduler.pause()  # the lock is lost, perhaps to another worker: never two schedulers
        # Wait a beat before trying again: a worker that lost its connection should not grab
        # the lock back ahead of the healthy workers that were already waiting for it.
        await asyncio.sleep(LEADER_CHECK_S)


async def stand_down(scheduler: AsyncIOScheduler, leader: asyncio.Task | None = None) -> None:
    """Stop running jobs without cutting off a run in flight (it may be mid-write): wait up to 30 s."""
    if leader is not None:
        leader.cancel()
    if scheduler.running:
        scheduler.pause()  # no new runs; shutting down now would cancel the ones in flight
    # A run the scheduler has just handed to the loop starts on this yield, so it is waited
    # for too, rather than cancelled before its first step (which APScheduler logs as an error).
    await asyncio.sleep(0)
    if _running:
        await asyncio.wait(set(_running), timeout=30)
    if scheduler.running:
        scheduler.shutdown(wait=False)


@contextlib.asynccontextmanager
async def run_scheduler():
    """Lifespan task: become the scheduler leader when possible, run jobs until shutdown."""
    settings = get_settings()
    if not settings.scheduler_enabled:
        yield
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    leadership = Leadership(settings.db_url, settings.data_dir)
    scheduler = build_scheduler()
    leader = asyncio.create_task(lead(scheduler, leadership))
    try:
        yield
    finally:
        await stand_down(scheduler, leader)
        await asyncio.to_thread(leadership.release)
