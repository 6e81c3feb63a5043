"""Change my password: every role changes their own, its boxes never kept in the page's state."""

import dataclasses

import pytest
import reflex as rx
from reflex.istate.data import SessionData

from dashboard.services import accounts
from dashboard.states.account import AccountState
from dashboard.states.auth import AuthState
from models import Role
from tests.states.conftest import connected_with, handoff_code, run_async, run_handler, substate, toast_level

PASSWORD = "the first password, handed over"
NEW = "one only I know, at last"


def _signed_in_twice(session, role: Role) -> tuple[AccountState, str]:
    """The page, in a browser signed in as someone of ``role``; the token of their other browser."""
    email = f"{role.value}@example.com"
    accounts.create_user(session=session, email=email, name="Kim Keyholder", role=role, password=PASSWORD)
    elsewhere = accounts.sign_in(session=session, email=email, password=PASSWORD)
    root = rx.State(_reflex_internal_init=True)
    here = accounts.sign_in(session=session, email=email, password=PASSWORD)
    connected_with(root, here)
    return substate(root, AccountState), elsewhere


def _change_password(page: AccountState, current: str = PASSWORD) -> list:
    """The form sent with ``current`` and the new password typed twice; what the page was told."""
    return run_async(
        run_handler(
            page,
            "change_password",
            {"current_password": current, "new_password": NEW, "repeated_password": NEW},
        )
    )


@pytest.mark.parametrize("role", list(Role))
def test_each_role_changes_their_own_password_and_is_told_their_other_sessions_ended(session, role):
    """Nobody could: an invite's generated first password stayed in use for good."""
    page, elsewhere = _signed_in_twice(session, role)
    form_before, before = page.form_key, substate(page.parent_state, AuthState)._session_token()

    updates = _change_password(page)

    [toast] = [u for u in updates if toast_level(u)]
    assert toast_level(toast) == "success"
    assert "Your password is changed. You are signed out everywhere else (1 other session)" in repr(toast)
    assert accounts.signed_in_user(session=session, token=elsewhere) is None
    here = substate(page.parent_state, AuthState)._session_token()
    assert accounts.signed_in_user(session=session, token=here)  # still signed in on this page
    assert here != before  # under a new token: a stolen copy of the old one ends with the rest
    # The browser's HttpOnly cookie takes the new token: the page is given a code to trade for it.
    assert accounts.claim_handoff(session=session, code=handoff_code(updates)) == here
    assert here not in repr(updates)
    assert page.form_key != form_before  # the boxes are emptied
    assert (page.error, page.error_box, page.changing) == ("", "", False)
    assert PASSWORD not in str(page.dict()) and NEW not in str(page.dict())


def test_a_wrong_current_password_is_said_at_its_box_and_nothing_typed_is_kept(session):
    page, elsewhere = _signed_in_twice(session, Role.RECRUITER)
    form_before = page.form_key

    updates = _change_password(page, current="my guess, wrong")

    assert (page.error, page.error_box) == ("Your current password is incorrect.", "current_password")
    assert page.form_key == form_before  # the new password typed twice stays in its boxes
    assert "current_password" in repr(updates[-1])  # the cursor goes to the box to fix
    assert "my guess, wrong" not in str(page.dict()) and NEW not in str(page.dict())
    assert accounts.signed_in_user(session=session, token=elsewhere)  # nobody signed out


def test_the_new_token_serves_the_connection_it_was_made_on_only(session):
    """helper-147: kept in the tab's state, it outlived the connection (a reload keeps the tab's
    state) and outranked the cookie: after another person signed in on that browser the tab still
    acted as the first, and anyone with the tab's id (script-readable) could act with it."""
    page, _elsewhere = _signed_in_twice(session, Role.RECRUITER)
    auth = substate(page.parent_state, AuthState)
    old = auth._session_token()
    _change_password(page)
    renewed = auth._session_token()
    assert renewed != old and accounts.signed_in_user(session=session, token=renewed)

    page.parent_state.router = dataclasses.replace(
        page.parent_state.router, session=SessionData(session_id="connection-2")
    )  # reconnected, with the cookie the browser had when the trade failed: the old one
    assert auth._session_token() == old and accounts.signed_in_user(session=session, token=old) is None


def test_the_new_token_is_kept_encrypted_in_the_stored_state(session):
    """helper-154: the state is stored (Redis in production, disk by default), and the renewed token,
    kept there plain, let anyone holding a copy of it sign in as its person for twelve hours."""
    page, _elsewhere = _signed_in_twice(session, Role.RECRUITER)
    auth = substate(page.parent_state, AuthState)
    _change_password(page)

    renewed = auth._session_token()
    stored = auth._serialize()  # what the state manager keeps
    assert accounts.signed_in_user(session=session, token=renewed).email == "recruiter@example.com"
    assert renewed.encode() not in stored
