"""Change my password: every role changes their own, its boxes never kept in the page's state."""

import pytest
import reflex as rx

from dashboard.services import accounts
from dashboard.states.account import AccountState
from dashboard.states.auth import AuthState
from models import Role
from tests.states.conftest import run_async, run_handler, substate, toast_level

PASSWORD = "the first password, handed over"
NEW = "one only I know, at last"


def _signed_in_twice(session, role: Role) -> tuple[AccountState, str]:
    """The page, in a browser signed in as someone of ``role``; the token of their other browser."""
    email = f"{role.value}@example.com"
    accounts.create_user(session=session, email=email, name="Kim Keyholder", role=role, password=PASSWORD)
    elsewhere = accounts.sign_in(session=session, email=email, password=PASSWORD)
    root = rx.State(_reflex_internal_init=True)
    substate(root, AuthState).session_token = accounts.sign_in(
        session=session, email=email, password=PASSWORD
    )
    return substate(root, AccountState), elsewhere


@pytest.mark.parametrize("role", list(Role))
def test_each_role_changes_their_own_password_and_is_told_their_other_sessions_ended(session, role):
    """Nobody could: an invite's generated first password stayed in use for good."""
    page, elsewhere = _signed_in_twice(session, role)
    form_before, before = page.form_key, substate(page.parent_state, AuthState).session_token

    updates = run_async(
        run_handler(
            page,
            "change_password",
            {"current_password": PASSWORD, "new_password": NEW, "repeated_password": NEW},
        )
    )

    [toast] = [u for u in updates if toast_level(u)]
    assert toast_level(toast) == "success"
    assert "Your password is changed. You are signed out everywhere else (1 other session)" in repr(toast)
    assert accounts.signed_in_user(session=session, token=elsewhere) is None
    here = substate(page.parent_state, AuthState).session_token
    assert accounts.signed_in_user(session=session, token=here)  # still signed in on this page
    assert here != before  # under a new token: a stolen copy of the old one ends with the rest
    assert page.form_key != form_before  # the boxes are emptied
    assert (page.error, page.error_box, page.changing) == ("", "", False)
    assert PASSWORD not in str(page.dict()) and NEW not in str(page.dict())


def test_a_wrong_current_password_is_said_at_its_box_and_nothing_typed_is_kept(session):
    page, elsewhere = _signed_in_twice(session, Role.RECRUITER)
    form_before = page.form_key

    updates = run_async(
        run_handler(
            page,
            "change_password",
            {"current_password": "my guess, wrong", "new_password": NEW, "repeated_password": NEW},
        )
    )

    assert (page.error, page.error_box) == ("Your current password is incorrect.", "current_password")
    assert page.form_key == form_before  # the new password typed twice stays in its boxes
    assert "current_password" in repr(updates[-1])  # the cursor goes to the box to fix
    assert "my guess, wrong" not in str(page.dict()) and NEW not in str(page.dict())
    assert accounts.signed_in_user(session=session, token=elsewhere)  # nobody signed out
