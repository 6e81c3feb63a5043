"""Scheduling a live interview and making its link from the stage's default template.

As in seed 004 (CodeSignal's "</>" default link): a stage carries a live-interview
template; scheduling an interview in that stage creates the pad or interview at
the vendor through the same send as any assessment, so its link is ready to
paste into the invitation and its status follows like any attempt.

Rejecting a candidate calls off their upcoming interviews (``cancel_upcoming``): left booked,
the interviewers would still turn up for a candidate the team has turned down. One interview
is called off on its own too (``cancel_interview``: the candidate asked to move it, an
interviewer fell ill); moving it is cancelling it and booking again. Past ones stay as they
were: they happened.
"""

from __future__ import annotations

import datetime

from sqlmodel import Session, select

from dashboard.services import assessments, attempt_actions, history, plan_connections
from dashboard.services.accounts import MAX_NAME
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from models import Application, AssessmentAttempt, AttemptState, Integration, Interview, Stage, utcnow

# A person's name is as long as a user's may be (accounts.MAX_NAME); more than 20 people is
# a pasted list, not an interview panel. The whole list must fit its column (500): PostgreSQL
# refuses a longer value, where SQLite kept it and the page grew 2,800 px wide to show it.
MAX_INTERVIEWERS = 20
MAX_INTERVIEWERS_TEXT = Interview.__table__.c.interviewers.type.length


def schedule_interview(
    *,
    session: Session,
    application_id: int,
    scheduled_for: datetime.datetime,
    interviewers: str,
    actor: Actor,
) -> Interview:
    """Schedule an interview in the application's current stage; make its link if the stage has a template.

    Raises:
        UserError: A rejected candidate, a time in the past, no interviewer named, more than
            the form can hold, or a stage whose live-interview link's connection was disconnected.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    if application.rejected_at is not None:
        raise UserError("This candidate was rejected: undo the rejection to book an interview.")
    if scheduled_for.tzinfo is None:
        scheduled_for = scheduled_for.replace(tzinfo=datetime.UTC)
    if scheduled_for <= utcnow():
        raise UserError("The interview time is in the past; pick a later time.")
    names = _interviewers(interviewers)
    stage = session.get(Stage, application.stage_id)
    link = session.get(Integration, stage.live_integration_id) if stage.live_integration_id else None
    if refusal := plan_connections.booking_refusal(stage, link):
        raise UserError(refusal)
    interview = Interview(
        application_id=application_id,
        stage_id=stage.id,
        scheduled_for=scheduled_for.astimezone(datetime.UTC).replace(microsecond=0),
        interviewers=names,
    )
    session.add(interview)
    session.flush()
    history.record(
        session,
        application_id=application_id,
        summary=f"Interview scheduled for {interview.scheduled_for:%Y-%m-%d %H:%M} UTC with {names}",
        actor=actor,
    )
    if stage.live_template_id and stage.live_integration_id:
        attempt = assessments.create_attempt(
            session,
            application=application,
            integration_id=stage.live_integration_id,
            vendor_test_id=stage.live_template_id,
            vendor_test_name=stage.live_template_name or "Live interview",
            live_interview=True,
            actor=actor,
        )
        interview.attempt_id = attempt.id
        session.add(interview)
    history.bump_job(session, application.job_id)  # colleagues' open pages show it, room or none
    session.commit()
    if interview.attempt_id:
        assessments.send_assessment(session=session, attempt_id=interview.attempt_id, actor=actor)
    return interview


def booking_outcome(session: Session, interview: Interview) -> assessments.SendOutcome:
    """What booking ``interview`` did, in words for the person who booked it: a room the vendor
    refused to make is said as a failure (the toast said "Interview scheduled." in green, the
    refusal and what to do only on the room's card below)."""
    room = session.get(AssessmentAttempt, interview.attempt_id) if interview.attempt_id else None
    if room is not None and room.state == AttemptState.ERROR:
        return assessments.SendOutcome(
            True, f"Interview scheduled, but its link was not made: {room.error_reason}", failed=True
        )
    return assessments.SendOutcome(True, "Interview scheduled.")


def _interviewers(typed: str) -> str:
    """The comma-separated names, tidied; refused whole rather than cut, so nobody is dropped unseen.

    Raises:
        UserError: No name, a name longer than a person's, too many names, or too long a list.
    """
    names = [n.strip() for n in typed.split(",") if n.strip()]
    if not names:
        raise UserError("Name at least one interviewer.")
    if any(len(n) > MAX_NAME for n in names):
        raise UserError(f"An interviewer's name is at most {MAX_NAME} characters.")
    if len(names) > MAX_INTERVIEWERS:
        raise UserError(f"Name at most {MAX_INTERVIEWERS} interviewers.")
    joined = ", ".join(names)
    if len(joined) > MAX_INTERVIEWERS_TEXT:
        raise UserError(
            f"The interviewers' names are at most {MAX_INTERVIEWERS_TEXT} characters together; "
            "name fewer, or shorten them."
        )
    return joined


def upcoming(session: Session, application_id: int) -> list[Interview]:
    """The application's interviews still ahead and not called off, soonest first."""
    return list(
        session.exec(
            select(Interview)
            .where(
                Interview.application_id == application_id,
                Interview.scheduled_for > utcnow(),
                Interview.cancelled_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(Interview.scheduled_for)
        )
    )


def named(interview: Interview) -> str:
    """When and with whom, as the history and the dialogs say it."""
    return f"{interview.scheduled_for:%Y-%m-%d %H:%M} UTC with {interview.interviewers}"


def upcoming_on_rejection(session: Session, application_id: int) -> list[str]:
    """What rejecting does to the candidate's upcoming interviews, a sentence each, for the reject
    dialog. Assay emails no interviewer, so it says who to tell."""
    return [
        f"Their interview on {named(i)} will be cancelled; tell the interviewers."
        for i in upcoming(session, application_id)
    ]


def cancel_upcoming(session: Session, application_id: int, actor: Actor) -> list[str]:
    """Call off the rejected candidate's upcoming interviews, each in the history; what was
    called off, in words. Left to the caller to commit, with the rejection."""
    called_off = []
    for interview in upcoming(session, application_id):
        interview.cancelled_at = utcnow()
        session.add(interview)
        history.record(
            session,
            application_id=application_id,
            summary=f"Interview on {named(interview)} cancelled: the candidate was rejected",
            actor=actor,
        )
        called_off.append(named(interview))
    return called_off


FAILED_ROOM_SET_ASIDE = "Its room, which had failed, is set aside."


def room_on_cancel(session: Session, interview: Interview) -> tuple[AssessmentAttempt | None, str]:
    """What cancelling ``interview`` does to its room at the vendor (the pad its stage's template
    made): the room to withdraw, or None and why it stays, in words ("": it has none open).

    Another booked interview meeting in it keeps it (a candidate's interviews in one stage share
    one room), and so does a vendor that cannot withdraw one (CoderPad Interview's pads). A room
    that failed before the vendor made it is set aside with its last interview: left, the queue's
    Failed offered a Retry that would make a room for nobody. One the vendor made, then reported
    failed, may still work there, so it stays where a person can see it."""
    room = session.get(AssessmentAttempt, interview.attempt_id) if interview.attempt_id else None
    if room is None or room.state not in (AttemptState.READY_TO_SEND, AttemptState.SENT, AttemptState.ERROR):
        return None, ""
    sharing = [
        i
        for i in upcoming(session, interview.application_id)
        if i.attempt_id == room.id and i.id != interview.id
    ]
    if sharing:
        what = "room" if room.state == AttemptState.ERROR else "link"  # a failed room has no link
        return None, f"Its {what} stays: the interview on {named(sharing[0])} uses it too."
    if room.state == AttemptState.ERROR:
        if room.vendor_attempt_id:  # made at the vendor, then failed: it may live there still
            return None, "Its room failed at the vendor and stays under Failed in the queue."
        return room, FAILED_ROOM_SET_ASIDE
    cancel = next(a for a in attempt_actions.available_actions(session, room) if a.name == "cancel")
    if not cancel.enabled:
        return None, f"Its link still works: {cancel.reason}"
    return room, "Its link stops working."


def cancel_interview(
    *, session: Session, interview_id: int, actor: Actor, application_id: int | None = None
) -> assessments.SendOutcome:
    """Call off one upcoming interview, in the history, and withdraw its room at the vendor where
    ``room_on_cancel`` says so, by the Cancel button's path (not readied again: no interview needs
    it). A vendor that fails the withdrawal leaves the interview cancelled and says the link still
    works. Assay emails no interviewer, so the answer says who to tell. ``application_id``: the
    candidate's page it is called off from (helper-154: any interview id sent from one was).

    Raises:
        UserError: The interview's time has passed (it stays a record of what happened), or it is
            not ``application_id``'s.
    """
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise NotFound("That interview no longer exists.")
    if application_id is not None and interview.application_id != application_id:
        raise UserError("That interview is not this candidate's; reload the page.")
    if interview.cancelled_at is not None:
        return assessments.SendOutcome(False, "Already cancelled.")
    if interview.id not in {i.id for i in upcoming(session, interview.application_id)}:
        raise UserError("This interview's time has passed: it stays as a record, not cancelled.")
    if interview.attempt_id and (held := session.get(AssessmentAttempt, interview.attempt_id)):
        # Held to the commit: two colleagues each cancelling one of the room's two interviews
        # each found the other's still booked and both kept the room, open for no one (helper-120).
        assessments.hold_attempt(session, held)
        session.refresh(interview)
        if interview.cancelled_at is not None:
            session.rollback()
            return assessments.SendOutcome(False, "Already cancelled.")
    room, of_room = room_on_cancel(session, interview)
    interview.cancelled_at = utcnow()
    session.add(interview)
    history.record(
        session,
        application_id=interview.application_id,
        summary=f"Interview on {named(interview)} cancelled",
        actor=actor,
    )
    history.bump_job(session, session.get(Application, interview.application_id).job_id)
    session.commit()
    said = f"Interview on {named(interview)} cancelled; tell the interviewers."
    if room is not None and room.state == AttemptState.ERROR:
        attempt_actions.set_aside_failed(session, room, actor)
        session.commit()
    elif room is not None:
        try:
            attempt_actions.cancel_assessment(session=session, attempt_id=room.id, actor=actor)
        except UserError as err:
            return assessments.SendOutcome(True, f"{said} Its link still works: {err}", failed=True)
        rebooked = _booked_in_it_meanwhile(session, interview.application_id, room)
        if rebooked is not None:
            return _room_made_again(session, rebooked, said, actor)
    return assessments.SendOutcome(True, f"{said} {of_room}".strip())


def _booked_in_it_meanwhile(
    session: Session, application_id: int, room: AssessmentAttempt
) -> Interview | None:
    """An interview a colleague booked in the room while the vendor was asked to withdraw it (the
    dialog says to book the new time to move an interview): the cancel readied a fresh room from
    the same template for it."""
    for other in upcoming(session, application_id):
        fresh = session.get(AssessmentAttempt, other.attempt_id) if other.attempt_id else None
        if (
            fresh is not None
            and fresh.id > room.id
            and fresh.live_interview
            and fresh.state == AttemptState.READY_TO_SEND
            and (fresh.integration_id, fresh.vendor_test_id) == (room.integration_id, room.vendor_test_id)
        ):
            return other
    return None


def _room_made_again(
    session: Session, rebooked: Interview, said: str, actor: Actor
) -> assessments.SendOutcome:
    """Make the interview booked meanwhile its own room now, as its booking would have: readied only,
    it waited under "needs sending" with no link, the link its colleague handed out dead (helper-120)."""
    meanwhile = f"A colleague booked the interview on {named(rebooked)} in its room meanwhile"
    try:
        made = assessments.send_assessment(session=session, attempt_id=rebooked.attempt_id, actor=actor)
    except UserError as err:  # disconnected or rejected meanwhile: the cancel stands, and is said
        return assessments.SendOutcome(
            True, f"{said} Its link stops working. {meanwhile}: its new room was not made: {err}", failed=True
        )
    if made.sent:
        return assessments.SendOutcome(
            True,
            f"{said} Its link stops working. {meanwhile}: a new room was made for it; its link is on the interview.",
        )
    return assessments.SendOutcome(
        True,
        f"{said} Its link stops working. {meanwhile}: its new room was not made: {made.message}",
        failed=True,
    )
