"""The pipeline board's read model: a column per stage, paged and filtered in SQL.

The browser holds one page of each column, never the whole job: a job with
10,000 applications costs a handful of indexed queries per refresh.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import functools
import math

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import status_clocks
from dashboard.services.assessments import STATE_LABELS, newest_at_its_test, percent_label
from dashboard.services.errors import NotFound
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Job,
    Stage,
    StageAssessment,
    holds_search,
    utcnow,
)

PAGE = 25


@dataclasses.dataclass
class Chip:
    """An assessment's status on a card, coloured by how long it has waited."""

    label: str
    tone: str
    title: str = ""


@dataclasses.dataclass
class CardView:
    """One application's card. ``namesake_email`` is the candidate's email when another card on
    the board bears the same name (two Linus Lovelaces apply): shown under the name, and in the
    names a screen reader hears, it tells them apart; otherwise "", the name being enough."""

    application_id: int
    stage_id: int
    candidate_name: str
    time_in_stage: str
    chips: list[Chip] = dataclasses.field(default_factory=list)
    score: str = ""  # each of its stage's scored tests' score, " · " between
    rejected: bool = False
    namesake_email: str = ""


@dataclasses.dataclass
class ColumnView:
    stage_id: int
    name: str
    kind: str
    tests: str
    count: int
    cards: list[CardView]
    hidden: int = 0
    auto_send: bool = False


@dataclasses.dataclass
class StageOption:
    id: int
    name: str


@dataclasses.dataclass
class BoardView:
    job_id: int
    title: str
    columns: list[ColumnView]
    stages: list[StageOption]
    total: int = 0
    matching: int = 0


@dataclasses.dataclass(frozen=True)
class BoardFilter:
    """What the recruiter narrowed the board to."""

    search: str = ""
    status: str = ""  # an AttemptState value, or "" for any
    score_min: float | None = None
    score_max: float | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.search.strip() or self.status or self.score_min is not None or self.score_max is not None
        )


def ago(moment: datetime.datetime | None, now: datetime.datetime) -> str:
    """How long ago, compactly: <1m, 5m, 3h, 2d (under a minute read "0m", as if no time at all)."""
    if moment is None:
        return ""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def ago_words(moment: datetime.datetime | None, now: datetime.datetime) -> str:
    """How long ago as a line of text reads it: "just now" under a minute (not "0m ago"), else "5m ago"."""
    if moment is None:
        return ""
    return "just now" if (now - moment).total_seconds() < 60 else f"{ago(moment, now)} ago"


def _matching(job_id: int, board_filter: BoardFilter) -> list[sa.ColumnElement]:
    """WHERE clauses on Application (joined with Candidate) for the filter."""
    clauses: list[sa.ColumnElement] = [Application.job_id == job_id]
    # Spacing as names are kept: one space between words ("Cy  Young" pasted finds Cy Young)
    text = board_filter.search
    if text.strip():
        # a name as ``folded`` keeps it (accents and case aside: "jose" finds José)
        clauses.append(
            sa.or_(
                holds_search(Candidate.search_name, text),
                Candidate.email.contains(" ".join(text.split()).lower(), autoescape=True),
            )
        )
    attempt_clauses = []
    if board_filter.status:
        attempt_clauses.append(AssessmentAttempt.state == AttemptState(board_filter.status))
    if board_filter.score_min is not None:
        attempt_clauses.append(AssessmentAttempt.score_percent >= board_filter.score_min)
    if board_filter.score_max is not None:
        # As the card shows it, cut down to the tenth (``percent_figure``): 58.33 reads "58.3%",
        # which "to 58.3" hid (helper-167). Shown at most the bound: below the next tenth up.
        shown_at_most = (math.floor(round(board_filter.score_max * 10, 6)) + 1) / 10
        attempt_clauses.append(AssessmentAttempt.score_percent < shown_at_most)
    if attempt_clauses:
        # What the card's chips show: each test's newest attempt (a cancelled invitation followed
        # by a fresh one matched "Cancelled" on a card whose chip says "Sent"), of the card's stage
        # (one sent at an earlier stage matched on a card that shows no chip for it).
        clauses.append(
            sa.exists().where(
                AssessmentAttempt.application_id == Application.id,
                AssessmentAttempt.stage_id == Application.stage_id,
                newest_at_its_test(passing_over=_withdrawn_elsewhere),
                *attempt_clauses,
            )
        )
    return clauses


def board(
    session: Session,
    job_id: int,
    board_filter: BoardFilter = BoardFilter(),
    limits: dict[int, int] | None = None,
) -> BoardView:
    """A job's pipeline: one column per stage, each a page of cards (``limits`` per stage id)."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job does not exist.")
    stages = list(session.exec(select(Stage).where(Stage.job_id == job_id).order_by(Stage.position)))
    tests: dict[int, list[str]] = {}
    for test in session.exec(
        select(StageAssessment)
        .where(StageAssessment.stage_id.in_([s.id for s in stages]))  # type: ignore[union-attr]
        .order_by(StageAssessment.position)
    ):
        tests.setdefault(test.stage_id, []).append(test.vendor_test_name)
    limits = limits or {}
    count_query, pages_query = _queries(
        job_id, board_filter, tuple(s.id for s in stages), tuple(sorted(limits.items()))
    )
    counts = dict(session.exec(count_query).all())
    total = (
        session.exec(
            sa.select(sa.func.count()).select_from(Application).where(Application.job_id == job_id)
        ).one()[0]
        if board_filter.active
        else sum(counts.values())
    )
    now = utcnow()
    pages = list(session.exec(pages_query).all()) if stages else []
    cards_by_stage: dict[int, dict[int, CardView]] = {s.id: {} for s in stages}
    names = collections.Counter(name.casefold() for _, _, _, _, name, _ in pages)
    for app_id, stage_id, entered, rejected, name, email in pages:
        cards_by_stage[stage_id][app_id] = CardView(
            app_id,
            stage_id,
            name,
            ago(entered, now),
            rejected=rejected is not None,
            namesake_email=email if names[name.casefold()] > 1 else "",
        )
    # Every stage's: one whose last test was taken out of the plan keeps the attempts it sent, which
    # the status and score filters find (helper-143: such cards matched, showing nothing to match).
    _add_chips(
        session,
        {i: c for cards in cards_by_stage.values() for i, c in cards.items()},
        now,
        status_clocks.hours(session),
    )
    columns = []
    for stage in stages:
        cards = cards_by_stage[stage.id]
        count = counts.get(stage.id, 0)
        columns.append(
            ColumnView(
                stage_id=stage.id,
                name=stage.name,
                kind=stage.kind.value,
                tests=" + ".join(tests.get(stage.id, [])),
                count=count,
                cards=list(cards.values()),
                hidden=max(0, count - len(cards)),
                auto_send=stage.send_automatically,
            )
        )
    return BoardView(
        job.id, job.title, columns, [StageOption(s.id, s.name) for s in stages], total, sum(counts.values())
    )


@functools.lru_cache(maxsize=256)
def _queries(
    job_id: int, board_filter: BoardFilter, stage_ids: tuple[int, ...], limits: tuple[tuple[int, int], ...]
) -> tuple[sa.Select, sa.CompoundSelect | None]:
    """The board's count per column and its page of cards, built once per job, filter, stages and page sizes.

    Building these statements costs more Python than running them takes SQLite; a
    statement is immutable, so the one built for an open board serves each of its reloads.
    """
    where = _matching(job_id, board_filter)
    count_query = (
        sa.select(Application.stage_id, sa.func.count()).where(*where).group_by(Application.stage_id)
    )
    if board_filter.search.strip():
        # Only a search needs the candidate; without it SQL counts from the (job, stage) index alone.
        count_query = count_query.join(Candidate, Candidate.id == Application.candidate_id)
    return count_query, _pages(stage_ids, where, dict(limits))


def _pages(stage_ids: tuple[int, ...], where: list, limits: dict[int, int]) -> sa.CompoundSelect | None:
    """Every column's page in one round trip: a UNION ALL of one indexed, limited query per stage."""
    if not stage_ids:
        return None
    pages = [
        sa.select(
            Application.id,
            Application.stage_id,
            Application.stage_entered_at,
            Application.rejected_at,
            Candidate.name,
            Candidate.email,
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(*where, Application.stage_id == stage_id)
        .order_by(Application.stage_entered_at.desc(), Application.id.desc())
        .limit(limits.get(stage_id, PAGE))
        .subquery()
        for stage_id in stage_ids
    ]
    return sa.union_all(*(sa.select(page) for page in pages))


def _withdrawn_elsewhere(attempt) -> sa.ColumnElement[bool]:
    """A clause: ``attempt`` (``AssessmentAttempt`` or an alias) was withdrawn before it was sent, in
    a stage other than the one its card is in now: a re-take a later stage opened, withdrawn as the
    card was dragged back. It is not what the card's stage shows for the test (helper-167: being
    the newest, it hid the result kept in the stage, the card's chip and score gone, and the status
    and score filters found her no more; the queue and review pages go by ``waits_for_review``)."""
    return sa.and_(
        attempt.state == AttemptState.CANCELLED,
        attempt.vendor_attempt_id.is_(None),
        sa.func.coalesce(attempt.stage_id, -1)
        != sa.select(Application.stage_id).where(Application.id == attempt.application_id).scalar_subquery(),
    )


def _add_chips(
    session: Session, cards: dict[int, CardView], now: datetime.datetime, clocks: status_clocks.Hours
) -> None:
    """The newest attempt of each test of the card's stage, for every card on the page."""
    if not cards:
        return
    newest = (
        sa.select(sa.func.max(AssessmentAttempt.id))
        .where(
            AssessmentAttempt.application_id.in_(list(cards)),  # type: ignore[union-attr]
            ~_withdrawn_elsewhere(AssessmentAttempt),
        )
        .group_by(
            AssessmentAttempt.application_id,
            AssessmentAttempt.integration_id,
            AssessmentAttempt.vendor_test_id,
        )
    )
    rows = session.exec(
        sa.select(
            AssessmentAttempt.application_id,
            AssessmentAttempt.stage_id,
            AssessmentAttempt.state,
            AssessmentAttempt.updated_at,
            AssessmentAttempt.vendor_test_name,
            AssessmentAttempt.score_percent,
        )
        .where(AssessmentAttempt.id.in_(newest))  # type: ignore[union-attr]
        .order_by(AssessmentAttempt.id)
    ).all()
    for application_id, stage_id, state, updated_at, test_name, score in rows:
        card = cards[application_id]
        if stage_id != card.stage_id:
            continue  # an attempt of another stage (or a one-off) is not this column's chip
        label = STATE_LABELS[state]
        card.chips.append(
            Chip(
                label=label,
                tone=status_clocks.tone(state, updated_at, now, clocks),
                title=f"{test_name}: {label.lower()} for {ago(updated_at, now)}",
            )
        )
        if score is not None:
            # Each of the stage's scored tests, in the order sent: the filters match a card by any
            # one of them (helper-167: a card read "90%" where "to 50" had found it for its 40%).
            card.score = " · ".join([s for s in card.score.split(" · ") if s] + [percent_label(score)])
