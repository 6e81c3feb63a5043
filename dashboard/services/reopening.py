"""Undoing a rejection: a recruiter who rejected the wrong candidate takes the decision back.

Only the decision is undone. The candidate stays at the stage they were rejected in, and the
history keeps the rejection and its undoing, each with who and when. Nothing at the vendor is
revived: a withdrawn invitation's link is dead at every vendor, and whether to send the test
again is the recruiter's call (Re-attempt, once reopened); nor is an interview it called off
booked again (the interviewers were told, and the time may be taken). A test the rejection left open (one
under way, one the vendor would not withdraw) is simply live again: its reminders resume and the
queue shows it, since both leave out only rejected candidates.
"""

from __future__ import annotations

from sqlmodel import Session, select

from dashboard.services import history, interviews
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.review import claim_decision
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Interview,
    OutboxMessage,
    Stage,
)


def _rejected(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    if application.rejected_at is None:
        raise UserError("This candidate is not rejected: there is nothing to undo.")
    return application


def what_stays(session: Session, application_id: int) -> list[str]:
    """What undoing the rejection leaves as the rejection made it, a sentence each, for the
    dialog to say before the click: the tests withdrawn at the vendor, the interviews called
    off (the interviewers were told, and the time may be gone), and the rejection email."""
    application = _rejected(session, application_id)
    withdrawn = session.exec(
        select(AssessmentAttempt.vendor_test_name)
        .join(ApplicationEvent, ApplicationEvent.attempt_id == AssessmentAttempt.id)
        .where(
            ApplicationEvent.application_id == application_id,
            ApplicationEvent.to_state == AttemptState.CANCELLED.value,
            ApplicationEvent.at >= application.rejected_at,
            AssessmentAttempt.state == AttemptState.CANCELLED,
        )
        .distinct()
    ).all()
    said = []
    if withdrawn:
        said.append(
            f"Withdrawn at the vendor when they were rejected, and staying withdrawn: {', '.join(withdrawn)}. "
            "You can send again (Re-attempt) once the rejection is undone."
        )
    called_off = session.exec(
        select(Interview).where(
            Interview.application_id == application_id,
            Interview.cancelled_at >= application.rejected_at,  # type: ignore[operator]
        )
    ).all()
    if called_off:
        said.append(
            "Cancelled when they were rejected, and staying cancelled: "
            + "; ".join(f"the interview on {interviews.named(i)}" for i in called_off)
            + ". Book again if it should still happen."
        )
    emailed = session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.application_id == application_id,
            OutboxMessage.dedupe_key.startswith(f"feedback:rejected:{application_id}:"),  # type: ignore[attr-defined]
        )
    ).first()
    if emailed:
        said.append(
            "They were emailed the rejection (this job's candidate feedback); undoing it does not unsay it."
        )
    return said


def reopen(*, session: Session, application_id: int, expected_version: int, actor: Actor) -> Application:
    """Undo the rejection: the candidate is active again in the stage they were rejected in.

    Raises:
        UserError: An automatic actor, not rejected, or decided on meanwhile.
    """
    if actor.user_id is None:
        raise UserError("Only a person can undo a rejection.")
    application = _rejected(session, application_id)
    reason = application.rejection_reason or ""
    claim_decision(session, application, expected_version)
    application.rejected_at = application.rejection_reason = None
    session.add(application)
    stage = session.get(Stage, application.stage_id)
    history.record(
        session,
        application_id=application.id,
        summary=f"Rejection undone ({reason}); active again in {stage.name}",
        actor=actor,
    )
    history.bump_job(session, application.job_id)
    session.commit()
    return application
