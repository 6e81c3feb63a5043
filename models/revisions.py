"""The workspace revision moves whenever a row that belongs to no job changes.

Jobs move their own revision (``history.bump_job``) in the transaction that changes
them, and open boards watch it. Results kept for matching, the email outbox and the
notifications belong to no board, and are written from many places (a webhook, a sync
sweep, a recruiter, the mail job). Rather than a call at each, every session notices
them and moves ``WorkspaceRevision`` as the last statement before its commit: in the
same transaction, so a page never sees the revision without the change; and last, so
the one row all such transactions update is held only through the commit, never while
waiting for a job's row (two transactions cannot deadlock on it).

A vendor connection's health belongs to no job either, but its clocks move with every
call, sweep and webhook: it moves the revision only when what its card says changes (it
starts or stops failing; a webhook is refused, held for retry or let go; the admin changes
the connection), never with a sweep that finds it as it was, which would
wake every open page of every worker each sweep.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from models.tables import (
    Integration,
    Notification,
    NotificationRead,
    OutboxMessage,
    UnmatchedResult,
    WebhookDelivery,
    WorkspaceRevision,
    utcnow,
    vendor_error_shown,
)

_OUTSIDE_JOBS = (UnmatchedResult, OutboxMessage, Notification, NotificationRead)
# Written in bulk only to hold webhooks for retry, or to let them go with a connection.
_BULK_HEALTH = (*_OUTSIDE_JOBS, WebhookDelivery)
_CHANGED = "assay_workspace_changed"
# A connection's columns that move with its calls, sweeps and webhooks: a change to them moves
# the revision only when the health they make changes (``_health``). Any other is the admin's.
_CLOCKS = frozenset(
    {"last_used_at", "last_webhook_at", "last_sync_at", "last_sync_corrected", "last_error", "last_error_at"}
)
_HEALTH = ("last_error", "last_error_at", "last_used_at")


def _touched(session: orm.Session) -> bool:
    return any(
        isinstance(row, _OUTSIDE_JOBS)
        for rows in (session.new, session.dirty, session.deleted)
        for row in rows
    ) or _health_moved(session)


def _changed(row, name: str) -> bool:
    return sa.inspect(row).attrs[name].history.has_changes()


def _health_moved(session: orm.Session) -> bool:
    """Whether this flush changes what a connection's card says: one connected or let go, the
    admin's change (or a webhook refused, noted at most once a minute: ``webhook_refused_at``),
    a webhook held for retry or let go, or its vendor error shown or cleared."""
    if any(isinstance(row, Integration) for rows in (session.new, session.deleted) for row in rows):
        return True
    if any(isinstance(row, WebhookDelivery) and row.error is not None for row in session.new):
        return True
    clocked = []
    for row in session.dirty:
        if isinstance(row, WebhookDelivery) and _changed(row, "error"):
            return True
        if isinstance(row, Integration):
            moved = {a.key for a in sa.inspect(row).attrs if a.history.has_changes()}
            if moved - _CLOCKS:
                return True
            if moved & set(_HEALTH):
                clocked.append(row)
    return bool(clocked) and any(before != after for before, after in _health(session, clocked))


def _health(session: orm.Session, rows: list[Integration]) -> list[tuple[bool, bool]]:
    """Whether each connection's card shows it failing, before and after the flush. Before is read
    from the database, not the row: a long sweep's copy may be older than a
    failure recorded meanwhile, which its success then clears."""
    with session.no_autoflush:
        stored = {
            integration_id: tuple(values)
            for integration_id, *values in session.execute(
                sa.select(Integration.id, *(getattr(Integration, name) for name in _HEALTH)).where(
                    Integration.id.in_([row.id for row in rows])  # type: ignore[union-attr]
                )
            )
        }
    now = utcnow()

    def shown(last_error, last_error_at, last_used_at) -> bool:
        # Failing or not, not the words: a 429's count down ("try again in 30 s", "in 20 s") made
        # each refused sweep read as a new failure. The page's catch-up reload shows new words.
        return vendor_error_shown(last_error_at, last_used_at, now)

    pairs = []
    for row in rows:
        before = dict(zip(_HEALTH, stored.get(row.id, (None, None, None)), strict=True))
        after = before | {
            name: getattr(row, name) for name in _HEALTH if _changed(row, name)
        }  # only what this flush writes: the rest stays as stored
        pairs.append((shown(**before), shown(**after)))
    return pairs


def card_changed(session: orm.Session) -> None:
    """Move the revision with this transaction for a change of a connection's card its rows do
    not show: a delivery accepted after refused ones, which takes the card's note away."""
    session.info[_CHANGED] = True


@sa.event.listens_for(orm.Session, "do_orm_execute")
def _bulk_statement(execute: orm.ORMExecuteState) -> None:
    """A bulk UPDATE/DELETE/INSERT of such rows (``notify.mark_read``) skips the flush: note it here."""
    if not execute.is_select and any(m.class_ in _BULK_HEALTH for m in execute.all_mappers):
        execute.session.info[_CHANGED] = True


@sa.event.listens_for(orm.Session, "before_flush")
def _flushing(session: orm.Session, _context, _instances) -> None:
    if not session.info.get(_CHANGED) and _touched(session):
        session.info[_CHANGED] = True


@sa.event.listens_for(orm.Session, "before_commit")
def _move_workspace_revision(session: orm.Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint (``notify``'s insert-once): the outermost commit moves it, once
    session.flush()  # whatever is still pending goes first, autoflush or not: the update stays last
    # A missing row (only a hand-edited database lacks it) makes this a no-op: pages then
    # show such changes at their catch-up refresh.
    if session.info.get(_CHANGED):
        session.execute(
            sa.update(WorkspaceRevision)
            .values(revision=WorkspaceRevision.revision + 1)
            .execution_options(synchronize_session=False)
        )


@sa.event.listens_for(orm.Session, "after_transaction_end")
def _forget(session: orm.Session, transaction: orm.SessionTransaction) -> None:
    # Only when the whole transaction ends (committed, rolled back or closed): a savepoint
    # rolled back keeps what the transaction changed before it.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
