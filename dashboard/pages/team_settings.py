"""Settings an admin owns for the whole team: when status chips turn amber, then red."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import (
    focus_returns,
    only_for,
    page_frame,
    question_answers,
    refusal,
    table_region,
)
from dashboard.pages import page
from dashboard.services.status_clocks import ClockView
from dashboard.states.auth import AuthState
from dashboard.states.live import NavigationWatch
from dashboard.states.team_settings import TeamSettingsState as S

ERROR_ID = "clock-error"


def _hours_input(clock: ClockView, which: str, value: rx.Var, label: str) -> rx.Component:
    box = clock.state + "_" + which
    at_fault = S.error_box == box
    return rx.input(
        name=box,
        id=box,
        # The box a refusal is about is marked, and reads the refusal as its description.
        aria_invalid=rx.cond(at_fault, "true", "false"),
        aria_describedby=rx.cond(at_fault, ERROR_ID, ""),
        default_value=value,
        type="number",
        step="any",
        required=True,
        aria_label=clock.label + " " + label,
        # A few digits: on a phone, 110 px boxes put every "Red after" box past the card's edge.
        width=rx.breakpoints(initial="72px", sm="110px"),
    )


def _row(clock: ClockView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(clock.label, weight="medium")),
        rx.table.cell(
            rx.cond(
                clock.amber_from_the_start,
                rx.text("From the start", size="2", color_scheme="gray"),
                _hours_input(clock, "amber", clock.amber, "amber after hours"),
            )
        ),
        rx.table.cell(_hours_input(clock, "red", clock.red, "red after hours")),
        rx.table.cell(rx.text(clock.default, size="1", color_scheme="gray")),
    )


def _clocks_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Status colours", size="4", as_="h2"),
            rx.text(
                "A card's assessment chip is green, turns amber, then red as the assessment waits in "
                "its status, so a board shows at a glance who has waited too long. Hours since the "
                "status last changed; the same clocks colour the queue. A failure is amber from the "
                "start: somebody has to act on it.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                table_region(
                    "Status colours",
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Status"),
                            rx.table.column_header_cell("Amber after (hours)"),
                            rx.table.column_header_cell("Red after (hours)"),
                            rx.table.column_header_cell("Default"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.clocks, _row)),
                ),
                refusal(S.error, id=ERROR_ID, margin_top="8px"),
                rx.hstack(
                    rx.button("Save clocks", type="submit"),
                    rx.button(
                        "Restore defaults",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.ask_restore,
                    ),
                    spacing="2",
                    margin_top="12px",
                ),
                on_submit=S.save,
                key=S.form_key,
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
        max_width="760px",
    )


def _confirm_restore() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Restore the default clocks"),
            rx.alert_dialog.description(
                "Every status goes back to its default amber and red times, for the whole team."
            ),
            question_answers("Keep mine", rx.button("Restore defaults", on_click=S.restore_defaults)),
            **focus_returns(),
        ),
        open=S.confirm_restore,
        on_open_change=S.set_confirm_restore_open,
    )


@page(
    route=routes.SETTINGS,
    title="Settings · Assay",
    # No job here: the watch keeps only the navigation's unread count live.
    on_load=[AuthState.guard_page, S.load, NavigationWatch.watch],
)
def settings_page() -> rx.Component:
    return page_frame(
        "Settings",
        only_for(
            AuthState.can_manage_settings,
            "Settings are the admins' page: an admin sets when status chips turn amber, then red, "
            "for the whole team. Ask an admin for a change.",
            _confirm_restore(),
            _clocks_form(),
        ),
    )
