"""Scheduled reconciliation: the safety net under webhooks.

One paged sweep of the vendor's list per connection (not one request per
attempt), applied through the same ``apply_vendor_status`` as webhooks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import logging
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services.actors import POLL, Actor
from dashboard.services.assessments import Applied, apply_vendor_status
from dashboard.services.integrations import provider_for, record_vendor_error
from dashboard.services.read_ahead import read_ahead
from models import AssessmentAttempt, AttemptState, Integration, utcnow
from providers.base import (
    AttemptStatus,
    Capability,
    Progress,
    ProviderError,
    VendorRefused,
    until_all_seen,
)

log = logging.getLogger(__name__)

_WAITING_ON_VENDOR = [AttemptState.SENT, AttemptState.STARTED]


@dataclasses.dataclass(frozen=True)
class SyncReport:
    """What one sweep of one connection found."""

    integration_id: int
    open_attempts: int
    corrected: int
    error: str | None = None


def sync_integration(*, session: Session, integration_id: int, actor: Actor = POLL) -> SyncReport:
    """Bring every open attempt of one connection in line with the vendor."""
    integration = session.get(Integration, integration_id)
    open_attempts = list(
        session.exec(
            select(AssessmentAttempt).where(
                AssessmentAttempt.integration_id == integration_id,
                AssessmentAttempt.state.in_(_WAITING_ON_VENDOR),  # type: ignore[union-attr]
                AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
            )
        )
    )
    if not open_attempts:
        integration.last_sync_at, integration.last_sync_corrected = utcnow(), 0
        session.commit()
        return SyncReport(integration_id, 0, 0)
    provider = provider_for(integration)
    if Capability.POLL not in provider.capabilities:
        # Results only arrive by webhook for this vendor; there is nothing to ask.
        integration.last_sync_at, integration.last_sync_corrected = utcnow(), 0
        session.commit()
        return SyncReport(integration_id, len(open_attempts), 0)
    by_vendor_id = {a.vendor_attempt_id: a for a in open_attempts}
    corrected = 0

    def apply(status: AttemptStatus) -> None:
        nonlocal corrected
        outcome = apply_vendor_status(
            session=session, integration_id=integration_id, status=status, actor=actor
        )
        corrected += outcome == Applied.CHANGED

    listed: set[str] = set()
    needs_report: list[str] = []
    refused: list[str] = []
    stop = threading.Event()
    try:
        listing = listing_for(provider, open_attempts, set(by_vendor_id), stop=stop)
        # Each page is applied while the next is on its way (read ahead on a thread of its own).
        with contextlib.closing(read_ahead(listing, stop=stop, name=f"sync-{integration_id}")) as statuses:
            for status in statuses:
                listed.add(status.vendor_attempt_id)
                if _lacks_result(provider, status):
                    needs_report.append(status.vendor_attempt_id)  # applied with its score, never without
                else:
                    apply(status)
        for vendor_id in _to_fetch(provider, needs_report, listed, by_vendor_id):
            try:
                apply(provider.fetch(vendor_id, test_id=by_vendor_id[vendor_id].vendor_test_id))
            except ProviderError as err:
                if err.retryable:
                    raise
                if _gone(provider, err):
                    apply(_gone_status(provider, vendor_id))
                else:
                    # Refused for good: it must not hold back the rest.
                    refused.append(f"{vendor_id}: {err}")
    except ProviderError as err:
        # What was applied before the failure stands: it is the vendor's own word.
        record_vendor_error(session=session, integration=integration, message=str(err))
        return SyncReport(integration_id, len(open_attempts), corrected, str(err))
    integration.last_sync_at = integration.last_used_at = utcnow()
    integration.last_sync_corrected = corrected
    session.add(integration)
    session.commit()
    if refused:
        record_vendor_error(
            session=session,
            integration=integration,
            message=f"{len(refused)} attempt(s) could not be read at the vendor: " + "; ".join(refused[:3]),
        )
    if corrected:
        log.info("sync of integration %s corrected %s attempts", integration_id, corrected)
    return SyncReport(integration_id, len(open_attempts), corrected)


def listing_for(
    provider, attempts: list[AssessmentAttempt], wanted: set[str], *, stop: threading.Event
) -> Iterator[AttemptStatus]:
    """The vendor's listing over the window and tests of ``attempts``, for the ids in ``wanted``.

    Lazy, and it ends once every wanted id is seen or ``stop`` is set (see ``read_ahead``),
    so no page more is asked for. The window opens an hour before the earliest send, for
    clocks that disagree.
    """
    since = min(a.sent_at or a.created_at for a in attempts) - datetime.timedelta(hours=1)
    test_ids = sorted({a.vendor_test_id for a in attempts})
    return until_all_seen(provider.list_statuses(since=since, test_ids=test_ids), wanted, stop=stop)


# Attempts fetched one by one per sweep, where the listing could not say: finished ones
# whose score it leaves out first (iMocha), then the open ones it omits, those that heard
# nothing for longest first; the rest wait, still open, for the next sweep.
MAX_FETCHES_PER_SWEEP = 200


def _lacks_result(provider, status: AttemptStatus) -> bool:
    """A finished attempt listed without its score, by a vendor whose listing carries none."""
    return not provider.listing_tells_all and status.progress == Progress.COMPLETED and status.result is None


def _to_fetch(provider, needs_report: list[str], listed: set[str], by_vendor_id: dict) -> list[str]:
    """What the listing could not say: results it lists without, and open attempts it omits.

    A listing that tells all omits an attempt only when something is wrong (deleted at
    the vendor, or listed late), so at such a vendor this is usually nothing.
    """
    omitted = sorted(
        (a for vendor_id, a in by_vendor_id.items() if vendor_id not in listed), key=lambda a: a.updated_at
    )
    return [*needs_report, *(a.vendor_attempt_id for a in omitted)][:MAX_FETCHES_PER_SWEEP]


def _gone(provider, err: ProviderError) -> bool:
    """The vendor no longer has the attempt: left out of a complete listing, and a 404 when asked.

    Only where the listing tells all: there, absence and a 404 are two answers that agree.
    Elsewhere (iMocha's report of a pending invitation) a 404 may just mean "not yet".
    """
    return provider.listing_tells_all and isinstance(err, VendorRefused) and err.status_code == 404


def _gone_status(provider, vendor_attempt_id: str) -> AttemptStatus:
    """The attempt, failed, with a reason the recruiter can act on (send the test again)."""
    return AttemptStatus(
        vendor_attempt_id,
        Progress.ERROR,
        "not found",
        error_reason=(
            f"{provider.display_name} no longer has this invitation: it was deleted there, or this "
            "connection's key now belongs to another account. Send the test again if it is still needed."
        ),
    )


def integrations_to_sync(session: Session) -> list[int]:
    """Live connections with attempts still waiting on the vendor."""
    rows = session.exec(
        sa.select(AssessmentAttempt.integration_id)
        .join(Integration, Integration.id == AssessmentAttempt.integration_id)
        .where(
            AssessmentAttempt.state.in_(_WAITING_ON_VENDOR),  # type: ignore[union-attr]
            Integration.disconnected_at.is_(None),  # type: ignore[union-attr]
        )
        .distinct()
    ).all()
    return [row[0] for row in rows]
