"""The settings page's state: the status clocks an admin saves."""

import reflex as rx

from dashboard.services import accounts, status_clocks
from dashboard.states.team_settings import TeamSettingsState
from models import AttemptState, Role
from tests.states.conftest import connected_with, run_async, run_handler, substate


def _settings_page(root) -> TeamSettingsState:
    page = substate(root, TeamSettingsState)
    run_async(run_handler(page, "load"))
    return page


def _another_admin(session) -> rx.State:
    root = rx.State(_reflex_internal_init=True)
    _user, password = accounts.create_user(
        session=session, email="ines@example.com", name="Ines", role=Role.ADMIN
    )
    token = accounts.sign_in(session=session, email="ines@example.com", password=password)
    connected_with(root, token)
    return root


def _form(page: TeamSettingsState, **changed: tuple[str, str]) -> dict:
    """The form as drawn, with ``changed`` clocks typed over (state: (amber, red))."""
    form = {}
    for clock in page.clocks:
        amber, red = changed.get(clock.state, (clock.amber, clock.red))
        if not clock.amber_from_the_start:
            form[f"{clock.state}_amber"] = amber
        form[f"{clock.state}_red"] = red
    return form


def test_a_second_admin_saving_a_form_drawn_earlier_keeps_the_first_admins_change(session, signed_in_as):
    """helper-130: every clock was written as the second form had it, so the first admin's change to
    Sent went back, unsaid, though the second admin only changed Completed."""
    first, second = _settings_page(signed_in_as(Role.ADMIN)), _settings_page(_another_admin(session))

    run_async(run_handler(first, "save", _form(first, sent=("10", "20"))))
    run_async(run_handler(second, "save", _form(second, completed=("5", "30"))))

    clocks = status_clocks.hours(session)
    assert clocks[AttemptState.SENT] == (10.0, 20.0)
    assert clocks[AttemptState.COMPLETED] == (5.0, 30.0)


def test_a_clock_a_colleague_changed_since_the_form_was_drawn_is_refused_and_shown_as_it_is(
    session, signed_in_as
):
    """helper-132: checked against the colleague's amber, which the form did not show, a red the
    admin typed was refused, the box at fault showing another number."""
    first, second = _settings_page(signed_in_as(Role.ADMIN)), _settings_page(_another_admin(session))
    run_async(run_handler(first, "save", _form(first, completed=("48", "72"))))
    drawn_before = second.form_key

    run_async(run_handler(second, "save", _form(second, completed=("24", "36"))))

    assert status_clocks.hours(session)[AttemptState.COMPLETED] == (48.0, 72.0)
    assert (
        "A colleague changed the Assessment needs review clock" in second.error
        and "now 48 h / 72 h" in second.error
    )
    completed = next(c for c in second.clocks if c.state == "completed")
    assert (completed.amber, completed.red, second.form_key > drawn_before) == ("48", "72", True)
