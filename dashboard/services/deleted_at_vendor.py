"""Invitations deleted at the vendor: left out of its complete listing, and a 404 when asked.

Deleting a test session in the vendor's own dashboard withdraws it (CoderPad Interview
even has no other way), so the attempt ends as cancelled, as CodeSignal's own "deleted"
status does, and a recruiter can re-send it. A cancel is final, so two guards keep a
healthy attempt from being cancelled:

- the same sweep found others of ours in the listing: the connection's key and region
  reach the account the tests were sent from (after a key swapped for another account's,
  every attempt would look deleted);
- it stayed missing for ``MISSING_FOR``, over two sweeps at least (a vendor's lookup may
  lag an invitation it has just made).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from dashboard.services.assessments import Applied
from models import AssessmentAttempt, utcnow
from providers.base import AttemptStatus, Progress, ProviderError, VendorRefused

MISSING_FOR = datetime.timedelta(hours=1)
DELETED = "deleted at the vendor"  # the raw status recorded in the history


def is_not_found(provider, err: ProviderError) -> bool:
    """A 404 for an attempt the listing left out, where the listing tells all.

    Elsewhere (iMocha's report of a pending invitation) a 404 may just mean "not yet".
    """
    return provider.listing_tells_all and isinstance(err, VendorRefused) and err.status_code == 404


def due_for_lookup(attempt: AssessmentAttempt, now: datetime.datetime) -> bool:
    """Not missing yet, or missing long enough that a 404 now cancels it: else asking is a waste."""
    return attempt.missing_since is None or attempt.missing_since <= now - MISSING_FOR


def confirms_account(status: AttemptStatus, attempt: AssessmentAttempt, outcome: Applied) -> bool:
    """A listed item that is ours beyond its id: the same candidate, and our reference where it carries one."""
    return outcome != Applied.MISMATCH and status.reference in (None, attempt.reference)


def settle(
    session: Session,
    *,
    provider,
    open_attempts: list[AssessmentAttempt],
    seen: set[str],
    not_found: list[AssessmentAttempt],
    listing_confirmed: bool,
    apply: Callable[[AttemptStatus], object],
) -> str | None:
    """After a sweep: start or stop each attempt's missing clock; cancel those missing long enough.

    Returns a line for the connection's health when something is missing, else None.
    """
    _set_missing_since(
        session,
        [a for a in open_attempts if a.missing_since is not None and a.vendor_attempt_id in seen],
        None,
    )
    if not not_found:
        return None
    if not listing_confirmed:
        return (
            f"{len(not_found)} open attempt(s) are missing at {provider.display_name}, and its listing holds "
            "none of this connection's attempts: check that the key and region are those of the account "
            "the tests were sent from. None was cancelled."
        )
    now = utcnow()
    for attempt in not_found:
        if attempt.missing_since is not None and attempt.missing_since <= now - MISSING_FOR:
            apply(AttemptStatus(attempt.vendor_attempt_id, Progress.CANCELLED, DELETED))
    _set_missing_since(session, [a for a in not_found if a.missing_since is None], now)
    return (
        f"{len(not_found)} open attempt(s) are no longer at {provider.display_name} (deleted there?); "
        f"each is cancelled once missing for {MISSING_FOR.total_seconds() / 3600:g} hour(s)."
    )


def _set_missing_since(
    session: Session, attempts: list[AssessmentAttempt], moment: datetime.datetime | None
) -> None:
    if not attempts:
        return
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id.in_([a.id for a in attempts]))  # type: ignore[union-attr]
        .values(missing_since=moment)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    for attempt in attempts:
        set_committed_value(attempt, "missing_since", moment)  # written above: nothing left to flush
