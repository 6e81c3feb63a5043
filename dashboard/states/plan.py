"""Editing a job's interview plan: stages, the tests each sends, and how it sends them."""

from __future__ import annotations

import reflex as rx

from dashboard.services import pipeline, plans, views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import acting_user, requires
from dashboard.states.common import id_in_path, in_session
from dashboard.states.picker import TestPicker
from models import Gating

EMPTY = views.PlanView(0, "", [])


class PlanState(TestPicker, rx.State):
    """The plan page; every change is saved at once and the plan reloaded."""

    plan: views.PlanView = EMPTY
    loaded: bool = False
    error: str = ""
    new_stage_name: str = ""
    # The name boxes are uncontrolled (typing stays in the browser until the box is left), so a
    # refused rename, which leaves the stored name as it was, bumps this to draw them afresh.
    name_resets: int = 0
    # Add-test dialog (a stage's tests, or its live-interview template): see TestPicker
    test_stage_id: int = 0
    test_stage_name: str = ""
    # Delete dialog
    delete_stage_id: int = 0
    delete_stage_name: str = ""
    delete_count: int = 0
    delete_target: str = ""

    def _job_id(self) -> int:
        return id_in_path(self, "jobs")

    async def _reload(self) -> None:
        job_id = self._job_id()
        try:
            self.plan = await in_session(lambda s: views.plan(s, job_id))
            self.error = ""
        except UserError as err:
            self.plan, self.error = EMPTY, str(err)
        self.loaded = True

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
    @requires(Permission.MANAGE_PIPELINE)
    async def load(self):
        """Page load."""
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_new_stage_name(self, value: str):
        self.new_stage_name = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def add_stage(self, _form: dict | None = None):
        """Add a stage at the end of the plan."""
        job_id, name = self._job_id(), self.new_stage_name
        if refusal := await self._try(lambda s: plans.add_stage(session=s, job_id=job_id, name=name)):
            return rx.toast.error(refusal)  # the typed name stays in its box, to be corrected
        self.new_stage_name = ""
        return rx.toast.success(f"Stage {name.strip()!r} added.")

    async def _rename(self, stage_id: int, name: str):
        current = next((s.name for s in self.plan.stages if s.id == stage_id), None)
        if current is None or current == name.strip():
            return
        if refusal := await self._try(lambda s: plans.rename_stage(session=s, stage_id=stage_id, name=name)):
            self.name_resets += 1  # the box shows the stored name again, not the refused one
            return rx.toast.error(refusal)
        return rx.toast.success("Renamed.")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def rename(self, stage_id: int, name: str):
        """Save a stage's new name (on leaving its box; leaving it unchanged saves nothing)."""
        return await self._rename(stage_id, name)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def rename_typed(self, form: dict):
        """Enter in a stage's name box: save it there and then (it saved only on leaving the box)."""
        return await self._rename(int(form.get("stage_id") or 0), str(form.get("name", "")))

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def shift(self, stage_id: int, by: int):
        """Move a stage up (-1) or down (+1)."""
        index = next((i for i, s in enumerate(self.plan.stages) if s.id == stage_id), None)
        if index is None:
            return
        return await self._change(
            lambda s: plans.move_stage(session=s, stage_id=stage_id, position=index + by)
        )

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
        return await self._change(
            lambda s: plans.configure_stage(
                session=s,
                stage_id=stage_id,
                send_automatically=auto,
                gating=gating,
                deadline_days=deadline,
                reminder_hours=reminder,
            ),
            "Stage settings saved.",
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def remove_test(self, stage_test_id: int):
        """Stop sending one of a stage's tests (attempts already sent stay)."""
        return await self._change(
            lambda s: plans.remove_stage_test(session=s, stage_test_id=stage_test_id),
            "Test removed from the stage.",
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def open_add_test(self, stage_id: int, stage_name: str, for_live: bool):
        """Pick a vendor connection and one of its tests (or live-interview templates)."""
        self.test_stage_id, self.test_stage_name = stage_id, stage_name
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
        return rx.toast.success(f"{name} added to {self.test_stage_name}.")

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
        self.delete_stage_id, self.delete_stage_name, self.delete_count = (
            stage.id,
            stage.name,
            stage.applications,
        )
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
        try:
            outcome = await in_session(
                lambda s: pipeline.delete_stage(
                    session=s, stage_id=stage_id, move_to_stage_id=target, actor=acting_user()
                )
            )
        except UserError as err:
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        # Its candidates entered the chosen stage: a test it sends on entry that failed is an error.
        return (rx.toast.error if outcome.not_sent else rx.toast.success)(outcome.message)
