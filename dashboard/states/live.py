"""Live pages: one revision watch per backend worker refreshes the open pages whose jobs changed.

A change anywhere (a webhook applied, a sync sweep, a recruiter in another tab or on
another worker) bumps its job's revision in the database; a change that belongs to no
job (a result kept for matching, an email, a notification) bumps the workspace's, which
pages of every job watch too (``models.revisions``). Instead of every open page
asking the database twice a second, each worker runs one loop that reads the revisions
its open pages show, ten times a second in one query, and wakes only the pages whose
jobs moved; each of those reloads. A page whose jobs stay still costs one catch-up
refresh every ``CATCH_UP_S``, and a change shows in a fraction of a second.

The same watch keeps each live page's navigation counting its user's unread notifications
(``UnreadState``): a page waits on its jobs and on what belongs to no job, and a
notification arriving, or being read, recounts them (one count query) without
reloading a page whose jobs did not move. A page that shows no job (Users, Settings) waits
on the same watch for the count alone (``NavigationWatch``): no loop of its own, no read of
a job's revision. The integrations page, whose connections' health belongs to no job, waits
there too and reloads when what belongs to no job moves (``keep_up_outside_jobs``), which a
connection's health moves only when its card would say something else (``models.revisions``).

A page's ``load`` (an ``on_load`` event) ends by starting its watch, a background event
in the same chain, so Reflex cancels it with the page: on navigation, reconnect or
disconnect (a newer page load supersedes the older load's chain). Started after the load,
not beside it, the watch knows which jobs the page shows and at which revision. The watch
refreshes the page itself, under the page's state lock, rather than sending it events:
one refresh at a time per page, however fast its jobs change.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable

import reflex as rx
from sqlmodel import Session

from dashboard.services import pipeline
from dashboard.services.permissions import Permission
from dashboard.states.auth import AuthState, current_user, recheck, requires
from dashboard.states.common import in_session
from dashboard.states.unread import UnreadState

log = logging.getLogger(__name__)

# How often the worker reads the watched revisions while at least one page is open.
POLL_S = 0.1
# A page is refreshed at least this often even when nothing changed: a refresh it
# skipped while busy (a dialog open) is caught up then.
CATCH_UP_S = 10.0
# After a failed read (the database restarting), wait this long before the next.
RETRY_S = 1.0

Scope = tuple[int, ...] | None  # job ids; None: every job, and what belongs to none
# The scope of a page that shows no job: its revision, as ``_read`` counts it, is always 0, so
# only what belongs to no job (a notification, its reading) ever wakes it.
NO_JOBS: Scope = ()


@dataclasses.dataclass(eq=False)
class _Waiter:
    scope: Scope
    seen: int
    woken: asyncio.Future
    # Also woken when what belongs to no job moves from this (``pipeline.outside_jobs_revision``).
    outside_seen: int | None = None


class RevisionWatch:
    """The revisions open pages wait on, read by one loop for the whole worker."""

    def __init__(self) -> None:
        self._waiters: set[_Waiter] = set()
        self._loop_task: asyncio.Task | None = None

    async def next_change(self, scope: Scope, seen: int, *, timeout: float | None = None) -> int:
        """Wait until the jobs in ``scope`` are at a revision other than ``seen``; returns it.

        Returns ``seen`` when ``timeout`` (default ``CATCH_UP_S``) passes with no change.
        """
        revision, _outside = await self.next_change_or_notice(scope, seen, None, timeout=timeout)
        return revision

    async def next_change_or_notice(
        self, scope: Scope, seen: int, outside_seen: int | None, *, timeout: float | None = None
    ) -> tuple[int, int | None]:
        """Like ``next_change``, but also woken when what belongs to no job (a notification, its
        reading) is at a revision other than ``outside_seen``; returns both revisions."""
        timeout = CATCH_UP_S if timeout is None else timeout
        waiter = _Waiter(scope, seen, asyncio.get_running_loop().create_future(), outside_seen)
        self._waiters.add(waiter)
        if self._loop_task is None:
            # A context of its own: not the first page's (its user, its event's trace).
            self._loop_task = asyncio.create_task(
                self._run(), name="assay-revision-watch", context=contextvars.Context()
            )
        try:
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancel that lands just as
            # the future gets its result, and a watch cancelled with its page would live on.
            async with asyncio.timeout(timeout):
                return await waiter.woken
        except TimeoutError:
            return seen, outside_seen
        finally:
            self._waiters.discard(waiter)

    @property
    def waiting(self) -> int:
        """How many pages wait right now."""
        return len(self._waiters)

    async def _run(self) -> None:
        """Read the scopes waited on until no page waits; wake those that moved."""
        try:
            while self._waiters:
                scopes = {w.scope for w in self._waiters}
                outside = any(w.outside_seen is not None for w in self._waiters)
                try:
                    revisions, outside_now = await in_session(
                        functools.partial(_read, scopes=scopes, outside=outside)
                    )
                except Exception:  # any database failure: log it, keep watching
                    log.exception("reading job revisions for live pages failed")
                    await asyncio.sleep(RETRY_S)
                    continue
                for waiter in list(self._waiters):
                    current = revisions.get(waiter.scope)  # None: it came during the read
                    if current is None or waiter.woken.done():
                        continue
                    noticed = waiter.outside_seen is not None and outside_now != waiter.outside_seen
                    if current != waiter.seen or noticed:
                        waiter.woken.set_result((current, outside_now if noticed else waiter.outside_seen))
                await asyncio.sleep(POLL_S)
        finally:
            self._loop_task = None


def _read(session: Session, scopes: set[Scope], *, outside: bool = False) -> tuple[dict[Scope, int], int]:
    """Each scope's revision, as the pages count it, and (if ``outside``) what belongs to no
    job's, in at most three queries.

    A page of some jobs counts ``pipeline.job_revisions``; a page of every job (None)
    counts ``pipeline.workspace_revision``, which also moves with what belongs to no job.
    """
    by_job = pipeline.revisions_of(session, {job_id for scope in scopes if scope for job_id in scope})
    every = pipeline.workspace_revision(session) if None in scopes else 0
    revisions = {
        scope: every if scope is None else sum(by_job.get(job_id, 0) for job_id in scope) for scope in scopes
    }
    return revisions, pipeline.outside_jobs_revision(session) if outside else 0


_watches: dict[asyncio.AbstractEventLoop, RevisionWatch] = {}


def watch() -> RevisionWatch:
    """This worker's watch (one per event loop: the app has one, tests may make several)."""
    loop = asyncio.get_running_loop()
    if loop not in _watches:
        for stale in [other for other in _watches if other.is_closed()]:
            del _watches[stale]
        _watches[loop] = RevisionWatch()
    return _watches[loop]


async def keep_live(
    state,
    permission: Permission,
    scope: Callable[[], list[int] | None],
    reload: Callable[[], Awaitable[None]],
    *,
    paused: Callable[[], bool] = lambda: False,
) -> rx.event.EventSpec | None:
    """The body of a page's background ``watch``: ``reload`` the page whenever its jobs change.

    ``scope`` names the page's jobs (None: all), read with the page's state once loaded,
    and the watch starts from the revision the page was loaded at (``state.revision``),
    so a change landing between the load and the watch still wakes it. Woken, it reloads
    the page, under the page's state lock as the user's own events do, if the page
    shows another revision (its own moves reload it already) and is not ``paused``
    (nothing loaded, an error shown, a decision in hand: the catch-up every
    ``CATCH_UP_S`` reloads it once that is over). The user is checked again at every wake
    (each change, and every ``CATCH_UP_S``): a page whose user signed out or lost
    ``permission`` stops being live. A reload that fails (the database or Redis away for a
    moment) is logged and tried again at the next wake, never the end of the page's live
    updates. Woken by a notification (or its reading) alone, it recounts the navigation's
    unread ones, paused or not, and leaves the page as it is. A page whose server-side state
    is gone (Redis restarted without its data) is reloaded by the browser, which alone can
    load it again. Runs until cancelled, or returns the events that end the page's watch.
    """
    async with state:
        job_ids = scope()
        seen = state.revision
        counted = (await state.get_state(UnreadState)).revision  # by the page's guard (-1: not counted)
    noticed = counted if counted >= 0 else None  # None: no count to keep
    key: Scope = None if job_ids is None else tuple(sorted(set(job_ids)))
    return await _follow(state, permission, key, seen, noticed, reload, paused)


async def keep_counting(state, permission: Permission) -> rx.event.EventSpec | None:
    """The body of the background ``watch`` of a page that shows no job: its navigation's
    unread count follows a notification arriving, or being read, as on the live pages.

    It waits on the worker's one watch with no job (``NO_JOBS``), so it costs no loop of its
    own and no read beyond what belongs to no job, and it ends, like ``keep_live``, with the
    page, or once its user signed out or lost ``permission``.
    """
    async with state:
        counted = (await state.get_state(UnreadState)).revision
    # -1: the page's guard, started beside this watch, has not counted yet; the first read
    # then differs from it and recounts, unless the guard has counted by then.
    return await _follow(state, permission, NO_JOBS, 0, counted, None, lambda: False)


async def keep_up_outside_jobs(
    state,
    permission: Permission,
    reload: Callable[[], Awaitable[None]],
    *,
    paused: Callable[[], bool] = lambda: False,
) -> rx.event.EventSpec | None:
    """The body of the background ``watch`` of a page that shows what belongs to no job (the
    integrations page: each connection's health): ``reload`` it whenever that moves, and keep its
    navigation's unread count, as ``keep_live`` does for a page of jobs.

    The page's ``state.revision`` is ``pipeline.outside_jobs_revision`` as its load read it. It
    waits on the worker's one watch with no job (``NO_JOBS``), from the older of the page's and
    the count's revisions (-1: not read yet), so the first read catches both up; ``paused``,
    the ends and the failures are ``keep_live``'s.
    """
    async with state:
        loaded = state.revision
        counted = (await state.get_state(UnreadState)).revision
    return await _follow(state, permission, NO_JOBS, 0, min(loaded, counted), reload, paused, outside=True)


async def _follow(
    state,
    permission: Permission,
    key: Scope,
    seen: int,
    noticed: int | None,
    reload: Callable[[], Awaitable[None]] | None,
    paused: Callable[[], bool],
    *,
    outside: bool = False,
) -> rx.event.EventSpec | None:
    """``keep_live``'s loop: wait for the page's jobs (``key`` at ``seen``) or the unread count
    (what belongs to no job at ``noticed``; None: not kept) to move, then catch the page up;
    ``reload`` None: a page of no job, whose count alone is kept; ``outside``: a page whose
    revision is what belongs to no job's (``noticed``), not its jobs'."""
    while True:
        seen, noticed = await watch().next_change_or_notice(key, seen, noticed)
        try:
            if await _state_lost(state):
                return reload_page()
            # The user as they are now, before anything is read for them: checked every
            # ``CATCH_UP_S`` only, a manager taken off a job went on receiving its new results
            # for up to that long (helper-154).
            if not await recheck(state, permission):
                return
            async with state:
                shown = noticed if outside else seen
                if reload is not None and shown != state.revision and not paused():
                    await reload()
                unread = await state.get_state(UnreadState)
                if noticed is not None and noticed != unread.revision:
                    await unread._recount(current_user())
        except Exception:  # not a cancel: that ends the watch with its page
            log.exception("refreshing a live page failed; trying again at its next wake")
            await asyncio.sleep(RETRY_S)


async def _state_lost(state) -> bool:
    """Whether the page's state lost what its load put there: the signed-in user's id, which
    every protected page's load sets (a signed-out tab goes to sign in, and a page without a
    user gets no watch). Reflex keeps a page's state in Redis in production; lost there (a
    restart without persistence, an eviction), it comes back empty, and the page drawn from it
    shows nothing."""
    async with state:
        return not (await state.get_state(AuthState)).user_id


def reload_page() -> rx.event.EventSpec:
    """The browser loads the page again: its cookie and URL rebuild the state and its watch."""
    return rx.call_script("window.location.reload()")


class NavigationWatch(rx.State):
    """The live part of a page that shows no job (Users, Settings): its navigation's
    unread count, which otherwise changed only when the page was loaded again."""

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Listed in the page's ``on_load`` (a background event, it starts beside the guard's
        count: ``keep_counting``), so it is cancelled with the page, as every page's watch is
        (on navigation, reconnect or disconnect)."""
        return await keep_counting(self, Permission.VIEW_PIPELINE)
