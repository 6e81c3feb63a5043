"""Writing the application history and telling open boards that a job changed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.services.actors import Actor
from models import ApplicationEvent, AssessmentAttempt, Job


def bump_job(session: Session, job_id: int) -> None:
    """Grow the job's revision in the current transaction, so open boards reload."""
    # Nothing reads a revision off a loaded Job (boards ask the database: job_revisions), so
    # the session is not synchronised: the default walks every object it holds, which made
    # a burst of webhooks quadratic, and even "fetch" cost a fifth of applying one.
    session.exec(
        sa.update(Job)
        .where(Job.id == job_id)
        .values(revision=Job.revision + 1)
        .execution_options(synchronize_session=False)
    )


SUMMARY_LENGTH = ApplicationEvent.__table__.c.summary.type.length


def _fitted(summary: str) -> str:
    """``summary`` within its column: a longer one (a vendor's long refusal, whole on the attempt's
    card) is cut at a word and ends in "…", so nobody reads a cut line as all there was."""
    if len(summary) <= SUMMARY_LENGTH:
        return summary
    kept = summary[: SUMMARY_LENGTH - 1]
    at_a_word = kept.rsplit(" ", 1)[0]
    if len(at_a_word) < len(kept) - 40:  # no word ends near the cut (a quoted JSON body, say)
        at_a_word = kept
    return at_a_word.rstrip(" .,;:") + "…"


# A vendor's status word is kept as long as the column holds (PostgreSQL refused longer, and
# with it the whole update); read from the column.
RAW_STATUS_LENGTH = ApplicationEvent.__table__.c.raw_status.type.length


def record(
    session: Session,
    *,
    application_id: int,
    summary: str,
    actor: Actor,
    attempt: AssessmentAttempt | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    raw_status: str | None = None,
    delivery_id: int | None = None,
) -> None:
    """Add one line to an application's history."""
    session.add(
        ApplicationEvent(
            application_id=application_id,
            attempt_id=attempt.id if attempt else None,
            summary=_fitted(summary),
            from_state=from_state,
            to_state=to_state,
            actor_kind=actor.kind,
            actor_label=actor.label,
            raw_status=raw_status[:RAW_STATUS_LENGTH] if raw_status else None,  # as the attempt's
            delivery_id=delivery_id,
        )
    )
