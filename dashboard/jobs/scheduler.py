"""APScheduler inside the Reflex backend's lifespan, run by one process only.

Every backend worker runs the lifespan; ``Leadership`` (a PostgreSQL advisory
lock, or a file lock on SQLite) elects the one that runs the jobs, and another
takes over within seconds if it dies. Each job also claims its time slot in the
run ledger, so a run that fires twice (two leaders for a moment, a restart) does
its work once. Every job is safe to run twice anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from dashboard.jobs.leader import Leadership
from dashboard.services import attempt_actions, ledger, notify, sync, webhooks
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import record_vendor_error
from dashboard.settings import get_settings
from models import Integration, WebhookDelivery, new_session, utcnow

log = logging.getLogger(__name__)

# How often a worker tries to become the leader, and the leader checks it still is.
LEADER_CHECK_S = 5.0


def once_per_slot(job_name: str, every_seconds: float, work) -> str:
    """Run ``work()`` unless this slot of ``job_name`` already ran somewhere; returns the outcome."""
    slot = ledger.slot_of(utcnow(), every_seconds)
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


def sync_all_integrations() -> int:
    """Reconcile every connection that has attempts waiting on the vendor; returns corrections."""
    corrected = 0
    with new_session() as session:
        integration_ids = sync.integrations_to_sync(session)
    for integration_id in integration_ids:
        try:
            with new_session() as session:
                corrected += sync.sync_integration(session=session, integration_id=integration_id).corrected
        except Exception as err:  # one connection's trouble must not hold up the others' sweeps
            log.exception("sync: integration %s could not be swept", integration_id)
            with new_session() as session:
                record_vendor_error(
                    session=session,
                    integration=session.get(Integration, integration_id),
                    message=f"Sync failed: {err} Assay tries again at the next sweep.",
                )
    return corrected


def retry_webhook_inbox() -> int:
    """Apply deliveries stored but not applied yet (a vendor was down, a restart); returns how many."""
    with new_session() as session:
        integration_ids = sorted(
            {
                session.get(WebhookDelivery, i).integration_id
                for i in webhooks.pending_deliveries(session, 1000)
            }
        )
    done = 0
    for integration_id in integration_ids:
        try:
            with new_session() as session:
                done += webhooks.apply_pending(
                    session=session, integration_id=integration_id, retry_failed=True
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


JOBS = {
    "sync_all_integrations": sync_all_integrations,
    "retry_webhook_inbox": retry_webhook_inbox,
    "deliver_outbox": deliver_outbox,
    "send_reminders": send_reminders,
}


_running: set[asyncio.Task] = set()


async def _in_thread(work, *args):
    """Run a blocking job in a worker thread, remembered so shutdown can let it finish."""
    task = asyncio.current_task()
    _running.add(task)
    try:
        return await asyncio.to_thread(work, *args)
    except asyncio.CancelledError:
        # The server is stopping. The thread finishes on its own or dies with the
        # process; every job is safe to run again, so this is not an error.
        log.info("stopping: a scheduled job was still running and is left to finish")
        return None
    finally:
        _running.discard(task)


def build_scheduler() -> AsyncIOScheduler:
    """A fresh scheduler with Assay's jobs (built anew on every start)."""
    interval = get_settings().poll_seconds
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    scheduler = AsyncIOScheduler(job_defaults=defaults)
    for name, work in JOBS.items():
        scheduler.add_job(
            _in_thread, "interval", args=[once_per_slot, name, interval, work], seconds=interval, id=name
        )
    scheduler.add_job(_in_thread, "interval", args=[prune_ledger], hours=6, id="prune_ledger")
    return scheduler


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

    async def lead() -> None:
        while True:
            while not await asyncio.to_thread(leadership.try_acquire):
                await asyncio.sleep(LEADER_CHECK_S)
            if scheduler.running:
                scheduler.resume()
            else:
                scheduler.start()
            log.info("this process runs the scheduled jobs (every %ss)", settings.poll_seconds)
            while await asyncio.to_thread(leadership.still_leading):
                await asyncio.sleep(LEADER_CHECK_S)
            scheduler.pause()  # the lock is lost, perhaps to another worker: never two schedulers

    leader = asyncio.create_task(lead())
    try:
        yield
    finally:
        leader.cancel()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if _running:
            # Let a sweep in flight finish rather than cut it off mid-write.
            await asyncio.wait(set(_running), timeout=30)
        await asyncio.to_thread(leadership.release)
