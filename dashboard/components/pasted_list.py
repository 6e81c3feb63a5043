"""The board's "Paste a list" dialog (``states.pasted``): many candidates added at once."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import focus_returns
from dashboard.services.pasted_candidates import MAX_LINES
from dashboard.states.pasted import PASTED_LIST_ID, PastedListState

_HOW = (
    "One candidate per line: a name and an email, as “Ada Lovelace, ada@example.com” or "
    "“Ada Lovelace <ada@example.com>”, columns copied from a spreadsheet, or the addresses "
    "of an email's To line. "
    f"Up to {MAX_LINES} at a time; each lands in the plan's first stage."
)


def _listed(lines, tone: str, label: str) -> rx.Component:
    """A titled list of lines (refused, or renamed); scrolls past a few, reachable by keyboard."""
    return rx.cond(
        lines.length() > 0,
        rx.box(
            rx.text(label, weight="medium", size="2"),
            rx.el.ul(
                rx.foreach(lines, lambda line: rx.el.li(rx.text(line, size="2"))),
                style={"margin": 0, "padding-left": "1.2em"},
            ),
            role="group",
            aria_label=label,
            tab_index=0,  # it scrolls: a keyboard must reach it (axe: scrollable-region-focusable)
            background=rx.color(tone, 3),
            color=rx.color(tone, 11),
            padding="8px 12px",
            border_radius="6px",
            max_height="160px",
            overflow_y="auto",
            width="100%",
        ),
    )


def paste_a_list_button() -> rx.Component:
    """Beside "Add candidate", in its row (a plain button: it must not submit that form)."""
    return rx.button(
        rx.icon("list-plus", size=14),
        "Paste a list",
        type="button",
        variant="ghost",
        on_click=PastedListState.set_open(True),
    )


def pasted_list_dialog(added_are_sent: rx.Var[str]) -> rx.Component:
    """The dialog, outside the "Add candidate" form; the focus goes back to its button on closing.

    ``added_are_sent``: what a first stage sending on entry sends each line added ("" if nothing).
    """
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add candidates from a list"),
            rx.dialog.description(_HOW, size="2", color_scheme="gray"),
            rx.cond(
                added_are_sent != "",
                # Not a callout: amber's callout text is 4.2:1 on its ground, under the 4.5 AA asks.
                rx.hstack(
                    rx.icon("zap", size=14, flex_shrink="0"),
                    rx.text(added_are_sent, size="2"),
                    align="center",
                    background=rx.color("amber", 3),
                    color=rx.color("amber", 12),
                    padding="8px 12px",
                    border_radius="6px",
                    margin_top="8px",
                ),
            ),
            rx.form(
                rx.vstack(
                    rx.text_area(
                        id=PASTED_LIST_ID,
                        name="lines",
                        default_value=PastedListState.text,
                        on_blur=PastedListState.keep,
                        placeholder="Ada Lovelace, ada@example.com\nAlan Turing <alan@example.com>",
                        aria_label="Candidates, one per line",
                        rows="10",
                        width="100%",
                        spell_check=False,
                    ),
                    # Which answer the list was sent after: a double click's second submit is let go.
                    rx.el.input(
                        type="hidden", name="generation", value=PastedListState.generation.to_string()
                    ),
                    _listed(PastedListState.refused, "red", "Lines not added"),
                    _listed(PastedListState.renamed, "blue", "Added under the name already known"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Close", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Add candidates", type="submit", loading=PastedListState.adding),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=PastedListState.add,
                reset_on_submit=False,
            ),
            max_width="560px",
            **focus_returns(),
        ),
        open=PastedListState.open,
        on_open_change=PastedListState.set_open,
    )
