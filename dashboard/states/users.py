"""Admins manage the team: invite, change role, deactivate, assign hiring managers to jobs."""

from __future__ import annotations

import json

import reflex as rx
from reflex.experimental.client_state import ClientStateVar

from dashboard.services import accounts, views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import AuthState, current_user, requires
from dashboard.states.common import in_session
from models import Role, User, folded

# The first password of the person just invited lives in the browser only, as a revealed webhook
# URL does: a state var is stored server-side (in Redis in production, for an hour after the tab
# closes), and was shown again on coming back to the page. Leaving the page forgets it: shown once.
FIRST_PASSWORD = ClientStateVar.create("assay_first_password", default="")


SEARCH_BOX_ID = "users-search"

ROLES = {"admin": "Admin", "recruiter": "Recruiter", "hiring_manager": "Hiring manager"}  # as people say them


class UsersState(rx.State):
    """The users page."""

    users: list[views.UserView] = []
    # How many people the search matches (the whole team, with no search); ``users`` holds the
    # first ``views.USERS_SHOWN`` of them by name.
    total: int = 0
    search: str = ""
    jobs: list[views.Choice] = []  # every job, for the "Add to a job" list (a datalist, once a page)
    invite_error: str = ""
    invited_email: str = ""  # whose FIRST_PASSWORD is shown
    password_is_new: bool = False  # FIRST_PASSWORD holds a new password given on the list, not an invite's
    # The invite form's boxes, held here so a refused invite keeps them (to be corrected)
    invite_name: str = ""
    invite_email: str = ""
    invite_role: str = "recruiter"  # back to the least power after each invite, never carried to the next
    # Deactivate dialog: deactivating signs the person out, so it asks first
    deactivate_user_id: int = 0
    deactivate_name: str = ""
    # The role an admin picked in their own Role box: it takes this page away from them, so it asks first
    demote_self_role: str = ""
    # Another admin whose Role box was set away from admin: it takes the admin pages from them, so it asks first
    demote_user_id: int = 0
    demote_name: str = ""
    demote_role: str = ""
    # New password dialog: the person's old password and sessions end, so it asks first
    new_password_user_id: int = 0
    new_password_name: str = ""

    async def _reload(self) -> None:
        search = self.search
        found = await in_session(lambda session: views.find_users(session, search))
        self.users, self.total = found.users, found.total

    @rx.event
    @requires(Permission.MANAGE_USERS, page_load=True)
    async def load(self):
        self.invited_email = ""
        # Every job's name once, for the "Add to a job" list (not again on each search keystroke).
        self.jobs = await in_session(views.job_choices)
        await self._reload()
        return FIRST_PASSWORD.push("")

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def add_to_job(self, form: dict):
        """Put the person on the job whose name was typed or picked from the list: by its name as
        the jobs page writes it, case and accents aside; a job made or renamed since the page
        opened is found by reading the jobs again (helper-121)."""
        user_id, typed = int(form.get("user_id") or 0), str(form.get("job", "")).strip()
        if not typed:
            return rx.toast.error("Type a job's name.")
        job = _named(self.jobs, typed)
        if job is None:
            self.jobs = await in_session(views.job_choices)
            job = _named(self.jobs, typed)
        if job is None:
            return rx.toast.error(f"No job is called {typed!r}: pick one from the list as you type.")
        done, said = await self._membership(user_id, job.value, True)
        if not done:
            return rx.toast.error(said)
        return [_job_box(user_id, "b.value = ''"), rx.toast.success(said)]

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def search_users(self, value: str):
        """Narrow the list to the people whose name or email holds what is typed (as it is typed)."""
        self.search = value
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def clear_search(self):
        """The whole team again, and the search box focused for the next search."""
        self.search = ""
        await self._reload()
        return rx.set_focus(SEARCH_BOX_ID)

    def _put_away_password(self):
        """Take the last password shown off the page (nothing when none is up).

        A new invite sent is about someone else: the earlier "First password for zed@... (shown
        once)" stayed up under the next invite's red refusal, an old person's password beside a new
        person's name and error. Not while the next invite is typed: shown once, a keystroke (or
        the browser's autofill) lost it before it was handed over."""
        if not self.invited_email:
            return None
        self.invited_email = ""
        return FIRST_PASSWORD.push("")

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def invite(self, form: dict):
        """Create the account; its first password is shown once, to hand over."""
        email, name, role = str(form.get("email", "")), str(form.get("name", "")), str(form.get("role", ""))
        put_away = self._put_away_password()
        try:
            user, password = await in_session(
                lambda s: accounts.create_user(session=s, email=email, name=name, role=Role(role))
            )
        except ValueError:
            self.invite_error = "Pick a role."
            return put_away
        except UserError as err:
            self.invite_error = str(err)  # the boxes keep what was typed
            return put_away
        self.invite_error, self.invited_email, self.password_is_new = "", user.email, False
        self.invite_name = self.invite_email = ""
        self.invite_role = "recruiter"
        await self._reload()
        return FIRST_PASSWORD.push(password)

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_invite_name(self, value: str):
        self.invite_name = value

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_invite_email(self, value: str):
        """Typed anew, the address is not the one refused: "x already has an account" named the old one."""
        self.invite_email, self.invite_error = value, ""

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_invite_role(self, value: str):
        self.invite_role = value

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def dismiss_password(self):
        self.invited_email = ""
        return FIRST_PASSWORD.push("")

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def change_role(self, user_id: int, role: str):
        """A role changes at once, unless it takes the admin role from someone: that asks first
        (the admin's own, or another admin's, who loses Integrations, Users and Settings)."""
        me = current_user()
        if user_id == me.id and me.role == Role.ADMIN and role != Role.ADMIN.value:
            self.demote_self_role = role
            return None
        if role != Role.ADMIN.value:
            person = await in_session(lambda s: s.get(User, user_id))
            if person is not None and person.role == Role.ADMIN:
                self.demote_user_id, self.demote_name, self.demote_role = person.id, person.name, role
                return None
        return await self._change_role(user_id, role)

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_demote_open(self, value: bool):
        if not value:
            self.demote_user_id = 0

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def confirm_demote(self):
        """Take the admin role from the admin the dialog names."""
        user_id, self.demote_user_id = self.demote_user_id, 0
        if not user_id:
            return None  # answered already (a second click on the closing dialog)
        return await self._change_role(user_id, self.demote_role)

    async def _change_role(self, user_id: int, role: str):
        try:
            await in_session(lambda s: accounts.change_role(session=s, user_id=user_id, role=Role(role)))
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        # Whose, and what to: "Role changed." said neither, beside a list of look-alike rows.
        name = next((u.name for u in self.users if u.id == user_id), "Their")
        return rx.toast.success(f"{name}'s role is now {ROLES[role]}.")

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_demote_self_open(self, value: bool):
        if not value:
            self.demote_self_role = ""

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def confirm_demote_self(self):
        """Take the admin role from oneself; the page and its navigation follow at once, as the
        handlers do: they would refuse every later click on controls still shown."""
        me, role, self.demote_self_role = current_user(), self.demote_self_role, ""
        try:
            await in_session(lambda s: accounts.change_role(session=s, user_id=me.id, role=Role(role)))
        except UserError as err:
            return rx.toast.error(str(err))
        auth = await self.get_state(AuthState)
        auth.user_role = role
        return rx.toast.success(
            f"You are now a {ROLES[role].lower()}; only another admin can make you an admin again."
        )

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def ask_deactivate(self, user_id: int, name: str):
        """Open the confirmation naming who is signed out."""
        if user_id == current_user().id:
            return rx.toast.error("You cannot deactivate yourself.")
        self.deactivate_user_id, self.deactivate_name = user_id, name

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_deactivate_open(self, value: bool):
        if not value:
            self.deactivate_user_id = 0

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def confirm_deactivate(self):
        """Deactivate the person the dialog names."""
        user_id, self.deactivate_user_id = self.deactivate_user_id, 0
        if not user_id:
            # Answered already (a second click on the closing dialog): it said in red "That user
            # no longer exists." about someone just deactivated.
            return None
        return await self._set_active(user_id, False)

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def set_active(self, user_id: int, active: bool):
        """Reactivate at once; deactivation goes through ask_deactivate's confirmation."""
        return await self._set_active(user_id, active)

    async def _set_active(self, user_id: int, active: bool):
        if not active and user_id == current_user().id:
            return rx.toast.error("You cannot deactivate yourself.")
        try:
            await in_session(lambda s: accounts.set_active(session=s, user_id=user_id, active=active))
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        # Whose: "Reactivated." (asked nothing first) named nobody, beside a list of look-alike rows.
        name = next((u.name for u in self.users if u.id == user_id), "They")
        if active:
            return rx.toast.success(f"{name} is active again.")
        return rx.toast.success(f"{name} is deactivated; their sessions have ended.")

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def ask_new_password(self, user_id: int, name: str):
        """Open the confirmation naming whose password is replaced (their sessions end with it).

        Not an admin's own: it would end the session they are using; another admin gives them one."""
        admin_id = current_user().id
        if user_id == admin_id:
            return rx.toast.error("Another admin gives you a new password: yours would sign you out here.")
        self.new_password_user_id, self.new_password_name = user_id, name
        return None

    @rx.event
    @requires(Permission.MANAGE_USERS)
    def set_new_password_open(self, value: bool):
        if not value:
            self.new_password_user_id = 0

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def confirm_new_password(self):
        """Replace the password of the person the dialog names; the new one is shown once, in the
        browser only, where an invite's first password is (the state never holds it)."""
        user_id, self.new_password_user_id = self.new_password_user_id, 0
        if not user_id:
            return None  # answered already (a second click on the closing dialog)
        admin_id = current_user().id
        if user_id == admin_id:
            return rx.toast.error("Another admin gives you a new password: yours would sign you out here.")
        try:
            password = await in_session(
                lambda s: accounts.new_password(session=s, user_id=user_id, by_user_id=admin_id)
            )
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        self.invited_email = next((u.email for u in self.users if u.id == user_id), "")
        self.password_is_new = True
        return FIRST_PASSWORD.push(password)

    @rx.event
    @requires(Permission.MANAGE_USERS)
    async def toggle_job(self, user_id: int, job_id: str, on: bool):
        """Assign a hiring manager to a job, or take them off it. Taken off, the box goes from the
        row: the focus goes to the row's "Add to a job" box, not to the next job's box (a second
        Space took them off that one too) nor to the page (helper-121)."""
        done, said = await self._membership(user_id, job_id, on)
        if not done:
            return rx.toast.error(said)
        return [rx.toast.success(said), *([] if on else [_job_box(user_id, "b.focus()")])]

    async def _membership(self, user_id: int, job_id: str, on: bool) -> tuple[bool, str]:
        """Whether the person is now on (or off) the job, and what to tell the admin; reloaded."""
        try:
            said = await in_session(
                lambda s: accounts.set_job_member(session=s, user_id=user_id, job_id=int(job_id), member=on)
            )
        except UserError as err:
            await self._reload()
            return False, str(err)
        await self._reload()
        return True, said


def _named(jobs: list[views.Choice], typed: str) -> views.Choice | None:
    """The job ``typed`` names: its label as written, else the one label equal to it with case and
    accents aside (two such, "Data Engineer (job 3)" and "(job 9)", are told apart by their numbers)."""
    exact = next((j for j in jobs if j.label == typed), None)
    if exact is not None:
        return exact
    alike = [j for j in jobs if folded(j.label) == folded(typed)]
    return alike[0] if len(alike) == 1 else None


def _job_box(user_id: int, does: str):
    """Act on the person's "Add to a job" box in the page (``b``): clear it, or focus it."""
    box = json.dumps(f"add-to-job-{int(user_id)}")
    return rx.call_script(f"(b => {{ if (b) {{ {does}; }} }})(document.getElementById({box}))")
