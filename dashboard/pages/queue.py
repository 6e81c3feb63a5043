"""The queue across jobs: what needs sending, what waits on candidates, what needs review or failed."""

import reflex as rx

from dashboard import routes
from dashboard.components.earlier import earlier_dialog
from dashboard.components.layout import (
    PICKED_NAME_WIDTH,
    focus_returns,
    page_frame,
    question_answers,
    status_chip,
    table_region,
)
from dashboard.pages import page
from dashboard.services.queue_view import BucketCount, QueueRow, SetAsideRow, UnmatchedRow
from dashboard.services.views import Choice
from dashboard.states.auth import AuthState
from dashboard.states.queue import QueueState


def _bucket(bucket: BucketCount) -> rx.Component:
    """A bucket's button; the one shown below is pressed (its colour alone told only sighted users)."""
    return rx.button(
        bucket.label,
        rx.badge(bucket.count, radius="full", variant="surface"),
        variant=rx.cond(QueueState.bucket == bucket.key, "solid", "soft"),
        color_scheme=rx.cond(QueueState.bucket == bucket.key, "violet", "gray"),
        on_click=QueueState.pick_bucket(bucket.key),
        aria_pressed=rx.cond(QueueState.bucket == bucket.key, "true", "false"),
        class_name="queue-bucket",
        custom_attrs={"data-bucket": bucket.key},
    )


# From a window 1280 px wide (Reflex's lg) a row's job, stage, test, status and wait have
# columns of their own. In a narrower one (a small laptop's 800 px, 200 of them the navigation)
# those columns pushed the row's buttons beyond a sideways scroll: they stack under the
# candidate instead, and the buttons stay in sight.
WIDE = rx.breakpoints(initial="none", lg="table-cell")
NARROW = rx.breakpoints(initial="flex", lg="none")


def _status(row: QueueRow) -> rx.Component:
    return rx.vstack(
        status_chip(row.status_label, row.status_tone),
        rx.cond(row.reason != "", rx.text(row.reason, size="1", color_scheme="red")),
        rx.cond(row.deadline != "", rx.text(row.deadline, size="1", color_scheme="gray")),
        spacing="1",
    )


def _row(row: QueueRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(
                (QueueState.bucket == "needs_sending") & AuthState.can_manage_pipeline,
                rx.checkbox(
                    checked=QueueState.selected.contains(row.attempt_id),
                    on_change=QueueState.toggle_selected(row.attempt_id),
                    aria_label="Select " + row.candidate_name,
                ),
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.link(row.candidate_name, href="/applications/" + row.application_id.to(str)),
                rx.text(row.candidate_email, size="1", color_scheme="gray"),
                rx.vstack(
                    rx.text(row.job_title, " · ", row.stage_name, size="1"),
                    rx.text(row.test_name, size="1"),
                    _status(row),
                    rx.text("Waiting ", row.since, size="1", color_scheme="gray"),
                    spacing="1",
                    padding_top="4px",
                    display=NARROW,
                ),
                spacing="0",
            )
        ),
        rx.table.cell(row.job_title, display=WIDE),
        rx.table.cell(row.stage_name, display=WIDE),
        rx.table.cell(row.test_name, display=WIDE),
        rx.table.cell(_status(row), display=WIDE),
        rx.table.cell(row.since, display=WIDE),
        rx.table.cell(rx.cond(AuthState.can_manage_pipeline, _step(row))),
        id="queue-row-" + row.attempt_id.to(str),  # where the focus goes after a step (QueueState)
    )


def _step(row: QueueRow) -> rx.Component:
    """The row's one click (send, retry, resend, re-attempt), or why the vendor cannot take it."""
    return rx.cond(
        row.step != "",
        rx.vstack(
            rx.button(
                row.step_label,
                size="1",
                variant="soft",
                loading=QueueState.stepping == row.attempt_id,
                disabled=(row.step_blocked != "") | (QueueState.stepping != 0),
                on_click=QueueState.take_step(row.step, row.attempt_id),
                aria_label=row.step_label + " for " + row.candidate_name,
                class_name="queue-step",
                white_space="nowrap",
            ),
            rx.cond(row.step_blocked != "", _why_not(row)),
            spacing="1",
        ),
    )


def _why_not(row: QueueRow) -> rx.Component:
    """Why the vendor cannot take the step, on asking: a short "Why not?" opening the reason.

    The whole reason under every such button (iMocha's for no resend is seven lines in the
    column) made each of its rows a screen's tenth; asked for, it is one line. A button, so a
    keyboard reaches it (the disabled step cannot take the focus) and a screen reader reads the
    reason in the popover it opens.
    """
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                "Why not?",
                size="1",
                variant="ghost",
                color_scheme="gray",
                aria_label="Why not " + row.step_label.lower() + " for " + row.candidate_name + "?",
            ),
        ),
        rx.popover.content(
            rx.text(row.step_blocked, size="2"),
            max_width="320px",
            aria_label="Why not " + row.step_label.lower(),
        ),
    )


def _job_choice(choice: Choice) -> rx.Component:
    """A job (or recruiter) in its filter's list: a long title wraps to lines of its own, not over the next."""
    return rx.select.item(
        choice.label,
        value=choice.value,
        height="auto",
        min_height="var(--select-item-height)",
        padding_y="4px",
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label="Job", max_width=PICKED_NAME_WIDTH),
                rx.select.content(
                    rx.select.item("All jobs", value="all"), rx.foreach(QueueState.jobs, _job_choice)
                ),
                value=QueueState.job_id,
                on_change=QueueState.set_job_id,
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Stage", max_width=PICKED_NAME_WIDTH),
                rx.select.content(
                    rx.select.item("All stages", value="all"),
                    rx.foreach(QueueState.stage_names, lambda name: rx.select.item(name, value=name)),
                ),
                value=QueueState.stage,
                on_change=QueueState.set_stage,
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Recruiter"),
                rx.select.content(
                    rx.select.item("Every recruiter", value="all"),
                    rx.foreach(QueueState.members, _job_choice),
                ),
                value=QueueState.member,
                on_change=QueueState.set_member,
            ),
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                placeholder="Search name or email",
                value=QueueState.search,
                on_change=QueueState.set_search,
                aria_label="Search candidates",
                # The search kept from the last visit arrives with the page's state: typing before
                # then would be merged with it ("Walk TwiceWalk Twice"), so wait for it.
                disabled=~rx.State.is_hydrated,
            ),
            rx.button("Search", type="submit", variant="soft"),
            align="center",
            wrap="wrap",  # in a narrow window the search goes to a line of its own, not off the edge
        ),
        on_submit=QueueState.apply_search,
        reset_on_submit=False,
    )


def _bulk_bar() -> rx.Component:
    """Select and send at once, for a role that sends (a hiring manager's is refused on the server too)."""
    return rx.cond(
        (QueueState.bucket == "needs_sending") & AuthState.can_manage_pipeline,
        rx.vstack(
            rx.cond(
                QueueState.rows.length() > 0,  # an empty list has nothing to select or send
                rx.hstack(
                    rx.checkbox(
                        "Select all shown",
                        checked=QueueState.selected.length() == QueueState.rows.length(),
                        on_change=QueueState.select_all,
                    ),
                    rx.button(
                        rx.icon("send", size=14),
                        "Send selected (",
                        QueueState.selected.length(),
                        ")",
                        on_click=QueueState.ask_send_selected,
                        disabled=(QueueState.selected.length() == 0) | QueueState.sending,
                        loading=QueueState.sending,
                    ),
                    align="center",
                ),
            ),
            rx.cond(
                QueueState.unticked != "",
                rx.text(QueueState.unticked, size="1", color_scheme="amber", class_name="queue-unticked"),
            ),
            rx.cond(
                QueueState.progress_total > 0,
                rx.vstack(
                    rx.progress(
                        value=QueueState.progress_done * 100 / QueueState.progress_total, width="320px"
                    ),
                    rx.text(QueueState.progress_label, size="1", class_name="bulk-progress"),
                    rx.foreach(
                        QueueState.results, lambda line: rx.text(line, size="1", class_name="bulk-result")
                    ),
                    spacing="1",
                    # A status, read out as it goes: once the question closed, a screen reader
                    # heard nothing of how many were sent, nor which were not and why.
                    role="status",
                    aria_atomic="false",  # each line read as it comes, not every line again
                ),
            ),
            spacing="2",
        ),
    )


def _confirm_send() -> rx.Component:
    """Asks before inviting every selected candidate: an email cannot be unsent."""
    count = QueueState.selected.length()
    plural = rx.cond(count == 1, "", "s")
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Send ", count, " assessment", plural, "?"),
            rx.alert_dialog.description(
                "Each selected candidate gets the vendor's invitation email now; it cannot be unsent."
            ),
            question_answers("Back", rx.button("Send ", count, on_click=QueueState.send_selected)),
            **focus_returns(),
        ),
        open=QueueState.confirming_send,
        on_open_change=QueueState.set_confirming_send,
    )


def _empty() -> rx.Component:
    """An empty bucket: all done, or, under a filter or a search, no one matching it (and the way back)."""
    return rx.cond(
        QueueState.filtered,
        rx.hstack(
            rx.callout(QueueState.empty_words, icon="search-x", color_scheme="gray"),
            rx.button("Clear filters and search", variant="soft", on_click=QueueState.clear_filters),
            align="center",
            wrap="wrap",
        ),
        rx.callout(QueueState.empty_words, icon="circle-check", color_scheme="green"),
    )


def _pager() -> rx.Component:
    """Previous and next page of a bucket too long for one page."""
    return rx.cond(
        QueueState.page_label != "",
        rx.hstack(
            rx.text(QueueState.page_label, size="2", color_scheme="gray", class_name="queue-page"),
            rx.button(
                rx.icon("chevron-left", size=14),
                "Previous",
                variant="soft",
                size="1",
                disabled=QueueState.offset == 0,
                on_click=QueueState.turn_page(False),
            ),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=14),
                variant="soft",
                size="1",
                disabled=~QueueState.more,
                on_click=QueueState.turn_page(True),
            ),
            align="center",
        ),
    )


def _result_cells(row: UnmatchedRow | SetAsideRow, heading: str, *when) -> list[rx.Component]:
    """A vendor result's id and email, why and when: columns in a wide window, under the id in a narrow one."""
    return [
        rx.table.cell(
            rx.vstack(
                # Broken anywhere only if need be: unbroken, a long id or address widened the
                # column and pushed the matching controls past a phone's edge. The address in
                # the queue's small size, as under each candidate's name above, fits a phone.
                rx.code(row.vendor_attempt_id, overflow_wrap="anywhere"),
                rx.text(row.candidate_email, size="1", overflow_wrap="anywhere"),
                rx.vstack(
                    rx.text(row.reason, size="1"),
                    rx.text(heading, " ", *when, size="1", color_scheme="gray"),
                    spacing="1",
                    display=NARROW,
                ),
                spacing="1",
            )
        ),
        rx.table.cell(row.reason, display=WIDE),
        rx.table.cell(*when, display=WIDE),
    ]


def _unmatched(row: UnmatchedRow) -> rx.Component:
    return rx.table.row(
        *_result_cells(row, "Received", row.received),
        rx.table.cell(
            # In a narrow window the buttons go under the number's box: side by side, the three
            # stood past a phone's edge, beyond a sideways scroll of the table.
            rx.flex(
                rx.input(
                    placeholder="Assessment #",
                    width="120px",
                    on_change=lambda value: QueueState.set_match_attempt(row.id, value),
                    on_key_down=lambda key: QueueState.match_on_enter(row.id, key),
                    aria_label="Assessment number to match",
                ),
                rx.hstack(
                    rx.button("Match", size="1", on_click=QueueState.match(row.id)),
                    rx.button(
                        "Set aside", size="1", variant="ghost", on_click=QueueState.ask_dismiss(row.id)
                    ),
                    align="center",
                ),
                direction=rx.breakpoints(initial="column", lg="row"),
                align=rx.breakpoints(initial="start", lg="center"),
                spacing="2",
            )
        ),
        # The row is its result's, not its position's: once a result above is matched or set
        # aside, the number typed for one result must not slide into the box of the next.
        key=row.id,
    )


def _dismiss_dialog() -> rx.Component:
    """Setting a vendor result aside takes it out of the list, so it asks first, naming the result."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Set a vendor result aside"),
            rx.alert_dialog.description(
                "Set aside the result for ",
                rx.text.strong(QueueState.dismiss_what),
                "? It is no longer offered for matching, and nothing is applied to any assessment. "
                "It stays under Set aside, where it can be restored.",
                overflow_wrap="anywhere",
            ),
            question_answers(
                "Back",
                rx.button(
                    "Set aside", color_scheme="red", on_click=QueueState.dismiss(QueueState.dismiss_id)
                ),
            ),
            **focus_returns(),
        ),
        open=QueueState.dismiss_id != 0,
        on_open_change=QueueState.set_dismiss_open,
    )


def _set_aside(row: SetAsideRow) -> rx.Component:
    return rx.table.row(
        *_result_cells(row, "Set aside", row.set_aside, " by ", row.by),
        rx.table.cell(
            rx.button(
                rx.icon("undo-2", size=14),
                "Restore",
                size="1",
                variant="soft",
                on_click=QueueState.restore(row.id),
            )
        ),
    )


def _results_table(label: str, when: str, results: rx.Var, row) -> rx.Component:
    """Vendor results, one a row: those waiting to be matched, or those set aside."""
    return table_region(
        label,
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Vendor result"),
                *[rx.table.column_header_cell(h, display=WIDE) for h in ("Why", when)],
                rx.table.column_header_cell(""),
            )
        ),
        rx.table.body(rx.foreach(results, row)),
    )


def _set_aside_list() -> rx.Component:
    """Results set aside, to be restored to the list when set aside by mistake."""
    return rx.vstack(
        rx.button(
            rx.icon(rx.cond(QueueState.showing_set_aside, "chevron-down", "chevron-right"), size=14),
            "Set aside (",
            QueueState.set_aside_count,
            ")",
            size="1",
            variant="ghost",
            aria_expanded=QueueState.showing_set_aside,
            on_click=QueueState.toggle_set_aside,
        ),
        rx.cond(
            QueueState.showing_set_aside,
            rx.vstack(
                _results_table("Vendor results set aside", "Set aside", QueueState.set_aside, _set_aside),
                rx.cond(
                    QueueState.set_aside_count > QueueState.set_aside.length(),
                    rx.text(
                        "The newest ",
                        QueueState.set_aside.length(),
                        " of ",
                        QueueState.set_aside_count,
                        " are shown.",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                width="100%",
            ),
        ),
        width="100%",
        class_name="set-aside",
    )


def _unmatched_section() -> rx.Component:
    return rx.cond(
        (QueueState.unmatched_count > 0) | (QueueState.set_aside_count > 0),
        rx.vstack(
            rx.heading("Vendor results that need matching", size="4", as_="h2"),
            rx.text(
                "Results a vendor sent for an assessment Assay does not know, or naming another "
                "candidate than the one invited. Nothing was applied; match each to its assessment.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                QueueState.unmatched.length() > 0,
                _results_table(
                    "Vendor results that need matching", "Received", QueueState.unmatched, _unmatched
                ),
                rx.text("None is waiting to be matched.", size="2"),
            ),
            rx.cond(
                QueueState.unmatched_count > QueueState.unmatched.length(),
                rx.text(
                    "The oldest ",
                    QueueState.unmatched.length(),
                    " of ",
                    QueueState.unmatched_count,
                    " are shown: match or set these aside to see the next.",
                    size="1",
                    color_scheme="gray",
                    class_name="unmatched-more",
                ),
            ),
            rx.cond(QueueState.set_aside_count > 0, _set_aside_list()),
            width="100%",
            class_name="needs-matching",
        ),
    )


@page(route=routes.QUEUE, title="Queue · Assay", on_load=[AuthState.guard_page, QueueState.load])
def queue_page() -> rx.Component:
    return page_frame(
        "Queue",
        rx.hstack(rx.foreach(QueueState.buckets, _bucket), wrap="wrap", spacing="2"),
        _filters(),
        _bulk_bar(),
        _pager(),
        rx.cond(
            QueueState.rows.length() > 0,
            table_region(
                "Queue: " + QueueState.bucket_label,
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(""),
                        rx.table.column_header_cell("Candidate"),
                        *[
                            rx.table.column_header_cell(h, display=WIDE)
                            for h in ("Job", "Stage", "Test", "Status", "Waiting")
                        ],
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(QueueState.rows, _row)),
            ),
            rx.cond(QueueState.loaded, _empty(), rx.spinner()),
        ),
        _unmatched_section(),
        _dismiss_dialog(),
        earlier_dialog(QueueState),
        _confirm_send(),
    )
