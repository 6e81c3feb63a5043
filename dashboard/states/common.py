"""What every page state shares: running services off the event loop, and telling how they went."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import json
import urllib.parse
from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from sqlmodel import Session

from dashboard.services.assessments import SendOutcome
from models import new_session

T = TypeVar("T")


# Vendor work a page starts that may take minutes (Sync now, a backlog's retry) runs here, so
# the pages' handlers never wait for a thread of asyncio's default pool behind it.
_SLOW_WORK = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="assay-page-slow")


async def in_session(work: Callable[[Session], T], *, slow: bool = False) -> T:
    """Run ``work`` with a fresh database session in a worker thread.

    Services make blocking database and vendor calls; running them in a thread
    keeps the event loop free for every other connected user. ``slow``: work that may
    take minutes, on a pool of its own.
    """

    def run() -> T:
        with new_session() as session:
            return work(session)

    if slow:
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(_SLOW_WORK, context.run, run)
    return await asyncio.to_thread(run)


def score_bound(text: str) -> float | None:
    """A score bound typed in a filter box ("70" or "70%", as scores are shown); blank means none.

    Raises:
        ValueError: Not a number from 0 to 100.
    """
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    value = float(text)
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


def id_in_path(state, collection: str) -> int:
    """The id after ``/<collection>/`` in the page's URL (``/jobs/12/review`` -> 12), or 0."""
    parts = [p for p in urllib.parse.urlsplit(str(state.router.url)).path.split("/") if p]
    for index, part in enumerate(parts[:-1]):
        if part == collection and parts[index + 1].isdigit():
            return int(parts[index + 1])
    return 0


def focus_once_drawn(selector: str, *, otherwise: str = "") -> rx.event.EventSpec:
    """Give the focus, lost with the control that held it (drawn anew, or gone with what it was
    for), to the first element ``selector`` picks once it is drawn; none by then (a few frames),
    to ``otherwise``'s. Taken only while the focus is lost (on the page's body, or on an element
    no longer on the page): one who went on elsewhere meanwhile keeps their place."""
    wanted, fallback = json.dumps(selector), json.dumps(otherwise)
    return rx.call_script(
        "(() => { let frames = 30; const land = () => { const now = document.activeElement;"
        " const lost = !now || now === document.body || !now.isConnected;"
        f" const target = ({wanted} && document.querySelector({wanted}))"
        f" || (frames <= 0 && {fallback} && document.querySelector({fallback}));"
        " if (lost && target) { target.focus(); return; }"
        " if (--frames >= 0) requestAnimationFrame(land); };"
        " requestAnimationFrame(land); })()"
    )


def outcome_toast(outcome, done: str = "Done."):
    """The toast for what a service returned: success when it went through, an error when the
    vendor refused it (or a move's stage could not send a test on entry), information when the
    service answered without acting (a resend a moment ago); ``done`` when it says nothing, and
    the service's own sentence when that is what it returned."""
    went = outcome.sent if isinstance(outcome, SendOutcome) else True
    message = outcome if isinstance(outcome, str) else getattr(outcome, "message", None) or done
    if getattr(outcome, "failed", False) or getattr(outcome, "not_sent", ()):
        return rx.toast.error(message)
    return rx.toast.success(message) if went else rx.toast.info(message)
