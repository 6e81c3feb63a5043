"""A job's pipeline board: a column per stage, a card per application.

Cards move by drag and drop, by each card's "Move to" menu (keyboard users), or
in bulk; columns are paged ("Show more"), and search and filters narrow them.
"""

import reflex as rx

from dashboard import routes
from dashboard.components.by_value import BY_VALUE
from dashboard.components.decision import reject_dialog
from dashboard.components.dnd import dnd_board, drag_card, drop_column
from dashboard.components.keys import keyboard_shortcuts
from dashboard.components.layout import counted, job_refusal, link_button, page_frame, refusal
from dashboard.components.pasted_list import paste_a_list_button, pasted_list_dialog
from dashboard.components.route import route_id
from dashboard.pages import page
from dashboard.services.board_view import CardView, Chip, ColumnView, StageOption
from dashboard.states.auth import AuthState
from dashboard.states.board import BOARD_ID, NEW_EMAIL_ID, NEW_NAME_ID, BoardState

STATUSES = [
    ("any", "Any status"),
    ("ready_to_send", "Assessment needs sending"),
    ("sent", "Sent"),
    ("started", "Started"),
    ("completed", "Assessment needs review"),
    ("reviewed", "Reviewed"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
    ("error", "Failed"),
]


def _stage_menu(
    button: rx.Component, stages: rx.Var[list[StageOption]], pick, current: rx.Var[int] | None = None
) -> rx.Component:
    """A "move to" menu: one item per stage, ``pick(stage)`` the event an item sends.

    ``current``, the stage a card is in, is listed but unavailable: first in the menu, it was
    where the keyboard landed on opening it, a move that moved nobody (a screen reader hears it
    as unavailable, and the arrows pass over it).

    Not modal: a modal menu locks the page's scroll and pointer events on open and
    close, restyling every card on a full board (about 150 ms a move); without it
    the keys, Escape and the focus returning to the button work the same."""

    def item(stage: StageOption) -> rx.Component:
        here = {} if current is None else {"disabled": stage.id == current}
        return rx.menu.item(stage.name, on_select=pick(stage), **here)

    return rx.menu.root(
        rx.menu.trigger(button),
        rx.menu.content(rx.foreach(stages, item)),
        modal=False,
    )


def _move_menu(card: CardView, stages: rx.Var[list[StageOption]]) -> rx.Component:
    """The card's "Move to" menu, the keyboard's way to move a card. Its name says whom it moves:
    "Move to" alone, in every card, told a screen reader user tabbing down a column nothing of
    whose it was (the name starts with the words shown, so speech input finds it by them)."""
    button = rx.button(
        "Move to",
        rx.icon("chevron-down", size=14),
        size="1",
        variant="soft",
        color_scheme="gray",
        aria_label="Move to another stage for " + _who(card),
    )
    return _stage_menu(
        button,
        stages,
        lambda stage: BoardState.move(card.application_id, stage.id, card.stage_id),
        current=card.stage_id,
    )


def _chip(chip: Chip) -> rx.Component:
    return rx.tooltip(
        rx.badge(chip.label, color_scheme=chip.tone, variant="soft", radius="full", high_contrast=True),
        content=chip.title,
    )


def _who(card: rx.Var[CardView]) -> rx.Var[str]:
    """The candidate as the card's controls name them: with their email when a namesake is on the board."""
    return card.candidate_name + rx.cond(card.namesake_email != "", " (" + card.namesake_email + ")", "")


@rx.memo(wrapper=BY_VALUE)
def board_card(
    card: rx.Var[CardView],
    selected: rx.Var[bool],
    stages: rx.Var[list[StageOption]],
    movable: rx.Var[bool],
    rest: rx.RestProp,
) -> rx.Component:
    """One application's card. It reads no state of its own, only its props, so a change
    elsewhere on the job leaves it alone: a 10,000-application board re-renders the cards
    that changed, not every card on the page. ``rest`` is what lets the board give each
    card its React ``key`` (React takes the key itself; nothing else is passed). A hiring
    manager (``movable`` false) sees the card without what moves it: no checkbox, no menu, no drag."""
    return drag_card(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.cond(
                        movable,
                        rx.checkbox(
                            checked=selected,
                            on_change=BoardState.toggle_selected(card.application_id),
                            aria_label="Select " + _who(card),
                        ),
                    ),
                    rx.link(
                        card.candidate_name,
                        href="/applications/" + card.application_id.to(str),
                        weight="medium",
                        overflow_wrap="anywhere",  # a long unbroken name wraps inside the card
                        min_width="0",
                        aria_label=_who(card),
                    ),
                    rx.spacer(),
                    rx.cond(card.score != "", rx.text(card.score, size="2", weight="bold")),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    card.namesake_email != "",
                    rx.text(card.namesake_email, size="1", color_scheme="gray", overflow_wrap="anywhere"),
                ),
                rx.hstack(
                    rx.text(card.time_in_stage, " in stage", size="1", color_scheme="gray"),
                    rx.foreach(card.chips, _chip),
                    rx.cond(card.rejected, rx.badge("Rejected", color_scheme="gray", radius="full")),
                    align="center",
                    wrap="wrap",
                    spacing="1",
                ),
                rx.cond(movable, _move_menu(card, stages)),
                spacing="2",
            ),
            width="100%",
        ),
        rest,
        application_id=card.application_id,
        stage_id=card.stage_id,
        label=_who(card),
        disabled=~movable,
        class_name="pipeline-card",
        width="100%",
    )


def _card(card: CardView) -> rx.Component:
    return board_card(
        card=card,
        selected=BoardState.selected.contains(card.application_id),
        stages=BoardState.board.stages,
        movable=AuthState.can_manage_pipeline,
        key=card.application_id,
    )


def _column(column: ColumnView) -> rx.Component:
    next_page = rx.cond(column.hidden > 25, 25, column.hidden)  # what "Show more" adds
    return drop_column(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    AuthState.can_manage_pipeline & (column.cards.length() > 0),
                    rx.checkbox(
                        checked=BoardState.full_columns.contains(column.stage_id),
                        on_change=BoardState.toggle_column(column.stage_id),
                        aria_label="Select every card shown in " + column.name,
                        class_name="select-column",
                    ),
                ),
                # A heading, as on the plan page: a screen reader goes from stage to stage by them.
                rx.heading(column.name, as_="h2", weight="bold", size="2"),
                rx.badge(
                    column.count,
                    # Read after the stage's name, a bare "Applied 3" said nothing of what 3 counts.
                    rx.el.span(rx.cond(column.count == 1, " candidate", " candidates"), class_name="sr-only"),
                    variant="surface",
                    radius="full",
                    class_name="column-count",
                    # Holds its unseen words: placed against the page instead, a column beyond a
                    # phone's edge made the whole page scroll sideways.
                    position="relative",
                ),
                rx.cond(
                    column.auto_send,
                    rx.tooltip(rx.icon("zap", size=14), content="Sends automatically on entry"),
                ),
                align="center",
            ),
            rx.cond(column.tests != "", rx.text(column.tests, size="1", color_scheme="gray")),
            rx.foreach(column.cards, _card),
            rx.cond(
                column.hidden > 0,
                rx.button(
                    "Show ",
                    next_page,
                    " more of ",
                    column.hidden,
                    size="1",
                    variant="ghost",
                    on_click=BoardState.show_more(column.stage_id),
                    # Two long columns each showed "Show 25 more of 40": the name says which.
                    aria_label="Show "
                    + next_page.to_string()
                    + " more of "
                    + column.hidden.to_string()
                    + " in "
                    + column.name,
                ),
            ),
            rx.cond(
                column.count == 0,
                rx.text(
                    # Narrowed by a filter, an empty column may still hold people: say so.
                    rx.cond(
                        BoardState.board.matching < BoardState.board.total,
                        "None match the filters",
                        "No one here",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        stage_id=column.stage_id,
        stage_name=column.name,
        class_name="pipeline-column",
        custom_attrs={"data-stage": column.name},
        style={
            "minWidth": "250px",
            "width": "250px",
            "padding": "10px",
            "background": rx.color("gray", 2),
            "borderRadius": "8px",
        },
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                placeholder="Search name or email",
                value=BoardState.search,
                on_change=BoardState.set_search,
                aria_label="Search candidates",
                # The search kept from the last visit arrives with the page's state: typing before
                # then would be merged with it ("Walk TwiceWalk Twice"), so wait for it.
                disabled=~rx.State.is_hydrated,
                width="220px",
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Assessment status"),
                rx.select.content(*[rx.select.item(label, value=value) for value, label in STATUSES]),
                value=BoardState.status,
                on_change=BoardState.set_status,
            ),
            rx.input(
                placeholder="Score from",
                value=BoardState.score_min,
                on_change=BoardState.set_score_min,
                aria_label="Lowest score",
                width="100px",
            ),
            rx.input(
                placeholder="to",
                value=BoardState.score_max,
                on_change=BoardState.set_score_max,
                aria_label="Highest score",
                width="80px",
            ),
            rx.button("Apply", type="submit", variant="soft"),
            rx.button("Clear", type="button", variant="ghost", on_click=BoardState.clear_filters),
            rx.text(
                BoardState.board.matching,
                " of ",
                counted(BoardState.board.total, "application"),
                size="1",
                color_scheme="gray",
            ),
            align="center",
            wrap="wrap",
        ),
        on_submit=BoardState.apply_filters,
        reset_on_submit=False,
    )


def _add_candidate() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="name",
                id=NEW_NAME_ID,
                placeholder="Candidate name",
                aria_label="Candidate name",
                width="160px",
                # No max_length here or on the email: the box cut a pasted name silently (an email
                # into another valid-looking address); the service refuses it, saying why.
            ),
            rx.input(
                name="email",
                id=NEW_EMAIL_ID,
                placeholder="Email",
                aria_label="Candidate email",
                width="200px",
            ),
            # Which answer the boxes were typed after: a double click's second submit is let go.
            rx.el.input(type="hidden", name="generation", value=BoardState.add_generation.to_string()),
            rx.button(rx.icon("user-plus", size=14), "Add candidate", type="submit", variant="soft"),
            paste_a_list_button(),
            align="center",
            # On a phone the boxes go to lines of their own: squeezed onto one with the button, the
            # name box read "Candidate n" and an address showed a dozen characters of itself.
            wrap="wrap",
        ),
        on_submit=BoardState.add_candidate,
        reset_on_submit=False,  # emptied by the state once added: a refused entry stays to be corrected
    )


_BAR_HEIGHT = "48px"  # the selection bar's buttons and padding on one line


def _bar(*, live: bool) -> rx.Component:
    """The selection bar; not ``live``, its twin, unseen and inert, that keeps its place."""
    move = rx.button("Move selected to", rx.icon("chevron-down", size=14), loading=BoardState.moving)
    reject = rx.button(
        rx.icon("ban", size=14),
        "Reject selected",
        color_scheme="red",
        variant="surface",  # soft red on the bar's tint fell short of AA contrast
        loading=BoardState.moving,
        on_click=BoardState.set_rejecting(True) if live else None,
    )
    clear = rx.button(
        "Clear selection",
        variant="ghost",
        on_click=BoardState.clear_selection if live else None,
        custom_attrs={"aria-keyshortcuts": "Escape"},  # a screen reader tells the key that does it too
    )
    return rx.hstack(
        rx.text(BoardState.selected.length(), " selected", weight="medium"),
        _stage_menu(move, BoardState.board.stages, lambda stage: BoardState.move_selected(stage.id))
        if live
        else move,
        reject,
        clear,
        # Escape drops the selection, as in Gmail or Linear; not the Escape that closes a menu or
        # the reject dialog over the board, nor one that puts back a card lifted by keyboard.
        keyboard_shortcuts(keys=["Escape"], on_key=lambda _key: BoardState.clear_selection)
        if live
        else rx.fragment(),
        align="center",
        wrap="wrap",
        padding="8px 12px",
        background=rx.color("accent", 3),
        border_radius="8px",
        min_height=_BAR_HEIGHT,
        grid_area="1 / 1",
        class_name="selection-bar" if live else "selection-bar-place",
        custom_attrs={} if live else {"aria-hidden": "true", "inert": True},
        visibility="visible" if live else "hidden",
    )


def _selection_bar() -> rx.Component:
    """What to do with the ticked cards, in a place kept for it while none is ticked.

    Drawn above the board only once a card was ticked, the bar pushed every card 60 px down
    under the pointer: the click aimed at the next card's checkbox landed on the card above it
    (its "Move to", opening a menu). Until then the place says what ticking cards is for.
    The place is the bar's own unseen twin, drawn in the same cell, not a fixed height: in a
    window narrower than its buttons the bar wraps onto two lines (three on a phone), and a
    place kept one line high let the first tick push the cards down all the same.
    """
    count = BoardState.selected.length()
    return rx.box(
        _bar(live=False),
        # The count said aloud as it changes: a stage's box ticked every card of it, and Escape or
        # a move unticked them, in silence (the bar's words are seen, not heard).
        rx.el.div(
            rx.cond(count > 0, counted(count, "candidate") + " selected", "No candidates selected"),
            role="status",
            class_name="sr-only selection-said",
        ),
        rx.cond(
            count > 0,
            _bar(live=True),
            rx.text(
                # Not on an empty board: there is nobody to tick.
                rx.cond(BoardState.board.total > 0, "Tick candidates to move or reject several at once.", ""),
                size="2",
                color_scheme="gray",
                padding="8px 12px",
                min_height=_BAR_HEIGHT,
                display="flex",
                align_items="center",
                grid_area="1 / 1",
            ),
        ),
        display="grid",
        width="100%",
        position="relative",  # holds its unseen words (``sr-only`` is placed against it)
    )


@page(route=routes.BOARD, title="Pipeline · Assay", on_load=[AuthState.guard_page, BoardState.load])
def board_page() -> rx.Component:
    own = BoardState.board.job_id.to_string() == route_id("job_id")  # not the job's board before it
    return page_frame(
        # Named as the browser's tab names it until the job's title comes (a refused job's never does).
        rx.cond(own, BoardState.board.title, "Pipeline"),
        reject_dialog(BoardState, BoardState.rejecting_whom),
        rx.cond(
            # This address's refusal only: one left from the board before waits for this one's load.
            (BoardState.error != "") & (BoardState.error_for.to_string() == route_id("job_id")),
            job_refusal(BoardState.error),
            rx.cond(
                BoardState.loaded & own,
                rx.vstack(
                    rx.hstack(
                        _filters(),
                        rx.spacer(),
                        rx.cond(AuthState.can_manage_pipeline, _add_candidate()),
                        width="100%",
                        wrap="wrap",
                    ),
                    refusal(BoardState.filter_error),
                    # Apart from the "Add candidate" form that opens it: a submit in a portal
                    # still bubbles, in React, to a form around it.
                    rx.cond(AuthState.can_manage_pipeline, pasted_list_dialog(BoardState.added_are_sent)),
                    rx.cond(AuthState.can_manage_pipeline, _selection_bar()),
                    rx.cond(
                        BoardState.board.total == 0,
                        rx.callout("No applications in this job yet.", icon="info"),
                    ),
                    dnd_board(
                        rx.foreach(BoardState.board.columns, _column),
                        on_move=BoardState.move,
                        on_menu_closed_with_card=BoardState.menu_closed_with_its_card,
                        id=BOARD_ID,
                        # A region one tabs to, named for its job: wider than the window, a board
                        # without a card (a new job, or filtered to nobody) had nothing to focus,
                        # and a keyboard could not scroll it to its last stages.
                        custom_attrs={
                            "role": "region",
                            "aria-label": "Stages of " + BoardState.board.title,
                            "tabIndex": 0,
                        },
                        style={
                            "display": "flex",
                            "gap": "12px",
                            "alignItems": "flex-start",
                            "overflowX": "auto",
                            "width": "100%",
                            "paddingBottom": "12px",
                        },
                    ),
                    width="100%",
                    spacing="3",
                ),
                rx.spinner(),
            ),
        ),
        actions=rx.cond(  # none for a job that does not exist
            BoardState.board.job_id != 0,
            rx.hstack(
                link_button(
                    "list-checks", "Review results", "/jobs/" + BoardState.board.job_id.to(str) + "/review"
                ),
                # A hiring manager reads the plan there; recruiters and admins edit it.
                link_button(
                    "list-ordered",
                    rx.cond(AuthState.can_manage_pipeline, "Edit plan", "Interview plan"),
                    "/jobs/" + BoardState.board.job_id.to(str) + "/plan",
                ),
            ),
        ),
    )
