"""The application page's "Correct name or email" button and dialog (``states/correction.py``)."""

import reflex as rx

from dashboard.components.layout import focus_returns


def correct_button(state) -> rx.Component:
    """A small button beside the candidate's email: where a recruiter looks on finding the typo."""
    return rx.icon_button(
        rx.icon("pencil", size=14),
        variant="ghost",
        size="1",
        aria_label="Correct name or email",
        title="Correct name or email",
        on_click=state.ask_correction,
        class_name="correct-candidate",
    )


def correction_dialog(state) -> rx.Component:
    """Name and email, as saved, to correct; one person's details on every job they applied to."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Correct name or email"),
            rx.dialog.description(
                "For every job this candidate applied to. A test already sent stays where it went; "
                "saving says which to send again.",
                size="2",
                color_scheme="gray",
            ),
            # A form, so Enter in either box saves as the button does.
            rx.form(
                rx.vstack(
                    # No max_length: the box would cut a pasted value silently; the service says why.
                    rx.el.label(rx.text("Name", size="2"), html_for="correct-name"),
                    rx.input(
                        id="correct-name",
                        name="name",
                        value=state.correct_name,
                        on_change=state.set_correct_name,
                        width="100%",
                    ),
                    rx.el.label(rx.text("Email", size="2"), html_for="correct-email"),
                    rx.input(
                        id="correct-email",
                        name="email",
                        value=state.correct_email,
                        on_change=state.set_correct_email,
                        width="100%",
                    ),
                    rx.cond(
                        state.correct_error != "",
                        rx.callout(
                            state.correct_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            size="1",
                            class_name="correct-error",
                            role="alert",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Back", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Save", type="submit", loading=state.busy),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=state.correct,
                reset_on_submit=False,
            ),
            **focus_returns(),
        ),
        open=state.correcting,
        on_open_change=state.set_correcting,
    )
