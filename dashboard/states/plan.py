"""Editing a job's interview plan: stages, the tests each sends, and how it sends them.

Recruiters and admins change it; a hiring manager on the job's team reads it (the page draws
no controls for them), and every change is refused to them on the server all the same.

The page is live (``live.keep_live``): a colleague's edit, saved in another tab or on
another worker, shows within a second. A refresh redraws the plan but leaves alone what
the viewer has open: the name box being typed in and the settings form being changed are
drawn by the values they started from (their ``key``), and the dialogs keep their choices.
An editor whose stage a colleague deleted says so rather than failing at the next click.
"""

from __future__ import annotations

import reflex as rx

from dashboard.services import pipeline, plans, views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission, require
from dashboard.services.wording import counted
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import id_in_path, in_session
from dashboard.states.picker import TestPicker
from dashboard.states.plan_repair import ConnectionRepair
from models import Gating

EMPTY = views.PlanView(0, "", [])


class PlanState(TestPicker, ConnectionRepair, rx.State):
    """The plan page; every change is saved at once and the plan reloaded, a colleague's too."""

    plan: views.PlanView = EMPTY
    loaded: bool = False
    revision: int = -1
    error: str = ""
    # The id the refusal is about: the next page opened drew it until its own load answered.
    error_for: int = 0
    # What happened to an editor the viewer had open, told once its stage is gone.
    notice: str = ""
    # The name box being typed in (focused): drawn by the name it started from, so a
    # colleague's rename of that stage does not replace what the viewer is typing.
    renaming_stage_id: int = 0
    renaming_from: str = ""
    # The settings form being changed: drawn by the settings it started from until saved
    # (its boxes keep unsaved choices); ``PlanStage.settings_version`` says if they moved.
    settings_stage_id: int = 0
    settings_from: str = ""
    new_stage_name: str = ""
    new_stage_after: str = "end"  # where a new stage goes: "end", or the id of the stage it follows
    # The name boxes are uncontrolled (typing stays in the browser until the box is left), so a
    # refused rename, which leaves the stored name as it was, bumps this to draw them afresh.
    name_resets: int = 0
    # Add-test dialog (a stage's tests, or its live-interview template): see TestPicker
    test_stage_id: int = 0
    test_stage_name: str = ""
    # Remove-test question: the stage's test being removed, and what removing it changes
    remove_test_id: int = 0  # 0: no question open
    remove_test_asked: int = 0  # the last one asked about, whose x has the focus back once kept
    remove_test_name: str = ""
    remove_test_stage: str = ""
    remove_test_text: str = ""
    # Delete dialog
    delete_stage_id: int = 0
    delete_stage_name: str = ""
    delete_count: int = 0  # its candidates still in the process
    delete_rejected: int = 0  # its rejected candidates, who move with them
    delete_target: str = ""
    # The stage of an open dialog was deleted by a colleague: the dialog says so.
    test_stage_gone: bool = False
    delete_stage_gone: bool = False

    @rx.var
    def delete_moving(self) -> str:
        """Who moves out of the stage being deleted: its candidates, and apart its rejected ones,
        who are sent nothing where they go (counted together, they passed for candidates sent it)."""
        active, rejected = self.delete_count, self.delete_rejected
        if not active and not rejected:
            return "No application is in this stage."
        if active:
            who = f"{counted(active, 'application')} {'is' if active == 1 else 'are'} in this stage"
            who += f", and {rejected} rejected. They move" if rejected else ". They move"
        else:
            who = f"{counted(rejected, 'rejected application')} {'is' if rejected == 1 else 'are'} in this stage. "
            who += "It moves" if rejected == 1 else "They move"
        return f"{who} to the stage you choose; assessments already sent keep their results."

    @rx.var
    def delete_target_sends(self) -> str:
        """What the stage chosen for a deleted stage's candidates sends them as they enter it.

        Deleting moves them as a move on the board would: into a stage sending its tests on
        entry, each of them is emailed a test. The question said only that they move, so a
        recruiter parking them there sent tests without a word before it.
        """
        target = next((s for s in self.plan.stages if str(s.id) == self.delete_target), None)
        if not self.delete_count or target is None or not target.tests:
            return ""
        tests = ", ".join(t.name for t in target.tests)
        if target.auto_send:
            them = "it" if len(target.tests) == 1 else "them"
            return f"{target.name} sends {tests} automatically on entry: they are sent {them} as they arrive."
        waits = "it waits" if len(target.tests) == 1 else "they wait"
        return f"{target.name} sends {tests}: for them {waits} in the queue's Needs sending."

    def _job_id(self) -> int:
        return id_in_path(self, "jobs")

    async def _reload(self) -> None:
        job_id = self._job_id()
        user = current_user()

        def load(session):
            # Reading a plan is seeing its job: a hiring manager sees their own jobs' only.
            require(user, Permission.VIEW_PIPELINE, job_id=job_id)
            # The revision before the plan: an edit landing in between wakes the watch again.
            return pipeline.job_revisions(session, [job_id]), views.plan(session, job_id)

        try:
            self.revision, self.plan = await in_session(load)
            self.error = ""
        except UserError as err:
            self.plan, self.error, self.revision, self.error_for = EMPTY, str(err), -1, job_id
        else:
            self._keep_open_editors()
        self.loaded = True

    def _keep_open_editors(self) -> None:
        """Fit what the viewer has open to the plan as it now is; say so when its stage is gone."""
        stages = {s.id: s for s in self.plan.stages}
        if self.new_stage_after != "end" and int(self.new_stage_after) not in stages:
            self.new_stage_after = "end"  # the stage it would follow is gone: no choice naming nothing
        if self.renaming_stage_id and self.renaming_stage_id not in stages:
            self.notice = f"A colleague deleted the stage {self.renaming_from} while you were renaming it."
            self.renaming_stage_id, self.renaming_from = 0, ""
        if self.settings_stage_id and self.settings_stage_id not in stages:
            self.notice = (
                "A colleague deleted the stage whose settings you were changing; they were not saved."
            )
            self.settings_stage_id, self.settings_from = 0, ""
        self.test_stage_gone = bool(self.test_stage_id) and self.test_stage_id not in stages
        self.delete_stage_gone = bool(self.delete_stage_id) and self.delete_stage_id not in stages
        if self.delete_stage_id and not self.delete_stage_gone:
            stage = stages[self.delete_stage_id]
            self.delete_count, self.delete_rejected = stage.applications, stage.rejected
            others = [i for i in stages if i != self.delete_stage_id]
            if not self.delete_target or int(self.delete_target) not in others:
                self.delete_target = str(others[0]) if others else ""

    async def _try(self, work) -> str:
        """Make a change and reload the plan; the service's refusal, or "" once it is done."""
        try:
            await in_session(work)
        except UserError as err:
            await self._reload()
            return str(err)
        await self._reload()
        return ""

    async def _change(self, work, success: str = ""):
        if refusal := await self._try(work):
            return rx.toast.error(refusal)
        return rx.toast.success(success) if success else None

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        """Page load: nothing open yet; the watch starts from what it read.

        A hiring manager reads the plan (the stages their candidates go through, the tests each
        sends): refused it, they decided on candidates without knowing what came next. Every
        change stays the recruiters' and admins' (``MANAGE_PIPELINE`` on each handler).
        """
        self.revision, self.notice, self.name_resets = -1, "", 0
        self.renaming_stage_id, self.renaming_from, self.settings_stage_id, self.settings_from = 0, "", 0, ""
        self.test_stage_id, self.delete_stage_id = 0, 0
        self.repair_test_id = self.repair_link_stage_id = 0
        await self._reload()
        return PlanState.watch

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Started by the page's load: keeps the plan live while it is open (``live.keep_live``)."""
        return await live.keep_live(
            self,
            Permission.VIEW_PIPELINE,
            lambda: [self._job_id()],
            self._reload,
            paused=lambda: not self.plan.job_id,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def dismiss_notice(self):
        self.notice = ""

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_new_stage_name(self, value: str):
        self.new_stage_name = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_new_stage_after(self, value: str):
        self.new_stage_after = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def add_stage(self, _form: dict | None = None):
        """Add a stage where the place select says (at the end unless told); the next one added
        follows it, so a few stages typed in a row keep the order they were typed in."""
        job_id, name = self._job_id(), self.new_stage_name
        after = None if self.new_stage_after == "end" else int(self.new_stage_after)
        added: list[int] = []

        def add(s) -> None:
            added.append(plans.add_stage(session=s, job_id=job_id, name=name, after_stage_id=after).id)

        if refusal := await self._try(add):
            return rx.toast.error(refusal)  # the typed name stays in its box, to be corrected
        self.new_stage_name = ""
        if after is not None:
            self.new_stage_after = str(added[0])
        return rx.toast.success(f"Stage {name.strip()!r} added.")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def start_rename(self, stage_id: int):
        """The viewer entered a stage's name box: hold the name it shows while they type."""
        stage = next((s for s in self.plan.stages if s.id == stage_id), None)
        if stage is not None and self.renaming_stage_id != stage_id:
            self.renaming_stage_id, self.renaming_from = stage.id, stage.name

    async def _rename(self, stage_id: int, name: str, *, keep_focus: bool = False):
        started_from = self.renaming_from if self.renaming_stage_id == stage_id else None
        # The box is drawn by the stored name again (a colleague's, if they renamed it meanwhile).
        self.renaming_stage_id, self.renaming_from = 0, ""
        current = next((s.name for s in self.plan.stages if s.id == stage_id), None)
        # Left as it was: nothing to save, and a colleague's new name is not overwritten by the old.
        if current is None or name.strip() in (current, started_from):
            return
        # Saved or refused, the box is drawn afresh (its key is the stored name): Enter left the
        # focus on nothing, the next Tab starting from the navigation. It goes back in the box.
        box = stage_name_id(stage_id)
        focus = [rx.call_script(f"document.getElementById({box!r})?.focus()")] if keep_focus else []
        if refusal := await self._try(lambda s: plans.rename_stage(session=s, stage_id=stage_id, name=name)):
            self.name_resets += 1  # the box shows the stored name again, not the refused one
            return [rx.toast.error(refusal), *focus]
        if started_from is not None and started_from != current:
            said = f"Renamed; this replaces {current}, a colleague's name for it meanwhile."
            return [rx.toast.success(said), *focus]
        return [rx.toast.success("Renamed."), *focus]

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def rename(self, stage_id: int, name: str):
        """Save a stage's new name (on leaving its box; leaving it unchanged saves nothing)."""
        return await self._rename(stage_id, name)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def rename_typed(self, form: dict):
        """Enter in a stage's name box: save it there and then (it saved only on leaving the box)."""
        return await self._rename(int(form.get("stage_id") or 0), str(form.get("name", "")), keep_focus=True)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def shift(self, stage_id: int, by: int):
        """Move a stage up (-1) or down (+1).

        Moved to the top (or the bottom), the arrow just pressed goes disabled and the browser
        drops the focus to the page's top; it goes to the stage's other arrow, so a keyboard
        user goes on from the stage they were moving (and can move it back).
        """
        index = next((i for i, s in enumerate(self.plan.stages) if s.id == stage_id), None)
        if index is None:
            return
        if refusal := await self._try(
            lambda s: plans.move_stage(session=s, stage_id=stage_id, position=index + by)
        ):
            return rx.toast.error(refusal)
        order = [s.id for s in self.plan.stages]
        if stage_id in order and order.index(stage_id) == (0 if by < 0 else len(order) - 1):
            other = stage_arrow_id(stage_id, "down" if by < 0 else "up")
            return rx.call_script(f"document.getElementById({other!r})?.focus()")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def start_settings(self, stage_id: int):
        """The viewer entered a stage's settings form: hold the settings it shows until saved."""
        stage = next((s for s in self.plan.stages if s.id == stage_id), None)
        if stage is not None and self.settings_stage_id != stage_id:
            self.settings_stage_id, self.settings_from = stage.id, stage.settings_version

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def show_stored_settings(self):
        """Drop the viewer's unsaved settings for the ones a colleague saved meanwhile."""
        self.settings_stage_id, self.settings_from = 0, ""

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def save_settings(self, form: dict):
        """An assessment stage's sending: automatic or on a click, gating, deadline."""
        stage_id = int(form.get("stage_id") or 0)
        deadline_text = str(form.get("deadline_days", "")).strip()
        try:
            deadline = int(deadline_text) if deadline_text else None
        except ValueError:
            return rx.toast.error("The deadline is a whole number of days.")
        reminder_text = str(form.get("reminder_hours", "")).strip()
        try:
            reminder = int(reminder_text) if reminder_text else None
        except ValueError:
            return rx.toast.error("The reminder is a whole number of hours.")
        auto = str(form.get("send_automatically", "")).lower() in ("on", "true", "1")
        gating = Gating(form.get("gating") or "all")
        stage = next((s for s in self.plan.stages if s.id == stage_id), None)
        turned_on = auto and stage is not None and not stage.auto_send
        if refusal := await self._try(
            lambda s: plans.configure_stage(
                session=s,
                stage_id=stage_id,
                send_automatically=auto,
                gating=gating,
                deadline_days=deadline,
                reminder_hours=reminder,
            )
        ):
            return rx.toast.error(refusal)  # held still: what was typed stays, to be corrected
        if self.settings_stage_id == stage_id:
            self.settings_stage_id, self.settings_from = 0, ""  # saved: the form is the stored settings
        waiting = await in_session(lambda s: plans.waiting_to_send(s, stage_id)) if turned_on else 0
        if waiting:
            # Sending on entry is for candidates entering from now on: those waiting were not sent.
            return rx.toast.info(
                f"Stage settings saved. The {counted(waiting, 'test')} already waiting in Needs sending "
                f"for this stage {'is' if waiting == 1 else 'are'} not sent by this: send them from the queue."
            )
        return rx.toast.success("Stage settings saved.")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def ask_remove_test(self, stage_test_id: int):
        """Say what removing a stage's test changes for its candidates before doing it."""
        try:
            removal = await in_session(lambda s: plans.removal_of(s, stage_test_id))
        except UserError as err:  # removed meanwhile, in another tab
            await self._reload()
            return rx.toast.error(str(err))
        self.remove_test_id = self.remove_test_asked = stage_test_id
        self.remove_test_name, self.remove_test_stage = removal.test_name, removal.stage_name
        self.remove_test_text = _removal_text(removal)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_remove_test_open(self, open_: bool):
        if not open_:
            self.remove_test_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def confirm_remove_test(self):
        """Stop sending the test asked about (attempts already opened or sent stay)."""
        stage_test_id = self.remove_test_id
        self.remove_test_id = 0
        dropped: list[str] = []  # a deadline or reminder that went with it, as it was done
        if refusal := await self._try(
            lambda s: dropped.append(plans.remove_stage_test(session=s, stage_test_id=stage_test_id))
        ):
            return rx.toast.error(refusal)
        return rx.toast.success(
            f"{self.remove_test_name} removed from {self.remove_test_stage}. {dropped[0]}".strip()
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def open_add_test(self, stage_id: int, stage_name: str, for_live: bool):
        """Pick a vendor connection and one of its tests (or live-interview templates)."""
        self.test_stage_id, self.test_stage_name, self.test_stage_gone = stage_id, stage_name, False
        if await self._open_picker(live=for_live):
            return PlanState.open_on_first_with_tests()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def close_add_test(self, open_: bool):
        if not open_:
            self.test_stage_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def add_test(self):
        """Add the picked test to the stage (or make it the stage's live-interview template)."""
        stage_id, integration_id, test_id = self.test_stage_id, int(self.connection_id or 0), self.test_id
        if self.test_stage_gone:
            return rx.toast.error(
                f"A colleague deleted {self.test_stage_name}: there is nothing to add it to."
            )
        name = self._picked_name()
        try:
            if self.picker_live:
                await in_session(
                    lambda s: plans.set_live_interview_template(
                        session=s,
                        stage_id=stage_id,
                        integration_id=integration_id,
                        template_id=test_id,
                        template_name=name,
                    )
                )
            else:
                await in_session(
                    lambda s: plans.add_stage_test(
                        session=s,
                        stage_id=stage_id,
                        integration_id=integration_id,
                        vendor_test_id=test_id,
                        vendor_test_name=name,
                    )
                )
        except UserError as err:
            self.picker_error = str(err)
            return
        self.test_stage_id = 0
        await self._reload()
        added = f"{name} added to {self.test_stage_name}."
        if not self.picker_live:
            added += _not_sent_to_those_in(next((s for s in self.plan.stages if s.id == stage_id), None))
        return rx.toast.success(added)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def clear_live_template(self, stage_id: int):
        return await self._change(
            lambda s: plans.set_live_interview_template(
                session=s, stage_id=stage_id, integration_id=None, template_id="", template_name=""
            ),
            "Live-interview link removed.",
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def ask_delete(self, stage_id: int):
        """Open the delete confirmation, which says how many applications must move and where."""
        stage = next((s for s in self.plan.stages if s.id == stage_id), None)
        if stage is None:
            return
        self.delete_stage_id, self.delete_stage_name = stage.id, stage.name
        self.delete_count, self.delete_rejected = stage.applications, stage.rejected
        self.delete_stage_gone = False
        others = [s for s in self.plan.stages if s.id != stage_id]
        self.delete_target = str(others[0].id) if others else ""

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_delete_target(self, value: str):
        self.delete_target = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def close_delete(self, open_: bool):
        if not open_:
            self.delete_stage_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def confirm_delete(self):
        """Delete the stage, moving its applications to the chosen stage."""
        stage_id, target = self.delete_stage_id, int(self.delete_target or 0) or None
        self.delete_stage_id = 0
        if self.delete_stage_gone:
            return rx.toast.error(f"A colleague has deleted {self.delete_stage_name} already.")
        # Its editors close with it, without telling the viewer a colleague deleted it.
        if self.renaming_stage_id == stage_id:
            self.renaming_stage_id = 0
        if self.settings_stage_id == stage_id:
            self.settings_stage_id = 0
        try:
            # Slow work: each card enters the chosen stage (a commit each, and a vendor's send each
            # where it sends on entry); thousands of them take seconds.
            outcome = await in_session(
                lambda s: pipeline.delete_stage(
                    session=s, stage_id=stage_id, move_to_stage_id=target, actor=acting_user()
                ),
                slow=True,
            )
        except UserError as err:
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        # Its candidates entered the chosen stage: a test it sends on entry that failed is an error.
        return (rx.toast.error if outcome.not_sent else rx.toast.success)(outcome.message)


def _not_sent_to_those_in(stage: views.PlanStage | None) -> str:
    """A test added to a stage is sent to candidates who enter it from now on, not to those in it
    already: nothing is opened for them (no queue row, nothing on their cards). Said, so the
    recruiter sends it to them by hand rather than wait for results never asked for."""
    if stage is None or not stage.applications:
        return ""
    who = "candidate" if stage.applications == 1 else "candidates"
    verb = "is" if stage.applications == 1 else "are"
    return (
        f" The {stage.applications} {who} already in {stage.name} {verb} not sent it: "
        "send it from the application page (Send an assessment)."
    )


def stage_name_id(stage_id: int) -> str:
    """The element id of a stage's name box on the plan page (pages.plan draws it)."""
    return f"stage-name-{stage_id}"


def stage_arrow_id(stage_id: int, direction: str) -> str:
    """The element id of a stage's up or down arrow on the plan page (pages.plan draws it)."""
    return f"move-{direction}-{stage_id}"


def _removal_text(removal: plans.StageTestRemoval) -> str:
    """The question's words: who stops getting the test, and what stays as it is."""
    stage = removal.stage_name
    if removal.sends_automatically:
        future = f"Candidates who enter {stage} from now on are no longer sent it automatically."
    else:
        future = f"Candidates who enter {stage} from now on no longer get it in the queue to send."
    words = [
        future,
        f"Assessments of it already sent stay with their candidates and keep their results "
        f"({removal.with_candidates} not finished yet); {removal.not_sent} not sent yet stay "
        "in the queue's Needs sending.",
    ]
    if removal.only_test:
        words.append(
            f"It is {stage}'s only test: the stage becomes a regular stage, with no assessment to send; "
            "its settings start afresh should a test be added again."
        )
    if removal.drops:
        words.append(removal.drops)
    return " ".join(words)
