"""Scheduled reconciliation: the safety net under webhooks.

One paged sweep of the vendor's list per connection (not one request per
attempt), applied through the same ``apply_vendor_status`` as webhooks.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services.actors import POLL, Actor
from dashboard.services.assessments import Applied, apply_vendor_status
from dashboard.services.integrations import provider_for, record_vendor_error
from models import AssessmentAttempt, AttemptState, Integration, utcnow
from providers.base import AttemptStatus, Capability, Progress, ProviderError

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
    since = min(a.sent_at or a.created_at for a in open_attempts) - datetime.timedelta(hours=1)
    by_vendor_id = {a.vendor_attempt_id: a for a in open_attempts}
    test_ids = sorted({a.vendor_test_id for a in open_attempts})
    try:
        listed: dict[str, AttemptStatus] = {}
        for status in provider.list_statuses(since=since, test_ids=test_ids):
            if status.vendor_attempt_id in by_vendor_id:
                listed[status.vendor_attempt_id] = status
                if len(listed) == len(by_vendor_id):
                    break  # every open attempt is seen: no further page is asked for
        omitted = _details(provider, listed, by_vendor_id)  # completes ``listed`` in place
        statuses = [*listed.values(), *omitted]
    except ProviderError as err:
        record_vendor_error(session=session, integration=integration, message=str(err))
        return SyncReport(integration_id, len(open_attempts), 0, str(err))
    corrected = 0
    for status in statuses:
        outcome = apply_vendor_status(
            session=session, integration_id=integration_id, status=status, actor=actor
        )
        corrected += outcome == Applied.CHANGED
    integration.last_sync_at = integration.last_used_at = utcnow()
    integration.last_sync_corrected = corrected
    session.add(integration)
    session.commit()
    if corrected:
        log.info("sync of integration %s corrected %s attempts", integration_id, corrected)
    return SyncReport(integration_id, len(open_attempts), corrected)


# Attempts fetched one by one per sweep, where a listing cannot tell all (iMocha): the ones
# that heard nothing for longest first, so every open attempt is seen within a few sweeps.
MAX_FETCHES_PER_SWEEP = 200


def _details(provider, listed: dict[str, AttemptStatus], by_vendor_id: dict) -> list[AttemptStatus]:
    """What the listing could not say: results it lists without, and open attempts it omits.

    Replaces a listed completion that carries no result by the fetched one, in place.
    """
    if provider.listing_tells_all:
        return []
    to_fetch = [
        vendor_id
        for vendor_id, status in listed.items()
        if status.progress == Progress.COMPLETED and status.result is None
    ]
    omitted = sorted(
        (a for vendor_id, a in by_vendor_id.items() if vendor_id not in listed), key=lambda a: a.updated_at
    )
    to_fetch += [a.vendor_attempt_id for a in omitted]
    extra = []
    for vendor_id in to_fetch[:MAX_FETCHES_PER_SWEEP]:
        fetched = provider.fetch(vendor_id, test_id=by_vendor_id[vendor_id].vendor_test_id)
        if vendor_id in listed:
            listed[vendor_id] = fetched
        else:
            extra.append(fetched)
    return extra


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
