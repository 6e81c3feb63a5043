"""One application: its attempts and their actions, results, notes, interviews and history."""

from __future__ import annotations

import datetime
import logging

import reflex as rx

from dashboard.services import (
    assessments,
    attempt_actions,
    corrections,
    interviews,
    notes,
    pipeline,
    reopening,
    review,
    views,
)
from dashboard.services.errors import NotFound, UserError
from dashboard.services.permissions import Permission, require
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import id_in_path, in_session, outcome_toast
from dashboard.states.correction import CorrectionForm
from dashboard.states.earlier import EarlierAttemptChoice
from dashboard.states.picker import TestPicker
from dashboard.states.rejection import RejectForm, ReopenForm
from models import AttemptState

log = logging.getLogger(__name__)

EMPTY = views.ApplicationView(0, 0, "", "", "", 0, "", [], [], [])


def _parse_when(text: str) -> datetime.datetime:
    """A date or date-and-time typed by a person (taken as UTC). Raises UserError."""
    cleaned = text.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(cleaned, pattern).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
    raise UserError("Write the date as YYYY-MM-DD (and a time as HH:MM, UTC).")


def _interview_time(text: str) -> datetime.datetime:
    """The interview's start, typed as a date and a time (UTC). A date alone is refused: read as
    midnight, it booked the panel for 00:00 when the time was forgotten (a deadline's date alone
    is the end of that day, ``ApplicationState.extend``).

    Raises:
        UserError: Not a date and time, or a date without its time.
    """
    at = _parse_when(text)
    if len(text.strip().replace("T", " ").split()) < 2:
        raise UserError("Add the time the interview starts (HH:MM, UTC) after the date.")
    return at


class ApplicationState(TestPicker, RejectForm, ReopenForm, EarlierAttemptChoice, CorrectionForm, rx.State):
    """The application page; reloads when its job changes."""

    application: views.ApplicationView = EMPTY
    loaded: bool = False
    revision: int = -1
    error: str = ""
    # The id the refusal is about: the next page opened drew it until its own load answered.
    error_for: int = 0
    busy: bool = False
    # Confirmations (send, cancel, re-attempt: each emails the candidate or takes their link away)
    confirm_attempt_id: int = 0
    confirm_test_name: str = ""
    confirm_action: str = ""
    # Extend-deadline dialog
    extend_attempt_id: int = 0
    extend_until: str = ""
    extend_error: str = ""  # why the typed date was refused, shown in the dialog kept open
    # Test picker (one-off send, or another test for this candidate before sending)
    picker_open: bool = False
    picker_attempt_id: int = 0  # 0: a one-off send; the choices are TestPicker's
    # Notes and interviews
    note: str = ""
    interview_at: str = ""
    interviewers: str = ""
    calling_off_interview_id: int = 0  # the interview the cancel question asks about (0: closed)
    calling_off_interview: str = ""  # when and with whom
    calling_off_room: str = ""  # what cancelling does to its link at the vendor
    _typed_for: int = 0  # the application the note and interview boxes were typed on
    # The decision version each dialog opened on: the page refreshes behind it, and a version read
    # at the click let a rejection undo a colleague's advance the dialog never showed (helper-140).
    _reject_version: int = -1
    _reopen_version: int = -1
    _asked_on: int = 0  # the application both were read on (0: neither dialog opened on this page)

    def _application_id(self) -> int:
        return id_in_path(self, "applications")

    def _application_to_reject(self) -> int:
        return self.application.id

    def _application_to_reopen(self) -> int:
        return self.application.id

    async def _open_reject_dialog(self) -> None:
        self._reject_version, self._asked_on = self.application.decision_version, self.application.id
        await super()._open_reject_dialog()

    def _opening_undo(self) -> None:
        self._reopen_version, self._asked_on = self.application.decision_version, self.application.id

    def _not_asked_here(self) -> rx.event.EventSpec | None:
        """A refusal for a decision sent without its dialog opened on this application (the
        versions kept would be another's, or none)."""
        if self._asked_on and self._asked_on == self._application_id():
            return None
        return rx.toast.error("Open the dialog again: it was not opened on this application.")

    async def _reload(self) -> None:
        application_id, user = self._application_id(), current_user()
        visible, sends_tests = user.visible_job_ids, user.may(Permission.MANAGE_PIPELINE)

        def load(session):
            # The revision before the page: a change landing meanwhile wakes the watch.
            revision = pipeline.application_job_revision(session, application_id)
            return revision, views.application(session, application_id, visible, test_links=sends_tests)

        try:
            self.revision, self.application = await in_session(load)
            self.error = ""
        except UserError as err:
            self.application, self.error, self.error_for = EMPTY, str(err), application_id
        self.loaded = True

    async def _check_job(self, permission: Permission, attempt_id: int | None = None) -> None:
        """May the signed-in person do ``permission`` on the application of this page's address
        (and on ``attempt_id``, one of its assessments)? Read from the database, not the page's
        copy: a load refused (a job not theirs) left that copy empty, job 0, and the job went
        unchecked; and the page's copy may still be the application before this one.

        Raises:
            UserError: Not theirs, not this application's, or the page not loaded yet.
        """
        application_id = self._application_id()
        if self.application.id != application_id:
            raise UserError("This page is still loading; try again in a moment.")
        job_id, owned = await in_session(lambda s: pipeline.ownership(s, application_id, attempt_id))
        if job_id is None:
            raise NotFound("That application no longer exists.")
        require(current_user(), permission, job_id=job_id)
        if not owned:
            raise UserError("That assessment is not this candidate's.")

    async def _act(
        self,
        work,
        *,
        permission: Permission = Permission.MANAGE_PIPELINE,
        success: str = "Done.",
        then=None,
        refused=None,
        attempt_id: int | None = None,
    ):
        """Run an attempt action for this application's job and reload; a toast says how it went,
        and an unexpected failure is logged and told, with the buttons usable again.

        ``then`` runs only once the work went through (a form empties its boxes): a refused
        one keeps what was typed, to be corrected, and ``refused`` is told why (a dialog shows it,
        so no toast says it a second time).
        """
        try:
            await self._check_job(permission, attempt_id)
        except UserError as err:
            return rx.toast.error(str(err))
        self.busy = True
        try:
            outcome = await in_session(work)
        except assessments.EarlierAttemptExists as err:
            self.busy = False
            await self._offer_reattempt(err)
            return None
        except UserError as err:
            self.busy = False
            await self._reload()
            if refused is not None:
                refused(str(err))
                return None
            return rx.toast.error(str(err))
        except Exception:
            # Not a refusal but a failure (the database away): every button of the page would
            # spin on, under a bare "An error occurred", until the page was reloaded.
            self.busy = False
            log.exception("an action on application %s failed", self._application_id())
            return rx.toast.error("That did not go through; the error is in the log. Nothing was lost.")
        self.busy = False
        if then is not None:
            then()
        await self._reload()
        return outcome_toast(outcome, success)

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        """Page load."""
        self.earlier_attempt_id = self.extend_attempt_id = self.confirm_attempt_id = 0
        self.calling_off_interview_id = 0
        self.picker_open = self.rejecting = self.undoing_rejection = self.correcting = False
        self._asked_on = 0
        if self._application_id() != self._typed_for:
            # The page's state outlives the page: a note typed, unsaved, for one candidate must
            # not wait in the box on the next one's page, to be saved there; nor may the last
            # candidate's name and buttons stand in for this one's while it loads.
            self.note = self.interview_at = self.interviewers = ""
            self._typed_for = self._application_id()
            self.application, self.loaded = EMPTY, False
            yield
        await self._reload()
        yield ApplicationState.watch  # after the load: the watch starts from what it read

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Started by the page's load: keeps the page live while it is open (``live.keep_live``)."""
        return await live.keep_live(
            self,
            Permission.VIEW_PIPELINE,
            lambda: [self.application.job_id],
            self._reload,
            paused=lambda: not self.application.id,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def ask(self, action: str, attempt_id: int, test_name: str):
        """Open the confirmation for sending, cancelling or re-attempting, naming the test."""
        self.confirm_action, self.confirm_attempt_id, self.confirm_test_name = action, attempt_id, test_name

    @rx.var
    def confirm_unsent(self) -> bool:
        """The attempt asked about was never sent: cancelling it takes no link away and readies no other."""
        return any(
            a.id == self.confirm_attempt_id and a.state == AttemptState.READY_TO_SEND.value
            for a in self.application.attempts
        )

    @rx.var
    def confirm_never_sent(self) -> bool:
        """The attempt asked about never reached the candidate (withdrawn unsent): a re-attempt
        sends it for the first time, not again."""
        return any(a.id == self.confirm_attempt_id and a.sent_at == "" for a in self.application.attempts)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_confirm_open(self, value: bool):
        if not value:
            self.confirm_attempt_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def confirm(self):
        """Do the confirmed send, cancel or re-attempt (safe against double clicks: the services are
        idempotent)."""
        attempt_id, action, self.confirm_attempt_id = self.confirm_attempt_id, self.confirm_action, 0
        if not attempt_id:
            return None  # answered already (a second click on the closing dialog)
        actor = acting_user()
        if action == "cancel":
            return await self._act(
                lambda s: attempt_actions.cancel_by_hand(session=s, attempt_id=attempt_id, actor=actor),
                attempt_id=attempt_id,
            )
        if action == "reattempt":
            return await self._act(
                lambda s: attempt_actions.reattempt(session=s, attempt_id=attempt_id, actor=actor),
                attempt_id=attempt_id,
            )
        return await self._act(
            lambda s: assessments.send_assessment(session=s, attempt_id=attempt_id, actor=actor),
            attempt_id=attempt_id,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def reattempt_earlier(self):
        """Send a fresh re-attempt instead of the vendor's earlier invitation."""
        attempt_id, earlier = self._take_choice()
        if not attempt_id:
            return None
        actor = acting_user()
        return await self._act(
            lambda s: attempt_actions.reattempt(
                session=s, attempt_id=attempt_id, of_attempt_id=earlier, actor=actor
            ),
            attempt_id=attempt_id,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def run(self, action: str, attempt_id: int):
        """One click on an attempt: retry a failed send or resend the invitation (a re-attempt is
        asked first: ``ask``, then ``confirm``)."""
        service = attempt_actions.ONE_CLICK.get(action)
        if service is None:
            return rx.toast.error(f"Unknown action {action!r}.")
        actor = acting_user()
        return await self._act(
            lambda s: service(session=s, attempt_id=attempt_id, actor=actor), attempt_id=attempt_id
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def ask_extend(self, attempt_id: int):
        """Open the dialog on a date the service accepts (a week past the current deadline at least),
        for an assessment of this page's candidate only (helper-154: any attempt's deadline was read)."""
        try:
            await self._check_job(Permission.MANAGE_PIPELINE, attempt_id)
        except UserError as err:
            return rx.toast.error(str(err))
        offered = await in_session(lambda s: attempt_actions.suggested_deadline(s, attempt_id))
        self.extend_attempt_id, self.extend_until, self.extend_error = attempt_id, f"{offered:%Y-%m-%d}", ""

    @rx.var
    def extend_from(self) -> str:
        """The deadline the extend dialog moves: "Deadline ..." or "No deadline set"."""
        return next((a.deadline for a in self.application.attempts if a.id == self.extend_attempt_id), "")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_extend_until(self, value: str):
        self.extend_until = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def close_extend(self, value: bool):
        if not value:
            self.extend_attempt_id, self.extend_error = 0, ""

    def _extend_refused(self, reason: str) -> None:
        self.extend_error = reason

    def _extended(self) -> None:
        self.extend_attempt_id, self.extend_error = 0, ""

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def extend(self, _form: dict | None = None):
        """Move the deadline to the typed date (Extend, or Enter in the box); a refused date keeps
        the dialog open, saying why."""
        attempt_id, text = self.extend_attempt_id, self.extend_until
        try:
            until = _parse_when(text if " " in text.strip() else text.strip() + " 23:59")
        except UserError as err:
            self.extend_error = str(err)  # the dialog says it
            return None
        actor = acting_user()
        return await self._act(
            lambda s: attempt_actions.extend_deadline(
                session=s, attempt_id=attempt_id, expires_at=until, actor=actor
            ),
            then=self._extended,
            refused=self._extend_refused,
            attempt_id=attempt_id,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def open_picker(self, attempt_id: int):
        """Pick a test: for a one-off send (0), or instead of the stage's default for this candidate."""
        self.picker_attempt_id, self.picker_open = attempt_id, True
        if await self._open_picker(live=False):
            return ApplicationState.open_on_first_with_tests()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_picker_open(self, value: bool):
        self.picker_open = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def pick(self):
        """Send the picked test as a one-off, or set it as this candidate's test before sending."""
        attempt_id, integration_id, test_id = (
            self.picker_attempt_id,
            int(self.connection_id or 0),
            self.test_id,
        )
        name = next((t.label for t in self.tests if t.value == test_id), test_id)
        application_id, actor = self._application_id(), acting_user()
        self.picker_open = False
        if attempt_id:
            return await self._act(
                lambda s: attempt_actions.change_test(
                    session=s,
                    attempt_id=attempt_id,
                    integration_id=integration_id,
                    vendor_test_id=test_id,
                    vendor_test_name=name,
                    actor=actor,
                ),
                attempt_id=attempt_id,
            )
        return await self._act(
            lambda s: attempt_actions.send_one_off(
                session=s,
                application_id=application_id,
                integration_id=integration_id,
                vendor_test_id=test_id,
                vendor_test_name=name,
                actor=actor,
            )
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def mark_reviewed(self, attempt_id: int):
        """Record that the result has been reviewed."""
        actor = acting_user()
        return await self._act(
            lambda s: assessments.mark_reviewed(session=s, attempt_id=attempt_id, actor=actor),
            permission=Permission.REVIEW,
            attempt_id=attempt_id,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def move(self, stage_id: str):
        """Move the application to another stage, from the one the page shows (a colleague's move
        since is not undone)."""
        application_id, actor, seen_in = (
            self._application_id(),
            acting_user(),
            self.application.stage_id or None,
        )
        return await self._act(
            lambda s: pipeline.move_application(
                session=s, application_id=application_id, stage_id=int(stage_id), actor=actor, seen_in=seen_in
            )
        )

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    def copy_link(self, url: str):
        """Copy the candidate's test link (to send by another channel)."""
        return [rx.set_clipboard(url), rx.toast.info("Test link copied.")]

    @rx.event
    @requires(Permission.REVIEW)
    async def advance(self):
        """Advance the candidate to the next stage of the plan (their result counts as reviewed)."""
        application_id, version, seen_in, actor = (
            self._application_id(),
            self.application.decision_version,
            self.application.stage_id,
            acting_user(),
        )
        return await self._act(
            lambda s: review.advance(
                session=s,
                application_id=application_id,
                expected_version=version,
                seen_in=seen_in,
                actor=actor,
            ),
            permission=Permission.REVIEW,
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def reject(self):
        """Reject the candidate with the chosen reason: always a person's decision."""
        application_id, version, actor = self._application_id(), self._reject_version, acting_user()
        reason, note = self.reject_reason, self.reject_note
        self.rejecting = False
        if refused := self._not_asked_here():
            return refused
        return await self._act(
            lambda s: review.reject(
                session=s,
                application_id=application_id,
                reason=reason,
                note=note,
                expected_version=version,
                actor=actor,
            ),
            permission=Permission.REVIEW,
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def undo_rejection(self):
        """Undo the rejection (asked first: ``set_undoing_rejection``); the candidate stays in their stage."""
        application_id, version, actor = self._application_id(), self._reopen_version, acting_user()
        name, stage = self.application.candidate_name, self.application.stage_name
        self.undoing_rejection = False
        if refused := self._not_asked_here():
            return refused
        return await self._act(
            lambda s: reopening.reopen(
                session=s, application_id=application_id, expected_version=version, actor=actor
            ),
            permission=Permission.REVIEW,
            success=f"Rejection undone: {name} is active again in {stage}.",
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def ask_correction(self):
        """Open "Correct name or email" on what is saved now."""
        self._open_correction(self.application.candidate_name, self.application.candidate_email)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def correct(self, _form: dict | None = None):
        """Save the corrected name and email (Save, or Enter in a box); a refusal keeps the dialog
        open with what was typed and says why."""
        application_id, actor = self._application_id(), acting_user()
        name, email = self.correct_name, self.correct_email
        was = (self.correcting_from[0], self.correcting_from[1]) if len(self.correcting_from) == 2 else None
        return await self._act(
            lambda s: corrections.correct_candidate(
                session=s, application_id=application_id, name=name, email=email, actor=actor, was=was
            ),
            then=self._corrected,
            refused=self._correction_refused,
        )

    @rx.event
    @requires(Permission.REVIEW)
    def set_note(self, value: str):
        self.note = value

    @rx.event
    @requires(Permission.REVIEW)
    async def add_note(self, _form: dict | None = None):
        """Save a note for the team."""
        text, application_id, actor = self.note, self._application_id(), acting_user()
        try:
            await self._check_job(Permission.REVIEW)
        except UserError as err:
            return rx.toast.error(str(err))
        try:
            await in_session(
                lambda s: notes.add_note(session=s, application_id=application_id, text=text, actor=actor)
            )
        except UserError as err:
            return rx.toast.error(str(err))
        self.note = ""
        await self._reload()
        return rx.toast.success("Note saved.")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_interview_at(self, value: str):
        self.interview_at = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_interviewers(self, value: str):
        self.interviewers = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def schedule(self, _form: dict | None = None):
        """Schedule an interview in the current stage (its live link is made from the stage's template)."""
        try:
            at = _interview_time(self.interview_at)
        except UserError as err:
            return rx.toast.error(str(err))
        application_id, who, actor = self._application_id(), self.interviewers, acting_user()
        return await self._act(
            lambda s: interviews.booking_outcome(
                s,
                interviews.schedule_interview(
                    session=s, application_id=application_id, scheduled_for=at, interviewers=who, actor=actor
                ),
            ),
            then=self._clear_interview_form,
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def ask_cancel_interview(self, interview_id: int, named: str, room: str):
        """Open the question before an interview is called off, naming when and with whom."""
        self.calling_off_interview_id, self.calling_off_interview = interview_id, named
        self.calling_off_room = room

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_cancel_interview_open(self, value: bool):
        if not value:
            self.calling_off_interview_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def cancel_interview(self):
        """Call off the interview asked about (a second click on the closing question does nothing)."""
        interview_id, self.calling_off_interview_id = self.calling_off_interview_id, 0
        if not interview_id:
            return None
        actor, application_id = acting_user(), self._application_id()
        return await self._act(
            lambda s: interviews.cancel_interview(
                session=s, interview_id=interview_id, actor=actor, application_id=application_id
            )
        )

    def _clear_interview_form(self) -> None:
        """Scheduled: the boxes empty, so a second click cannot book the same interview again."""
        self.interview_at = self.interviewers = ""
