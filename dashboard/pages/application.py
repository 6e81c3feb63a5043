"""One application: the assessment, its result for the hiring manager, the history."""

import reflex as rx

from dashboard import routes
from dashboard.components.correction import correct_button, correction_dialog
from dashboard.components.decision import reject_dialog, undo_rejection_dialog
from dashboard.components.earlier import earlier_dialog
from dashboard.components.layout import (
    PICKED_NAME_WIDTH,
    focus_once_lost,
    focus_returns,
    link_button,
    page_frame,
    page_refusal,
    question_answers,
    status_chip,
    table_region,
)
from dashboard.components.picker import picker_fields
from dashboard.components.route import route_id
from dashboard.pages import page
from dashboard.services.board_view import StageOption
from dashboard.services.views import (
    ActionView,
    AttemptView,
    EventView,
    InterviewView,
    NoteView,
    SubScoreView,
)
from dashboard.states.application import ApplicationState
from dashboard.states.auth import AuthState


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(
        value != "",
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.text(value, size="3", weight="medium"),
            spacing="0",
        ),
    )


def _subscore(sub: SubScoreView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(
                sub.name,
                padding_left=rx.cond(sub.is_skill, "16px", "0"),
                weight=rx.cond(sub.is_skill, "regular", "medium"),
            )
        ),
        rx.table.cell(sub.score),
        rx.table.cell(sub.detail),
    )


def _result(attempt: AttemptView) -> rx.Component:
    return rx.cond(
        attempt.has_result,
        rx.vstack(
            rx.hstack(
                # Said, as the review list says it: a result without one is not a score of nothing.
                _fact("Total score", rx.cond(attempt.score != "", attempt.score, "no score")),
                # Named as the review page names it, beside the vendor's figure it is not.
                _fact("Percentile in this job", attempt.percentile),
                _fact("Vendor's comparative score", attempt.comparative_score),
                _fact("Time taken", attempt.time_taken),
                _fact("Points", attempt.points),
                spacing="6",
                wrap="wrap",
            ),
            rx.cond(
                attempt.subscores.length() > 0,
                table_region(
                    # Named by its attempt: a page may show several, and landmarks' names must differ.
                    "Scores by skill in " + attempt.test_name + ", #" + attempt.id.to(str),
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Technology / skill"),
                            rx.table.column_header_cell("Score"),
                            rx.table.column_header_cell("Points"),
                        )
                    ),
                    rx.table.body(rx.foreach(attempt.subscores, _subscore)),
                    size="1",
                ),
            ),
            rx.cond(
                attempt.warnings.length() > 0,
                rx.callout(
                    rx.vstack(
                        rx.text("Warnings", weight="bold"), rx.foreach(attempt.warnings, rx.text), spacing="1"
                    ),
                    icon="shield-alert",
                    color_scheme="orange",
                ),
            ),
            spacing="3",
            width="100%",
            class_name="assessment-result",
        ),
    )


ACTION_LABELS = {
    "send": ("Send assessment", "send"),
    "retry": ("Retry", "refresh-cw"),
    "cancel": ("Cancel", "x"),
    "resend": ("Resend invitation", "mail"),
    "reattempt": ("Re-attempt", "rotate-ccw"),
    "extend": ("Extend deadline", "calendar-plus"),
}


def _action_button(attempt: AttemptView, action: ActionView) -> rx.Component:
    """One action; a disabled one says why in its tooltip (the vendor's limitation or the state)."""
    handlers = {
        "send": ApplicationState.ask("send", attempt.id, attempt.test_name),
        "retry": ApplicationState.run("retry", attempt.id),
        "cancel": ApplicationState.ask("cancel", attempt.id, attempt.test_name),
        "resend": ApplicationState.run("resend", attempt.id),
        "reattempt": ApplicationState.ask("reattempt", attempt.id, attempt.test_name),
        "extend": ApplicationState.ask_extend(attempt.id),
    }
    return rx.match(
        action.name,
        *[
            (
                name,
                rx.cond(
                    action.applicable,
                    rx.tooltip(
                        rx.button(
                            rx.icon(icon, size=14),
                            label,
                            on_click=handlers[name],
                            disabled=~action.enabled,
                            loading=ApplicationState.busy,
                            variant=rx.cond(name == "send", "solid", "soft"),
                            color_scheme=rx.cond(name == "cancel", "red", "violet"),
                        ),
                        content=rx.cond(action.enabled, label, action.reason),
                    ),
                ),
            )
            for name, (label, icon) in ACTION_LABELS.items()
        ],
        rx.fragment(),
    )


def _attempt(attempt: AttemptView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                # Where the focus goes once Mark reviewed goes, heard with the status it now has.
                rx.heading(
                    attempt.test_name,
                    size="4",
                    as_="h2",
                    id=f"attempt-{attempt.id}",
                    tab_index=-1,
                    aria_describedby=f"attempt-{attempt.id}-status",
                ),
                rx.text(
                    attempt.vendor_name,
                    " · #",
                    attempt.id,
                    " · attempt ",
                    attempt.attempt_number,
                    rx.cond(attempt.retakes != "", " (" + attempt.retakes + ")", ""),
                    " · ",
                    attempt.stage_name,
                    size="2",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.box(
                    status_chip(attempt.status_label, attempt.status_tone), id=f"attempt-{attempt.id}-status"
                ),
                align="center",
                width="100%",
                wrap="wrap",  # on a phone the status goes below, whole, not cut at the card's edge
            ),
            # Sent before the candidate entered this stage: the same invitation counts here.
            rx.cond(
                attempt.carried_from != "",
                rx.hstack(
                    rx.icon("corner-down-right", size=14),
                    rx.text("Carried over from ", attempt.carried_from, size="2"),
                    align="center",
                    spacing="1",
                    class_name="carried-over",
                ),
            ),
            # Its invitation went to the address before it was corrected: the vendor keeps that one.
            rx.cond(
                attempt.sent_to_before != "",
                rx.hstack(
                    rx.icon("mail-warning", size=14),
                    rx.text(
                        "Sent to ", attempt.sent_to_before, ", the email before it was corrected", size="2"
                    ),
                    align="center",
                    spacing="1",
                    class_name="sent-to-before",
                ),
            ),
            rx.hstack(
                _fact("Sent", attempt.sent_at),
                _fact("Started", attempt.started_at),
                _fact("Completed", attempt.completed_at),
                _fact("Cancelled", attempt.cancelled_at),
                spacing="6",
            ),
            rx.cond(
                attempt.test_url != "",
                rx.hstack(
                    # A live interview's pad is where the interviewers meet the candidate: not a test.
                    rx.text(
                        rx.cond(attempt.live_interview, "Interview room link", "Candidate's test link"),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.code(attempt.test_url, class_name="test-link"),
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        size="1",
                        variant="soft",
                        aria_label=rx.cond(
                            attempt.live_interview, "Copy interview room link", "Copy test link"
                        ),
                        on_click=ApplicationState.copy_link(attempt.test_url),
                    ),
                    align="center",
                    wrap="wrap",
                ),
            ),
            rx.cond(
                attempt.error_reason != "",
                rx.callout(attempt.error_reason, icon="circle-x", color_scheme="red", role="alert"),
            ),
            _result(attempt),
            rx.cond(
                attempt.deadline != "",
                rx.text(attempt.deadline, size="2", color_scheme="gray", class_name="deadline"),
            ),
            rx.hstack(
                # Sending, resending, cancelling, extending are the recruiters' (the handlers check again).
                rx.cond(
                    AuthState.can_manage_pipeline,
                    rx.foreach(attempt.actions, lambda action: _action_button(attempt, action)),
                ),
                rx.cond(
                    attempt.report_url != "",
                    link_button(
                        "external-link",
                        rx.cond(attempt.live_interview, "Interview record", "Detailed report"),
                        attempt.report_url,
                        external=True,
                        icon_size=14,
                    ),
                ),
                rx.cond(
                    attempt.report_pdf_url != "",
                    link_button(
                        "file-down", "Report PDF", attempt.report_pdf_url, external=True, icon_size=14
                    ),
                ),
                # On the card of the test it replaces: above the cards, it changed the newest, maybe
                # another test of the stage than the one meant, or an interview's room (helper-120).
                rx.cond(
                    AuthState.can_manage_pipeline & attempt.can_change_test,
                    rx.button(
                        "Use another test",
                        variant="ghost",
                        on_click=ApplicationState.open_picker(attempt.id),
                        aria_label="Use another test instead of " + attempt.test_name,
                    ),
                ),
                rx.cond(
                    attempt.can_review,
                    rx.button(
                        "Mark reviewed",
                        variant="outline",
                        **focus_once_lost(
                            ApplicationState.mark_reviewed(attempt.id), f"attempt-{attempt.id}"
                        ),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="assessment-attempt",
    )


def _event(event: EventView) -> rx.Component:
    return rx.hstack(
        rx.text(event.at, size="1", color_scheme="gray", min_width="140px"),
        rx.text(event.summary, size="2", overflow_wrap="anywhere"),  # it may quote what was typed
        rx.text("by ", event.actor, size="1", color_scheme="gray"),
        rx.cond(event.raw_status != "", rx.code(event.raw_status, size="1")),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _stage_item(stage: StageOption) -> rx.Component:
    return rx.select.item(stage.name, value=stage.id.to(str))


def _confirm() -> rx.Component:
    """Asks before what emails the candidate or takes their link away, naming the test and who."""
    action = ApplicationState.confirm_action
    test = rx.text.strong(ApplicationState.confirm_test_name)
    candidate = rx.text.strong(ApplicationState.application.candidate_name)
    email = ApplicationState.application.candidate_email
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.match(
                    action, ("cancel", "Cancel assessment"), ("reattempt", "Re-attempt"), "Send assessment"
                )
            ),
            rx.alert_dialog.description(
                rx.match(
                    action,
                    (
                        "cancel",
                        rx.text(
                            "Withdraw ",
                            test,
                            " from ",
                            candidate,
                            rx.cond(
                                ApplicationState.confirm_unsent,
                                "? It was not sent and will not be; Re-attempt sends it after all.",
                                "? The candidate's link stops working; a fresh attempt will be ready to send.",
                            ),
                        ),
                    ),
                    (
                        "reattempt",
                        rx.text(
                            "Send ",
                            test,
                            rx.cond(ApplicationState.confirm_never_sent, " to ", " again to "),
                            candidate,
                            " (",
                            email,
                            rx.cond(
                                ApplicationState.confirm_never_sent,
                                ") after all? It was withdrawn before it was sent; the vendor emails "
                                "the invitation now.",
                                ")? The vendor emails a new invitation now; the earlier attempt stays on "
                                "this page, with its result if it has one.",
                            ),
                        ),
                    ),
                    rx.text("Send ", test, " to ", candidate, " (", email, ")?"),
                )
            ),
            question_answers(
                "Back",
                rx.button(
                    rx.match(action, ("cancel", "Cancel assessment"), ("reattempt", "Re-attempt"), "Send"),
                    color_scheme=rx.cond(action == "cancel", "red", "violet"),
                    on_click=ApplicationState.confirm,
                ),
            ),
            **focus_returns(),
        ),
        open=ApplicationState.confirm_attempt_id != 0,
        on_open_change=ApplicationState.set_confirm_open,
    )


def _extend_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Extend the deadline"),
            # What it extends from: the deadline Assay knows, or that none is set.
            rx.dialog.description(ApplicationState.extend_from, size="2", color_scheme="gray"),
            # A form, so Enter in the date box extends as the button does (it did nothing).
            rx.form(
                _extend_fields(),
                on_submit=ApplicationState.extend,
                reset_on_submit=False,
            ),
            **focus_returns(),
        ),
        open=ApplicationState.extend_attempt_id != 0,
        on_open_change=ApplicationState.close_extend,
    )


def _extend_fields() -> rx.Component:
    return rx.vstack(
        rx.text("New deadline (YYYY-MM-DD, end of day UTC)", size="2"),
        rx.input(
            value=ApplicationState.extend_until,
            on_change=ApplicationState.set_extend_until,
            aria_label="New deadline",
        ),
        rx.cond(
            ApplicationState.extend_error != "",
            rx.callout(
                ApplicationState.extend_error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                class_name="extend-error",
            ),
        ),
        rx.hstack(
            rx.dialog.close(rx.button("Back", type="button", variant="soft", color_scheme="gray")),
            rx.button("Extend", type="submit"),
            justify="end",
            width="100%",
        ),
        spacing="3",
    )


def _picker_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    ApplicationState.picker_attempt_id == 0,
                    "Send an assessment",
                    "Use another test",
                )
            ),
            rx.vstack(
                *picker_fields(ApplicationState),
                rx.hstack(
                    rx.dialog.close(rx.button("Back", variant="soft", color_scheme="gray")),
                    rx.button(
                        rx.cond(ApplicationState.picker_attempt_id == 0, "Send", "Use this test"),
                        on_click=ApplicationState.pick,
                        disabled=ApplicationState.test_id == "",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
            ),
            **focus_returns(),
        ),
        open=ApplicationState.picker_open,
        on_open_change=ApplicationState.set_picker_open,
    )


def _reject_dialog() -> rx.Component:
    return reject_dialog(ApplicationState, ApplicationState.application.candidate_name)


def _undo_rejection_dialog() -> rx.Component:
    app = ApplicationState.application
    return undo_rejection_dialog(ApplicationState, app.candidate_name, app.stage_name)


def _rejected() -> rx.Component:
    """The rejection, and (for whoever may reject: a wrong one is undone by the same people) its undo."""
    app = ApplicationState.application
    return rx.cond(
        app.rejected != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("ban")),
            rx.callout.text(app.rejected),
            rx.cond(
                AuthState.user_role != "",
                rx.button(
                    rx.icon("undo-2", size=14),
                    "Undo rejection",
                    size="1",
                    variant="soft",
                    width="fit-content",
                    on_click=ApplicationState.set_undoing_rejection(True),
                ),
            ),
            color_scheme="gray",
            class_name="rejected",
        ),
    )


def _decision() -> rx.Component:
    app = ApplicationState.application
    return rx.cond(
        (app.rejected == "") & (AuthState.user_role != ""),
        rx.hstack(
            rx.cond(
                app.next_stage != "",
                rx.button(
                    rx.icon("arrow-right", size=14),
                    "Advance to ",
                    app.next_stage,
                    on_click=ApplicationState.advance,
                    loading=ApplicationState.busy,
                ),
            ),
            rx.button(
                rx.icon("ban", size=14),
                "Reject",
                color_scheme="red",
                variant="soft",
                on_click=ApplicationState.set_rejecting(True),
            ),
            spacing="2",
            class_name="decision",
        ),
    )


def _none_yet(words: str, class_name: str = "none-yet") -> rx.Component:
    """What a section says when it holds nothing yet: a section with nothing under its heading
    read as one still loading, or as hidden from the reader."""
    return rx.text(words, size="2", color_scheme="gray", class_name=class_name)


def _note(note: NoteView) -> rx.Component:
    return rx.box(
        rx.text(note.author, " · ", note.at, size="1", color_scheme="gray"),
        rx.text(note.text, size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
        padding="8px 10px",
        background=rx.color("gray", 2),
        border_radius="6px",
        width="100%",
    )


def _notes() -> rx.Component:
    return rx.vstack(
        rx.heading("Notes", size="4", as_="h2"),
        rx.form(
            rx.hstack(
                rx.text_area(
                    value=ApplicationState.note,
                    on_change=ApplicationState.set_note,
                    placeholder="A note for the hiring team",
                    aria_label="Note",
                    width="420px",
                ),
                rx.button("Save note", type="submit", variant="soft"),
                align="end",
            ),
            on_submit=ApplicationState.add_note,
            reset_on_submit=False,
        ),
        rx.foreach(ApplicationState.application.notes, _note),
        rx.cond(ApplicationState.application.notes.length() == 0, _none_yet("No notes yet.")),
        spacing="2",
        width="100%",
        class_name="notes",
    )


def _interview(interview: InterviewView) -> rx.Component:
    return rx.hstack(
        rx.icon("video", size=14),
        # Names typed by a person may be one unbroken run: they wrap rather than widen the page.
        rx.text(interview.at, " with ", interview.interviewers, size="2", overflow_wrap="anywhere"),
        rx.cond(
            interview.link != "",
            rx.hstack(
                rx.code(interview.link, class_name="interview-link"),
                rx.icon_button(
                    rx.icon("copy", size=12),
                    size="1",
                    variant="soft",
                    aria_label="Copy interview link",
                    on_click=ApplicationState.copy_link(interview.link),
                ),
                align="center",
            ),
        ),
        rx.text(interview.status, size="1", color_scheme="gray"),
        rx.cond(
            AuthState.can_manage_pipeline & interview.cancellable,
            rx.button(
                "Cancel interview",
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Cancel the interview on " + interview.named,
                on_click=ApplicationState.ask_cancel_interview(
                    interview.id, interview.named, interview.room_on_cancel
                ),
            ),
        ),
        align="center",
        wrap="wrap",
        class_name="interview",
    )


def _cancel_interview_dialog() -> rx.Component:
    """Asks before an interview is called off: Assay tells no interviewer, so the question says to."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel the interview?"),
            rx.alert_dialog.description(
                "The interview on ",
                rx.text.strong(ApplicationState.calling_off_interview),
                " is called off, in the history. Assay emails no interviewer: tell them. ",
                ApplicationState.calling_off_room,
                " To move it, book the new time as well.",
            ),
            question_answers(
                "Back",
                rx.button("Cancel interview", color_scheme="red", on_click=ApplicationState.cancel_interview),
            ),
            **focus_returns(),
        ),
        open=ApplicationState.calling_off_interview_id != 0,
        on_open_change=ApplicationState.set_cancel_interview_open,
    )


def _interviews() -> rx.Component:
    return rx.vstack(
        rx.heading("Interviews", size="4", as_="h2"),
        # Scheduling is the recruiters' (not for a rejected candidate: the service refuses);
        # everyone on the team sees what is booked.
        rx.cond(
            AuthState.can_manage_pipeline & (ApplicationState.application.rejected == ""),
            rx.form(
                rx.hstack(
                    rx.input(
                        placeholder="YYYY-MM-DD HH:MM (UTC)",
                        value=ApplicationState.interview_at,
                        on_change=ApplicationState.set_interview_at,
                        aria_label="Interview time",
                        width="220px",  # the whole format hint: at the default width it read "(UT"
                    ),
                    rx.input(
                        placeholder="Interviewers, comma-separated",
                        value=ApplicationState.interviewers,
                        on_change=ApplicationState.set_interviewers,
                        aria_label="Interviewers",
                        width="260px",
                    ),
                    rx.button("Schedule", type="submit", variant="soft"),
                    align="center",
                    wrap="wrap",
                ),
                on_submit=ApplicationState.schedule,
                reset_on_submit=False,
            ),
        ),
        rx.foreach(ApplicationState.application.interviews, _interview),
        # Said to everyone, the recruiter below the boxes too: an empty section read as one still loading.
        rx.cond(
            ApplicationState.application.interviews.length() == 0,
            _none_yet("No interviews scheduled."),
        ),
        spacing="2",
        width="100%",
        class_name="interviews",
    )


@page(
    route=routes.APPLICATION,
    title="Application · Assay",
    on_load=[AuthState.guard_page, ApplicationState.load],
)
def application_page() -> rx.Component:
    app = ApplicationState.application
    own = app.id.to_string() == route_id("application_id")  # not the application before it
    # A refusal of this address, not one left from the page before while this one loads
    refused = (ApplicationState.error != "") & (
        ApplicationState.error_for.to_string() == route_id("application_id")
    )
    return page_frame(
        # Refused (a job not theirs), the page still has a title: an empty one was read out as
        # "heading level 1" and nothing, above the refusal.
        rx.cond(own, app.candidate_name, rx.cond(refused, "Application", "")),
        _confirm(),
        _cancel_interview_dialog(),
        earlier_dialog(ApplicationState),
        _extend_dialog(),
        _picker_dialog(),
        _reject_dialog(),
        _undo_rejection_dialog(),
        correction_dialog(ApplicationState),
        rx.cond(
            # Loaded, and this page's own application, not the one before it (``route_id``).
            ApplicationState.loaded & (refused | own),
            rx.cond(
                refused,
                page_refusal(ApplicationState.error),
                rx.vstack(
                    rx.hstack(
                        # The pencil stays beside the address it corrects, on a phone too.
                        rx.hstack(
                            rx.text(
                                app.candidate_email,
                                color_scheme="gray",
                                class_name="candidate-email",
                                overflow_wrap="anywhere",  # a long address breaks, not the page's width
                                min_width="0",
                            ),
                            rx.cond(AuthState.can_manage_pipeline, correct_button(ApplicationState)),
                            align="center",
                            spacing="2",
                            min_width="0",
                        ),
                        # Each "·" wraps with what follows it: a wrapped line began with a lone dot.
                        rx.hstack(
                            rx.text("·"),
                            rx.link(app.job_title, href="/jobs/" + app.job_id.to(str), min_width="0"),
                            align="center",
                            min_width="0",
                        ),
                        rx.hstack(
                            rx.text("·"),
                            rx.text("Stage"),
                            rx.cond(
                                AuthState.can_manage_pipeline,
                                rx.select.root(
                                    rx.select.trigger(
                                        aria_label="Move to stage",
                                        max_width=PICKED_NAME_WIDTH,
                                        min_width="0",  # shrinks beside "· Stage" on a phone
                                        flex_shrink="1",
                                    ),
                                    rx.select.content(rx.foreach(app.stages, _stage_item)),
                                    value=app.stage_id.to(str),
                                    on_change=ApplicationState.move,
                                ),
                                # A hiring manager advances or rejects; moving to any stage is the recruiters'.
                                rx.text(app.stage_name, weight="medium", class_name="current-stage"),
                            ),
                            align="center",
                            min_width="0",  # narrower than a long stage name's box: the box cuts it short
                        ),
                        align="center",
                        wrap="wrap",
                        max_width="100%",  # the line is the page's width at most, not its longest part's
                    ),
                    _rejected(),
                    _decision(),
                    rx.cond(
                        # A rejected candidate is sent no test: the service refuses, so nothing offers it.
                        AuthState.can_manage_pipeline & (app.rejected == ""),
                        rx.hstack(
                            rx.button(
                                rx.icon("plus", size=14),
                                "Send an assessment",
                                variant="soft",
                                on_click=ApplicationState.open_picker(0),
                            ),
                        ),
                    ),
                    rx.foreach(app.attempts, _attempt),
                    # A hiring manager, offered no Send, saw no word about tests at all.
                    rx.cond(
                        app.attempts.length() == 0,
                        _none_yet("No tests for this candidate yet.", class_name="no-tests"),
                    ),
                    _interviews(),
                    _notes(),
                    rx.heading("History", size="4", as_="h2", margin_top="12px"),
                    rx.vstack(rx.foreach(app.history, _event), spacing="2", class_name="history"),
                    width="100%",
                    spacing="3",
                ),
            ),
            rx.spinner(),
        ),
    )
