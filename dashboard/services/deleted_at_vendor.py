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
from sqlmodel import Session

from models import AssessmentAttempt, utcnow
from providers.base import AttemptStatus, Progress, ProviderError, VendorRefused

MISSING_FOR = datetime.timedelta(hours=1)
DELETED = "deleted at the vendor"  # the raw status recorded in the history


def is_not_found(provider, err: ProviderError) -> bool:
    """A 404 for an attempt the listing left out, where the listing tells all.

    Elsewhere (iMocha's report of a pending invitation) a 404 may just mean "not yet".
    """
    return provider.listing_tells_all and isinstance(err, VendorRefused) and err.status_code == 404


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
    found_again = [a.id for a in open_attempts if a.missing_since is not None and a.vendor_attempt_id in seen]
    _set_missing_since(session, found_again, None)
    if not not_found:
        return None
    if not listing_confirmed:
        return (
            f"{len(not_found)} open attempt(s) are missing at {provider.display_name}, and its listing holds "
            "none of this connection's attempts: check that the key and region are those of the account "
            "the tests were sent from. Nothing was changed."
        )
    now = utcnow()
    _set_missing_since(session, [a.id for a in not_found if a.missing_since is None], now)
    for attempt in not_found:
        if attempt.missing_since is not None and attempt.missing_since <= now - MISSING_FOR:
            apply(AttemptStatus(attempt.vendor_attempt_id, Progress.CANCELLED, DELETED))
    return (
        f"{len(not_found)} open attempt(s) are no longer at {provider.display_name} (deleted there?); "
        f"each is cancelled once missing for {MISSING_FOR.total_seconds() / 3600:g} hour(s)."
    )


def _set_missing_since(session: Session, attempt_ids: list[int], moment: datetime.datetime | None) -> None:
    if not attempt_ids:
        return
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id.in_(attempt_ids))  # type: ignore[union-attr]
        .values(missing_since=moment)
        .execution_options(synchronize_session=False)  # read again only by the next sweep
    )
    session.commit()
