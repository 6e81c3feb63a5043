"""Fixtures for calling Reflex event handlers directly, as a signed-in user of some role."""

import asyncio
import contextlib
import inspect
import re
import threading

import pytest
import reflex as rx
from reflex.event import EventSpec
from reflex.istate.data import HeaderData, ReflexURL, RouterData, SessionData

from dashboard.services import accounts
from dashboard.settings import browser_origins, get_settings, session_cookie
from dashboard.states.auth import AuthState
from dashboard.states.plan import PlanState
from models import Role


@pytest.fixture
def signed_in_as(session):
    """A state tree whose connection carries the session cookie of a fresh user of the given
    role (None: signed out), as a tab's websocket does once its sign-in set the cookie."""

    def make(role: Role | None) -> rx.State:
        root = rx.State(_reflex_internal_init=True)
        if role is not None:
            email = f"{role.value}@example.com"
            _user, password = accounts.create_user(session=session, email=email, name=role.value, role=role)
            token = accounts.sign_in(session=session, email=email, password=password)
            connected_with(root, token)
            run_async(run_handler(substate(root, AuthState), "guard_page"))  # every page's first load
        return root

    return make


def connected_with(root: rx.State, token: str, *, origin: str = "") -> None:
    """The tab's websocket, opened by a page at ``origin`` (one of Assay's if not given) with the
    session cookie holding ``token`` beside another site's cookie."""
    cookie = f"other=1; {session_cookie(get_settings().public_url)}={token}"
    root.router = RouterData(
        headers=HeaderData(cookie=cookie, origin=origin or browser_origins(get_settings().public_url)[0]),
        session=SessionData(session_id="connection-1"),
    )


def visit(state: rx.State, url: str) -> None:
    """The tab goes to ``url``: its address changes, its connection (and the cookie it was opened with) stays."""
    state.router = RouterData(url=ReflexURL(url), headers=state.router.headers, session=state.router.session)


def handoff_code(updates: list) -> str:
    """The one-time code a handler's script trades at ``/api/session`` for the session's cookie."""
    specs = [spec for update in updates for spec in (update if isinstance(update, list) else [update])]
    scripts = [
        value._var_value
        for spec in specs
        if isinstance(spec, EventSpec)
        for _name, value in spec.args
        if isinstance(getattr(value, "_var_value", None), str) and "/api/session" in value._var_value
    ]
    [code] = [found for script in scripts for found in re.findall(r'\\"code\\": \\"([\w-]+)\\"', script)]
    return code


def substate(root: rx.State, cls: type[rx.State]) -> rx.State:
    """The instance of ``cls`` in a state tree."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


async def run_handler(state: rx.State, name: str, *args) -> list:
    """Run one event handler to the end; returns everything it returned or yielded."""
    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.isasyncgen(result):
        return [update async for update in result]
    return [await result if inspect.isawaitable(result) else result]


def follow(state: rx.State, event) -> None:
    """Run the event a handler returned, and those it returns in turn, as the browser would."""
    args = [value._var_value for _name, value in event.args]
    for then in run_async(run_handler(state, event.handler.fn.__name__, *args)):
        if isinstance(then, EventSpec):
            follow(state, then)


def run_async(coroutine):
    """Run a coroutine to the end on a fresh event loop in its own thread.

    Playwright's sync API keeps an event loop running in the main thread once a
    browser test has run, and ``asyncio.run`` refuses to nest inside it.
    """
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as err:  # re-raised in the test's thread
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


async def watch_until(state: rx.State, done, timeout: float = 15) -> None:
    """Run the page's background ``watch`` (as its load starts it) until ``done()``, then leave the page.

    ``timeout`` covers the change made beside it too (a move on PostgreSQL with four test processes
    on two cores: CI197 was still short of it at 5 s); how fast a page follows is ``bench/live.py``'s.

    Raises:
        TimeoutError: ``done()`` stayed false for ``timeout`` seconds.
    """
    watching = asyncio.create_task(type(state).event_handlers["watch"].fn(state))
    try:
        async with asyncio.timeout(timeout):
            while not done():
                if watching.done():
                    watching.result()  # the watch ended or failed: say why
                    raise AssertionError("the watch ended before the page caught up")
                await asyncio.sleep(0.02)
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching


def toast_level(update) -> str:
    """The level of a toast a handler gave (``rx.toast.error`` -> "error"), read from its call."""
    call = repr(update)
    return next((level for level in ("success", "info", "warning", "error") if f'["{level}"]' in call), "")


def plan_page(signed_in_as, job_id: int) -> PlanState:
    """The plan page of the job, loaded, as a recruiter opens it."""
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{job_id}/plan")
    page = substate(root, PlanState)
    run_async(run_handler(page, "load"))
    return page
