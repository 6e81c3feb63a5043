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
import logging

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import assessments
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import audit
from models import AssessmentAttempt, UnmatchedResult, utcnow
from providers.base import AssessmentResult, AttemptStatus, Progress, SubScore

log = logging.getLogger(__name__)

REASONS = {
    assessments.Applied.UNKNOWN: "No assessment in Assay has this vendor id.",
    assessments.Applied.MISMATCH: "The vendor names another candidate than the one invited.",
}


def _status_to_json(status: AttemptStatus) -> dict:
    return dataclasses.asdict(status, dict_factory=lambda items: {k: _plain(v) for k, v in items})


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


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
    row.delivery_id = delivery_id or row.delivery_id
    row.candidate_email = status.candidate_email
    row.reason = REASONS.get(outcome, "Could not be applied.")
    row.status = _status_to_json(status)
    session.add(row)
    session.commit()
    kept = "kept set aside" if row.resolved_at else "kept for matching"
    log.info("integration %s: update for %s %s", integration_id, status.vendor_attempt_id, kept)
    return row


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
    """Apply a kept update to the attempt a recruiter chose.

    Raises:
        NotFound: The item or the attempt is gone.
        UserError: Already resolved, or the attempt belongs to another connection.
    """
    row = session.get(UnmatchedResult, unmatched_id)
    attempt = session.get(AssessmentAttempt, attempt_id)
    if row is None:
        raise NotFound("That result no longer exists. Reload the page.")
    if attempt is None:
        raise NotFound(f"There is no assessment #{attempt_id}: check the number on its application page.")
    if row.resolved_at is not None:
        raise UserError("That result was already matched or dismissed.")
    if attempt.integration_id != row.integration_id:
        raise UserError("That assessment was sent through another vendor connection.")
    status = _status_from_json(row.status)
    attempt.vendor_attempt_id = status.vendor_attempt_id
    session.add(attempt)
    session.flush()
    outcome = assessments.apply_vendor_status(
        session=session, integration_id=row.integration_id, status=status, actor=actor
    )
    row.resolved_at, row.resolved_attempt_id, row.resolved_by = utcnow(), attempt.id, actor.label
    session.add(row)
    session.commit()
    return outcome


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
    if row.resolved_at is not None:
        raise UserError("That result was already matched or set aside.")
    row.resolved_at, row.resolved_by = utcnow(), actor.label
    session.add(row)
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
