"""Scheduling a live interview and making its link from the stage's default template.

As in seed 004 (CodeSignal's "</>" default link): a stage carries a live-interview
template; scheduling an interview in that stage creates the pad or interview at
the vendor through the same send as any assessment, so its link is ready to
paste into the invitation and its status follows like any attempt.
"""

from __future__ import annotations

import datetime

from sqlmodel import Session

from dashboard.services import assessments, history
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from models import Application, Interview, Stage, utcnow


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
        UserError: A time in the past, or no interviewer named.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    if scheduled_for.tzinfo is None:
        scheduled_for = scheduled_for.replace(tzinfo=datetime.UTC)
    if scheduled_for <= utcnow():
        raise UserError("The interview time is in the past; pick a later time.")
    names = ", ".join(n.strip() for n in interviewers.split(",") if n.strip())
    if not names:
        raise UserError("Name at least one interviewer.")
    stage = session.get(Stage, application.stage_id)
    interview = Interview(
        application_id=application_id,
        stage_id=stage.id,
        scheduled_for=scheduled_for.astimezone(datetime.UTC).replace(microsecond=0),
        interviewers=names[:500],
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
    session.commit()
    if interview.attempt_id:
        assessments.send_assessment(session=session, attempt_id=interview.attempt_id, actor=actor)
    return interview
