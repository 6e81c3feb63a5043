"""Workspace settings an admin owns: the status chips' clocks."""

from __future__ import annotations

import reflex as rx

from dashboard.services import status_clocks
from dashboard.services.errors import BadValue, UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import current_user, requires
from dashboard.states.common import in_session


class TeamSettingsState(rx.State):
    """The settings page."""

    clocks: list[status_clocks.ClockView] = []
    error: str = ""
    # The input (its name, also its id) the error is about: marked invalid and focused.
    error_box: str = ""
    # The form's inputs are uncontrolled; a new key after a save or a restore re-mounts them
    # with what is stored.
    form_key: int = 0
    confirm_restore: bool = False

    async def _reload(self) -> None:
        self.clocks = await in_session(status_clocks.views)
        self.form_key += 1

    @rx.event
    @requires(Permission.MANAGE_SETTINGS, page_load=True)
    async def load(self):
        self.error, self.error_box, self.confirm_restore = "", "", False
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_SETTINGS)
    async def save(self, form: dict):
        """The times typed other than the form was drawn with; a bad one is named and nothing is
        saved. Every clock as typed, a second admin's form drawn earlier put back the first's
        change to a clock (or a time) the second never touched (helper-130, helper-131)."""
        values: dict[str, tuple[str | None, str | None]] = {}
        for c in self.clocks:
            amber, red = str(form.get(f"{c.state}_amber", "")), str(form.get(f"{c.state}_red", ""))
            # Each time as typed if changed, else None: the one drawn (a clock a colleague changed
            # since is refused, status_clocks.ChangedMeanwhile).
            changed = (
                None if c.amber_from_the_start or amber == c.amber else amber,  # no amber box there
                None if red == c.red else red,
            )
            if changed != (None, None):
                values[c.state] = changed
        user, drawn = current_user(), {c.state: (c.amber, c.red) for c in self.clocks}
        try:
            await in_session(lambda s: status_clocks.save(session=s, user=user, values=values, drawn=drawn))
        except status_clocks.ChangedMeanwhile as err:
            await self._reload()  # the form drawn again with the clocks in force
            self.error, self.error_box = str(err), ""
            return None
        except UserError as err:
            self.error, self.error_box = str(err), err.box if isinstance(err, BadValue) else ""
            # Typed values stay (the form is not re-mounted); the cursor goes where the fix is.
            return (
                rx.call_script(f"document.getElementById({self.error_box!r})?.focus()")
                if self.error_box
                else None
            )
        self.error, self.error_box = "", ""
        await self._reload()
        return rx.toast.success("Saved: boards and the queue colour their chips by these clocks now.")

    @rx.event
    @requires(Permission.MANAGE_SETTINGS)
    def ask_restore(self):
        self.confirm_restore = True

    @rx.event
    @requires(Permission.MANAGE_SETTINGS)
    def set_confirm_restore_open(self, is_open: bool):
        self.confirm_restore = is_open

    @rx.event
    @requires(Permission.MANAGE_SETTINGS)
    async def restore_defaults(self):
        user = current_user()
        try:
            await in_session(lambda s: status_clocks.restore_defaults(session=s, user=user))
        except UserError as err:
            return rx.toast.error(str(err))
        self.error, self.error_box, self.confirm_restore = "", "", False
        await self._reload()
        return rx.toast.success("The default clocks are back.")
