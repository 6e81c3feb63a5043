"""A job's interview plan: stages in order, the tests assessment stages send, and how.

Recruiters and admins edit it here; a hiring manager reads it, drawn without a control
(``_plan_read``): the stages their candidates go through, the tests each sends and how.
"""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import (
    PICKED_NAME_WIDTH,
    counted,
    focus_returns,
    job_refusal,
    link_button,
    page_frame,
    question_answers,
)
from dashboard.components.picker import picker_fields
from dashboard.components.plan_repair import repair_button, repair_dialog
from dashboard.components.route import route_id
from dashboard.pages import page
from dashboard.services.views import PlanStage, PlanTest
from dashboard.states.auth import AuthState
from dashboard.states.plan import PlanState


def _disconnected(words, *extra) -> rx.Component:
    """A test or live-interview link whose connection was disconnected: said in words, in red
    (the colour alone tells nothing to a screen reader or a colour-blind recruiter)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("unplug")),
        rx.callout.text(rx.text.strong("Connection disconnected. "), words, " ", *extra),
        color_scheme="red",
        size="1",
        high_contrast=True,  # red text on its own tint is too faint (axe: colour contrast)
        class_name="disconnected-connection",
    )


def _unlisted(words, class_name: str = "unlisted-test") -> rx.Component:
    """A test (or live-interview template) the vendor no longer lists, its connection connected:
    said in words, in red, as ``_disconnected``; no Repair button, since the fix is the row's own
    x and Add assessment (the link's Remove and Default live-interview link)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("archive-x")),
        rx.callout.text(rx.text.strong("No longer at the vendor. "), words),
        color_scheme="red",
        size="1",
        high_contrast=True,
        class_name=class_name,
    )


def _test_row(test: PlanTest, stage: PlanStage) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("file-code", size=14),
            rx.text(test.name, size="2", weight="medium"),
            rx.text(test.vendor_name, size="1", color_scheme="gray"),
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="ghost",
                color_scheme="red",
                aria_label="Remove " + test.name + " from " + stage.name,  # the same test in two stages
                on_click=PlanState.ask_remove_test(test.id),
                id="remove-test-" + test.id.to_string(),
            ),
            align="center",
        ),
        rx.cond(
            test.broken != "",
            _disconnected(
                test.broken,
                repair_button(
                    "Repair " + test.name + " in " + stage.name,
                    PlanState.ask_repair_test(test.id, test.name, stage.name),
                ),
            ),
        ),
        rx.cond(test.unlisted != "", _unlisted(test.unlisted)),
        spacing="1",
        class_name="stage-test",
    )


def _settings_changed_meanwhile(stage: PlanStage) -> rx.Component:
    """Shown beside a form the viewer holds while a colleague saved other settings for its stage."""
    return rx.cond(
        (stage.id == PlanState.settings_stage_id) & (PlanState.settings_from != stage.settings_version),
        rx.hstack(
            rx.icon("info", size=14),
            rx.text("A colleague saved other settings for this stage meanwhile. Save keeps yours.", size="1"),
            rx.button("Show theirs", size="1", variant="ghost", on_click=PlanState.show_stored_settings),
            align="center",
            class_name="settings-changed",
        ),
    )


def _settings(stage: PlanStage) -> rx.Component:
    """An assessment stage's sending settings, each box named for its stage (the plan may hold several)."""
    return rx.form(
        rx.hstack(
            rx.checkbox(
                "Send automatically on entry",
                name="send_automatically",
                default_checked=stage.auto_send,
                aria_label="Send automatically on entry to " + stage.name,
            ),
            rx.text("Done when", size="2"),
            rx.select.root(
                rx.select.trigger(aria_label=stage.name + " done when"),
                rx.select.content(
                    rx.select.item("all tests are completed", value="all"),
                    rx.select.item("any one test is completed", value="any"),
                ),
                name="gating",
                default_value=stage.gating,
            ),
            rx.text("Deadline (days)", size="2"),
            rx.input(
                name="deadline_days",
                default_value=stage.deadline_days,
                placeholder="none",
                width="70px",
                aria_label="Deadline in days for " + stage.name,
            ),
            rx.text("Remind (hours before)", size="2"),
            rx.input(
                name="reminder_hours",
                default_value=stage.reminder_hours,
                placeholder="none",
                width="70px",
                aria_label="Reminder hours before the deadline for " + stage.name,
            ),
            rx.el.input(type="hidden", name="stage_id", value=stage.id),
            rx.button(
                "Save",
                size="1",
                type="submit",
                variant="soft",
                aria_label="Save the settings of " + stage.name,
            ),
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        # The stage id travels in the form: a foreach variable is out of scope in a form's submit handler.
        on_submit=PlanState.save_settings,
        reset_on_submit=False,
        # Its boxes keep what they started with: drawn afresh when the stored settings change
        # (a colleague's save), except while the viewer is changing them (held till saved).
        on_focus=PlanState.start_settings(stage.id),
        key=rx.cond(stage.id == PlanState.settings_stage_id, PlanState.settings_from, stage.settings_version),
    )


def _kind(stage: PlanStage) -> rx.Component:
    """The stage's kind, in its badge: the editor's card and the reader's alike."""
    return rx.badge(
        stage.kind, color_scheme=rx.cond(stage.kind == "assessment", "violet", "gray"), high_contrast=True
    )


def _applications(stage: PlanStage) -> rx.Component:
    """The stage's candidates still in the process, and apart its rejected ones (sent nothing)."""
    return rx.text(
        counted(stage.applications, "application"),
        rx.cond(stage.rejected > 0, ", " + stage.rejected.to_string() + " rejected", ""),
        size="1",
        color_scheme="gray",
    )


def _stage(stage: PlanStage, index) -> rx.Component:
    """A stage's card. Each control's name says which stage it is for, after the words it shows
    ("Delete stage Onsite"): "Delete" and "Add assessment" alone, in every card, told a screen
    reader user tabbing down the plan nothing of which stage they were about to change."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(index + 1, ".", weight="bold", color_scheme="gray"),
                # A form of its own, so Enter saves the name as leaving the box does.
                rx.form(
                    rx.input(
                        name="name",
                        default_value=stage.name,
                        on_focus=PlanState.start_rename(stage.id),
                        on_blur=lambda value: PlanState.rename(stage.id, value),
                        aria_label="Name of stage " + stage.name,  # the stored name, not what is typed
                        id="stage-name-" + stage.id.to_string(),  # states.plan.stage_name_id
                        width="260px",
                        max_width="100%",  # on a phone the row wraps below the box, not squeezes it
                        flex_shrink="0",
                        # Drawn afresh when the stored name changes, or a rename is refused; not
                        # while the viewer types in it (a colleague's rename would wipe their text).
                        key=rx.cond(
                            stage.id == PlanState.renaming_stage_id, PlanState.renaming_from, stage.name
                        )
                        + "-"
                        + PlanState.name_resets.to_string(),
                    ),
                    rx.el.input(type="hidden", name="stage_id", value=stage.id),
                    on_submit=PlanState.rename_typed,
                    reset_on_submit=False,
                    display="contents",  # the box sits in the row as it did without the form
                ),
                _kind(stage),
                _applications(stage),
                # The arrows and Delete keep together, at the row's end, when a narrow window wraps it.
                rx.hstack(
                    rx.icon_button(
                        rx.icon("arrow-up", size=14),
                        size="1",
                        variant="soft",
                        aria_label="Move " + stage.name + " up",
                        id="move-up-" + stage.id.to_string(),  # states.plan.stage_arrow_id
                        on_click=PlanState.shift(stage.id, -1),
                        disabled=index == 0,
                    ),
                    rx.icon_button(
                        rx.icon("arrow-down", size=14),
                        size="1",
                        variant="soft",
                        aria_label="Move " + stage.name + " down",
                        id="move-down-" + stage.id.to_string(),  # states.plan.stage_arrow_id
                        on_click=PlanState.shift(stage.id, 1),
                        disabled=index == PlanState.plan.stages.length() - 1,
                    ),
                    rx.button(
                        "Delete",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=PlanState.ask_delete(stage.id),
                        aria_label="Delete stage " + stage.name,
                    ),
                    spacing="2",
                    align="center",
                    margin_left="auto",
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.vstack(rx.foreach(stage.tests, lambda test: _test_row(test, stage)), spacing="1"),
            rx.hstack(
                rx.button(
                    rx.icon("plus", size=14),
                    "Add assessment",
                    size="1",
                    variant="soft",
                    on_click=PlanState.open_add_test(stage.id, stage.name, False),
                    aria_label="Add assessment to " + stage.name,
                ),
                rx.cond(
                    stage.live_template != "",
                    rx.hstack(
                        rx.text("Live-interview link: ", stage.live_template, size="1"),
                        rx.button(
                            "Remove",
                            size="1",
                            variant="ghost",
                            on_click=PlanState.clear_live_template(stage.id),
                            aria_label="Remove the live-interview link of " + stage.name,
                        ),
                        align="center",
                    ),
                    rx.button(
                        rx.icon("video", size=14),
                        "Default live-interview link",
                        size="1",
                        variant="ghost",
                        on_click=PlanState.open_add_test(stage.id, stage.name, True),
                        aria_label="Default live-interview link for " + stage.name,
                    ),
                ),
                spacing="3",
            ),
            rx.cond(
                stage.live_broken != "",
                _disconnected(
                    stage.live_broken,
                    repair_button(
                        "Repair the live-interview link of " + stage.name,
                        PlanState.ask_repair_link(stage.id, stage.name),
                    ),
                ),
            ),
            rx.cond(stage.live_unlisted != "", _unlisted(stage.live_unlisted, "unlisted-link")),
            rx.cond(stage.kind == "assessment", _settings(stage)),
            rx.cond(stage.kind == "assessment", _settings_changed_meanwhile(stage)),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="plan-stage",
        custom_attrs={"data-stage": stage.name},
        # The card is its stage's, not its position's: moving a stage moves its name box and
        # settings form (they keep what they started with) instead of leaving them to the neighbour.
        key=stage.id,
    )


def _add_test_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(PlanState.picker_live, "Live-interview link for ", "Add an assessment to "),
                PlanState.test_stage_name,
            ),
            rx.vstack(
                rx.cond(
                    PlanState.test_stage_gone,
                    rx.callout(
                        "A colleague deleted this stage meanwhile: there is nothing to add to.",
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                    ),
                ),
                *picker_fields(PlanState),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Add",
                        on_click=PlanState.add_test,
                        disabled=(PlanState.test_id == "") | PlanState.test_stage_gone,
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
            ),
            **focus_returns(),
        ),
        open=PlanState.test_stage_id != 0,
        on_open_change=PlanState.close_add_test,
    )


def _remove_test_dialog() -> rx.Component:
    """Removing a test changes what new candidates are sent, so it asks first, naming test and stage."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                "Remove ", PlanState.remove_test_name, " from ", PlanState.remove_test_stage, "?"
            ),
            rx.alert_dialog.description(PlanState.remove_test_text, overflow_wrap="anywhere"),
            question_answers(
                "Keep the test",
                rx.button("Remove", color_scheme="red", on_click=PlanState.confirm_remove_test),
            ),
            # Kept (Escape, "Keep the test"): the focus goes back to its x, not to the page's top.
            on_close_auto_focus=rx.call_script(
                "document.getElementById('remove-test-"
                + PlanState.remove_test_asked.to_string()
                + "')?.focus()"
            ).prevent_default,
        ),
        open=PlanState.remove_test_id != 0,
        on_open_change=PlanState.set_remove_test_open,
    )


def _target(stage: PlanStage) -> rx.Component:
    return rx.cond(
        stage.id != PlanState.delete_stage_id, rx.select.item(stage.name, value=stage.id.to_string())
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", PlanState.delete_stage_name, "?"),
            rx.alert_dialog.description(
                rx.cond(
                    PlanState.delete_stage_gone,
                    rx.text("A colleague has deleted this stage already."),
                    rx.text(
                        PlanState.delete_moving,
                        rx.cond(PlanState.delete_target_sends != "", " " + PlanState.delete_target_sends, ""),
                    ),
                )
            ),
            rx.cond(
                # Rejected candidates have a stage too: they move with the rest, to the one chosen.
                (PlanState.delete_count + PlanState.delete_rejected > 0) & ~PlanState.delete_stage_gone,
                rx.hstack(
                    rx.text("Move them to", size="2"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Move them to", max_width=PICKED_NAME_WIDTH),
                        rx.select.content(rx.foreach(PlanState.plan.stages, _target)),
                        value=PlanState.delete_target,
                        on_change=PlanState.set_delete_target,
                    ),
                    align="center",
                    margin_top="8px",
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        rx.cond(PlanState.delete_stage_gone, "Close", "Keep the stage"),
                        variant="soft",
                        color_scheme="gray",
                    )
                ),
                rx.cond(
                    ~PlanState.delete_stage_gone,
                    rx.alert_dialog.action(
                        rx.button("Delete", color_scheme="red", on_click=PlanState.confirm_delete)
                    ),
                ),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
            **focus_returns(),
        ),
        open=PlanState.delete_stage_id != 0,
        on_open_change=PlanState.close_delete,
    )


def _notice() -> rx.Component:
    """What a colleague's edit did to an editor the viewer had open (its stage deleted)."""
    return rx.cond(
        PlanState.notice != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("info")),
            rx.callout.text(
                PlanState.notice,
                " ",
                rx.button(
                    "Dismiss",
                    size="1",
                    variant="ghost",
                    high_contrast=True,
                    on_click=PlanState.dismiss_notice,
                ),
            ),
            color_scheme="amber",
            high_contrast=True,  # amber text on its own tint is too faint (axe: colour contrast)
            role="status",
            max_width="900px",
        ),
    )


@page(route=routes.PLAN, title="Interview plan · Assay", on_load=[AuthState.guard_page, PlanState.load])
def plan_page() -> rx.Component:
    own = PlanState.plan.job_id.to_string() == route_id("job_id")  # not the plan of the job before it
    # This address's refusal only: one left from the plan before waits for this one's load.
    refused = (PlanState.error != "") & (PlanState.error_for.to_string() == route_id("job_id"))
    return page_frame(
        rx.cond(
            own & (PlanState.plan.title != ""), PlanState.plan.title + ": interview plan", "Interview plan"
        ),
        # A spinner until the signed-in user's role is known: nobody sees controls not theirs.
        rx.cond(
            AuthState.user_role == "",
            rx.spinner(),
            rx.fragment(
                rx.cond(
                    AuthState.can_manage_pipeline,
                    rx.fragment(
                        _add_test_dialog(),
                        _delete_dialog(),
                        _notice(),
                        _remove_test_dialog(),
                        repair_dialog(PlanState),
                    ),
                ),
                rx.cond(
                    refused,
                    job_refusal(PlanState.error),
                    rx.cond(
                        own,
                        rx.cond(AuthState.can_manage_pipeline, _plan_body(), _plan_read()),
                        rx.spinner(aria_label="Loading the plan"),
                    ),
                ),
            ),
        ),
        # Not to a board that refuses them too (a job not on a hiring manager's team, or gone).
        actions=rx.cond(
            refused, rx.fragment(), link_button("kanban", "Back to the board", "/jobs/" + route_id("job_id"))
        ),
    )


def _plan_read() -> rx.Component:
    """The plan as a hiring manager reads it: each stage, its tests and how they are sent, with
    no control (the handlers refuse them every change all the same). Told first whose it is to
    change, so the missing controls are not taken for a page that failed to load."""
    return rx.vstack(
        rx.callout(
            "Only recruiters and admins change this plan: the stages, their tests and how they are "
            "sent. Ask a recruiter if this job's plan needs changing.",
            icon="info",
            color_scheme="gray",
            high_contrast=True,
            class_name="plan-read-only",
        ),
        rx.foreach(PlanState.plan.stages, _stage_read),
        width="100%",
        spacing="3",
        max_width="900px",
    )


def _stage_read(stage: PlanStage, index) -> rx.Component:
    """A stage's card to read: its place, name, kind, tests, live-interview link and sending."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(index + 1, ".", weight="bold", color_scheme="gray"),
                rx.heading(stage.name, as_="h2", size="3"),
                _kind(stage),
                _applications(stage),
                align="center",
                wrap="wrap",
            ),
            rx.foreach(
                stage.tests,
                lambda test: rx.vstack(
                    rx.hstack(
                        rx.icon("file-code", size=14),
                        rx.text(test.name, size="2", weight="medium"),
                        rx.text(test.vendor_name, size="1", color_scheme="gray"),
                        align="center",
                    ),
                    rx.cond(test.broken != "", _disconnected(test.broken)),
                    # The editor's words tell how to replace it, with controls a reader has not.
                    rx.cond(
                        test.unlisted != "",
                        _unlisted(
                            "The vendor no longer offers it: sending it is refused until a recruiter replaces it."
                        ),
                    ),
                    spacing="1",
                    class_name="stage-test",
                ),
            ),
            rx.cond(
                stage.live_template != "",
                rx.text("Live-interview link: ", stage.live_template, size="1"),
            ),
            rx.cond(stage.live_broken != "", _disconnected(stage.live_broken)),
            rx.cond(
                stage.live_unlisted != "",
                _unlisted(
                    "The vendor no longer offers its template: interviews booked here get no link until "
                    "a recruiter replaces it.",
                    "unlisted-link",
                ),
            ),
            rx.cond(
                stage.kind == "assessment", rx.text(_sending(stage), size="1", class_name="stage-sending")
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="plan-stage",
        custom_attrs={"data-stage": stage.name},
        key=stage.id,
    )


def _sending(stage: PlanStage) -> rx.Var:
    """How an assessment stage sends its tests, in the words its settings form uses."""
    return (
        rx.cond(
            stage.auto_send,
            "Sent automatically on entry.",
            "Not sent on entry: its tests wait in the queue's Needs sending.",
        )
        + rx.cond(
            stage.gating == "all",
            " Done when all tests are completed.",
            " Done when any one test is completed.",
        )
        + rx.cond(
            stage.deadline_days != "",
            " Deadline: " + stage.deadline_days + rx.cond(stage.deadline_days == "1", " day.", " days."),
            "",
        )
    )


def _plan_body() -> rx.Component:
    """The stages, and the form adding one: drawn for the address's job only (``route_id``)."""
    return rx.vstack(
        rx.foreach(PlanState.plan.stages, _stage),
        rx.form(
            rx.hstack(
                rx.input(
                    placeholder="New stage name",
                    value=PlanState.new_stage_name,
                    on_change=PlanState.set_new_stage_name,
                    aria_label="New stage name",
                ),
                rx.select.root(
                    rx.select.trigger(aria_label="Place of the new stage", max_width=PICKED_NAME_WIDTH),
                    rx.select.content(
                        rx.select.item("at the end", value="end"),
                        rx.foreach(
                            PlanState.plan.stages,
                            lambda stage: rx.select.item("after " + stage.name, value=stage.id.to_string()),
                        ),
                    ),
                    value=PlanState.new_stage_after,
                    on_change=PlanState.set_new_stage_after,
                ),
                rx.button(rx.icon("plus", size=14), "Add stage", type="submit"),
                align="center",
                wrap="wrap",
            ),
            on_submit=PlanState.add_stage,
            reset_on_submit=False,
        ),
        width="100%",
        spacing="3",
        max_width="900px",
    )
