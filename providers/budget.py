"""A connection's request budget: the vendor's rate limit, and any Retry-After it asked for.

Every request to a vendor waits on its connection's budget first. ``LocalBudget``
keeps it in this process (one backend worker: the embedded default). With several
workers or hosts, ``SharedBudget`` keeps it in Redis, so their requests together
stay under the vendor's limit, and a Retry-After told to one worker holds back all.

The limit is counted the way vendors count it: at most ``rate`` requests in any
window of one second, so a burst up to the limit (the pages of a listing) goes out
at once rather than spaced out. A fractional rate rounds down within the second
(2.5 a second allows 2); a rate under one is one request per ``1/rate`` seconds.
The window is taken 5% longer, for requests that leave together but arrive apart.
``ASSAY_VENDOR_PACING=off`` turns pacing off (the test suite, talking to the local
sandbox, has no rate limit to respect); a Retry-After is kept either way.
"""

from __future__ import annotations

import collections
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

log = logging.getLogger(__name__)

MARGIN = 1.05


class RateBudget(Protocol):
    def wait(self) -> None:
        """Block until one more request may go."""

    def hold(self, seconds: float) -> None:
        """The vendor asked not to be called for ``seconds``."""

    def held_for(self) -> float:
        """Seconds until the vendor may be called again (0: now)."""


# Builds a connection's budget from the vendor's documented rate (requests a second, None: no limit).
BudgetFactory = Callable[[float | None], RateBudget]


def _window(rate: float | None) -> tuple[int, float]:
    """(requests allowed, seconds of the window they are counted in); (0, 0) for no pacing."""
    if not rate or os.environ.get("ASSAY_VENDOR_PACING", "on").lower() == "off":
        return 0, 0.0
    per_window = max(1, int(rate))
    return per_window, max(1.0, per_window / rate) * MARGIN


class LocalBudget:
    """The budget kept in this process, across its threads."""

    def __init__(self, rate: float | None) -> None:
        self._per_window, self._window = _window(rate)
        self._lock = threading.Lock()
        self._sent: collections.deque[float] = collections.deque(maxlen=self._per_window or 1)
        self._not_before = 0.0  # monotonic

    def wait(self) -> None:
        if not self._per_window:
            return
        with self._lock:
            now = time.monotonic()
            when = now
            if len(self._sent) == self._per_window:  # the oldest of the last ``per_window`` sets the pace
                when = max(now, self._sent[0] + self._window)
            self._sent.append(when)
        if when > now:
            time.sleep(when - now)

    def record(self, at: float) -> None:
        """A request sent (at monotonic ``at``) under another budget: counted here too."""
        if self._per_window:
            with self._lock:
                self._sent.append(at)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def held_for(self) -> float:
        return max(0.0, self._not_before - time.monotonic())


# The same pacing as LocalBudget, on a sorted set of the last ``per_window`` send times
# (microseconds, Redis's clock, so hosts whose clocks differ still agree).
_PACE = """
local per, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local when = now
if redis.call('ZCARD', KEYS[1]) >= per then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  when = math.max(now, tonumber(oldest[2]) + window)
end
redis.call('ZADD', KEYS[1], when, redis.call('INCR', KEYS[2]))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(per + 1))
local keep = math.ceil((when - now + window) / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return when - now
"""

_HOLD = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
"""


_AWAY = object()


class SharedBudget:
    """The budget kept in Redis under ``key``, shared by every worker and host.

    If Redis cannot be reached no request is refused: this process paces on its own,
    says so in the log, and asks Redis again after ``AWAY_S`` (not on every request,
    which would add a timeout to each).
    """

    AWAY_S = 10.0

    def __init__(self, client: redis.Redis, key: str, rate: float | None) -> None:
        # A hash tag: the script's keys share one slot, so it runs on Redis Cluster too.
        self._client, self._key = client, f"{{{key}}}"
        self._per_window, window = _window(rate)
        self._window_us = int(window * 1_000_000)
        self._pace = client.register_script(_PACE)
        self._hold = client.register_script(_HOLD)
        # Knows this process's sends even while Redis answers, so falling back is no fresh burst.
        self._alone = LocalBudget(rate)
        self._lock = threading.Lock()
        self._away_until = 0.0  # monotonic: Redis is not asked before then

    def _ask(self, command, *args, **kwargs):
        """One Redis command's answer, or ``_AWAY`` while Redis cannot be reached."""
        with self._lock:
            if time.monotonic() < self._away_until:
                return _AWAY
        try:
            answer = command(*args, **kwargs)
        except redis.RedisError as err:
            with self._lock:
                first = time.monotonic() >= self._away_until
                self._away_until = time.monotonic() + self.AWAY_S
            if first:
                log.warning("vendor rate budget: Redis failed (%r); pacing in this process alone", err)
            return _AWAY
        return answer

    def wait(self) -> None:
        if not self._per_window:
            return
        keys = [f"{self._key}:sent", f"{self._key}:seq"]
        delay_us = self._ask(self._pace, keys=keys, args=[self._per_window, self._window_us])
        if delay_us is _AWAY:
            self._alone.wait()
            return
        self._alone.record(time.monotonic() + delay_us / 1_000_000)
        if delay_us > 0:
            time.sleep(delay_us / 1_000_000)

    def hold(self, seconds: float) -> None:
        self._alone.hold(seconds)  # kept here too, in case Redis is away when it is next asked
        self._ask(self._hold, keys=[f"{self._key}:hold"], args=[max(1, math.ceil(seconds * 1000))])

    def held_for(self) -> float:
        shared = self._ask(self._client.pttl, f"{self._key}:hold")
        shared = 0.0 if shared is _AWAY else max(0, shared) / 1000
        return max(shared, self._alone.held_for())
