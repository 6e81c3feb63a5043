"""Notes by the hiring team on an application."""

from __future__ import annotations

from sqlmodel import Session

from dashboard.services import history
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from models import Application, ApplicationNote

MAX_NOTE = 4000


def add_note(*, session: Session, application_id: int, text: str, actor: Actor) -> ApplicationNote:
    """Keep a note on the application; the history says who wrote one, and when.

    Raises:
        UserError: An empty or overlong note.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    cleaned = text.strip()
    if not cleaned:
        raise UserError("Write something before saving the note.")
    if len(cleaned) > MAX_NOTE:
        raise UserError(f"A note is at most {MAX_NOTE} characters.")
    note = ApplicationNote(
        application_id=application_id, author_id=actor.user_id, author_name=actor.label, text=cleaned
    )
    session.add(note)
    history.record(session, application_id=application_id, summary="Note added", actor=actor)
    history.bump_job(session, application.job_id)
    session.commit()
    return note
