"""Applying stored webhook deliveries off the request, a burst at a time.

A vendor's next delivery must not wait behind a re-fetch held up by the vendor's
rate limit, so the webhook route only stores and answers; this module applies.
Deliveries for one connection are gathered until they pause for ``QUIET`` seconds
(at most ``GATHER_AT_MOST`` after the first), then drained together, so one paged
listing serves a whole burst. One drain per connection runs at a time; deliveries
arriving meanwhile are drained right after it.

All bookkeeping is on threads under one lock, never on the server's event loop: a
server that stops (a worker restart, a test's server) while a drain runs cannot
leave a connection marked "draining" forever, as it once did. A delivery cut short
by a restart stays in the inbox for the scheduled retry.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

QUIET, GATHER_AT_MOST = 0.15, 2.0


@dataclasses.dataclass
class _Burst:
    first: float
    last: float

    def due(self) -> float:
        return min(self.last + QUIET, self.first + GATHER_AT_MOST)


class WebhookApplier:
    """Runs ``drain(integration_id)`` on its own threads after each burst of deliveries.

    A connection is "busy" from its first stored delivery until a worker finds
    nothing left to drain. While it gathers, only a timer waits (no pool thread), and
    each drain goes back to the end of the pool's queue before the next, so a
    connection that never goes quiet cannot starve the others.
    """

    def __init__(self, drain: Callable[[int], None], *, threads: int = 4) -> None:
        self._drain = drain
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="webhook-apply")
        self._lock = threading.Condition()
        self._bursts: dict[int, _Burst] = {}  # deliveries stored and not yet handed to a drain
        self._busy: set[int] = set()  # connections with a burst gathering or a drain running

    def delivered(self, integration_id: int) -> None:
        """A delivery for this connection was stored: apply it with the rest of its burst."""
        with self._lock:
            now = time.monotonic()
            burst = self._bursts.get(integration_id)
            if burst is None:
                self._bursts[integration_id] = _Burst(now, now)
            else:
                burst.last = max(burst.last, now)
            if integration_id in self._busy:
                return  # the busy connection's worker takes this burst too
            self._busy.add(integration_id)
        self._later(integration_id, QUIET)

    def _later(self, integration_id: int, seconds: float) -> None:
        timer = threading.Timer(seconds, self._queue, (integration_id,))
        timer.daemon = True
        timer.start()

    def _queue(self, integration_id: int) -> None:
        try:
            self._pool.submit(self._work, integration_id)
        except RuntimeError:  # the process is shutting down: the scheduled inbox retry applies the rest
            self._release(integration_id)

    def _work(self, integration_id: int) -> None:
        """Drain the connection's burst once it is due; hand the connection back when none is left."""
        with self._lock:
            burst = self._bursts.get(integration_id)
            if burst is None:
                # Released in the same locked step that found nothing: a delivery stored meanwhile
                # either saw the connection busy (and is in a burst this worker would have found)
                # or not busy (and started a worker of its own). None is left behind.
                self._busy.discard(integration_id)
                self._lock.notify_all()
                return
            wait = burst.due() - time.monotonic()
            if wait <= 0:
                del self._bursts[integration_id]
        if wait > 0:
            self._later(integration_id, wait)
            return
        try:
            self._drain(integration_id)
        except Exception:
            # The deliveries stay in the inbox; the scheduled retry applies them.
            log.exception("applying webhooks of integration %s failed", integration_id)
        finally:
            self._queue(integration_id)  # the next burst, or the release, behind other connections

    def _release(self, integration_id: int) -> None:
        with self._lock:
            self._busy.discard(integration_id)
            self._bursts.pop(integration_id, None)
            self._lock.notify_all()

    def wait_idle(self, seconds: float = 30) -> bool:
        """Block until no delivery is gathering or draining; False if still busy after ``seconds``."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True
