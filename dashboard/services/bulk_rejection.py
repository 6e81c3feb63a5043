"""Rejecting the candidates selected on a board at once: a screen of applicants turned down together.

Each is rejected on its own, exactly as one rejection is (``review.reject``: the reason, the note,
their unstarted tests withdrawn at the vendor, upcoming interviews called off, the feedback email),
so one already rejected or decided on meanwhile is passed over, saying why, and the rest go on.
"""

from __future__ import annotations

import dataclasses

from sqlmodel import Session, select

from dashboard.services import interviews, review
from dashboard.services.actors import Actor
from dashboard.services.errors import UserError
from dashboard.services.wording import counted
from models import Application, Candidate

# How many lines the dialog lists of what the rejections also do; the rest are counted.
SAID_AT_MOST = 8


@dataclasses.dataclass
class Selected:
    """The selection as the reject dialog opened on it: what each rejection would also do, and each
    application's decision version then (a colleague's decision after that is not overridden)."""

    versions: dict[int, int]
    also: list[str]


@dataclasses.dataclass
class Outcome:
    """One candidate's rejection: what it did (``review.Rejection``), or why it was passed over."""

    name: str
    rejection: review.Rejection | None = None
    refused: str = ""


def _selected(session: Session, job_id: int, application_ids: list[int]) -> list[tuple[Application, str]]:
    """The applications of ``job_id`` among those ids, by candidate name (others' are not touched)."""
    return list(
        session.exec(
            select(Application, Candidate.name)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Application.id.in_(application_ids), Application.job_id == job_id)  # type: ignore[union-attr]
            .order_by(Candidate.name, Application.id)
        )
    )


def before_rejecting(session: Session, job_id: int, application_ids: list[int]) -> Selected:
    """What the dialog says before the click: per candidate, their open tests and booked
    interviews the rejection deals with, and who is rejected already."""
    versions, also, unread = {}, [], 0
    for application, name in _selected(session, job_id, application_ids):
        versions[application.id] = application.decision_version
        if len(also) >= SAID_AT_MOST - 1:
            unread += 1  # a full column ticked: the dialog says what it can, reading no further
            continue
        if application.rejected_at is not None:
            also.append(f"{name} is rejected already, and stays as they are.")
            continue
        lines = review.open_tests_on_rejection(session, application.id)
        lines += interviews.upcoming_on_rejection(session, application.id)
        also += [f"{name}: {line}" for line in lines]
    if unread or len(also) > SAID_AT_MOST:
        dropped = len(also) - (SAID_AT_MOST - 1)
        parts = [counted(dropped, "more line")] if dropped > 0 else []
        parts += [counted(unread, "more candidate")] if unread else []
        also = [
            *also[: SAID_AT_MOST - 1],
            f"Not listed here: {' and '.join(parts)}; the toast says what was done.",
        ]
    return Selected(versions, also)


def reject_selected(
    *, session: Session, job_id: int, versions: dict[int, int], reason: str, note: str, actor: Actor
) -> list[Outcome]:
    """Reject each application of ``versions`` (id: its decision version when the dialog opened).

    Raises:
        UserError: No reason from the list, a note too long, or not a person (nothing is rejected then).
    """
    if reason not in review.REJECTION_REASONS:
        raise UserError("Pick the reason for the rejection.")
    if actor.user_id is None:
        raise UserError("Only a person can reject a candidate.")
    review.check_rejection_note(note)  # once, not once per candidate
    outcomes = []
    for application, name in _selected(session, job_id, list(versions)):
        try:
            rejection = review.reject(
                session=session,
                application_id=application.id,
                reason=reason,
                note=note,
                expected_version=versions[application.id],
                actor=actor,
            )
        except UserError as err:
            outcomes.append(Outcome(name, refused=str(err)))
            continue
        outcomes.append(Outcome(name, rejection))
    return outcomes


def told(outcomes: list[Outcome], reason: str) -> tuple[str, bool]:
    """What the toast says of the whole, and whether as an error: one passed over, or a test still
    open at the vendor, is the recruiter's to look at."""
    done = [o for o in outcomes if o.rejection is not None]
    passed_over = [f"{o.name}: {o.refused}" for o in outcomes if o.rejection is None]
    still_open = [f"{o.name}: {why}" for o in done for why in o.rejection.not_withdrawn]
    withdrawn = sum(len(o.rejection.withdrawn) for o in done)
    called_off = sum(len(o.rejection.interviews_cancelled) for o in done)
    text = (
        f"Rejected {len(done)} of {len(outcomes)} ({reason})."
        if passed_over
        else f"Rejected {counted(len(done), 'candidate')} ({reason})."
    )
    if withdrawn:
        text += f" {counted(withdrawn, 'test')} withdrawn at the vendor."
    if called_off:
        text += f" {counted(called_off, 'interview')} cancelled; tell the interviewers."
    trouble = passed_over + [f"Still open at the vendor: {line}" for line in still_open]
    said = trouble[:3] + ([f"And {len(trouble) - 3} more."] if len(trouble) > 3 else [])
    return " ".join([text, *said]), bool(trouble)
