"""A job's review page: the results that need a decision, side by side, keyboard first.

j/k move between candidates, a advances, r rejects (with a reason), o opens the
vendor's report, n adds a note, ? lists the shortcuts. The chart shows the scores of the
results listed, as filtered, with the candidate in view marked.
"""

import reflex as rx

from dashboard import routes
from dashboard.components.decision import reject_dialog, undo_rejection_dialog
from dashboard.components.keys import keyboard_shortcuts
from dashboard.components.layout import (
    counted,
    focus_returns,
    job_refusal,
    link_button,
    page_frame,
    refusal,
    table_region,
)
from dashboard.components.route import route_id
from dashboard.pages import page
from dashboard.services.review import StageRuleView
from dashboard.states.auth import AuthState
from dashboard.states.review import ReviewState, Row

SHORTCUTS = [
    ("j / k", "next / previous candidate"),
    ("a", "advance to the next stage"),
    ("r", "reject (asks for the reason)"),
    ("o", "open the vendor's detailed report"),
    ("n", "add a note"),
    ("?", "show this list (Esc closes it, as it does every dialog)"),
]


def _header(label: str, column: str | None = None) -> rx.Component:
    if column is None:
        return rx.table.column_header_cell(label)
    return rx.table.column_header_cell(
        rx.button(label, variant="ghost", size="1", on_click=ReviewState.sort_by(column)),
        aria_sort=rx.cond(
            ReviewState.sort == column, rx.cond(ReviewState.descending, "descending", "ascending"), "none"
        ),
    )


NO_BREAK = "\u00a0"


def _in_two_lines(time_taken: rx.Var[str]) -> rx.Var[str]:
    """ "29.0 min of 60 min" that breaks, if it must, only before "of": "29.0 min" above "of 60 min".

    In a tablet's window the table squeezed its Time column to a word a line, five lines high
    in every row. No-break spaces where a line must not end: the cell stays one plain text.
    """
    return time_taken.replace(" ", NO_BREAK).replace(NO_BREAK + "of" + NO_BREAK, " of" + NO_BREAK)


def _row(row: Row, index) -> rx.Component:
    in_view = index == ReviewState.cursor
    return rx.table.row(
        rx.table.cell(
            rx.link(row.candidate_name, href="/applications/" + row.application_id.to(str), weight="medium")
        ),
        rx.table.cell(row.test_name),
        rx.table.cell(
            rx.hstack(
                rx.text(row.score_text, weight="bold"),
                rx.cond(
                    row.below_bar,
                    rx.badge("below the bar", color_scheme="orange", variant="soft", high_contrast=True),
                ),
                spacing="2",
            )
        ),
        rx.table.cell(row.percentile),
        rx.table.cell(row.comparative),
        # A vendor that reported no time taken: said, not a blank cell.
        rx.table.cell(
            rx.cond(
                row.time_taken != "",
                _in_two_lines(row.time_taken),
                rx.text("not reported", color_scheme="gray"),
            )
        ),
        rx.table.cell(row.attempt),
        rx.table.cell(
            rx.cond(
                row.warnings > 0,
                rx.badge(counted(row.warnings, "warning"), color_scheme="orange", high_contrast=True),
            )
        ),
        rx.table.cell(row.state),
        on_click=ReviewState.focus(index),
        background=rx.cond(in_view, rx.color("accent", 4), "transparent"),
        cursor="pointer",
        class_name=rx.cond(in_view, "review-row in-view", "review-row"),
        custom_attrs={"aria-selected": rx.cond(in_view, "true", "false")},
    )


def _chart() -> rx.Component:
    # Not animated: a filter or j/k redraws it at once, where a grow-and-shrink lagged a fast
    # reader and, caught midway, showed bars of 1.3 candidates in bands nobody listed was in.
    still = {"is_animation_active": False}
    return rx.recharts.bar_chart(
        rx.recharts.bar(
            data_key="candidates", fill=rx.color("gray", 8), stack_id="s", name="Candidates", **still
        ),
        rx.recharts.bar(
            data_key="mark", fill=rx.color("accent", 9), stack_id="s", name="Candidate in view", **still
        ),
        rx.recharts.x_axis(data_key="band"),
        # Up to the tallest bar, labelled at every count (or a round step): by default the axis ran
        # on past it and left labels out (0, 1, 2, 4 beside a bar of three).
        rx.recharts.y_axis(
            allow_decimals=False,
            domain=[0, ReviewState.chart_ticks[-1]],
            ticks=ReviewState.chart_ticks,
            interval=0,
        ),
        rx.recharts.tooltip(),
        data=ReviewState.bars,
        width="100%",
        height=180,
        margin={"top": 10},  # room for the top count's label, level with the tallest bar
        # Its Tab stop (recharts' keyboard layer: arrows walk the bars) was read aloud as a bare
        # "application"; the chart's <title> names it, as the sighted reader sees it.
        custom_attrs={
            "title": "Scores of the "
            + counted(ReviewState.matching, "result")
            + " listed, in bands of ten; the candidate in view marked"
        },
    )


def _decided(words: str) -> rx.Component:
    """Said in place of a decision already taken (a result listed under "Show every finished attempt")."""
    return rx.text(words, size="2", color_scheme="gray", class_name="decided")


def _said_aloud() -> rx.Component:
    """Who j and k brought into view, said by a screen reader: the card's heading changed in
    silence. Always on the page, so its first change is heard too; seen by nobody."""
    row = ReviewState.in_view
    meanwhile = rx.cond(
        ReviewState.decided_meanwhile != "",
        "Someone decided on " + ReviewState.decided_meanwhile + " while you were looking. ",
        "",
    )
    return rx.el.div(
        rx.cond(
            row,
            meanwhile + "In view: " + row.candidate_name + ", " + row.test_name + ", score " + row.score_text,
            "",
        ),
        role="status",
        class_name="sr-only in-view-said",
    )


def _own_rows() -> rx.Var[bool]:
    """The rows are this page's job's, not the job's before it, still held until the load answers."""
    return ReviewState.review_job_id.to_string() == route_id("job_id")


def _in_view() -> rx.Component:
    row = ReviewState.in_view
    return rx.cond(
        row & _own_rows(),
        rx.card(
            rx.vstack(
                rx.cond(
                    ReviewState.decided_meanwhile != "",
                    rx.text(
                        "Someone decided on ",
                        ReviewState.decided_meanwhile,
                        " while you were looking; the next one is in view.",
                        size="2",
                        color_scheme="orange",
                        class_name="decided-meanwhile",
                    ),
                ),
                rx.hstack(
                    rx.heading(row.candidate_name, size="4", as_="h2"),
                    rx.text(row.test_name, " · attempt ", row.attempt, color_scheme="gray", size="2"),
                    align="center",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.text("Score ", rx.text.strong(row.score_text)),
                    rx.cond(
                        row.percentile != "",
                        rx.text("Percentile in this job ", rx.text.strong(row.percentile)),
                    ),
                    rx.cond(
                        row.comparative != "",
                        rx.text("Vendor's comparative ", rx.text.strong(row.comparative)),
                    ),
                    rx.cond(row.time_taken != "", rx.text("Time ", rx.text.strong(row.time_taken))),
                    rx.cond(row.points != "", rx.text("Points ", rx.text.strong(row.points))),
                    spacing="4",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.cond(
                        row.rejected,
                        rx.hstack(
                            _decided("Rejected."),
                            rx.button(
                                rx.icon("undo-2", size=14),
                                "Undo rejection",
                                variant="soft",
                                on_click=ReviewState.set_undoing_rejection(True),
                            ),
                            spacing="2",
                            align="center",
                        ),
                        rx.hstack(
                            rx.cond(
                                row.advanceable,
                                rx.button(
                                    rx.icon("arrow-right", size=14),
                                    "Advance (a)",
                                    on_click=ReviewState.advance(row.attempt_id, row.decision_version),
                                    loading=ReviewState.busy,
                                ),
                                # Advanced from this result, they would skip the stage they are in now.
                                _decided("Moved on since this result."),
                            ),
                            rx.button(
                                rx.icon("ban", size=14),
                                "Reject (r)",
                                color_scheme="red",
                                variant="soft",
                                on_click=ReviewState.set_rejecting(True),
                            ),
                            spacing="2",
                            align="center",
                            wrap="wrap",
                        ),
                    ),
                    rx.cond(
                        row.report_url != "",
                        link_button(
                            "external-link", "Report (o)", row.report_url, external=True, icon_size=14
                        ),
                    ),
                    rx.button(
                        rx.icon("notebook-pen", size=14),
                        "Note (n)",
                        variant="soft",
                        on_click=ReviewState.set_noting(True),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            width="100%",
            class_name="candidate-in-view",
        ),
    )


def _reject_dialog() -> rx.Component:
    return reject_dialog(ReviewState, rx.cond(ReviewState.in_view, ReviewState.in_view.candidate_name, ""))


def _undo_rejection_dialog() -> rx.Component:
    name = rx.cond(ReviewState.in_view, ReviewState.in_view.candidate_name, "")
    return undo_rejection_dialog(ReviewState, name, ReviewState.undo_stage)


def _note_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Note on ", rx.cond(ReviewState.in_view, ReviewState.in_view.candidate_name, "")),
            rx.vstack(
                # The dialog focuses it, its first box (no autoFocus: that came first, and the
                # dialog took the box for its opener and gave the focus back to it on closing).
                rx.text_area(value=ReviewState.note, on_change=ReviewState.set_note, aria_label="Note"),
                rx.hstack(
                    rx.dialog.close(rx.button("Back", variant="soft", color_scheme="gray")),
                    rx.button("Save note", on_click=ReviewState.save_note),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
            ),
            **focus_returns(),
        ),
        open=ReviewState.noting,
        on_open_change=ReviewState.set_noting,
    )


def _help_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Keyboard shortcuts"),
            table_region(
                "Keyboard shortcuts",
                rx.table.body(
                    *[rx.table.row(rx.table.cell(rx.code(k)), rx.table.cell(d)) for k, d in SHORTCUTS]
                ),
            ),
            rx.dialog.close(rx.button("Close", variant="soft", margin_top="12px")),
            **focus_returns(),
        ),
        open=ReviewState.help_open,
        on_open_change=ReviewState.set_help_open,
    )


def _rule_stage(rule: StageRuleView) -> rx.Component:
    return rx.select.item(rule.name, value=rule.id.to_string())


def _rule_row(rule: StageRuleView) -> rx.Component:
    return rx.hstack(
        rx.text(rule.name, weight="medium", size="2"),
        rx.text(
            rx.cond(
                rule.advance_at != "",
                "advances at "
                + rule.advance_at
                + "% or more"
                + rx.cond(rule.review_from != "", ", flags below " + rule.review_from + "%", ""),
                "no automatic rule",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.select.root(
            rx.select.trigger(
                aria_label="Which attempt counts",
                aria_describedby=rx.cond(AuthState.user_role != "admin", ADMINS_RULE_ID, ""),
            ),
            rx.select.content(
                rx.select.item("latest attempt counts", value="latest"),
                rx.select.item("best attempt counts", value="best"),
            ),
            value=rule.counting,
            on_change=lambda value: ReviewState.set_counting(rule.id, value),
            disabled=AuthState.user_role != "admin",
        ),
        align="center",
        spacing="3",
        wrap="wrap",  # on a phone the choice went past the card's edge
    )


ADMINS_RULE_ID = "rules-are-the-admins"


def _admins_rule() -> rx.Component:
    """Said to a recruiter or hiring manager, who may try a rule but not switch it on: they found
    Dry run, then no Switch on and a greyed "latest attempt counts", and nothing saying why."""
    return rx.cond(
        AuthState.user_role != "admin",
        rx.text(
            "Only an admin switches a rule on or off, or changes which attempt counts; a dry run shows what it would do.",
            id=ADMINS_RULE_ID,
            size="1",
            color_scheme="gray",
        ),
    )


def _rules() -> rx.Component:
    return rx.cond(
        ReviewState.rules.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading("Threshold rules", size="3", as_="h2"),
                rx.text(
                    "A rule only ever advances: once a stage is done, if each of its tests scored at the bar (one of them, where the stage asks for any one); a rejection always needs a person. Try it on past results first.",
                    size="1",
                    color_scheme="gray",
                ),
                _admins_rule(),
                rx.foreach(ReviewState.rules, _rule_row),
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(aria_label="Rule stage"),
                        rx.select.content(rx.foreach(ReviewState.rules, _rule_stage)),
                        value=ReviewState.rule_stage_id,
                        on_change=ReviewState.set_rule_stage_id,
                    ),
                    rx.text("advance at", size="2"),
                    rx.input(
                        value=ReviewState.rule_threshold,
                        on_change=ReviewState.set_rule_threshold,
                        placeholder="80",
                        width="70px",
                        aria_label="Advance at score",
                    ),
                    rx.text("% or more; review from", size="2"),
                    rx.input(
                        value=ReviewState.rule_floor,
                        on_change=ReviewState.set_rule_floor,
                        placeholder="60",
                        width="70px",
                        aria_label="Review from score",
                    ),
                    rx.text("%", size="2"),
                    rx.button("Dry run", variant="soft", on_click=ReviewState.dry_run),
                    rx.cond(
                        AuthState.user_role == "admin",
                        rx.hstack(
                            rx.button(
                                "Switch on",
                                on_click=ReviewState.switch_rule(True),
                                disabled=ReviewState.dry_run_text == "",
                            ),
                            rx.button(
                                "Switch off",
                                variant="ghost",
                                on_click=ReviewState.switch_rule(False),
                                disabled=~ReviewState.rule_on,
                            ),
                        ),
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    ReviewState.dry_run_text != "",
                    rx.callout(
                        rx.vstack(
                            rx.text(ReviewState.dry_run_text),
                            rx.text(ReviewState.dry_run_names.join(", "), size="1"),
                            spacing="1",
                        ),
                        icon="flask-conical",
                        class_name="dry-run",
                    ),
                ),
                rx.cond(
                    AuthState.user_role == "admin",
                    rx.vstack(
                        rx.heading("Candidate feedback", size="3", as_="h2", margin_top="8px"),
                        rx.text_area(
                            value=ReviewState.feedback_template,
                            on_change=ReviewState.set_feedback_template,
                            aria_label="Feedback template",
                            width="100%",
                            rows="4",
                        ),
                        rx.text(
                            "Placeholders: {name} {test} {job} {band} {time_taken} {minutes} {next_step}",
                            size="1",
                            color_scheme="gray",
                        ),
                        rx.hstack(
                            rx.button(
                                rx.cond(
                                    ReviewState.feedback_on, "Save (feedback is on)", "Switch feedback on"
                                ),
                                size="1",
                                on_click=ReviewState.save_feedback(True),
                            ),
                            rx.cond(
                                ReviewState.feedback_on,
                                rx.button(
                                    "Switch off",
                                    size="1",
                                    variant="ghost",
                                    on_click=ReviewState.save_feedback(False),
                                ),
                            ),
                        ),
                        width="100%",
                        spacing="2",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            class_name="threshold-rules",
        ),
    )


@page(route=routes.REVIEW, title="Review · Assay", on_load=[AuthState.guard_page, ReviewState.load])
def review_page() -> rx.Component:
    return page_frame(
        rx.cond(ReviewState.title != "", ReviewState.title + ": review", "Review"),
        keyboard_shortcuts(keys="jkaron?", on_key=ReviewState.key),
        _reject_dialog(),
        _undo_rejection_dialog(),
        _note_dialog(),
        _help_dialog(),
        rx.cond(
            # This address's refusal only: one left from the page before waits for this one's load.
            (ReviewState.error != "") & (ReviewState.error_for.to_string() == route_id("job_id")),
            # Nothing else of the page: a hiring manager off the job's team was also offered its
            # "Board" (refused too) and a disabled "Export CSV" beside the refusal.
            job_refusal(ReviewState.error),
            rx.vstack(
                rx.hstack(
                    rx.checkbox(
                        "Show every finished attempt",
                        checked=ReviewState.show_all,
                        on_change=ReviewState.set_show_all,
                    ),
                    rx.form(
                        rx.hstack(
                            rx.input(
                                placeholder="Name, test or status",
                                value=ReviewState.text_filter,
                                on_change=ReviewState.set_text_filter,
                                width="180px",
                                aria_label="Filter by text",
                                # Until the page's state arrives the box is the static page's: Enter
                                # would be the browser's own submit, and the kept filter would
                                # overwrite what was typed. The queue's search waits alike.
                                disabled=~rx.State.is_hydrated,
                            ),
                            rx.input(
                                placeholder="Score at least",
                                value=ReviewState.min_score,
                                on_change=ReviewState.set_min_score,
                                width="120px",
                                aria_label="Lowest score",
                                disabled=~rx.State.is_hydrated,
                            ),
                            rx.button("Filter", type="submit", variant="soft", size="1"),
                            align="center",
                            wrap="wrap",
                        ),
                        on_submit=ReviewState.apply_filter,
                        reset_on_submit=False,
                    ),
                    # Not on a touch screen (assay.css): a phone has no keyboard to press it on.
                    rx.text(
                        "Press ",
                        rx.code("?"),
                        " for shortcuts",
                        size="1",
                        color_scheme="gray",
                        class_name="keys-hint",
                    ),
                    align="center",
                    spacing="4",
                    wrap="wrap",
                ),
                refusal(ReviewState.filter_error),
                _said_aloud(),
                _in_view(),
                _chart(),
                rx.cond(
                    ReviewState.matching > ReviewState.rows.length(),
                    rx.text(
                        "Showing the first ",
                        ReviewState.rows.length(),
                        " of ",
                        ReviewState.matching,
                        " in this order; ",
                        rx.cond(
                            ReviewState.show_all,
                            "sort or narrow the list above to reach the rest.",
                            "each decision brings the next one in, or narrow the list above.",
                        ),
                        size="2",
                        color_scheme="gray",
                        class_name="review-shown",
                    ),
                    # Narrowed to fewer than a page: how many match, not left to count the rows.
                    rx.cond(
                        ReviewState.filtered & (ReviewState.matching > 0),
                        rx.text(
                            ReviewState.matching,
                            " of ",
                            counted(ReviewState.unfiltered, "result"),
                            " match the filter.",
                            size="2",
                            color_scheme="gray",
                            class_name="review-shown",
                        ),
                    ),
                ),
                rx.cond(
                    (ReviewState.rows.length() > 0) & _own_rows(),
                    table_region(
                        "Results to review",
                        rx.table.header(
                            rx.table.row(
                                _header("Candidate", "name"),
                                _header("Test", "test"),
                                _header("Score", "score"),
                                # Named as the card above names them: two figures that differ
                                # (a percentile of 100 beside a comparative of 41%) read as two
                                # pages disagreeing when both were bare "Percentile", "Comparative".
                                _header("Percentile in job", "percentile"),
                                _header("Vendor's comparative", "comparative"),
                                _header("Time", "time"),
                                _header("Attempt", "attempt"),
                                _header("Integrity", "integrity"),
                                _header("Status", "status"),
                            )
                        ),
                        rx.table.body(rx.foreach(ReviewState.rows, _row)),
                    ),
                    rx.cond(
                        ReviewState.loaded,
                        rx.cond(
                            ReviewState.filtered & (ReviewState.unfiltered > 0),
                            # The boxes hide what waits: saying nothing waits would be wrong.
                            rx.callout(
                                rx.hstack(
                                    rx.cond(
                                        ReviewState.unfiltered == 1,
                                        rx.text("The one result does not match the filter."),
                                        rx.text(
                                            "None of the ",
                                            ReviewState.unfiltered,
                                            " results match the filter.",
                                        ),
                                    ),
                                    rx.button(
                                        "Clear the filter",
                                        size="1",
                                        variant="soft",
                                        on_click=ReviewState.clear_filter,
                                    ),
                                    align="center",
                                    wrap="wrap",
                                ),
                                icon="filter",
                                class_name="review-no-match",
                            ),
                            rx.callout(
                                rx.cond(
                                    ReviewState.show_all,
                                    "No finished attempts in this job yet.",
                                    "Nothing waits for review in this job.",
                                ),
                                icon="circle-check",
                                color_scheme="green",
                            ),
                        ),
                        rx.spinner(),
                    ),
                ),
                _rules(),
                width="100%",
                spacing="3",
            ),
        ),
        actions=rx.cond(  # nothing to export or open for a job refused (not on its team, or gone)
            ReviewState.error == "",
            rx.hstack(
                rx.button(
                    rx.icon("download", size=16),
                    "Export CSV",
                    variant="soft",
                    on_click=ReviewState.export,
                    disabled=ReviewState.matching == 0,
                    # The file holds what the list holds: its filters and order, past the first 200 shown.
                    title="Download the "
                    + counted(ReviewState.matching, "result")
                    + " listed, in this order",
                ),
                link_button("kanban", "Board", "/jobs/" + ReviewState.review_job_id.to(str)),
            ),
        ),
    )
