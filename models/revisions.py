"""The workspace revision moves whenever a row that belongs to no job changes.

Jobs move their own revision (``history.bump_job``) in the transaction that changes
them, and open boards watch it. Results kept for matching, the email outbox and the
notifications belong to no board, and are written from many places (a webhook, a sync
sweep, a recruiter, the mail job). Rather than a call at each, every session notices
them and moves ``WorkspaceRevision`` as the last statement before its commit: in the
same transaction, so a page never sees the revision without the change; and last, so
the one row all such transactions update is held only through the commit, never while
waiting for a job's row (two transactions cannot deadlock on it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from models.tables import Notification, NotificationRead, OutboxMessage, UnmatchedResult, WorkspaceRevision

_OUTSIDE_JOBS = (UnmatchedResult, OutboxMessage, Notification, NotificationRead)
_CHANGED = "assay_workspace_changed"


def _touched(session: orm.Session) -> bool:
    return any(
        isinstance(row, _OUTSIDE_JOBS)
        for rows in (session.new, session.dirty, session.deleted)
        for row in rows
    )


@sa.event.listens_for(orm.Session, "do_orm_execute")
def _bulk_statement(execute: orm.ORMExecuteState) -> None:
    """A bulk UPDATE/DELETE/INSERT of such rows (``notify.mark_read``) skips the flush: note it here."""
    if not execute.is_select and any(m.class_ in _OUTSIDE_JOBS for m in execute.all_mappers):
        execute.session.info[_CHANGED] = True


@sa.event.listens_for(orm.Session, "before_flush")
def _flushing(session: orm.Session, _context, _instances) -> None:
    if _touched(session):
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
