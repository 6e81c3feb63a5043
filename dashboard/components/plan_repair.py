"""The plan page's repair of a test or live-interview link left on a disconnected connection."""

import reflex as rx

from dashboard.components.layout import focus_returns
from dashboard.services.views import Choice


def repair_button(label, on_click) -> rx.Component:
    """Opens the repair question; named for what it repairs ("Repair Python screen in Screen")."""
    return rx.button(
        rx.icon("wrench", size=12), "Repair", size="1", variant="surface", aria_label=label, on_click=on_click
    )


def repair_dialog(state) -> rx.Component:
    """Which connected connections list the test, each offered as "Use <connection>", or what to
    change in the plan when none does. Choosing one is the confirmation: the words above the
    buttons say what it changes, and Keep it as it is leaves the plan alone."""

    def offer(choice: Choice) -> rx.Component:
        return rx.button(
            "Use " + choice.label, on_click=state.use_connection(choice.value), class_name="repair-offer"
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(state.repair_title),
            rx.cond(
                state.repair_asking,
                rx.hstack(
                    rx.spinner(),
                    rx.text("Asking the vendor which connected connections list it…", size="2"),
                    align="center",
                ),
                rx.dialog.description(state.repair_text, size="2"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Keep it as it is", variant="soft", color_scheme="gray")),
                rx.foreach(state.repair_offers, offer),
                justify="end",
                spacing="2",
                wrap="wrap",
                margin_top="16px",
            ),
            **focus_returns(),
        ),
        open=(state.repair_test_id != 0) | (state.repair_link_stage_id != 0),
        on_open_change=state.set_repair_open,
    )
