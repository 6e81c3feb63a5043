"""One drain of a connection's webhook inbox at a time: across threads, and across workers.

The webhook applier, the scheduler's inbox retry and an admin's retry may reach for
the same deliveries at once, and each would read the vendor's listing for them again.
In production every backend worker runs its own applier: a burst the load balancer
spread over five workers ended in five drains, each reading the whole listing for
every delivery waiting, so the vendor's rate limit (shared in Redis) was spent five
times over and the burst took five times as long. Now the second drain waits for the
first, then finds the deliveries applied.

Within a process a lock per connection; with Redis set (several workers) also a
Redis lock, whose lease frees it if its holder dies, renewed while the drain goes on (a
burst fetched one delivery at a time at ten a second outlasts a lease: 1,200 iMocha
deliveries did, and a second worker's drain then applied them beside the first, each
result kept for matching twice, helper-129), for ``LONGEST_DRAIN`` at most. If Redis
cannot be reached the drain goes ahead alone, as the rate budget does.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

import redis

from dashboard.services.integrations import shared_key, shared_redis

log = logging.getLogger(__name__)

# How long a worker holds the connection's drain before the lock frees itself, and how
# long another drain waits for it by default (the scheduled retry waits ``RETRY_PATIENCE``; a
# drain of 2,000 deliveries reads about 40 pages).
LEASE_SECONDS = 120.0
# Renewed no longer than this: a drain stuck for good lets the other workers' drains in.
LONGEST_DRAIN = 30 * 60.0
AWAY_SECONDS = 10.0  # Redis unreachable: not asked again before then
# How long the scheduled inbox retry waits for a drain under way. Drains take only fresh
# deliveries, so a retry that never waited left the failed ones of a connection drained
# whenever it looked (a steady stream) waiting on; most drains end within this. One that
# does not (a burst read page by page) is left alone: the retry's thread serves every
# connection, and the outbox after them.
RETRY_PATIENCE = 5.0

_locks_lock = threading.Lock()
_locks: dict[int, threading.Lock] = {}
_away_until = 0.0


def _local(integration_id: int) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(integration_id, threading.Lock())


@contextlib.contextmanager
def draining(integration_id: int, *, wait: float) -> Iterator[bool]:
    """Hold the connection's drain; yields False if another holds it past ``wait`` seconds."""
    started = time.monotonic()
    local = _local(integration_id)
    if not (local.acquire(timeout=wait) if wait > 0 else local.acquire(blocking=False)):
        yield False
        return
    try:
        left = max(wait - (time.monotonic() - started), 0.0) if wait > 0 else 0.0
        with _across_workers(integration_id, wait=left) as held:
            yield held
    finally:
        local.release()


@contextlib.contextmanager
def _across_workers(integration_id: int, *, wait: float) -> Iterator[bool]:
    global _away_until
    client = shared_redis()
    if client is None or time.monotonic() < _away_until:
        yield True  # one process, or Redis away: the local lock is all there is
        return
    lock = client.lock(
        shared_key("webhook-drain", integration_id),
        timeout=LEASE_SECONDS,
        blocking_timeout=wait or None,
        thread_local=False,
    )
    try:
        held = lock.acquire(blocking=wait > 0)
    except redis.RedisError as err:
        _away_until = time.monotonic() + AWAY_SECONDS
        log.warning("webhook drain: Redis failed (%r); draining without the other workers' lock", err)
        yield True
        return
    if not held:
        yield False
        return
    done = threading.Event()
    threading.Thread(
        target=_renew, args=(lock, done), name=f"webhook-drain-{integration_id}-lease", daemon=True
    ).start()
    try:
        yield True
    finally:
        done.set()
        with contextlib.suppress(redis.RedisError):  # expired, or Redis away: its lease frees it
            lock.release()


def _renew(lock, done: threading.Event) -> None:
    """Renew the drain's lease every third of it until the drain is done (or ``LONGEST_DRAIN``)."""
    until = time.monotonic() + LONGEST_DRAIN
    while not done.wait(LEASE_SECONDS / 3) and time.monotonic() < until:
        try:
            lock.extend(LEASE_SECONDS, replace_ttl=True)
        except redis.RedisError as err:  # LockError too: lost, or Redis away; its lease frees it
            if not done.is_set():  # not the release, which lets go of it as this woke
                log.warning("webhook drain: its lease could not be renewed: %r", err)
            return
