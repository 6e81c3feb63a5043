"""The queue across jobs: buckets of attempts that wait on someone, with counts.

Only each test's newest attempt counts (an expired attempt that was re-taken
leaves the Expired bucket), and every bucket is counted and paged in SQL.
"""

from __future__ import annotations

import dataclasses
import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import attempt_actions, matching, review, status_clocks
from dashboard.services.assessments import STATE_LABELS, newest_at_its_test, stage_label
from dashboard.services.board_view import ago, ago_words
from dashboard.settings import get_settings
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Job,
    JobMember,
    Role,
    Stage,
    UnmatchedResult,
    User,
    holds_search,
    utcnow,
)

BUCKETS = {
    "needs_sending": "Needs sending",
    "awaiting": "Awaiting candidate",
    "expiring": "Expiring within 24 h or overdue",
    "expired": "Expired",
    "needs_review": "Needs review",
    "failed": "Failed",
    "stuck": "Stuck",
}
WAITING = (AttemptState.SENT, AttemptState.STARTED)


@dataclasses.dataclass
class QueueRow:
    application_id: int
    attempt_id: int
    candidate_name: str
    candidate_email: str
    job_title: str
    stage_name: str
    test_name: str
    status_label: str
    status_tone: str
    since: str
    deadline: str = ""  # said as its state has it ("Expires ...", "Expired ..."), or none
    reason: str = ""
    step: str = ""  # the one-click step beside the row (``attempt_actions.NEXT_STEP``), or none
    step_label: str = ""
    step_blocked: str = ""  # why the vendor or the connection cannot take the step now


@dataclasses.dataclass
class BucketCount:
    key: str
    label: str
    count: int


# A bucket can hold thousands (a job of 10,000 applicants): the browser gets one page at a time.
ROWS_PER_PAGE = 100


def count_of(buckets: list[BucketCount], key: str) -> int:
    """How many attempts one bucket holds, from the counts of all."""
    return next((b.count for b in buckets if b.key == key), 0)


@dataclasses.dataclass(frozen=True)
class QueueFilter:
    """What the recruiter narrowed the queue to."""

    job_id: int | None = None
    stage_name: str = ""
    member_id: int | None = None  # jobs this team member is on
    search: str = ""

    def within(self, stage_names: list[str]) -> QueueFilter:
        """This filter, less a stage the picked job does not have (picked before the job was)."""
        if self.stage_name in ("", *stage_names):
            return self
        return dataclasses.replace(self, stage_name="")


def _bucket_clause(key: str, now: datetime.datetime) -> sa.ColumnElement:
    """Which attempts a bucket holds. Each goes by the candidate's newest attempt at its test (a
    fresh attempt after a cancel, or a re-take, stands for the test), but "needs review", which
    holds the results the review page lists as waiting (``review.waits_for_review``): a result
    whose re-take is under way still waits, and so does a re-take below a best that counts."""
    if key == "needs_review":
        return review.waits_for_review()
    return sa.and_(newest_at_its_test(), _newest_in(key, now))


def _newest_in(key: str, now: datetime.datetime) -> sa.ColumnElement:
    state = AssessmentAttempt.state
    if key == "needs_sending":
        return state == AttemptState.READY_TO_SEND
    if key == "awaiting":
        return state.in_(WAITING)  # type: ignore[union-attr]
    if key == "expiring":
        # A deadline passed that the vendor has not reported expired yet stays here (helper-141: it
        # was in neither this bucket nor Expired, only among all those awaiting the candidate).
        return sa.and_(
            state.in_(WAITING),  # type: ignore[union-attr]
            AssessmentAttempt.expires_at <= now + datetime.timedelta(hours=24),
        )
    if key == "expired":
        return state == AttemptState.EXPIRED
    if key == "failed":
        return state == AttemptState.ERROR
    if key == "stuck":
        hours = get_settings().stuck_after_hours
        return sa.and_(
            state.in_(WAITING),  # type: ignore[union-attr]
            AssessmentAttempt.updated_at < now - datetime.timedelta(hours=hours),
        )
    raise ValueError(f"unknown bucket {key!r}")


def _base(queue_filter: QueueFilter, visible_job_ids: frozenset[int] | None) -> list[sa.ColumnElement]:
    clauses: list[sa.ColumnElement] = [Application.rejected_at.is_(None)]  # type: ignore[list-item]
    if visible_job_ids is not None:
        clauses.append(Application.job_id.in_(visible_job_ids))  # type: ignore[union-attr]
    if queue_filter.job_id:
        clauses.append(Application.job_id == queue_filter.job_id)
    if queue_filter.stage_name:
        clauses.append(Stage.name == queue_filter.stage_name)
    if queue_filter.member_id:
        clauses.append(
            sa.exists().where(
                JobMember.job_id == Application.job_id, JobMember.user_id == queue_filter.member_id
            )
        )
    # Spacing as names are kept: one space between words ("Cy  Young" pasted finds Cy Young)
    text = queue_filter.search
    if text.strip():
        # a name as ``folded`` keeps it (accents and case aside: "jose" finds José)
        clauses.append(
            sa.or_(
                holds_search(Candidate.search_name, text),
                Candidate.email.contains(" ".join(text.split()).lower(), autoescape=True),
            )
        )
    return clauses


def _joined(query: sa.Select) -> sa.Select:
    return (
        query.select_from(AssessmentAttempt)
        .join(Application, Application.id == AssessmentAttempt.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Job, Job.id == Application.job_id)
        .outerjoin(Stage, Stage.id == AssessmentAttempt.stage_id)
    )


def filter_choices(
    session: Session, visible_job_ids: frozenset[int] | None = None, job_id: int | None = None
) -> tuple[list[str], list[tuple[int, str]]]:
    """The stage names and the team members (recruiters and admins) the queue can be narrowed to:
    the stages of ``job_id`` when a job is picked, in its plan's order (as its board shows them),
    else of every job shown, by name (plans differ, so no one order holds them all)."""
    if job_id is not None:
        stages = select(Stage.name).where(Stage.job_id == job_id).order_by(Stage.position)
    else:
        stages = select(Stage.name).distinct().order_by(Stage.name)
    if visible_job_ids is not None:
        stages = stages.where(Stage.job_id.in_(visible_job_ids))  # type: ignore[union-attr]
    members = session.exec(
        select(User.id, User.name)
        .where(User.active, User.role.in_([Role.RECRUITER, Role.ADMIN]))  # type: ignore[union-attr]
        .order_by(User.name)
    ).all()
    return list(session.exec(stages).all()), [(user_id, name) for user_id, name in members]


def counts(
    session: Session, queue_filter: QueueFilter = QueueFilter(), visible_job_ids: frozenset[int] | None = None
) -> list[BucketCount]:
    """How many attempts each bucket holds (one query per bucket, each indexed)."""
    now = utcnow()
    base = _base(queue_filter, visible_job_ids)
    found = []
    for key, label in BUCKETS.items():
        count = session.exec(
            _joined(sa.select(sa.func.count())).where(*base, _bucket_clause(key, now))
        ).one()[0]
        found.append(BucketCount(key, label, count))
    return found


def per_job(session: Session, key: str, job_ids: frozenset[int] | None = None) -> dict[int, int]:
    """How many attempts one bucket holds in each job (job id -> count), by the queue's own rules;
    in the jobs ``job_ids`` only, if given (the jobs a page shows).

    The jobs list shows these beside each job; counted apart, it went on counting a rejected
    candidate's tests and replaced attempts the queue no longer shows.
    """
    found = session.exec(
        _joined(sa.select(Application.job_id, sa.func.count()))
        .where(*_base(QueueFilter(), job_ids), _bucket_clause(key, utcnow()))
        .group_by(Application.job_id)
    ).all()
    return {job_id: count for job_id, count in found}


# Where a row stands in a bucket's order (longest waiting first): its attempt's (updated_at, id).
PageKey = tuple[datetime.datetime, int]


def _in_order() -> sa.Tuple:
    return sa.tuple_(AssessmentAttempt.updated_at, AssessmentAttempt.id)


def _bucket_query(
    columns: list, bucket: str, queue_filter: QueueFilter, visible_job_ids: frozenset[int] | None
) -> sa.Select:
    return _joined(sa.select(*columns)).where(
        *_base(queue_filter, visible_job_ids), _bucket_clause(bucket, utcnow())
    )


def rows(
    session: Session,
    bucket: str,
    queue_filter: QueueFilter = QueueFilter(),
    visible_job_ids: frozenset[int] | None = None,
    limit: int = ROWS_PER_PAGE,
    offset: int = 0,
) -> list[QueueRow]:
    """``limit`` of a bucket's attempts past the first ``offset``, the longest waiting first."""
    return _rows(session, _found(session, bucket, queue_filter, visible_job_ids, limit, offset=offset))


def _found(
    session: Session,
    bucket: str,
    queue_filter: QueueFilter,
    visible_job_ids: frozenset[int] | None,
    limit: int,
    *,
    offset: int = 0,
    start: PageKey | None = None,
) -> list:
    """A bucket's attempts in order (with the candidate, job and stage a row names), past ``offset``
    or from the row at ``start`` on."""
    query = _bucket_query(
        [AssessmentAttempt, Candidate.name, Candidate.email, Job.title, Stage.name],
        bucket,
        queue_filter,
        visible_job_ids,
    )
    if start is not None:
        query = query.where(_in_order() >= start)
    query = query.order_by(AssessmentAttempt.updated_at, AssessmentAttempt.id).offset(offset).limit(limit)
    return list(session.exec(query).all())


@dataclasses.dataclass
class Page:
    """One page of a bucket, and where it stands in it."""

    rows: list[QueueRow]
    start: PageKey | None  # its first row's place (None: the bucket's first page)
    next_start: PageKey | None  # the next page's first row's, None on the last page
    before: int  # the bucket's rows before it: it shows rows ``before + 1`` on


def page(
    session: Session,
    bucket: str,
    queue_filter: QueueFilter,
    visible_job_ids: frozenset[int] | None,
    start: PageKey | None,
    total: int,
) -> Page:
    """The page from the row at ``start`` on; the last page left if nothing is there any more.

    A page is held by its first row's place in the order, not by a count of rows before it: counted,
    a colleague sending from page one slid page two's rows onto page one as the page reloaded, out
    of sight, and the rows ticked there were unticked without a word (helper-122). Held by place, the
    rows shown stay until they change themselves (sent, moved on, a new status sorting them last).
    """
    found = _found(session, bucket, queue_filter, visible_job_ids, ROWS_PER_PAGE + 1, start=start)
    if start is not None and not found and total:  # every row of it gone (sent, moved on): the last page
        last = (total - 1) // ROWS_PER_PAGE * ROWS_PER_PAGE
        found = _found(session, bucket, queue_filter, visible_job_ids, ROWS_PER_PAGE + 1, offset=last)
    if not found:
        return Page([], None, None, 0)
    keys = [(attempt.updated_at, attempt.id) for attempt, *_ in found]
    before = 0
    if start is not None:  # the first page has none before it, and is not counted
        before = session.exec(
            _bucket_query([sa.func.count()], bucket, queue_filter, visible_job_ids).where(
                _in_order() < keys[0]
            )
        ).one()[0]
    next_start = keys[ROWS_PER_PAGE] if len(keys) > ROWS_PER_PAGE else None
    return Page(_rows(session, found[:ROWS_PER_PAGE]), keys[0] if before else None, next_start, before)


def page_before(
    session: Session,
    bucket: str,
    queue_filter: QueueFilter,
    visible_job_ids: frozenset[int] | None,
    start: PageKey | None,
) -> PageKey | None:
    """Where the page before the one at ``start`` starts (None: the first page)."""
    if start is None:
        return None
    earlier = session.exec(
        _bucket_query(
            [AssessmentAttempt.updated_at, AssessmentAttempt.id], bucket, queue_filter, visible_job_ids
        )
        .where(_in_order() < start)
        .order_by(AssessmentAttempt.updated_at.desc(), AssessmentAttempt.id.desc())  # type: ignore[union-attr]
        .limit(ROWS_PER_PAGE)
    ).all()
    return tuple(earlier[-1]) if len(earlier) == ROWS_PER_PAGE else None  # type: ignore[return-value]


def _rows(session: Session, found) -> list[QueueRow]:
    now = utcnow()
    clocks = status_clocks.hours(session)
    retaken = set(
        session.exec(
            select(AssessmentAttempt.retakes_attempt_id).where(
                AssessmentAttempt.retakes_attempt_id.in_([a.id for a, *_ in found])  # type: ignore[union-attr]
            )
        ).all()
    )
    # Each row's step asks its connection what the vendor can do (``actions_for``, by
    # ``session.get``). The session keeps only what something still refers to, so unheld it read
    # the connection again for every row: read once here, and held until the steps are found.
    connections = session.exec(
        select(Integration).where(Integration.id.in_({a.integration_id for a, *_ in found}))  # type: ignore[union-attr]
    ).all()
    # So are the applications (a Resend asks whether the candidate was rejected).
    applications = session.exec(
        select(Application).where(Application.id.in_({a.application_id for a, *_ in found}))  # type: ignore[union-attr]
    ).all()
    steps = {
        attempt.id: attempt_actions.next_step(session, attempt, retaken=attempt.id in retaken)
        for attempt, *_ in found
    }
    del connections, applications
    return [
        QueueRow(
            application_id=attempt.application_id,
            attempt_id=attempt.id,
            candidate_name=name,
            candidate_email=email,
            job_title=title,
            stage_name=stage_label(stage_name, attempt),
            test_name=attempt.vendor_test_name,
            status_label=STATE_LABELS[attempt.state],
            status_tone=status_clocks.tone(attempt.state, attempt.updated_at, now, clocks),
            since=ago(attempt.updated_at, now),
            deadline=_deadline(attempt, now),
            reason=attempt.error_reason or "",
            **_step_fields(attempt, steps[attempt.id]),
        )
        for attempt, name, email, title, stage_name in found
    ]


def _deadline(attempt: AssessmentAttempt, now: datetime.datetime) -> str:
    """The row's deadline line: "Expires <when>" while the candidate may still take the test,
    "Deadline passed <when>" once it has gone by and the vendor has not said the test expired
    (the next sweep asks), "Expired <when>" once it has expired (not "Expires" beside the
    Expired chip); none once the test is finished, failed or cancelled, where a past deadline
    only crowds the row."""
    if attempt.expires_at is None:
        return ""
    when = attempt.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    if attempt.state == AttemptState.EXPIRED:
        return f"Expired {when}"
    if attempt.state not in WAITING:
        return ""
    passed = attempt.expires_at.replace(tzinfo=datetime.UTC) <= now
    return f"Deadline passed {when}; the vendor has not said it expired yet" if passed else f"Expires {when}"


def _step_fields(attempt: AssessmentAttempt, step: attempt_actions.Action | None) -> dict[str, str]:
    if step is None:
        return {}
    _name, word = attempt_actions.NEXT_STEP[attempt.state]
    return {"step": step.name, "step_label": word, "step_blocked": step.reason}


@dataclasses.dataclass
class UnmatchedRow:
    id: int
    vendor_attempt_id: str
    candidate_email: str
    reason: str
    received: str


# The oldest this many results waiting to be matched are listed; the count says how many wait.
UNMATCHED_SHOWN = 100


def unmatched(session: Session) -> tuple[int, list[UnmatchedRow]]:
    """Vendor results waiting for a recruiter to match them: how many, and the oldest
    ``UNMATCHED_SHOWN``, their listed columns only (every one was read whole and drawn, on each
    reload of every open queue, helper-117)."""
    now = utcnow()
    waiting = UnmatchedResult.resolved_at.is_(None)  # type: ignore[union-attr]
    count = session.exec(select(sa.func.count()).select_from(UnmatchedResult).where(waiting)).one()
    rows = session.exec(
        select(
            UnmatchedResult.id,
            UnmatchedResult.vendor_attempt_id,
            UnmatchedResult.candidate_email,
            UnmatchedResult.reason,
            UnmatchedResult.received_at,
        )
        .where(waiting)
        .order_by(UnmatchedResult.id)
        .limit(UNMATCHED_SHOWN)
    )
    return count, [
        UnmatchedRow(row_id, vendor_id, email or "", reason, ago(received, now))
        for row_id, vendor_id, email, reason, received in rows
    ]


# The newest this many set-aside results are listed; the count says how many there are.
SET_ASIDE_SHOWN = 50


@dataclasses.dataclass
class SetAsideRow:
    id: int
    vendor_attempt_id: str
    candidate_email: str
    reason: str
    set_aside: str  # how long ago, in words: "just now", "5m ago"
    by: str


def set_aside(session: Session) -> tuple[int, list[SetAsideRow]]:
    """Vendor results set aside (not matched), newest first, to be restored if set aside by mistake."""
    now = utcnow()
    count = session.exec(
        select(sa.func.count()).select_from(UnmatchedResult).where(matching.set_aside_clause())
    ).one()
    rows = session.exec(
        select(UnmatchedResult)
        .where(matching.set_aside_clause())
        .order_by(UnmatchedResult.resolved_at.desc(), UnmatchedResult.id.desc())  # type: ignore[union-attr]
        .limit(SET_ASIDE_SHOWN)
    )
    return count, [
        SetAsideRow(
            u.id,
            u.vendor_attempt_id,
            u.candidate_email or "",
            u.reason,
            ago_words(u.resolved_at, now),
            u.resolved_by or "",
        )
        for u in rows
    ]
