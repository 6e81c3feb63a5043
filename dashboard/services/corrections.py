"""Correcting a candidate's name or email: a typo found after they were added, or after a test went.

One person is one candidate across jobs, so the correction shows on each of their applications
and is written in each one's history. What was already given out under the old address stays
where it went: the vendor keeps the invitation it made (``AssessmentAttempt.invited_email``), so
its updates are still matched to the candidate, and the recruiter is told which invitations to
send again. An email not yet gone, or refused for good at the old address, goes to the new one.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import history
from dashboard.services.actors import Actor
from dashboard.services.assessments import being_sent
from dashboard.services.errors import NotFound, UserError
from dashboard.services.notify import may_still_go, unclaimed
from dashboard.services.people import candidate_name_and_email
from dashboard.services.wording import counted
from models import Application, AssessmentAttempt, AttemptState, Candidate, OutboxMessage, folded, utcnow


def correct_candidate(
    *,
    session: Session,
    application_id: int,
    name: str,
    email: str,
    actor: Actor,
    was: tuple[str, str] | None = None,
) -> str:
    """Correct the name and email of the candidate of ``application_id``; returns what to tell.

    ``was``: the name and email the dialog opened on. Written only where they are still saved, so
    a colleague's correction made meanwhile is never written back over (their fixed address back
    to the typo, say), on SQLite as on PostgreSQL.

    Raises:
        UserError: The name or email refused (as when adding), nothing changed, the address
            already another candidate's (one person, one candidate), or corrected meanwhile.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    candidate = session.get(Candidate, application.candidate_id)
    name, address = candidate_name_and_email(name, email, saved_email=candidate.email)
    old_name, old_address = candidate.name, candidate.email
    if (name, address) == (old_name, old_address):
        raise UserError(f"{name} <{address}> is what is saved already; nothing to correct.")
    if address != old_address:
        _refuse_someone_else_s(session, candidate, address)
    meanwhile = UserError(
        f"{old_name} <{old_address}> was corrected by someone else meanwhile; the page shows it now."
    )
    if was is not None and was != (old_name, old_address):
        raise meanwhile
    # Their jobs first, in one order, as an add locks its job before the email: the other way
    # round, a correction to x@ and an add of x@ to one of their jobs would each wait on the
    # other (a deadlock, on PostgreSQL).
    job_ids: set[int] = set()
    _cards_of(session, candidate.id, bumped=job_ids)
    # The ORM's listener keeps ``search_name``; a bare UPDATE must write it too.
    try:
        written = session.execute(
            sa.update(Candidate)
            .where(Candidate.id == candidate.id, Candidate.name == old_name, Candidate.email == old_address)
            .values(name=name, email=address, search_name=folded(name))
        ).rowcount
    except sa.exc.IntegrityError:
        # A colleague's worker gave the address to a new candidate since the check above ran.
        session.rollback()
        _refuse_someone_else_s(session, candidate, address)
        raise
    if not written:
        session.rollback()
        raise meanwhile
    session.refresh(candidate)
    # The candidate's row is ours now, taken so that an add of them in flight (its new card holds
    # a key lock on the row) finishes first; a colleague adding them to another job since the
    # read above has committed, and their card gets the line (and its board the word) like the rest.
    session.exec(select(Candidate.id).where(Candidate.id == candidate.id).with_for_update())
    applications = _cards_of(session, candidate.id, bumped=job_ids)
    changes = [f"name {old_name} → {name}"] if name != old_name else []
    if address != old_address:
        changes.append(f"email {old_address} → {address}")
    for each in applications:
        history.record(
            session, application_id=each.id, summary="Corrected: " + "; ".join(changes), actor=actor
        )
    told = [f"{name} corrected."]
    if address != old_address:
        application_ids = [a.id for a in applications]
        told += _readdressed(session, application_ids, old_address, address)
        told += _invitations_at(session, application_ids, old_address, address)
    session.commit()
    return " ".join(told)


def _cards_of(session: Session, candidate_id: int, *, bumped: set[int]) -> list[Application]:
    """The candidate's applications, their jobs not in ``bumped`` bumped (in id order) and added to it."""
    applications = list(
        session.exec(
            select(Application).where(Application.candidate_id == candidate_id).order_by(Application.id)
        )
    )
    for job_id in sorted({a.job_id for a in applications} - bumped):
        history.bump_job(session, job_id)
        bumped.add(job_id)
    return applications


def _readdressed(session: Session, application_ids: list[int], old: str, new: str) -> list[str]:
    """The candidate's emails not gone yet, or turned down at ``old`` (``notify.TURNED_DOWN``),
    go to ``new``.

    One a send is handing over right now (claimed) goes where it was going; one withheld for
    another reason (its rejection undone) stays withheld."""
    moved = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.application_id.in_(application_ids),  # type: ignore[union-attr]
            OutboxMessage.to_address == old,
            may_still_go(),
            unclaimed(utcnow()),
        )
        .values(to_address=new, withheld=None, error=None, refused_since=None)
    ).rowcount
    return [f"{counted(moved, 'email')} not sent yet will go to {new}."] if moved else []


def _invitations_at(session: Session, application_ids: list[int], old: str, new: str) -> list[str]:
    """The invitations the vendor sent to ``old`` and nobody has started, and those a send is
    handing the vendor for ``old`` right now (helper-120: only "Bob corrected." was said of one):
    to send again once they show as sent."""
    ours = AssessmentAttempt.application_id.in_(application_ids)  # type: ignore[union-attr]
    at_old = AssessmentAttempt.invited_email == old
    sent = session.exec(
        select(AssessmentAttempt.vendor_test_name).where(
            ours, at_old, AssessmentAttempt.state == AttemptState.SENT
        )
    ).all()
    sending = session.exec(
        select(AssessmentAttempt.vendor_test_name).where(ours, at_old, being_sent(utcnow()))
    ).all()
    # Failed with no answer from the vendor, which may have made the invitation at ``old`` all
    # the same: a Retry looks for it there, and keeps it if found (helper-164: nothing was said).
    # One the vendor refused (a 400 for the typo, say) made nothing (helper-165).
    unconfirmed = session.exec(
        select(AssessmentAttempt.vendor_test_name).where(
            ours,
            at_old,
            AssessmentAttempt.state == AttemptState.ERROR,
            AssessmentAttempt.vendor_attempt_id.is_(None),  # type: ignore[union-attr]
            AssessmentAttempt.send_unanswered_at.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    told = []
    if sent:
        one = len(sent) == 1
        told.append(
            f"The invitation{'' if one else 's'} to {', '.join(sorted(sent))} went to {old}, not started "
            f"yet: cancel {'it' if one else 'them'} and send {'it' if one else 'them'} again to reach {new}."
        )
    if sending:
        one = len(sending) == 1
        told.append(
            f"{', '.join(sorted(sending))} {'is' if one else 'are'} being sent to {old} right now: once "
            f"{'it shows' if one else 'they show'} as sent, cancel and send again to reach {new}."
        )
    if unconfirmed:
        one = len(unconfirmed) == 1
        told.append(
            f"The failed send{'' if one else 's'} of {', '.join(sorted(unconfirmed))} to {old} may have "
            f"reached the vendor: a Retry finds {'it' if one else 'them'} there if so; then cancel and send "
            f"again to reach {new}."
        )
    return told


def _refuse_someone_else_s(session: Session, candidate: Candidate, address: str) -> None:
    """One person is one candidate (the email is unique): another's address is refused, by name."""
    other = session.exec(
        select(Candidate).where(Candidate.email == address, Candidate.id != candidate.id)
    ).first()
    if other is not None:
        raise UserError(f"{address} is already {other.name}'s address; one person is one candidate.")
