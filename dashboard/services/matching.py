"""Vendor results Assay could not tie to an application: kept until a recruiter matches them.

A result for an attempt id we do not know, or naming another candidate than the
one invited, is never dropped and never applied to the wrong person. It waits
in the "needs matching" list; a recruiter picks the attempt it belongs to (or
sets it aside), and the result is then applied like any vendor update.

A result set aside is resolved with no attempt; it stays listed under "Set aside"
and can be restored to the list. Both are written to the connection's audit log,
since restoring clears who set it aside from the row itself.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import assessments, history
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import audit
from models import AssessmentAttempt, AttemptState, UnmatchedResult, utcnow
from models.lifecycle import FINISHED_STATES
from providers.base import AssessmentResult, AttemptStatus, Progress, SubScore

log = logging.getLogger(__name__)

REASONS = {
    assessments.Applied.UNKNOWN: "No assessment in Assay has this vendor id.",
    assessments.Applied.MISMATCH: "The vendor names another candidate than the one invited.",
}


def _status_to_json(status: AttemptStatus) -> dict:
    """The status as its JSON column holds it (tuples as lists): compared with a kept one, the same
    word reads the same (helper-155: a result's tuples never equalled the stored lists)."""
    return json.loads(
        json.dumps(dataclasses.asdict(status, dict_factory=lambda items: {k: _plain(v) for k, v in items}))
    )


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _same(name: str, held, told) -> bool:
    """Whether a kept result's field says what it holds (a status, asked for again: the same word)."""
    if name == "status" and isinstance(held, dict):
        return {**held, "asked_at": None} == {**told, "asked_at": None}
    return held == told


def _status_from_json(data: dict) -> AttemptStatus:
    def when(key: str) -> datetime.datetime | None:
        return datetime.datetime.fromisoformat(data[key]) if data.get(key) else None

    result = data.get("result")
    return AttemptStatus(
        vendor_attempt_id=data["vendor_attempt_id"],
        progress=Progress(data["progress"]),
        raw_status=data.get("raw_status") or "",
        reference=data.get("reference"),
        candidate_email=None,  # a person matched it: the email no longer decides
        test_url=data.get("test_url"),
        report_url=data.get("report_url"),
        sent_at=when("sent_at"),
        started_at=when("started_at"),
        completed_at=when("completed_at"),
        expires_at=when("expires_at"),
        result=AssessmentResult(
            **{**result, "subscores": tuple(SubScore(**s) for s in result.get("subscores") or ())},
        )
        if result
        else None,
    )


def _waiting(session: Session, integration_id: int, vendor_attempt_id: str) -> UnmatchedResult | None:
    """The result for this vendor attempt still waiting to be matched, if one is (at most one is)."""
    return session.exec(
        select(UnmatchedResult)
        .where(
            UnmatchedResult.integration_id == integration_id,
            UnmatchedResult.vendor_attempt_id == vendor_attempt_id,
            UnmatchedResult.resolved_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(UnmatchedResult.id.desc())  # type: ignore[union-attr]
    ).first()


def _set_aside(session: Session, integration_id: int, vendor_attempt_id: str) -> UnmatchedResult | None:
    """The newest result set aside for this vendor attempt, if one was."""
    return session.exec(
        select(UnmatchedResult)
        .where(
            UnmatchedResult.integration_id == integration_id,
            UnmatchedResult.vendor_attempt_id == vendor_attempt_id,
            set_aside_clause(),
        )
        .order_by(UnmatchedResult.id.desc())  # type: ignore[union-attr]
    ).first()


def record(
    *,
    session: Session,
    integration_id: int,
    status: AttemptStatus,
    outcome: assessments.Applied,
    delivery_id: int | None = None,
) -> UnmatchedResult:
    """Keep an update that could not be applied; the same open one is kept once.

    One for a vendor attempt a recruiter set aside stays set aside, holding the vendor's newest
    word (a test account's every update had brought it back to needs matching).
    """
    row = (
        _waiting(session, integration_id, status.vendor_attempt_id)
        or _set_aside(session, integration_id, status.vendor_attempt_id)
        or UnmatchedResult(integration_id=integration_id, vendor_attempt_id=status.vendor_attempt_id)
    )
    kept = {
        "delivery_id": delivery_id or row.delivery_id,
        "candidate_email": status.candidate_email,
        "reason": REASONS.get(outcome, "Could not be applied."),
        "status": _status_to_json(status),
    }
    if row.id is not None and all(_same(name, getattr(row, name), value) for name, value in kept.items()):
        return row  # the same word again (every sweep lists it): nothing to write, no page woken
    for name, value in kept.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    kept = "kept set aside" if row.resolved_at else "kept for matching"
    log.info("integration %s: update for %s %s", integration_id, status.vendor_attempt_id, kept)
    return row


def taken_by_a_send(session: Session, attempt: AssessmentAttempt) -> AttemptStatus | None:
    """The vendor's word kept for matching about the invitation a send has just tied to ``attempt``,
    resolved to it (in the caller's transaction); None if none waits.

    A webhook about an invitation can arrive before Assay knows its id: CodeSignal's "session
    created" for a send whose answer timed out (it names no reference Assay can tie), applied
    before the retry adopts the invitation. Kept for matching, it waited in the queue for good,
    "No assessment in Assay has this vendor id" about an id an attempt now holds (helper-157).
    """
    row = _waiting(session, attempt.integration_id, attempt.vendor_attempt_id)
    if row is None:
        return None
    try:
        with session.begin_nested():  # a person matching or setting it aside at once: theirs stands
            _claim(session, row, attempt_id=attempt.id, by="the send that tied its invitation")
    except UserError:
        return None
    # As old as it is: kept as it arrived (the stored word keeps no time of asking), it is older
    # news than the send's own answer, and writes only what the attempt lacks (helper-165).
    return dataclasses.replace(_status_from_json(row.status), asked_at=row.received_at)


def open_items(session: Session) -> list[UnmatchedResult]:
    """Every update still waiting for a person, oldest first."""
    return list(
        session.exec(
            select(UnmatchedResult)
            .where(UnmatchedResult.resolved_at.is_(None))  # type: ignore[union-attr]
            .order_by(UnmatchedResult.id)
        )
    )


def match(*, session: Session, unmatched_id: int, attempt_id: int, actor: Actor) -> assessments.Applied:
    """Apply a kept update to the attempt a recruiter chose, and to no other.

    The result is claimed first (two recruiters, or a match and a "Set aside", at once: one wins),
    then the attempt held and checked on what it holds now: one still waiting on the vendor (or
    whose send failed), and no other attempt holding the result's invitation. The update is
    applied to that attempt, which takes the result's invitation id: the vendor's later updates
    about it follow. Nothing is resolved unless all of it is.

    Raises:
        NotFound: The item or the attempt is gone.
        UserError: Already resolved, the attempt belongs to another connection, is finished,
            or another attempt holds the result's invitation.
    """
    row = session.get(UnmatchedResult, unmatched_id)
    attempt = session.get(AssessmentAttempt, attempt_id)
    if row is None:
        raise NotFound("That result no longer exists. Reload the page.")
    if attempt is None:
        raise NotFound(f"There is no assessment #{attempt_id}: check the number on its application page.")
    try:
        _claim(session, row, attempt_id=attempt.id, by=actor.label)
        assessments.hold_attempt(session, attempt)
        _refuse_unless_it_can_take(session, row, attempt)
    except UserError:
        session.rollback()
        raise
    status = _status_from_json(row.status)
    earlier = attempt.vendor_attempt_id
    attempt.vendor_attempt_id = status.vendor_attempt_id
    session.add(attempt)
    retied = (
        f" (it was tied to the vendor's {earlier})" if earlier not in (None, status.vendor_attempt_id) else ""
    )
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=f"{attempt.vendor_test_name}: the vendor's result "
        f"{described(row.vendor_attempt_id, row.candidate_email)} matched to it{retied}",
        actor=actor,
    )
    return assessments.apply_to_attempt(session, attempt, status, actor=actor)


def _claim(session: Session, row: UnmatchedResult, *, attempt_id: int | None, by: str) -> None:
    """Resolve the kept result in the caller's transaction, unless someone resolved it meanwhile."""
    claimed = session.exec(
        sa.update(UnmatchedResult)
        .where(UnmatchedResult.id == row.id, UnmatchedResult.resolved_at.is_(None))  # type: ignore[union-attr]
        .values(resolved_at=utcnow(), resolved_attempt_id=attempt_id, resolved_by=by)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise UserError("That result was already matched or set aside.")
    session.refresh(row)


def _refuse_unless_it_can_take(session: Session, row: UnmatchedResult, attempt: AssessmentAttempt) -> None:
    """Refuse an attempt the result cannot go to, in words (the attempt held: as it is now)."""
    if attempt.integration_id != row.integration_id:
        raise UserError("That assessment was sent through another vendor connection.")
    if attempt.state in FINISHED_STATES:
        score = assessments.percent_label(attempt.score_percent)
        raise UserError(
            f"Assessment #{attempt.id} already has its result{f' ({score})' if score else ''}: "
            "set this one aside, or match it to the assessment it belongs to."
        )
    if attempt.state in (AttemptState.CANCELLED, AttemptState.EXPIRED):
        raise UserError(
            f"Assessment #{attempt.id} is {attempt.state.value}: re-attempt it first, "
            "then match this result to the new attempt."
        )
    holder = session.exec(
        select(AssessmentAttempt.id).where(
            AssessmentAttempt.integration_id == row.integration_id,
            AssessmentAttempt.vendor_attempt_id == row.vendor_attempt_id,
            AssessmentAttempt.id != attempt.id,
        )
    ).first()
    if holder is not None:
        raise UserError(
            f"This result is for the invitation assessment #{holder} holds at the vendor: "
            f"match it to #{holder}, or set it aside."
        )


def set_aside_clause() -> sa.ColumnElement[bool]:
    """Resolved with no attempt: set aside, not matched."""
    return sa.and_(
        UnmatchedResult.resolved_at.is_not(None),  # type: ignore[union-attr]
        UnmatchedResult.resolved_attempt_id.is_(None),  # type: ignore[union-attr]
    )


def described(vendor_attempt_id: str, candidate_email: str | None) -> str:
    """A result as a recruiter recognises it: the vendor's id, and the email it gave."""
    return vendor_attempt_id + (f" ({candidate_email})" if candidate_email else "")


def dismiss(*, session: Session, unmatched_id: int, actor: Actor) -> None:
    """Set a kept update aside (a test account, a candidate from another system).

    Raises:
        NotFound: The item is gone.
        UserError: Already matched or set aside (in another tab): who resolved it stays recorded.
    """
    row = session.get(UnmatchedResult, unmatched_id)
    if row is None:
        raise NotFound("That result no longer exists.")
    try:
        _claim(session, row, attempt_id=None, by=actor.label)  # not after a colleague's match
    except UserError:
        session.rollback()
        raise
    what = described(row.vendor_attempt_id, row.candidate_email)
    audit(session, row.integration_id, actor, f"Set aside the vendor result for {what}.")
    session.commit()


def restore(*, session: Session, unmatched_id: int, actor: Actor) -> None:
    """Put a result set aside back among those that need matching (set aside by mistake).

    Raises:
        NotFound: The item is gone.
        UserError: It was matched, or is already waiting (restored in another tab), or another
            result for the same vendor attempt waits (kept before a result set aside stayed so).
    """
    row = session.get(UnmatchedResult, unmatched_id)
    if row is None:
        raise NotFound("That result no longer exists.")
    if row.resolved_at is None:
        raise UserError("That result is already waiting to be matched.")
    if row.resolved_attempt_id is not None:
        raise UserError("That result was matched to an assessment and applied; it cannot be restored.")
    if _waiting(session, row.integration_id, row.vendor_attempt_id) is not None:
        raise UserError(
            f"A newer result for {row.vendor_attempt_id} is already waiting to be matched; match that one."
        )
    row.resolved_at = row.resolved_by = None
    session.add(row)
    what = described(row.vendor_attempt_id, row.candidate_email)
    audit(
        session,
        row.integration_id,
        actor,
        f"Restored the vendor result for {what} to needs matching.",
    )
    session.commit()
