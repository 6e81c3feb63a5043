"""Every event handler and API route refuses whoever may not use it, on the server.

The handlers are called directly (not through the UI) with a session cookie for
each role; a new handler without a permission, or a new route without an
authentication rule, fails this test until it is classified.
"""

import importlib
import inspect
import pkgutil

import pytest
import reflex as rx

import dashboard.states
from dashboard.api.routes import build_api
from dashboard.services.permissions import GRANTS
from models import Role
from tests.states.conftest import run_async

for module in pkgutil.iter_modules(dashboard.states.__path__):
    importlib.import_module(f"dashboard.states.{module.name}")

# Handlers anyone may call: they are how one signs in and out (leave_sign_in only sends someone
# signed in already on from the sign-in page; cookie_refused only says on the sign-in form why
# the browser could not take its cookie).
PUBLIC = {
    ("AuthState", "sign_in"),
    ("AuthState", "cookie_refused"),
    ("AuthState", "sign_out"),
    ("AuthState", "guard_page"),
    ("AuthState", "leave_sign_in"),
}
# Reflex's own setter of plain vars: it reads and writes no data, and every handler that
# acts on a var re-checks the permission itself, so setting a var grants nothing.
REFLEX_BUILTINS = {"setvar"}
# Routes and how each is authenticated (the webhook token is tested in tests/api/test_webhooks.py).
ROUTES = {
    "/api/webhooks/{vendor}/{integration_id}": "vendor token in the URL",
    "/api/reports/{attempt_id}.pdf": "the session cookie; VIEW_PIPELINE on the job (tests/api/test_reports.py)",
    "/api/health": "public",
    "/api/session": "a one-time code from a checked sign-in (POST); the session cookie (DELETE) "
    "(tests/api/test_session_cookie.py)",
}


def _our_states() -> list[type[rx.State]]:
    found, todo = [], list(rx.State.get_substates())
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if cls.__module__.startswith("dashboard.states"):
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


def _handlers() -> list[tuple[type[rx.State], str]]:
    return [
        (cls, name)
        for cls in _our_states()
        for name in cls.event_handlers
        if name in cls.__dict__ and name not in REFLEX_BUILTINS and (cls.__name__, name) not in PUBLIC
    ]


def _dummy_args(fn) -> list:
    values = {int: 1, str: "1", bool: True, dict: {}}
    hints = inspect.get_annotations(inspect.unwrap(fn), eval_str=True)
    params = list(inspect.signature(inspect.unwrap(fn)).parameters)[1:]
    return [values.get(hints.get(p), "1") for p in params]


async def _call(state: rx.State, fn, args: list):
    result = fn(state, *args)
    if inspect.isasyncgen(result):
        first = await anext(result)
        with pytest.raises(StopAsyncIteration):
            await anext(result)
        return first
    return await result if inspect.isawaitable(result) else result


def test_every_handler_declares_a_permission():
    unguarded = [
        f"{cls.__name__}.{name}"
        for cls, name in _handlers()
        if not hasattr(cls.event_handlers[name].fn, "permission")
    ]

    assert _handlers(), "no handlers found: the sweep would prove nothing"
    assert unguarded == []


@pytest.mark.parametrize("role", [None, *Role])
def test_each_handler_refuses_a_role_without_its_permission(signed_in_as, role):
    root = signed_in_as(role)
    refused = 0
    for cls, name in _handlers():
        fn = cls.event_handlers[name].fn
        if role is not None and fn.permission in GRANTS[role]:
            continue
        state = root.get_substate(cls.get_full_name().split(".")[1:])
        state.dirty_vars.clear()
        refusal = run_async(_call(state, fn, _dummy_args(fn)))
        text = str(refusal)
        if role is None:
            assert "/sign-in" in text, f"{cls.__name__}.{name} let a signed-out visitor in"
        elif fn.page_load:
            # Opening the page is refused quietly (the page says whose it is), and nothing ran.
            assert (refusal, state.dirty_vars) == (None, set()), (
                f"{cls.__name__}.{name} let a {role.value} in"
            )
        else:
            assert "cannot do this" in text, f"{cls.__name__}.{name} let a {role.value} in"
        refused += 1
    if role in (None, Role.HIRING_MANAGER, Role.RECRUITER):
        assert refused > 0


def test_only_the_loads_of_pages_that_say_whose_they_are_refuse_quietly():
    """A quiet refusal is for opening a page that says whose it is (``layout.only_for``);
    a handler behind a button marked so would fail its user without a word."""
    quiet = sorted(
        f"{cls.__name__}.{name}" for cls, name in _handlers() if cls.event_handlers[name].fn.page_load
    )

    assert quiet == ["IntegrationsState.load", "TeamSettingsState.load", "UsersState.load"]


def test_every_api_route_has_an_authentication_rule():
    paths = {route.path for route in build_api().routes if getattr(route, "methods", None)}

    assert paths == set(ROUTES)
