"""The fields of the test picker: a vendor connection and one of its tests, live from the vendor.

For any page state with the ``TestPicker`` mixin (the plan page, the application page).
"""

from __future__ import annotations

import reflex as rx

from dashboard.services.views import Choice


def _choice(choice: Choice) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def picker_fields(state) -> list[rx.Component]:
    """Connection, test (with a refresh of the vendor's list), loading and error, for ``state``."""
    return [
        rx.text("Vendor connection", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder="Pick a connection", aria_label="Vendor connection"),
            rx.select.content(rx.foreach(state.connections, _choice)),
            value=state.connection_id,
            on_change=state.set_connection_id,
        ),
        rx.hstack(
            rx.text(
                rx.cond(state.picker_live, "Template", "Test"),
                " (live from the vendor)",
                size="2",
                weight="medium",
            ),
            rx.button(
                rx.icon("refresh-cw", size=12),
                "Refresh",
                size="1",
                variant="ghost",
                on_click=state.load_tests(True),
            ),
            align="center",
        ),
        rx.cond(
            state.loading_tests,
            rx.hstack(rx.spinner(size="1"), rx.text("Asking the vendor…", size="2")),
            rx.select.root(
                rx.select.trigger(placeholder="Pick a test", aria_label="Test"),
                rx.select.content(rx.foreach(state.tests, _choice)),
                value=state.test_id,
                on_change=state.set_test_id,
                disabled=state.tests.length() == 0,
            ),
        ),
        rx.cond(
            state.picker_error != "",
            rx.callout(state.picker_error, icon="triangle-alert", color_scheme="red", role="alert"),
        ),
    ]
