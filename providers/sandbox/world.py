"""The sandbox's shared state: per-vendor records, faults, counters, webhook sending.

Everything is in memory and, when a state file is given, saved to JSON after each
change so a restart of ``make run`` keeps the invitations Assay knows about.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import datetime
import json
import logging
import os
import pathlib
import threading
import time
from typing import Any, Protocol

import httpx
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from providers.http import trusted_certificates

log = logging.getLogger("sandbox")


@dataclasses.dataclass
class Faults:
    """What to break for one vendor (set by tests through ``POST /_sandbox/faults``).

    ``latency_ms`` delays a call before the vendor acts on it; ``reply_delay_ms``
    delays the reply after it acted (the "timeout, but it happened" case).

    ``fail_next`` is a queue, one entry per coming API call: ``{"status", "retry_after",
    "html"}`` answers that status instead; ``{"reset": true}`` drops the connection
    after the headers, before the vendor acts (the client sees a transport error);
    ``{"delay_ms": n}`` stalls that one call, which then proceeds normally (a single
    slow answer, for a client timeout that a retry gets past); ``{"reply_delay_ms": n}`` lets
    that one call act at once and holds its reply n ms (a page read, long on its way while
    others act).

    ``broken_attempts`` names attempts whose reads by their id answer 500 on every call, until
    the faults are replaced (a report the vendor keeps failing to give for weeks, helper-112),
    while the vendor answers about every other attempt; the calls queued in ``fail_next`` are
    left to the others. CoderPad Screen's ``GET /tests/{id}`` and iMocha's ``GET /reports/{id}``
    honour it.

    ``reset_replies`` drops the connection of the next n replies to calls that created
    something, after the vendor acted (the "reset, but it happened" case).
    ``index_lag_ms`` leaves out of CoderPad Interview's pad index what was created within that
    long (the index lags ``GET /pads/{id}`` by up to a minute, documented).
    ``drop_next_webhooks`` loses only the next n deliveries (one lost webhook);
    ``reorder_webhooks`` holds deliveries until that many are held (``true`` means 2),
    then sends them newest first, ``REORDER_GAP`` apart; ``burst_webhooks`` holds them the
    same way, then posts them all at once, each from its own thread (deliveries about one
    attempt arriving together). Held deliveries go out, newest first, when the vendor's
    faults are replaced; ``/_sandbox/reset`` forgets them.
    """

    drop_webhooks: bool = False
    duplicate_webhooks: int = 0
    latency_ms: int = 0
    reply_delay_ms: int = 0
    fail_next: list[dict] = dataclasses.field(default_factory=list)
    broken_attempts: list[str] = dataclasses.field(default_factory=list)
    reset_replies: int = 0
    drop_next_webhooks: int = 0
    reorder_webhooks: int = 0
    burst_webhooks: int = 0
    index_lag_ms: int = 0


@dataclasses.dataclass
class Counters:
    """What a vendor imitation did, for tests to assert on (``GET /_sandbox/stats``)."""

    invitations_created: int = 0
    invitations_resent: int = 0  # invitation emails sent again (a Resend, a reminder)
    api_requests: int = 0
    list_requests: int = 0
    webhooks_sent: int = 0
    webhooks_dropped: int = 0
    failures_injected: int = 0  # queued failures (fail_next) and reset replies served
    connections_reset: int = 0
    webhooks_held: int = 0  # held back by reorder_webhooks / burst_webhooks
    webhooks_in_flight: int = 0  # handed to a sender thread, not yet posted (or failed)


class _Cut:
    """Connections the sandbox drops on purpose, so uvicorn's one-line complaint is not logged."""

    MESSAGE = "ASGI callable returned without completing response."

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.expected = 0
        self.installed = False

    def expect(self) -> None:
        with self.lock:
            self.expected += 1
            if not self.installed:
                logging.getLogger("uvicorn.error").addFilter(self.filter)
                self.installed = True

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self.MESSAGE:
            return True
        with self.lock:
            if self.expected <= 0:
                return True
            self.expected -= 1
            return False


_CUTS = _Cut()
REORDER_GAP = 0.25  # seconds between the deliveries of a reordered batch
# How long a stopped clock stays stopped, in real seconds, unless stopped again: far longer than
# any one step of the demo seed or a test, far shorter than a sandbox left running for days.
CLOCK_HOLD_SECONDS = 120.0
# The current request's fate, set by ``ReplyFaults``: {"cut": True} drops its reply, and
# {"vendor": name} keeps its body among the vendor's faulted replies.
_FATE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("sandbox_reply_fate", default=None)
_FLIGHT_LOCK = threading.Lock()


def _in_flight(counters: Counters, change: int) -> None:
    with _FLIGHT_LOCK:
        counters.webhooks_in_flight += change


class _DroppedReply(Response):
    """Headers promising a body, then the connection closes: the client gets a transport error."""

    def __init__(self) -> None:
        super().__init__(content=b"", status_code=200)

    async def __call__(self, scope, receive, send) -> None:
        _CUTS.expect()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        # Returning without the body: uvicorn closes the connection mid-reply.


class ReplyFaults:
    """ASGI middleware for the faults that strike a reply, and for the callers they drive away.

    A reply ``World.before_reply`` marked as cut (``reset_replies``) sends its headers,
    never its body, and the server closes the connection: the client sees a reset of a
    call the vendor did carry out. The body of every reply a fault delayed or cut is
    kept (``World.faulted_replies``), so a test can still play the candidate of an
    invitation whose reply the caller never read.
    """

    def __init__(self, app, world: World) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fate: dict = {"cut": False, "vendor": None, "hold_ms": 0}
        body = bytearray()
        token = _FATE.set(fate)

        async def guarded(message: dict) -> None:
            if message["type"] == "http.response.start" and fate["hold_ms"]:
                await asyncio.sleep(fate["hold_ms"] / 1000)  # made, and held (``reply_delay_ms``)
            if fate["vendor"] and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    self.world.keep_faulted_reply(fate["vendor"], bytes(body))
            if not fate["cut"]:
                await send(message)
            elif message["type"] == "http.response.start":
                _CUTS.expect()
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                await send({**message, "headers": [*headers, (b"content-length", b"64")]})
            # A cut reply's body is never sent.

        try:
            await self.app(scope, receive, guarded)
        except ClientDisconnect:
            # The caller gave up (a stalled call it timed out on) before its body was read:
            # nobody is left to answer, which is the fault working, not a sandbox error.
            log.info("%s %s: the client went away", scope.get("method"), scope.get("path"))
        finally:
            _FATE.reset(token)


class Controls(Protocol):
    """What tests, benchmarks and the demo can make a vendor imitation do, besides its API.

    Mounted by the server under ``/_sandbox/<vendor>/...`` for every imitation alike. Those whose
    vendor archives tests (CoderPad Screen, HackerRank) or deletes live-interview templates (CoderPad
    Interview's questions, CodeSignal's templates) also have ``archive_test(test_id, archived) -> bool``.
    """

    def act(self, vendor_attempt_id: str, step: str) -> dict | None:
        """Play the candidate or the clock: ``start``, ``submit`` or ``expire``.

        Returns the attempt as the vendor's API shows it, or None if there is no
        such attempt or step.
        """

    def add_tests(self, count: int) -> int:
        """Add ``count`` generated tests to the catalog (to exercise paging); returns the total."""

    def set_webhook(self, url: str, secret: str) -> None:
        """Configure the account's webhook as an admin would in the vendor's own UI."""


class World:
    """State shared by the vendor imitations of one sandbox server."""

    def __init__(self, *, public_url: str, state_file: str | None = None) -> None:
        self.public_url = public_url.rstrip("/")
        self.state_file = pathlib.Path(state_file) if state_file else None
        self.lock = threading.Lock()
        self.data: dict[str, dict[str, Any]] = {}
        self.faults: dict[str, Faults] = {}
        self.counters: dict[str, Counters] = {}
        # Deliveries held back by ``reorder_webhooks``/``burst_webhooks``: (url, payload, headers, copies).
        self.held: dict[str, list[tuple[str, dict, dict[str, str], int]]] = {}
        # Bodies of replies a fault delayed or cut, newest last (``ReplyFaults``).
        self.faulted_replies: dict[str, list[Any]] = {}
        # The vendors' clock, when a test or the demo seed stopped it at a moment (``stop_clock``).
        self.stopped_at: datetime.datetime | None = None
        self.stopped_until = 0.0  # on the monotonic clock: when a stopped clock runs again by itself
        # Keys every imitation accepts besides its demo key (a rotated key, for walking a rotation).
        self.extra_keys = {
            k.strip() for k in os.environ.get("ASSAY_SANDBOX_KEYS", "").split(",") if k.strip()
        }
        if self.state_file and self.state_file.exists():
            self.data = json.loads(self.state_file.read_text())

    def now(self) -> datetime.datetime:
        """The vendors' time (UTC): the real time, unless the clock was stopped at a moment."""
        if self.stopped_at is not None and time.monotonic() >= self.stopped_until:
            self.stopped_at = None  # held too long: whoever stopped it is gone
        return self.stopped_at or datetime.datetime.now(datetime.UTC)

    def stop_clock(self, at: datetime.datetime | None, *, hold: float = CLOCK_HOLD_SECONDS) -> None:
        """Stop the vendors' clock at ``at`` (None starts it again, at the real time), for at
        most ``hold`` seconds of real time, after which it runs again on its own.

        Every imitation stamps its invitations, starts and submissions with ``now()``: the demo
        seed plays a morning of candidates through it (invited at nine, started at ten, done
        forty minutes later), with Assay's clock stopped at the same moments, so each result
        reads as a real candidate's and agrees with the application's history. Each of its
        steps stops the clock anew; a seed killed outright (no ``finally`` to start it) left a
        long-running sandbox stamping every later invitation with its last moment, for good.
        """
        self.stopped_at = at.astimezone(datetime.UTC) if at else None
        self.stopped_until = time.monotonic() + hold

    def vendor(self, name: str, initial: dict[str, Any]) -> dict[str, Any]:
        """The records of one vendor, created from ``initial`` on first use."""
        self.faults.setdefault(name, Faults())
        self.counters.setdefault(name, Counters())
        return self.data.setdefault(name, initial)

    def save(self) -> None:
        """Persist the records (when a state file was given)."""
        if self.state_file:
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data))
            tmp.replace(self.state_file)

    def reset(self) -> None:
        """Forget everything: records, faults, counters, a stopped clock."""
        with self.lock:
            self.data.clear()
            self.held.clear()
            self.faulted_replies.clear()
            self.stopped_at = None
            for name in self.faults:
                self.faults[name] = Faults()
                self.counters[name] = Counters()
            self.save()

    def set_faults(self, vendor: str, faults: Faults) -> None:
        """Replace one vendor's faults; deliveries still held (reorder, burst) go out, newest first."""
        self.faults[vendor] = faults
        held = self.held.pop(vendor, [])
        self.counters[vendor].webhooks_held = 0
        if held:
            self._send(vendor, held[::-1])

    async def before_api_call(
        self, vendor: str, *, listing: bool = False, attempt: str | None = None
    ) -> Response | None:
        """Count the call, add latency, and return an injected failure if one is queued, or if
        the call reads ``attempt`` (its id) and that attempt is broken (``broken_attempts``)."""
        faults, counters = self.faults[vendor], self.counters[vendor]
        counters.api_requests += 1
        counters.list_requests += int(listing)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if attempt is not None and attempt in {str(a) for a in faults.broken_attempts}:
            return JSONResponse({"code": "Injected", "message": "injected 500 (a broken attempt)"}, 500)
        if faults.fail_next:
            failure = faults.fail_next.pop(0)
            counters.failures_injected += 1
            if failure.get("reset"):
                counters.connections_reset += 1
                return _DroppedReply()
            if failure.get("delay_ms") is not None and failure.get("status") is None:
                await asyncio.sleep(int(failure["delay_ms"]) / 1000)
                return None
            if failure.get("reply_delay_ms") is not None and failure.get("status") is None:
                fate = _FATE.get()
                if fate is not None:  # held by ReplyFaults once the reply is made
                    fate["hold_ms"] = int(failure["reply_delay_ms"])
                return None
            status = int(failure.get("status", 500))
            headers = {}
            if failure.get("retry_after") is not None:
                headers["Retry-After"] = str(failure["retry_after"])
            if failure.get("html"):
                from fastapi.responses import HTMLResponse

                return HTMLResponse(
                    "<html><body>Bad gateway</body></html>", status_code=status, headers=headers
                )
            return JSONResponse(
                {"code": "Injected", "message": f"injected {status}"}, status, headers=headers
            )
        return None

    async def before_reply(self, vendor: str) -> None:
        """Delay a reply after the work is done: the vendor acted, but the caller may give up."""
        faults = self.faults[vendor]
        delay = faults.reply_delay_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        fate = _FATE.get()
        if fate is None:
            return
        if faults.reset_replies > 0:
            faults.reset_replies -= 1
            self.counters[vendor].failures_injected += 1
            self.counters[vendor].connections_reset += 1
            fate["cut"] = True
        if delay or fate["cut"]:
            fate["vendor"] = vendor

    def keep_faulted_reply(self, vendor: str, body: bytes) -> None:
        """Keep the body of a reply a fault delayed or cut (JSON when it is JSON)."""
        try:
            kept: Any = json.loads(body)
        except ValueError:
            kept = body.decode("utf-8", errors="replace")
        self.faulted_replies.setdefault(vendor, []).append(kept)

    def deliver(
        self, vendor: str, url: str | None, payload: dict, headers: dict[str, str] | None = None
    ) -> None:
        """POST a webhook in the background, honouring drop/duplicate/reorder/burst faults; never raises."""
        if not url:
            return
        faults, counters = self.faults[vendor], self.counters[vendor]
        if faults.drop_webhooks:
            counters.webhooks_dropped += 1
            return
        if faults.drop_next_webhooks > 0:
            faults.drop_next_webhooks -= 1
            counters.webhooks_dropped += 1
            return
        item = (url, payload, dict(headers or {}), 1 + max(0, faults.duplicate_webhooks))
        reorder, burst = (
            2 if n is True else int(n or 0) for n in (faults.reorder_webhooks, faults.burst_webhooks)
        )
        hold = max(reorder, burst)
        if hold > 1:
            held = self.held.setdefault(vendor, [])
            held.append(item)
            if len(held) < hold:
                counters.webhooks_held = len(held)
                return
            batch = list(held)
            held.clear()
            counters.webhooks_held = 0
            if burst > reorder:
                for one in batch:  # each from its own thread, all at once
                    self._send(vendor, [one])
                return
            batch.reverse()
        else:
            batch = [item]
        self._send(vendor, batch)

    def _send(self, vendor: str, batch: list[tuple[str, dict, dict[str, str], int]]) -> None:
        """POST each delivery of ``batch`` (with its copies) in order, from one background thread."""
        counters = self.counters[vendor]
        _in_flight(counters, len(batch))

        def post() -> None:
            for index, (url, payload, headers, copies) in enumerate(batch):
                if index:
                    # Reordered deliveries arrive one after the other, each handled before the
                    # next: the fault is the order, not two arriving at once.
                    time.sleep(REORDER_GAP)
                try:
                    for _ in range(copies):
                        try:
                            # As long as a vendor waits (10 to 30 s): at 5 s a loaded CI machine's answer,
                            # stored by Assay, was counted here as never sent.
                            httpx.post(
                                url, json=payload, headers=headers, timeout=30, verify=trusted_certificates()
                            )
                            counters.webhooks_sent += 1
                        except httpx.HTTPError as err:
                            log.info("webhook to %s failed: %s", url, err)
                finally:
                    _in_flight(counters, -1)

        threading.Thread(target=post, daemon=True).start()
