"""What a recruiter does to an attempt besides sending it: cancel, resend, re-attempt, extend.

Each is one function used by the button, the bulk action and any automation
alike, safe to call twice (a double click does one thing), and refused with the
vendor's reason where the vendor cannot do it. ``available_actions`` tells the
UI what to enable, and why not.
"""

from __future__ import annotations

import dataclasses
import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import assessments, history
from dashboard.services.actors import Actor
from dashboard.services.assessments import STATE_LABELS, SendOutcome
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import get_integration, provider_for, record_vendor_error
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Interview,
    Stage,
    utcnow,
)
from models.lifecycle import FINAL_STATES, FINISHED_STATES, OPEN_STATES
from providers import registry
from providers.base import Capability, ProviderError, Unsupported, VendorRefused

# Finished attempts a re-attempt can follow (a live attempt is cancelled first).
RETAKEABLE = frozenset(
    {AttemptState.COMPLETED, AttemptState.REVIEWED, AttemptState.EXPIRED, AttemptState.CANCELLED}
)


@dataclasses.dataclass(frozen=True)
class Action:
    """One action's availability on an attempt: enabled, or disabled with the reason."""

    name: str
    enabled: bool
    reason: str = ""
    applicable: bool = True  # False: the attempt's state makes it moot (the UI hides it)


def _attempt(session: Session, attempt_id: int) -> AssessmentAttempt:
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None:
        raise NotFound("That assessment no longer exists.")
    return attempt


def _provider_of(session: Session, attempt: AssessmentAttempt):
    integration = session.get(Integration, attempt.integration_id)
    if integration is None or integration.disconnected_at is not None:
        raise UserError(assessments.disconnected_refusal(attempt, integration, sending=False))
    return integration, provider_for(integration)


def _at_the_vendor(
    session: Session, attempt: AssessmentAttempt, done: str, action, *, done_already=lambda: False
) -> Integration | None:
    """Ask the vendor to act on the attempt (``action(provider)``: its ``cancel`` or ``resend``);
    its connection. A refusal is said in the recruiter's words ("Not cancelled: ..."), unless
    ``done_already()``, asked on the vendor's refusal (not on its silence or failure), finds it so
    at the vendor already: None (no error of the connection's, the vendor having only said so).

    Raises:
        UserError: The vendor cannot, or would not.
    """
    integration, provider = _provider_of(session, attempt)
    try:
        action(provider)(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id)
    except Unsupported as err:
        raise UserError(str(err)) from err
    except ProviderError as err:
        if isinstance(err, VendorRefused) and done_already():
            return None
        record_vendor_error(session=session, integration=integration, message=str(err))
        raise UserError(f"Not {done}: {err}") from err
    return integration


def _record(session: Session, attempt: AssessmentAttempt, summary: str, actor: Actor, before=None) -> None:
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=f"{attempt.vendor_test_name}: {summary}",
        from_state=before.value if before else None,
        to_state=attempt.state.value if before else None,
        actor=actor,
    )
    history.bump_job(session, session.get(Application, attempt.application_id).job_id)


def available_actions(session: Session, attempt: AssessmentAttempt) -> list[Action]:
    """Which actions the attempt's state and vendor allow, each with the reason when not."""
    retaken = session.exec(
        select(AssessmentAttempt.id).where(AssessmentAttempt.retakes_attempt_id == attempt.id)
    ).first()
    return actions_for(session, attempt, retaken=retaken is not None)


def require_offered(session: Session, name: str, attempt_id: int) -> None:
    """Refuse an action the attempt's buttons would show disabled, with the reason they give.

    Raises:
        UserError: The action is not available now (the vendor's final failure, for a retry).
    """
    offered = next(a for a in available_actions(session, _attempt(session, attempt_id)) if a.name == name)
    if not offered.enabled:
        raise UserError(offered.reason)


def why_not_retake(session: Session, attempt_id: int) -> str:
    """Why this attempt cannot be re-taken now ("" when it can): asked before offering a re-attempt."""
    return next(
        a.reason for a in available_actions(session, _attempt(session, attempt_id)) if a.name == "reattempt"
    )


def actions_for(session: Session, attempt: AssessmentAttempt, *, retaken: bool) -> list[Action]:
    """``available_actions``, told whether an attempt re-takes this one (maybe in another
    application), so a page of attempts can read that once for all of them."""
    integration = session.get(Integration, attempt.integration_id)
    spec = registry.VENDORS.get(integration.vendor) if integration else None
    if spec is None or integration.disconnected_at is not None:
        # What reaches the candidate instead: a connection made again is a new one, not this one's.
        gone = (
            "Its vendor connection was disconnected: send the candidate the test through a connected "
            "vendor (Send an assessment)."
        )
        return [Action(n, False, gone) for n in ("send", "retry", "cancel", "resend", "reattempt", "extend")]
    capabilities, limitations = spec.provider.capabilities, spec.provider.limitations

    def vendor_can(capability: Capability) -> str:
        return "" if capability in capabilities else limitations.get(capability, "The vendor cannot do this.")

    state = attempt.state
    label = STATE_LABELS[state].lower()
    waiting = state in (AttemptState.SENT, AttemptState.STARTED)

    def action(name: str, state_reason: str, capability: Capability | None = None) -> Action:
        if state_reason:
            return Action(name, False, state_reason, applicable=False)
        reason = vendor_can(capability) if capability else ""
        return Action(name, not reason, reason)

    if retaken:
        retake = action("reattempt", "Already re-taken by another attempt.")
    elif state not in RETAKEABLE:
        retake = action("reattempt", f"Only a finished attempt can be re-taken; this one is {label}.")
    elif state in FINISHED_STATES:
        retake = action("reattempt", "", Capability.REATTEMPT)
    else:
        retake = action("reattempt", "")  # expired or cancelled: a fresh invitation
    if state != AttemptState.ERROR:
        retry = action("retry", f"Nothing failed: {label}.")
    elif attempt.vendor_attempt_id and not attempt.error_retryable:
        # A retry would only ask the vendor again, and its word on this attempt was final.
        retry = Action("retry", False, "The vendor reported this failure; a retry cannot change it.")
    else:
        retry = action("retry", "")
    if _interviews_meeting_in(session, attempt) is None:
        resend = _resend(session, attempt, action)
        extend = action(
            "extend", "" if waiting else "Only a sent invitation has a deadline.", Capability.EXTEND
        )
    else:  # a room interviews were booked in: the queue's Resend too is not for it
        resend = Action("resend", False, _ROOM_SENDS_NOTHING, applicable=False)
        extend = Action("extend", False, _ROOM_HAS_NO_DEADLINE, applicable=False)
    return [
        action("send", "" if state == AttemptState.READY_TO_SEND else f"Already {label}."),
        retry,
        # Not refused here for a room in use: ``interviews.room_on_cancel`` asks it as the
        # interview is being called off. A person's Cancel goes through ``cancel_by_hand``.
        action(
            "cancel",
            "" if state == AttemptState.READY_TO_SEND or waiting else f"Nothing to cancel: {label}.",
            Capability.CANCEL if waiting else None,
        ),
        resend,
        retake,
        extend,
    ]


# A room interviews were booked in (a live interview's pad) emails no invitation and has its
# interview's time, not a deadline.
_ROOM_SENDS_NOTHING = (
    "An interview room sends no invitation: its interview's time and link are under Interviews."
)
_ROOM_HAS_NO_DEADLINE = "An interview room has its interview's time, not a deadline."


def room_in_use(session: Session, attempt: AssessmentAttempt) -> bool:
    """Whether an upcoming interview meets in this room: it is called off with that interview
    (Cancel interview), not on its own. A room whose interviews are past or cancelled (the vendor
    refused the withdrawal then, say) can be cancelled on its card, its link otherwise live for good."""
    return bool(_interviews_meeting_in(session, attempt))


def _resend(session: Session, attempt: AssessmentAttempt, action) -> Action:
    """Resend, unless the candidate was rejected, or the invitation went to an email corrected
    since: the vendor would send it to the typo again, so it says what reaches the candidate instead."""
    if attempt.state != AttemptState.SENT:
        return action("resend", "Only a sent, unstarted invitation.")
    application = session.get(Application, attempt.application_id)
    if application.rejected_at is not None:
        # Left open by a withdrawal the vendor refused: emailing it again after the rejection
        # asked the candidate to spend an evening on it (helper-164).
        return Action("resend", False, "They were rejected: their invitation is not sent again.")
    if attempt.invited_email:
        candidate = session.get(Candidate, application.candidate_id)
        if attempt.invited_email != candidate.email:
            return Action(
                "resend",
                False,
                f"It would go to {attempt.invited_email} again, the email before it was corrected: "
                "cancel it and send it again.",
            )
    return action("resend", "", Capability.RESEND)


# The one step the queue offers beside an attempt, by its state, and the button's word. None
# while the candidate is on the test or it waits for review: the row leads to the application.
NEXT_STEP = {
    AttemptState.READY_TO_SEND: ("send", "Send"),
    AttemptState.ERROR: ("retry", "Retry"),
    AttemptState.SENT: ("resend", "Resend"),
    AttemptState.EXPIRED: ("reattempt", "Re-attempt"),
}


def next_step(session: Session, attempt: AssessmentAttempt, *, retaken: bool) -> Action | None:
    """The queue's one-click step for an attempt: that action of ``actions_for``, or None."""
    if attempt.state not in NEXT_STEP:
        return None
    name, _word = NEXT_STEP[attempt.state]
    return next(a for a in actions_for(session, attempt, retaken=retaken) if a.name == name)


def _interviews_meeting_in(session: Session, attempt: AssessmentAttempt) -> list[Interview] | None:
    """The upcoming, booked interviews whose room (pad) this attempt is; None if no interview was
    ever booked in it (a test, or a pad sent on its own), whose cancel readies it again as before.

    A candidate's interviews share a room while it is open (one open attempt per test), so a
    room is needed as long as one of them is still ahead, whichever was booked first."""
    if not attempt.live_interview:
        return None
    meeting = list(session.exec(select(Interview).where(Interview.attempt_id == attempt.id)))
    if not meeting:
        return None
    now = utcnow()
    return [i for i in meeting if i.cancelled_at is None and i.scheduled_for.astimezone(datetime.UTC) > now]


def _ready_again(session: Session, attempt: AssessmentAttempt, actor: Actor) -> AssessmentAttempt:
    """After a cancel, the same test is back at "needs sending" as a fresh attempt."""
    application = session.get(Application, attempt.application_id)
    stage = session.get(Stage, attempt.stage_id) if attempt.stage_id else None
    return assessments.create_attempt(
        session,
        application=application,
        integration_id=attempt.integration_id,
        vendor_test_id=attempt.vendor_test_id,
        vendor_test_name=attempt.vendor_test_name,
        live_interview=attempt.live_interview,
        stage=stage if stage and application.stage_id == stage.id else None,
        stage_test=None,
        actor=actor,
    )


def cancel_by_hand(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """A person's Cancel on the attempt's card: refused where the card offers none (a room an
    upcoming interview meets in), as a page drawn before would still ask it."""
    attempt = _attempt(session, attempt_id)
    if room_in_use(session, attempt):
        raise UserError(
            "An upcoming interview meets in this room: Cancel interview, under Interviews, calls it off with the room."
        )
    return cancel_assessment(session=session, attempt_id=attempt_id, actor=actor)


def cancel_assessment(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """Withdraw an invitation; the test is then ready to send again as a fresh attempt.

    Not yet sent: withdrawn here, and no fresh attempt is readied (it would be the same unsent
    test again, so Cancel would change nothing); Re-attempt sends it after all. Sent: cancelled
    at the vendor first, and refused with the vendor's reason if it will not (the candidate has
    started, say). A rejected candidate's cancelled test is not readied again: they are sent none.

    Raises:
        UserError: The vendor cannot cancel, or refused.
    """
    attempt = _attempt(session, attempt_id)
    if attempt.state in FINAL_STATES or attempt.state in (AttemptState.COMPLETED, AttemptState.ERROR):
        if attempt.state == AttemptState.CANCELLED:
            return SendOutcome(False, "Already cancelled.")
        raise UserError(f"Nothing to cancel: the assessment is {STATE_LABELS[attempt.state].lower()}.")
    if attempt.state == AttemptState.READY_TO_SEND:
        return _withdraw_unsent(session, attempt, actor)
    asked = _at_the_vendor(
        session,
        attempt,
        "cancelled",
        lambda provider: provider.cancel,
        done_already=lambda: _cancelled_already(session, attempt, actor),
    )
    if asked is None:
        return SendOutcome(True, "Cancelled (the vendor had cancelled it already).")
    # The vendor's webhook of this very cancel may land first, or as this writes: one write, made
    # only from where it stood, keeps one "cancelled" line; the fresh attempt is readied either way
    # (before, a webhook first left the candidate nothing to be sent).
    before = attempt.state
    cancelled = session.exec(
        sa.update(AssessmentAttempt)
        .where(
            AssessmentAttempt.id == attempt.id,
            AssessmentAttempt.state.in_([AttemptState.SENT, AttemptState.STARTED]),  # type: ignore[union-attr]
        )
        .values(state=AttemptState.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if cancelled.rowcount == 1:
        _record(session, attempt, "cancelled", actor, before)
    elif attempt.state != AttemptState.CANCELLED:  # finished meanwhile, as the vendor's word said
        session.commit()
        return SendOutcome(False, f"Not cancelled: the assessment is {STATE_LABELS[attempt.state].lower()}.")
    session.flush()
    booked = _interviews_meeting_in(session, attempt)
    if session.get(Application, attempt.application_id).rejected_at is not None or booked == []:
        # A rejected candidate is sent no test, and a room no booked interview meets in is
        # needed by nobody: a fresh attempt would only wait, never sent.
        session.commit()
        return SendOutcome(True, "Cancelled; the candidate's link stops working.")
    fresh = _ready_again(session, attempt, actor)
    for interview in booked or ():  # they meet in the fresh room, once it is sent
        interview.attempt_id = fresh.id
        session.add(interview)
    session.commit()
    return SendOutcome(True, f"Cancelled. A fresh attempt is ready to send (attempt {fresh.attempt_number}).")


def _cancelled_already(session: Session, attempt: AssessmentAttempt, actor: Actor) -> bool:
    """Whether the vendor refused a cancel because the test is cancelled there already (by the
    vendor, or a colleague in its own dashboard, its word not yet in Assay): it said "Not
    cancelled" of a test that was. The vendor is asked, and its word applied either way (a test
    refused because the candidate started it shows as started)."""
    outcome = assessments.refresh_attempt(session=session, attempt_id=attempt.id, actor=actor)
    session.refresh(attempt)
    return not outcome.failed and attempt.state == AttemptState.CANCELLED


def _withdraw_unsent(session: Session, attempt: AssessmentAttempt, actor: Actor) -> SendOutcome:
    """A test not at the vendor yet is withdrawn here, unless a send holds it right now: marked
    cancelled under that send, the candidate got the link while Assay called it cancelled, and
    ignored every update the vendor sent about it (cancelled is final).

    Raises:
        UserError: A send holds it.
    """
    if assessments.withdraw_if_unsent(session, attempt):
        session.refresh(attempt)
        _record(session, attempt, "withdrawn before it was sent", actor, AttemptState.READY_TO_SEND)
        session.commit()
        return SendOutcome(True, "Withdrawn before it was sent; the candidate got nothing.")
    session.rollback()  # nothing written: the send holding it must not wait on this transaction
    session.refresh(attempt)
    if attempt.state == AttemptState.CANCELLED:
        return SendOutcome(False, "Already cancelled.")
    if attempt.state == AttemptState.READY_TO_SEND:
        raise UserError("This test is being sent right now: cancel it once it shows as sent.")
    raise UserError(
        f"Not cancelled: the test is {STATE_LABELS[attempt.state].lower()} now; reload to see it."
    )


def set_aside_failed(
    session: Session,
    attempt: AssessmentAttempt,
    actor: Actor,
    why: str = "the interview it was for was cancelled",
) -> None:
    """Cancel a failed attempt the vendor never made (no vendor id) that nobody needs any more
    (the interview it was the room for, called off, or moved to another room: ``why``), here only. Left failed, the queue offered
    a Retry that would make a room for nobody. Written only while it is still failed: a
    colleague's Retry a moment before wins. Left to the caller to commit."""
    set_aside = assessments.set_aside_if_failed(session, attempt)
    session.refresh(attempt)
    if set_aside:
        _record(session, attempt, f"set aside: {why}", actor, AttemptState.ERROR)


# A resend this soon after the last is a double click (or two people at once), not a wish to
# email the candidate twice: it is answered as done.
RESEND_GAP = datetime.timedelta(minutes=1)


def resend_invitation(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """Send the invitation email again (the link stays the same); twice within a minute is once.

    The Resend takes the invitation (``resent_at``) before the vendor is asked: read first and
    written after, two Resends at the same moment both found none in the last minute, and the
    candidate got the email twice. One the vendor refuses lets the invitation go again."""
    attempt = _attempt(session, attempt_id)
    if _interviews_meeting_in(session, attempt) is not None:
        raise UserError(_ROOM_SENDS_NOTHING)
    if attempt.state != AttemptState.SENT:
        raise UserError("Only a sent invitation that is not started yet can be resent.")
    require_offered(session, "resend", attempt_id)  # not to an email corrected since
    before, now = attempt.resent_at, utcnow()
    if not _took_to_resend(session, attempt, now):
        return SendOutcome(
            False, "Resent a moment ago, or being resent now: the candidate gets the email once."
        )
    try:
        integration = _at_the_vendor(session, attempt, "resent", lambda provider: provider.resend)
    except Exception:
        session.rollback()
        session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == attempt_id, AssessmentAttempt.resent_at == now)
            .values(resent_at=before)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        raise
    _record(session, attempt, "invitation resent", actor)
    integration.last_used_at = utcnow()
    session.commit()
    return SendOutcome(True, "Invitation resent.")


def _took_to_resend(session: Session, attempt: AssessmentAttempt, now: datetime.datetime) -> bool:
    """Take the invitation to email it again, unless a Resend took it in the last minute (committed)."""
    taken = session.exec(
        sa.update(AssessmentAttempt)
        .where(
            AssessmentAttempt.id == attempt.id,
            sa.or_(
                AssessmentAttempt.resent_at.is_(None),  # type: ignore[union-attr]
                AssessmentAttempt.resent_at <= now - RESEND_GAP,
            ),
        )
        .values(resent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return taken == 1


def reattempt(
    *, session: Session, attempt_id: int, actor: Actor, of_attempt_id: int | None = None
) -> SendOutcome:
    """Let the candidate take the test again: a new attempt row linked to the first, then sent.

    The first attempt and its result are never overwritten. ``of_attempt_id``
    re-takes an attempt from another application of the same candidate (a vendor
    that returns the earlier invitation for the same email).

    Raises:
        UserError: The attempt is not finished, or the vendor cannot re-attempt a completed test.
    """
    attempt = _attempt(session, of_attempt_id or attempt_id)
    target_application = session.get(Application, _attempt(session, attempt_id).application_id)
    refusal = next(a for a in available_actions(session, attempt) if a.name == "reattempt")
    # A disconnected connection or a vendor without re-attempts refuses with the reason.
    if not refusal.enabled:
        raise UserError(refusal.reason)
    # Before anything is made: an attempt readied for them stayed, and took the Re-attempt away.
    assessments.refuse_rejected(target_application, session.get(Candidate, target_application.candidate_id))
    open_now = assessments._open_for_test(
        session, target_application.id, attempt.integration_id, attempt.vendor_test_id
    )
    if (
        open_now is not None
        and open_now.retakes_attempt_id == attempt.id
        and open_now.state != AttemptState.READY_TO_SEND
    ):
        return SendOutcome(False, f"Attempt {open_now.attempt_number} is already sent.")
    stage = session.get(Stage, attempt.stage_id) if attempt.stage_id else None
    if open_now is not None and open_now.retakes_attempt_id is None and open_now.vendor_attempt_id is None:
        retake = open_now  # the ready-to-send attempt becomes the re-take
        retake.retakes_attempt_id = attempt.id
        session.add(retake)
        session.commit()
    else:
        retake = assessments.create_attempt(
            session,
            application=target_application,
            integration_id=attempt.integration_id,
            vendor_test_id=attempt.vendor_test_id,
            vendor_test_name=attempt.vendor_test_name,
            live_interview=attempt.live_interview,
            stage=stage if stage and target_application.stage_id == stage.id else None,
            actor=actor,
            retakes=attempt,
        )
        session.commit()
    return assessments.send_assessment(session=session, attempt_id=retake.id, actor=actor)


EXTENSION = datetime.timedelta(days=7)


def suggested_deadline(session: Session, attempt_id: int) -> datetime.date:
    """The date the extend dialog offers: a week after today or after the current deadline, whichever
    is later, so that the offer is one ``extend_deadline`` accepts (today + 7 was refused whenever the
    candidate already had more than a week)."""
    attempt = _attempt(session, attempt_id)
    now = utcnow()
    current = attempt.expires_at.replace(tzinfo=datetime.UTC) if attempt.expires_at else now
    return (max(now, current) + EXTENSION).date()


def extend_deadline(
    *, session: Session, attempt_id: int, expires_at: datetime.datetime, actor: Actor
) -> SendOutcome:
    """Give the candidate more time: the vendor's deadline moves, and ours with it.

    Raises:
        UserError: A date in the past or not later than now's deadline, or the vendor cannot.
    """
    attempt = _attempt(session, attempt_id)
    if _interviews_meeting_in(session, attempt) is not None:
        raise UserError(_ROOM_HAS_NO_DEADLINE)
    if attempt.state not in (AttemptState.SENT, AttemptState.STARTED):
        raise UserError("Only a sent invitation has a deadline to move.")
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=datetime.UTC)
    if expires_at <= utcnow():
        raise UserError("The new deadline is in the past; pick a later date.")
    if attempt.expires_at and expires_at <= attempt.expires_at:
        raise UserError("The new deadline must be later than the current one.")
    integration, provider = _provider_of(session, attempt)
    asked = assessments.asked_now()  # a view read before this (a sweep's page) holds the old deadline
    try:
        provider.extend(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id, expires_at=expires_at)
    except Unsupported as err:
        raise UserError(str(err)) from err
    except ProviderError as err:
        record_vendor_error(session=session, integration=integration, message=str(err))
        raise UserError(f"Deadline not moved: {err}") from err
    read_before, asked_for = attempt.expires_at, expires_at.astimezone(datetime.UTC).replace(microsecond=0)
    assessments.hold_attempt(session, attempt)  # read again: a webhook may have applied meanwhile
    if attempt.expires_at not in (
        read_before,
        asked_for,
    ):  # (a sweep that read this very move is no colleague)
        # A colleague moved it while the vendor was asked: the vendor kept whichever call came
        # last, so its own word is read rather than either written over the other (helper-141).
        _record(
            session,
            attempt,
            f"deadline move to {asked_for:%Y-%m-%d %H:%M} UTC asked as a colleague moved it",
            actor,
        )
        session.commit()
        assessments.refresh_attempt(session=session, attempt_id=attempt.id, actor=actor)
        session.refresh(attempt)
        now_reads = f"{attempt.expires_at:%Y-%m-%d %H:%M} UTC" if attempt.expires_at else "no deadline"
        return SendOutcome(
            False, f"A colleague moved this deadline at the same moment; the vendor's now reads {now_reads}."
        )
    # Not ``updated_at``: the queue's "no vendor news for this long" clock, which a person's
    # extension does not answer (helper-141: an invitation unanswered for days read "just now").
    attempt.expires_at = asked_for
    attempt.vendor_read_at = max(asked, attempt.vendor_read_at or asked)
    session.add(attempt)
    _record(session, attempt, f"deadline moved to {attempt.expires_at:%Y-%m-%d %H:%M} UTC", actor)
    session.commit()
    if attempt.state in _ENDED_AS:
        return SendOutcome(
            True, f"Deadline extended, though the test was {_ENDED_AS[attempt.state]} meanwhile."
        )
    return SendOutcome(True, "Deadline extended.")


# How an invitation whose deadline was being moved may have ended meanwhile (a webhook applied).
_ENDED_AS = {
    AttemptState.COMPLETED: "finished",
    AttemptState.REVIEWED: "finished",
    AttemptState.CANCELLED: "cancelled",
    AttemptState.EXPIRED: "expired",
    AttemptState.ERROR: "found failed",
}


def send_one_off(
    *,
    session: Session,
    application_id: int,
    integration_id: int,
    vendor_test_id: str,
    vendor_test_name: str,
    actor: Actor,
    send_now: bool = True,
) -> SendOutcome:
    """Any test of any connected vendor, outside the plan ("New activity -> Assessment").

    Raises:
        UserError: No test picked, the connection is gone, or the candidate was rejected.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    # Before the attempt is made: refused only at sending, it stayed behind, needing sending.
    assessments.refuse_rejected(application, session.get(Candidate, application.candidate_id))
    if not vendor_test_id:
        raise UserError("Pick the test to send.")
    get_integration(session, integration_id)
    attempt = assessments.create_attempt(
        session,
        application=application,
        integration_id=integration_id,
        vendor_test_id=vendor_test_id,
        vendor_test_name=vendor_test_name or vendor_test_id,
        actor=actor,
        retakes=assessments.earlier_to_retake(session, application_id, integration_id, vendor_test_id),
    )
    session.commit()
    if attempt.state in OPEN_STATES and attempt.state != AttemptState.READY_TO_SEND:
        return SendOutcome(
            False, f"{attempt.vendor_test_name} is already {STATE_LABELS[attempt.state].lower()}."
        )
    if not send_now:
        return SendOutcome(True, f"{attempt.vendor_test_name} is ready to send.")
    return assessments.send_assessment(session=session, attempt_id=attempt.id, actor=actor)


def change_test(
    *,
    session: Session,
    attempt_id: int,
    integration_id: int,
    vendor_test_id: str,
    vendor_test_name: str,
    actor: Actor,
) -> AssessmentAttempt:
    """Before sending, pick another test for this candidate than the stage's default.

    Changed only while no send has claimed it: a colleague's Send at the same moment went out
    with the first test while this wrote the second over it, which every later fetch, cancel or
    extension then named to the vendor.

    Raises:
        UserError: Already sent (or being sent), no test picked, or that test already open for them.
    """
    attempt = _attempt(session, attempt_id)
    if attempt.live_interview:
        raise UserError(
            "This is an interview's room, made from the stage's live-interview link: it has no test to change."
        )
    never_sent = "Only an assessment that was never sent can change its test."
    if attempt.state != AttemptState.READY_TO_SEND or attempt.send_tries:
        raise UserError(never_sent)
    if not vendor_test_id:
        raise UserError("Pick the test to send.")
    get_integration(session, integration_id)
    name = vendor_test_name or vendor_test_id
    already = assessments._open_for_test(session, attempt.application_id, integration_id, vendor_test_id)
    if already is not None and already.id != attempt.id:
        raise UserError(f"{name} is already {STATE_LABELS[already.state].lower()} for this candidate.")
    before = attempt.vendor_test_name
    retaken = assessments.earlier_to_retake(session, attempt.application_id, integration_id, vendor_test_id)
    try:
        changed = session.exec(
            sa.update(AssessmentAttempt)
            .where(
                AssessmentAttempt.id == attempt.id,
                AssessmentAttempt.state == AttemptState.READY_TO_SEND,
                AssessmentAttempt.send_tries == 0,
            )
            .values(
                integration_id=integration_id,
                vendor_test_id=vendor_test_id,
                vendor_test_name=name,
                retakes_attempt_id=retaken.id if retaken else None,
                attempt_number=assessments.next_attempt_number(
                    session, attempt.application_id, integration_id, vendor_test_id
                ),
            )
            .execution_options(synchronize_session=False)
        )
    except sa.exc.IntegrityError:  # a colleague opened that test for them a moment ago
        session.rollback()
        raise UserError(f"{name} was opened for this candidate a moment ago.") from None
    if changed.rowcount != 1:  # a colleague's send claimed it since it was read, or it was withdrawn
        session.rollback()
        session.refresh(attempt)
        if attempt.state == AttemptState.READY_TO_SEND or attempt.state in OPEN_STATES:
            raise UserError(f"{never_sent} A colleague sent {before} a moment ago.")
        raise UserError(f"{never_sent} {before} is {STATE_LABELS[attempt.state].lower()} now.")
    session.refresh(attempt)
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=f"Test changed for this candidate: {before} -> {name}",
        actor=actor,
    )
    session.commit()
    return attempt


def send_due_reminders(*, session: Session, actor: Actor) -> int:
    """Remind candidates whose deadline is near, once each, where the vendor can resend.

    A stage's ``reminder_hours`` says how long before the deadline; an invitation
    not started by then gets the vendor's invitation email again. Vendors that
    cannot resend are skipped (a stage of only such vendors refuses a reminder).

    A rejected candidate is reminded of nothing: their invitation may still be open at the
    vendor (one that cannot withdraw it, say), and the reminder emailed it to them again.
    """
    now = utcnow()
    due = session.exec(
        select(AssessmentAttempt, Stage)
        .join(Stage, Stage.id == AssessmentAttempt.stage_id)
        .join(Application, Application.id == AssessmentAttempt.application_id)
        .where(
            Application.rejected_at.is_(None),  # type: ignore[union-attr]
            AssessmentAttempt.state == AttemptState.SENT,
            AssessmentAttempt.reminded_at.is_(None),  # type: ignore[union-attr]
            AssessmentAttempt.expires_at.is_not(None),  # type: ignore[union-attr]
            AssessmentAttempt.expires_at > now,
            Stage.reminder_hours.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    sent = 0
    for attempt, stage in due:
        remind_from = attempt.expires_at - datetime.timedelta(hours=stage.reminder_hours)
        if remind_from > now:
            continue
        integration, provider = _provider_of(session, attempt)
        if Capability.RESEND not in provider.capabilities or not _took_to_remind(session, attempt, now):
            continue
        resent_before = attempt.resent_at
        why_not = _no_reminder_needed(session, attempt, remind_from)
        if not why_not and not _took_to_resend(session, attempt, now):
            why_not = "the invitation was resent a moment ago"  # a Resend clicked just now
        if why_not:
            _record(session, attempt, f"reminder not sent: {why_not}", actor)
            session.commit()
            continue
        try:
            provider.resend(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id)
        except ProviderError as err:
            _give_back_reminder(session, attempt, now, resent_before)
            record_vendor_error(session=session, integration=integration, message=f"Reminder not sent: {err}")
            continue
        _record(session, attempt, f"reminder sent ({stage.reminder_hours} h before the deadline)", actor)
        session.commit()
        sent += 1
    return sent


def _took_to_remind(session: Session, attempt: AssessmentAttempt, now: datetime.datetime) -> bool:
    """Take the reminder before the vendor is asked (committed), unless another run took it: marked
    only once the vendor had resent, two runs overlapping (another worker taking the scheduler
    over) both emailed the candidate (helper-116). The invitation is taken next, as a Resend takes
    it (``_took_to_resend``), so a Resend clicked meanwhile is the same email (helper-119)."""
    taken = session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.reminded_at.is_(None))  # type: ignore[union-attr]
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if taken == 1:
        session.refresh(attempt)
    return taken == 1


def _no_reminder_needed(session: Session, attempt: AssessmentAttempt, remind_from: datetime.datetime) -> str:
    """Why the reminder is not sent, though due: it would go to an email corrected since (as a
    Resend would, which is refused), or the invitation was resent since the reminder fell due (a
    second email within the minute); "" to send it."""
    offered = next(a for a in available_actions(session, attempt) if a.name == "resend")
    if not offered.enabled:
        return offered.reason
    if attempt.resent_at is not None and attempt.resent_at >= remind_from:
        return "the invitation was resent since it fell due"
    return ""


def _give_back_reminder(
    session: Session, attempt: AssessmentAttempt, taken_at: datetime.datetime, resent_before
) -> None:
    """The vendor refused the resend: the next run reminds again, and a Resend may go meanwhile."""
    session.rollback()
    for column, back in ((AssessmentAttempt.reminded_at, None), (AssessmentAttempt.resent_at, resent_before)):
        session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == attempt.id, column == taken_at)
            .values({column.key: back})
            .execution_options(synchronize_session=False)
        )
    session.commit()


def retry(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """Send a failed attempt again, unless the vendor's word on its failure was final.

    Asked for from a page open since before that word (its button drawn enabled), a retry
    would only ask the vendor again and answer "Already up to date."; it is refused with
    the reason the button now gives.

    Raises:
        UserError: The vendor reported this failure itself.
    """
    require_offered(session, "retry", attempt_id)
    moved = _room_from_the_link_now(session, session.get(AssessmentAttempt, attempt_id), actor)
    if moved is not None:
        return moved
    return assessments.retry_assessment(session=session, attempt_id=attempt_id, actor=actor)


def _room_from_the_link_now(session: Session, attempt: AssessmentAttempt, actor: Actor) -> SendOutcome | None:
    """Retry an interview's room the vendor never made from its stage's live-interview link as the
    plan has it now; None (retry as it was) if the link is the one it was made from, or gone.

    Refused because its template was deleted at the vendor, the words sent the recruiter to replace
    the link; the retry then asked for the deleted template again. Its interviews move to a room
    from the link now (one already open for the candidate, as booking shares it, or a new one, sent
    here), and the failed room is set aside. (A room a timed-out request may have made from the old
    template stays at the vendor unused: the plan no longer offers that template.)
    """
    booked = _interviews_meeting_in(session, attempt) if not attempt.vendor_attempt_id else None
    # An interview of a stage deleted since has none (helper-165: ``session.get`` of None warned).
    stage = session.get(Stage, booked[0].stage_id) if booked and booked[0].stage_id else None
    if stage is None or not stage.live_template_id or not stage.live_integration_id:
        return None
    if (stage.live_integration_id, stage.live_template_id) == (
        attempt.integration_id,
        attempt.vendor_test_id,
    ):
        return None
    room = assessments.create_attempt(
        session,
        application=session.get(Application, attempt.application_id),
        integration_id=stage.live_integration_id,
        vendor_test_id=stage.live_template_id,
        vendor_test_name=stage.live_template_name or "Live interview",
        live_interview=True,
        actor=actor,
    )
    for interview in booked:
        interview.attempt_id = room.id
        session.add(interview)
    set_aside_failed(
        session,
        attempt,
        actor,
        why=f"its interview meets in a room from the plan's link now, {room.vendor_test_name}",
    )
    session.commit()
    if room.state == AttemptState.READY_TO_SEND:
        return assessments.send_assessment(session=session, attempt_id=room.id, actor=actor)
    return SendOutcome(True, f"Its interview meets in the room already open from {room.vendor_test_name}.")


# Actions that need no more than the click, on the application page and in the queue.
ONE_CLICK = {
    "retry": retry,
    "resend": resend_invitation,
    "reattempt": reattempt,
}
