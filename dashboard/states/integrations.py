"""The integrations page: connections, their health, and connect / rotate / disconnect.

The pasted key arrives once, in the form submission, goes straight to the
service and is never kept in a state var, so it is never sent back to the browser.
The webhook URL's token is sent only when an admin asks to reveal it.
"""

from __future__ import annotations

import secrets
import threading

import reflex as rx
from reflex.experimental.client_state import ClientStateVar

from dashboard.services import integrations as integration_service
from dashboard.services import pipeline, sync, views, webhooks
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.services.wording import counted
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import in_session

# A revealed webhook URL (its token) and signing secret live in the browser only: a state
# var is stored server-side (in Redis in production, for an hour after the tab closes),
# where no secret belongs. The state keeps which connection is revealed, not what.
REVEALED_URL = ClientStateVar.create("assay_revealed_webhook_url", default="")
REVEALED_SECRET = ClientStateVar.create("assay_revealed_webhook_secret", default="")
# Which connect dialog is open ("new <vendor>", "edit <connection id>", "" none) and the region
# picked in it ("": the one it opened with): the browser opens it on the click, not the server's
# answer, which on a busy server left what the admin typed at once to the page.
CONNECT_DIALOG = ClientStateVar.create("assay_connect_dialog", default="")
CONNECT_REGION = ClientStateVar.create("assay_connect_region", default="")
# The saves under way in this process, by their ``connecting`` token: set when the admin closes the
# dialog while the vendor is asked, read by the service (in its worker thread) once it answers.
# A tab's events all reach the worker its websocket is on, the save's and the cancel's alike.
_withdrawals: dict[str, threading.Event] = {}


def _stages_left_behind(stages: list[str]) -> str:
    """What disconnecting does to the plan stages sending tests through the connection ("" if none)."""
    if not stages:
        return ""
    if len(stages) == 1:
        return (
            f" The stage {stages[0]} sends its tests: no candidate can enter it until it sends "
            "others (connecting again makes a new connection, which it does not use)."
        )
    return (
        f" The stages {', '.join(stages[:-1])} and {stages[-1]} send its tests: no candidate can "
        "enter them until they send others (connecting again makes a new connection, which they do not use)."
    )


def _bookings_left_behind(stages: list[str]) -> str:
    """What disconnecting does to the stages making their live-interview link through it ("" if none)."""
    if not stages:
        return ""
    where = stages[0] if len(stages) == 1 else f"{', '.join(stages[:-1])} and {stages[-1]}"
    return (
        f" Interviews booked in {where} get their link through it: none can be booked there until "
        "the link is repaired in the interview plan."
    )


class IntegrationsState(rx.State):
    """Connections and the connect dialog."""

    connections: list[views.IntegrationView] = []
    vendors: list[views.VendorView] = []
    loaded: bool = False
    # What belongs to no job (``pipeline.outside_jobs_revision``) as the connections were read.
    revision: int = -1
    dialog_open: bool = False  # a connect dialog (CONNECT_DIALOG) is open: the watch waits
    editing_id: int = 0  # 0: a new connection
    vendor: str = ""
    name: str = ""
    region: str = "sandbox"
    custom_base_url: str = ""
    saving: bool = False
    connecting: str = ""  # the token of the save under way (``_withdrawals``), "" if none
    form_error: str = ""
    revealed_id: int = 0  # the connection whose webhook URL (REVEALED_URL) is shown
    syncing_id: int = 0
    confirm_disconnect_id: int = 0
    confirm_disconnect_title: str = ""
    confirm_disconnect_text: str = ""
    renaming_id: int = 0  # the connection whose Rename dialog is open
    rename_to: str = ""  # kept when refused, to be corrected
    rename_error: str = ""

    async def _reload(self) -> None:
        def read(session):
            # The revision first: a health change landing between the two is read again at the next wake.
            return pipeline.outside_jobs_revision(session), views.integrations(session)

        self.revision, self.connections = await in_session(read)
        self.vendors = views.vendors(self.connections)
        self.loaded = True

    def _dialog(self) -> str:
        """The dialog open, as the page names it (``CONNECT_DIALOG``): "new <vendor>" or "edit <id>"."""
        return f"edit {self.editing_id}" if self.editing_id else f"new {self.vendor}"

    def _busy(self) -> bool:
        """A dialog is open: a reload now could redraw what the admin is typing or deciding on;
        the watch's catch-up reloads the page once it is closed."""
        return self.dialog_open or bool(self.renaming_id) or bool(self.confirm_disconnect_id)

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS, page_load=True)
    async def load(self):
        # A sync or save cut short by a restart of the server would leave its button spinning forever.
        # The page drawn anew has no dialog open: a save still under way is withdrawn, as its
        # dialog's Cancel would (the admin left it), and its refusal or success is not kept for
        # a dialog opened later.
        self.revealed_id, self.syncing_id, self.dialog_open, self.form_error = 0, 0, False, ""
        if withdrawal := _withdrawals.get(self.connecting):
            withdrawal.set()
        self.connecting, self.saving = "", False
        await self._reload()

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Listed in the page's ``on_load``, after ``load``: a connection's health follows its vendor
        (a sweep failing, or succeeding again) without a reload, and so does the navigation's
        unread count (``live.keep_up_outside_jobs``). Cancelled with the page.

        To a hiring manager the page says whose it is, and shows no connection: their watch keeps
        the count alone, with no "cannot do this" for opening it."""
        if not current_user().may(Permission.MANAGE_INTEGRATIONS):
            return await live.keep_counting(self, Permission.VIEW_PIPELINE)
        return await live.keep_up_outside_jobs(
            self, Permission.MANAGE_INTEGRATIONS, self._reload, paused=self._busy
        )

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    def open_dialog(self, vendor: str, integration_id: int, name: str, region: str, custom_base_url: str):
        """What the dialog the browser opened saves: a new connection (id 0), or a key rotation /
        region change of one."""
        self.vendor, self.editing_id, self.name = vendor, integration_id, name
        self.region, self.custom_base_url, self.form_error = region, custom_base_url, ""
        self.dialog_open = True

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    def set_dialog_open(self, value: bool):
        """The dialog closed (Cancel, Escape, a click beside it): a save waiting for the vendor is
        withdrawn, and whatever the vendor answers, nothing is connected or changed."""
        self.dialog_open = value
        if value:
            return None
        self.form_error = ""  # not shown in the next dialog opened
        withdrawal = _withdrawals.get(self.connecting)
        self.connecting, self.saving = "", False
        if withdrawal is None:
            return None
        withdrawal.set()
        return rx.toast.info("Cancelled: nothing is connected or changed.")

    @rx.event(background=True)
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def save(self, form: dict):
        """Validate the key live against the vendor, then save and close.

        In the background: the vendor may take seconds (up to the HTTP timeout) to answer, and
        the admin may close the dialog meanwhile (``set_dialog_open``), which withdraws the save.
        """
        token, withdrawal = secrets.token_hex(8), threading.Event()
        _withdrawals[token] = withdrawal
        async with self:
            # One at a time (a second Save & close while the first waits); and none once its dialog
            # was closed: a cancel may take the state before this save does, and another dialog may
            # have been opened since (``dialog`` names the one the form was in).
            if self.connecting or not self.dialog_open or form.get("dialog") != self._dialog():
                _withdrawals.pop(token, None)
                return
            self.saving, self.form_error, self.connecting = True, "", token
            vendor, editing, region = self.vendor, self.editing_id, str(form.get("region") or self.region)
            name = str(form.get("name", self.name))
        actor = acting_user()
        custom = str(form.get("custom_base_url", ""))
        key = str(form.get("api_key", ""))
        options = {k.removeprefix("option_"): str(v) for k, v in form.items() if k.startswith("option_")}

        def save(s):
            if editing:
                return integration_service.update_connection(
                    session=s,
                    integration_id=editing,
                    region=region,
                    custom_base_url=custom,
                    api_key=key,
                    options=options,
                    actor=actor,
                    withdrawn=withdrawal.is_set,
                )
            return integration_service.connect(
                session=s,
                vendor=vendor,
                name=name,
                region=region,
                custom_base_url=custom,
                api_key=key,
                options=options,
                actor=actor,
                withdrawn=withdrawal.is_set,
            )

        try:
            # Not the slow pool: behind a Sync now or a pasted list there, Connect spun for minutes.
            saved = await in_session(save)
        except Exception as err:  # a refusal is said in the dialog; a fault of ours, logged, frees it too
            async with self:
                if self.connecting == token:
                    self.saving, self.connecting = False, ""
                    self.form_error = (
                        str(err)
                        if isinstance(err, UserError)
                        else "Not saved: Assay failed on its side (logged for whoever runs it). Try again."
                    )
            if isinstance(err, UserError):
                return
            raise
        finally:
            _withdrawals.pop(token, None)
        async with self:
            late = self.connecting != token  # closed after the vendor's answer was taken, before it was saved
            if not late:
                self.saving, self.dialog_open, self.connecting = False, False, ""
            await self._reload()
        if late:
            yield rx.toast.warning(
                f"{saved.name} was saved before it could be cancelled. Disconnect it (or rotate the key "
                "back) if it is not wanted."
            )
            return
        yield [
            CONNECT_DIALOG.push(""),
            rx.toast.success(f"The key for {saved.name} was checked with the vendor and saved."),
        ]
        if editing:
            yield IntegrationsState.retry_waiting_webhooks(saved.id)

    @rx.event(background=True)
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def retry_waiting_webhooks(self, integration_id: int):
        """After a key is mended: apply the deliveries it held back, without waiting for the scheduler.

        In the background, as the vendor's rate limit may make a long backlog take longer
        than a page may hold its state.
        """
        retried = await in_session(
            lambda s: webhooks.retry_waiting(session=s, integration_id=integration_id), slow=True
        )
        if not retried.summary():
            return
        async with self:
            await self._reload()
        yield rx.toast.info(retried.summary())

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def reveal_webhook(self, integration_id: int):
        """Show one connection's full webhook URL, token included, to paste at the vendor, and
        the secret a signing vendor asks for."""

        def read(session) -> tuple[str, str]:
            integration = integration_service.get_integration(session, integration_id)
            return integration_service.webhook_url(integration), integration_service.webhook_secret(
                integration
            )

        try:
            url, secret = await in_session(read)
        except UserError as err:
            return rx.toast.error(str(err))
        self.revealed_id = integration_id
        return [REVEALED_URL.push(url), REVEALED_SECRET.push(secret)]

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    def hide_webhook(self):
        self.revealed_id = 0
        return [REVEALED_URL.push(""), REVEALED_SECRET.push("")]

    @rx.event(background=True)
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def sync_now(self, integration_id: int):
        """Reconcile this connection's open attempts with the vendor now, and apply its waiting webhooks.

        In the background: a big connection's sweep, paced by the vendor's rate limit, may
        take longer than a page may hold its state (Redis's lock lease in production).
        """
        async with self:
            busy = self.syncing_id
            if not busy:
                self.syncing_id = integration_id
        if busy:
            yield rx.toast.info("A sync started on this page is still running; try again when it ends.")
            return
        actor = acting_user()
        try:
            report = await in_session(
                lambda s: sync.sync_integration(session=s, integration_id=integration_id, actor=actor),
                slow=True,
            )
            retried = webhooks.Retried(0, 0, 0)
            if not report.error:
                retried = await in_session(
                    lambda s: webhooks.retry_waiting(session=s, integration_id=integration_id), slow=True
                )
        finally:
            async with self:
                self.syncing_id = 0
                await self._reload()
        if report.error:
            yield rx.toast.error(f"Sync failed: {report.error}")
            return
        checked = f"Checked {report.open_attempts} open attempts; corrected {report.corrected}."
        if report.unlisted:
            said = (checked, retried.summary(), report.unlisted)
            yield rx.toast.warning(" ".join(part for part in said if part))
            return
        yield rx.toast.success(f"{checked} {retried.summary()}".strip())

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def set_sync_every(self, integration_id: int, value: str):
        """Sweep one connection at its own interval ("default": the workspace's)."""
        actor = acting_user()
        # Anything but "default" or a number of seconds is refused by the service, with the choices.
        seconds = None if value == "default" else int(value) if value.isdigit() else 0
        try:
            saved = await in_session(
                lambda s: integration_service.set_sync_interval(
                    session=s, integration_id=integration_id, seconds=seconds, actor=actor
                )
            )
        except UserError as err:
            yield rx.toast.error(str(err))
            return
        await self._reload()
        label = integration_service.sync_interval_label(saved.sync_every_seconds)
        yield rx.toast.success(f"{saved.name} will be synced {label}.")

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def ask_disconnect(self, integration_id: int, name: str):
        """Say what disconnecting does before doing it, naming the connection in the title.

        With nothing unfinished it says so plainly: "0 unfinished assessments will be marked
        failed (0 sent to candidates, 0 not sent yet)" read like a count to worry about. It names
        the plan stages sending through it, which no candidate can enter once it is gone.
        """

        def read(s):
            return (
                integration_service.unfinished_attempts(s, integration_id),
                integration_service.stages_sending_through(s, integration_id),
                integration_service.stages_booking_through(s, integration_id),
            )

        (sent, not_sent), stages, booking = await in_session(read)
        self.confirm_disconnect_id = integration_id
        self.confirm_disconnect_title = f"Disconnect {name}?"
        what_happens = "Its key is erased and its webhook stops working. "
        if sent + not_sent == 0:
            what_happens += "It has no unfinished assessments: nothing will be marked failed."
        else:
            what_happens += (
                f"{counted(sent + not_sent, 'unfinished assessment')} will be marked failed ({sent} sent to "
                f"candidates, {not_sent} not sent yet): candidates keep their links at the vendor, "
                "but Assay will no longer follow them."
            )
        self.confirm_disconnect_text = (
            what_happens + _stages_left_behind(stages) + _bookings_left_behind(booking)
        )

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    def set_confirm_disconnect_open(self, value: bool):
        if not value:
            self.confirm_disconnect_id = 0

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def disconnect(self):
        integration_id, actor = self.confirm_disconnect_id, acting_user()
        self.confirm_disconnect_id = 0
        try:
            affected = await in_session(
                lambda s: integration_service.disconnect(
                    session=s, integration_id=integration_id, actor=actor
                )
            )
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(integration_service.disconnected(affected))

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    def ask_rename(self, integration_id: int, name: str):
        self.renaming_id, self.rename_to, self.rename_error = integration_id, name, ""

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    def set_rename_open(self, value: bool):
        if not value:
            self.renaming_id = 0

    @rx.event
    @requires(Permission.MANAGE_INTEGRATIONS)
    async def rename(self, form: dict):
        """Rename the connection (its key and region stay); a refused name stays in the box."""
        integration_id, name, actor = self.renaming_id, str(form.get("name", "")), acting_user()
        self.rename_to = name
        try:
            renamed = await in_session(
                lambda s: integration_service.rename_connection(
                    session=s, integration_id=integration_id, name=name, actor=actor
                )
            )
        except UserError as err:
            self.rename_error = str(err)
            return
        self.renaming_id, self.rename_error = 0, ""
        await self._reload()
        return rx.toast.success(f"Renamed to {renamed.name}.")
