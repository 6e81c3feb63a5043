"""Read models: plain dataclasses the pages show, built with paged SQL.

States copy these into their vars; nothing here is an ORM object, and no secret
is ever part of one.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import (
    attempt_actions,
    board_view,
    interviews,
    notify,
    plan_connections,
    queue_view,
    review,
    status_clocks,
)
from dashboard.services.assessments import (
    STATE_LABELS,
    minutes,
    percent_label,
    points_label,
    stage_label,
    status_label,
    subscore_points_label,
    time_taken_label,
)
from dashboard.services.errors import NotFound
from dashboard.services.integrations import (
    SYNC_INTERVALS,
    sharing_an_account,
    sync_interval_label,
)
from dashboard.services.wording import counted
from dashboard.settings import get_settings
from models import (
    WEBHOOK_REFUSED,
    Application,
    ApplicationEvent,
    ApplicationNote,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    IntegrationLog,
    Interview,
    Job,
    JobMember,
    Notification,
    OutboxMessage,
    Stage,
    StageAssessment,
    User,
    WebhookDelivery,
    holds_search,
    utcnow,
    vendor_error_shown,
)
from models.lifecycle import FINISHED_STATES
from providers import registry


@dataclasses.dataclass
class Choice:
    """One option of a select: the value sent back, the label shown."""

    value: str
    label: str


@dataclasses.dataclass
class JobSummary:
    """A row of the jobs list.

    ``label`` names the job wherever jobs are listed or picked: its title, with its number when
    the reader sees another job of that title (two offices, a second requisition), as Greenhouse
    tells such jobs apart by id. ``opened`` is the day it was made, and then the minute too.
    """

    id: int
    title: str
    applications: int
    needs_sending: int
    needs_review: int
    label: str = ""
    opened: str = ""


@dataclasses.dataclass
class SubScoreView:
    name: str
    score: str
    detail: str
    is_skill: bool


@dataclasses.dataclass
class ActionView:
    """An attempt action: enabled, or disabled with the reason (shown as the button's tooltip)."""

    name: str
    enabled: bool
    reason: str
    applicable: bool


@dataclasses.dataclass
class NoteView:
    at: str
    author: str
    text: str


@dataclasses.dataclass
class InterviewView:
    id: int
    at: str
    interviewers: str
    link: str
    status: str
    named: str  # when and with whom, as the cancel question says it (``interviews.named``)
    cancellable: bool  # still ahead and not called off
    room_on_cancel: str  # what cancelling does to its link (``interviews.room_on_cancel``)


_LINK_DEAD = frozenset({AttemptState.CANCELLED, AttemptState.EXPIRED})
# An attempt card's link is for sending the candidate to their test: not offered once it no longer
# works, nor once the test is finished (there is nothing left to take; its report is offered).
_NO_LINK_TO_OFFER = _LINK_DEAD | FINISHED_STATES


@dataclasses.dataclass
class AttemptView:
    id: int
    test_name: str
    vendor_name: str
    attempt_number: int
    state: str
    status_label: str
    status_tone: str
    test_url: str
    report_url: str
    sent_at: str
    started_at: str
    completed_at: str
    score: str
    points: str
    comparative_score: str
    time_taken: str
    subscores: list[SubScoreView]
    warnings: list[str]
    error_reason: str
    can_send: bool
    can_review: bool
    # Another test may be picked in its place: never sent, and not an interview's room (whose link
    # is the stage's live-interview template, no test to change; helper-120).
    can_change_test: bool = False
    expires_at: str = ""
    # The deadline as the page says it: "Deadline ...", or "No deadline set" for an open invitation
    # without one (it offers Extend deadline, which needs saying what it extends from).
    deadline: str = ""
    retakes: str = ""
    live_interview: bool = False
    report_pdf_url: str = ""
    actions: list[ActionView] = dataclasses.field(default_factory=list)
    stage_name: str = ""  # the stage it counts for (see assessments.stage_label)
    carried_from: str = ""  # the stage it was still open in when carried over to ``stage_name``
    cancelled_at: str = ""  # when its cancellation was recorded in the history (cancelled only)
    # The address the invitation went to, when the candidate's email was corrected since ("" if not).
    sent_to_before: str = ""
    # The vendor reported something of the result: a score, or without one its time, breakdown or
    # warnings (a result hung on the score alone hid a test's tab switches when its score was missing).
    has_result: bool = False
    # Where the result stands among the job's others on the same test, as the review page ranks it
    # ("" for one that does not count, or alone): the hiring manager's comparison, on both pages.
    percentile: str = ""


@dataclasses.dataclass
class EventView:
    at: str
    summary: str
    actor: str
    raw_status: str


@dataclasses.dataclass
class ApplicationView:
    id: int
    job_id: int
    job_title: str
    candidate_name: str
    candidate_email: str
    stage_id: int
    stage_name: str
    stages: list[board_view.StageOption]
    attempts: list[AttemptView]
    history: list[EventView]
    notes: list[NoteView] = dataclasses.field(default_factory=list)
    interviews: list[InterviewView] = dataclasses.field(default_factory=list)
    rejected: str = ""
    decision_version: int = 0
    next_stage: str = ""  # where "Advance" moves the candidate ("" in the last stage)


@dataclasses.dataclass
class IntegrationView:
    id: int
    vendor: str
    vendor_name: str
    name: str
    region: str  # the key, sent back by the Rotate key or change region dialog
    custom_base_url: str
    masked_key: str
    created_at: str
    last_used_at: str
    last_webhook_at: str
    last_sync_at: str
    last_error: str
    errors_24h: int
    last_sync_corrected: int
    open_attempts: int
    health: str
    webhook_url_masked: str
    audit: list[EventView]
    options: dict[str, str] = dataclasses.field(default_factory=dict)
    webhooks_waiting: int = 0  # stored, not applied yet (gathering, or failed and kept for retry)
    webhooks_refused: str = ""  # the last delivery refused, when none was accepted after it
    webhook_error: str = ""  # why the newest of those failed, if one did
    sync_every: str = "default"  # the sync select's value: seconds, or "default"
    webhook_secret_label: str = ""  # what the vendor calls the secret to paste there; "" if it takes none
    region_label: str = ""  # as the connect dialog offers it ("homologation" is the registry's key)
    same_account: str = ""  # another live connection reaches its account too: which, and what to do
    webhooks_silent: str = ""  # the last sync found news no webhook brought, and none came for a day


@dataclasses.dataclass
class UserView:
    id: int
    name: str
    email: str
    role: str
    active: bool
    jobs: list[Choice]  # the jobs the person is on, as the jobs page names them


@dataclasses.dataclass
class FieldView:
    key: str
    label: str
    help: str
    required: bool
    choices: list[str]  # empty: free text
    default: str = ""  # the choice applied when left empty


@dataclasses.dataclass
class VendorView:
    key: str
    name: str
    key_label: str
    regions: list[Choice]  # the key sent back, the vendor's own name for it shown
    state: str = "not connected"
    fields: list[FieldView] = dataclasses.field(default_factory=list)
    webhook_setup: str = ""


def when(moment: datetime.datetime | None) -> str:
    """A stored UTC time as text a person reads."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def ago(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """How long ago, compactly: 5m, 3h, 2d."""
    return board_view.ago(moment, now or utcnow())


def ago_words(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """How long ago, in words: "just now", "5m ago"."""
    return board_view.ago_words(moment, now or utcnow())


def _latest_attempts(application_ids: list[int]) -> sa.Select:
    """The newest attempt of each application (one row per application)."""
    newest = (
        sa.select(sa.func.max(AssessmentAttempt.id))
        .where(AssessmentAttempt.application_id.in_(application_ids))  # type: ignore[union-attr]
        .group_by(AssessmentAttempt.application_id)
    )
    return sa.select(AssessmentAttempt).where(AssessmentAttempt.id.in_(newest))  # type: ignore[union-attr]


# The jobs page lists this many; a team with more finds the others by searching their titles.
JOBS_SHOWN = 100


@dataclasses.dataclass
class JobsFound:
    """One look at the jobs list: the jobs shown (newest first) and how many the search matches."""

    jobs: list[JobSummary]
    total: int


def find_jobs(
    session: Session,
    visible_job_ids: frozenset[int] | None = None,
    search: str = "",
    limit: int = JOBS_SHOWN,
) -> JobsFound:
    """The jobs whose title holds ``search`` (any case, spacing aside), the newest ``limit`` of them.

    Filtered, counted and cut in SQL, and the pipeline and queue counts read for the shown jobs
    only: the page reloads on every change anywhere (it is live), so a team with a thousand
    jobs must not have each of them read, counted and sent to the browser every time.
    """
    clauses: list[sa.ColumnElement] = []
    if visible_job_ids is not None:
        clauses.append(Job.id.in_(visible_job_ids))  # type: ignore[union-attr]
    if search.strip():
        clauses.append(holds_search(Job.search_title, search))
    total = session.exec(sa.select(sa.func.count()).select_from(Job).where(*clauses)).one()[0]
    jobs = session.exec(select(Job).where(*clauses).order_by(Job.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    return JobsFound(jobs=_summaries(session, list(jobs), visible_job_ids), total=total)


def _summaries(session: Session, jobs: list[Job], visible_job_ids: frozenset[int] | None) -> list[JobSummary]:
    """The jobs with their pipeline counts and the queue's counts, read for these jobs only."""
    shown = frozenset(job.id for job in jobs)
    twins = _titles_shared(session, {job.search_title for job in jobs}, visible_job_ids)
    counts = dict(
        session.exec(
            sa.select(Application.job_id, sa.func.count())
            .where(Application.job_id.in_(shown))  # type: ignore[union-attr]
            .group_by(Application.job_id)
        ).all()
    )
    needs_sending = queue_view.per_job(session, "needs_sending", shown)
    needs_review = queue_view.per_job(session, "needs_review", shown)
    return [
        JobSummary(
            id=job.id,
            title=job.title,
            applications=counts.get(job.id, 0),
            needs_sending=needs_sending.get(job.id, 0),
            needs_review=needs_review.get(job.id, 0),
            label=_job_label(job.id, job.title, job.search_title, twins),
            opened=when(job.created_at) if job.search_title in twins else f"{job.created_at:%Y-%m-%d}",
        )
        for job in jobs
    ]


def _titles_shared(session: Session, titles: set[str], visible_job_ids: frozenset[int] | None) -> set[str]:
    """Those of ``titles`` (``folded``) that the reader sees on more than one job."""
    clauses: list[sa.ColumnElement] = [Job.search_title.in_(titles)]  # type: ignore[attr-defined]
    if visible_job_ids is not None:
        clauses.append(Job.id.in_(visible_job_ids))  # type: ignore[union-attr]
    title = Job.search_title
    return set(
        session.exec(sa.select(title).where(*clauses).group_by(title).having(sa.func.count() > 1)).scalars()
    )


def list_jobs(session: Session, visible_job_ids: frozenset[int] | None = None) -> list[JobSummary]:
    """Every job (or only the visible ones) with its pipeline counts, the queue's counts per job."""
    query = select(Job).order_by(Job.id)
    if visible_job_ids is not None:
        query = query.where(Job.id.in_(visible_job_ids))  # type: ignore[union-attr]
    return _summaries(session, list(session.exec(query)), visible_job_ids)


def _report_pdf_url(session: Session, attempt: AssessmentAttempt) -> str:
    """Assay's link to the vendor's PDF report, where the vendor has one, the test is done and the
    connection is still there to fetch it."""
    integration = session.get(Integration, attempt.integration_id)
    live = integration is not None and integration.disconnected_at is None
    spec = registry.VENDORS.get(integration.vendor) if live else None
    done = attempt.state in FINISHED_STATES
    return f"/api/reports/{attempt.id}.pdf" if spec and spec.provider.has_report_pdf and done else ""


def _summary_of_attempt(event: ApplicationEvent, numbered: dict[int, AssessmentAttempt]) -> str:
    """The history line, saying which attempt of its test it is about when there were several.

    Each line names the test alone ("Python: sent"): a test cancelled and sent again read
    "Python: sent" twice, its result "Python: assessment needs review", of which attempt not
    said. A line of attempt 2 or later reads "Python, attempt 2: sent" (unless it says so already).
    """
    attempt = numbered.get(event.attempt_id) if event.attempt_id else None
    named = f"{attempt.vendor_test_name}: " if attempt else ""
    if not attempt or not event.summary.startswith(named):
        return event.summary
    said = event.summary.removeprefix(named)
    if said.startswith(f"attempt {attempt.attempt_number} "):
        return event.summary
    return f"{attempt.vendor_test_name}, attempt {attempt.attempt_number}: {said}"


def _retakes_words(
    session: Session, attempt: AssessmentAttempt, visible_job_ids: frozenset[int] | None
) -> str:
    """Which attempt this one re-takes, by that attempt's own number ("" for a first go).

    Not "the number before this one": a re-take of another job's attempt (iMocha, which hands
    the same invitation back otherwise) is this application's attempt 1, and read "re-take of
    attempt 0"; that one is named with its job, unless the viewer may not see that job (a hiring
    manager of this one only): they are not told where else the candidate applied.
    """
    retaken = (
        session.get(AssessmentAttempt, attempt.retakes_attempt_id) if attempt.retakes_attempt_id else None
    )
    if retaken is None:
        return ""
    words = f"re-take of attempt {retaken.attempt_number}"
    if retaken.application_id == attempt.application_id:
        return words
    job = session.exec(
        select(Job)
        .join(Application, Application.job_id == Job.id)
        .where(Application.id == retaken.application_id)
    ).first()
    if job is None or (visible_job_ids is not None and job.id not in visible_job_ids):
        return "re-take of an earlier attempt"
    return f"{words} for {job.title}"


def _attempt_view(
    session: Session,
    attempt: AssessmentAttempt,
    vendor_name: str,
    now: datetime.datetime,
    clocks: status_clocks.Hours,
    stage_name: str = "",
    *,
    rejected: bool = False,
    cancelled_at: datetime.datetime | None = None,
    email: str = "",
    visible_job_ids: frozenset[int] | None = None,
    percentile: float | None = None,
) -> AttemptView:
    subscores = [
        SubScoreView(
            name=sub["name"],
            score=percent_label(sub.get("score_percent")),
            detail=subscore_points_label(sub.get("points"), sub.get("max_points")),
            is_skill=bool(sub.get("parent")),
        )
        for sub in attempt.subscores
    ]
    time_taken = time_taken_label(minutes(attempt.duration_seconds), minutes(attempt.time_allowed_seconds))
    # A cancelled invitation has no deadline left: its old one read as if it still ran.
    expires_at = "" if attempt.state == AttemptState.CANCELLED else when(attempt.expires_at)
    # An interview room does not expire: its interview has a time (Interviews), not a deadline.
    waiting = attempt.state in (AttemptState.SENT, AttemptState.STARTED) and not attempt.live_interview
    return AttemptView(
        id=attempt.id,
        test_name=attempt.vendor_test_name,
        vendor_name=vendor_name,
        attempt_number=attempt.attempt_number,
        state=attempt.state.value,
        status_label=status_label(attempt, rejected=rejected),
        # The board's and the queue's colour for the same wait (the admin's clocks), not one per state.
        status_tone=status_clocks.tone(attempt.state, attempt.updated_at, now, clocks),
        # A cancelled or expired invitation's link no longer works, a finished test's has nothing
        # left to take: neither is offered for copying.
        test_url="" if attempt.state in _NO_LINK_TO_OFFER else attempt.test_url or "",
        # Some vendors hand the report's address out with the invitation: until the test is
        # finished that page has nothing to show, so it is not offered.
        report_url=(attempt.report_url or "") if attempt.state in FINISHED_STATES else "",
        sent_at=when(attempt.sent_at),
        started_at=when(attempt.started_at),
        completed_at=when(attempt.completed_at),
        score=percent_label(attempt.score_percent),
        points=points_label(attempt.points, attempt.max_points),
        comparative_score=percent_label(attempt.comparative_score),
        time_taken=time_taken,
        subscores=subscores,
        warnings=list(attempt.warnings),
        error_reason=attempt.error_reason or "",
        can_send=attempt.state == AttemptState.READY_TO_SEND,
        can_review=attempt.state == AttemptState.COMPLETED,
        can_change_test=attempt.state == AttemptState.READY_TO_SEND
        and not attempt.send_tries
        and not attempt.live_interview,
        expires_at=expires_at,
        deadline=f"Deadline {expires_at}" if expires_at else ("No deadline set" if waiting else ""),
        retakes=_retakes_words(session, attempt, visible_job_ids),
        live_interview=attempt.live_interview,
        report_pdf_url=_report_pdf_url(session, attempt),
        actions=[
            ActionView(a.name, a.enabled, a.reason, a.applicable)
            for a in attempt_actions.available_actions(session, attempt)
            # A room an upcoming interview meets in is called off with it (Interviews: Cancel
            # interview, which says what becomes of its link); its own Cancel withdrew the room of
            # an interview still booked. (Resend and a deadline are never a room's: not applicable.)
            if not (a.name == "cancel" and attempt_actions.room_in_use(session, attempt))
        ],
        stage_name=stage_label(stage_name, attempt),
        carried_from=attempt.carried_from or "",
        cancelled_at=when(cancelled_at),
        # Only an invitation the vendor made: a send that failed before reaching it went nowhere.
        sent_to_before=(
            attempt.invited_email
            if attempt.vendor_attempt_id and attempt.invited_email not in (None, email)
            else ""
        ),
        # A score is shown whatever the state; the rest, which a vendor may send while the test is
        # under way (CodeSignal's integrity warnings), only once it is finished: before, "Total
        # score: no score" read as a result.
        percentile="" if percentile is None else f"{percentile:g}",
        has_result=attempt.score_percent is not None
        or (
            attempt.state in FINISHED_STATES
            and any(
                (
                    attempt.points is not None,
                    attempt.comparative_score is not None,
                    time_taken,
                    subscores,
                    attempt.warnings,
                )
            )
        ),
    )


def _offered(view: AttemptView, test_links: bool) -> AttemptView:
    """The attempt as shown, its link to the candidate's test left out where ``test_links`` is False
    (a live interview's room link kept: its interviewers join it)."""
    return view if test_links or view.live_interview else dataclasses.replace(view, test_url="")


def application(
    session: Session,
    application_id: int,
    visible_job_ids: frozenset[int] | None = None,
    *,
    test_links: bool = True,
) -> ApplicationView:
    """One application: candidate, stage, every attempt and the whole history.

    ``test_links`` False (a reader who sends no tests: a hiring manager) leaves out the links to
    the candidate's own tests: opened, one could start the candidate's test in their name
    (helper-154). A live interview's room link stays: its interviewers join it.
    """
    app = session.get(Application, application_id)
    if app is None or (visible_job_ids is not None and app.job_id not in visible_job_ids):
        raise NotFound("That application does not exist, or is not in one of your jobs.")
    candidate = session.get(Candidate, app.candidate_id)
    job = session.get(Job, app.job_id)
    stages = list(session.exec(select(Stage).where(Stage.job_id == app.job_id).order_by(Stage.position)))
    vendors = {
        i.id: registry.VENDORS[i.vendor].display_name
        for i in session.exec(select(Integration))
        if i.vendor in registry.VENDORS
    }
    attempts = session.exec(
        select(AssessmentAttempt)
        .where(AssessmentAttempt.application_id == application_id)
        .order_by(AssessmentAttempt.id.desc())
    ).all()
    events = session.exec(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id.desc())
    ).all()
    stage_names = {s.id: s.name for s in stages}
    numbered = {a.id: a for a in attempts if a.attempt_number > 1}
    now, clocks = utcnow(), status_clocks.hours(session)
    # The attempt keeps no time of its cancellation; its history line does (newest first).
    cancelled: dict[int, datetime.datetime] = {}
    for e in events:
        if e.attempt_id and e.to_state == AttemptState.CANCELLED.value:
            cancelled.setdefault(e.attempt_id, e.at)
    # Ranked as the review page ranks them, against the job's whole cohort: only when there is a result.
    finished = {(a.integration_id, a.vendor_test_id) for a in attempts if a.state in FINISHED_STATES}
    ranked = (
        {r.attempt_id: r.percentile for r in review.results(session, job.id, finished)} if finished else {}
    )
    return ApplicationView(
        id=app.id,
        job_id=job.id,
        job_title=job.title,
        candidate_name=candidate.name,
        candidate_email=candidate.email,
        stage_id=app.stage_id,
        stage_name=stage_names.get(app.stage_id, ""),
        stages=[board_view.StageOption(s.id, s.name) for s in stages],
        attempts=[
            _offered(
                _attempt_view(
                    session,
                    a,
                    vendors.get(a.integration_id, ""),
                    now,
                    clocks,
                    stage_names.get(a.stage_id, ""),
                    rejected=app.rejected_at is not None,
                    cancelled_at=cancelled.get(a.id) if a.state == AttemptState.CANCELLED else None,
                    email=candidate.email,
                    visible_job_ids=visible_job_ids,
                    percentile=ranked.get(a.id),
                ),
                test_links,
            )
            for a in attempts
        ],
        history=[
            EventView(when(e.at), _summary_of_attempt(e, numbered), e.actor_label, e.raw_status or "")
            for e in events
        ],
        notes=[
            NoteView(when(n.at), n.author_name, n.text)
            for n in session.exec(
                select(ApplicationNote)
                .where(ApplicationNote.application_id == application_id)
                .order_by(ApplicationNote.id.desc())
            )
        ],
        interviews=_interviews(session, application_id),
        decision_version=app.decision_version,
        next_stage=next((b.name for a, b in itertools.pairwise(stages) if a.id == app.stage_id), ""),
        rejected=(
            f"Rejected {when(app.rejected_at)}: {app.rejection_reason or ''}".strip().rstrip(":")
            if app.rejected_at
            else ""
        ),
    )


def _interviews(session: Session, application_id: int) -> list[InterviewView]:
    ahead = {i.id for i in interviews.upcoming(session, application_id)}
    found = []
    for interview in session.exec(
        select(Interview).where(Interview.application_id == application_id).order_by(Interview.scheduled_for)
    ):
        attempt = session.get(AssessmentAttempt, interview.attempt_id) if interview.attempt_id else None
        live = attempt is not None and attempt.state not in _LINK_DEAD and interview.cancelled_at is None
        if interview.cancelled_at is not None:  # called off: a link or "Sent" would say it still stands
            status = f"Cancelled {when(interview.cancelled_at)}"
        else:
            status = STATE_LABELS[attempt.state] if attempt else "no live-interview link for this stage"
        found.append(
            InterviewView(
                interview.id,
                when(interview.scheduled_for),
                interview.interviewers,
                (attempt.test_url or "") if live else "",
                status,
                interviews.named(interview),
                interview.id in ahead,
                interviews.room_on_cancel(session, interview)[1] if interview.id in ahead else "",
            )
        )
    return found


def sync_choices() -> dict[str, str]:
    """The integrations page's Sync select, value to label ("default": the workspace's interval)."""
    return {"default": sync_interval_label(None)} | {str(s): label for s, label in SYNC_INTERVALS.items()}


def _last_refusals(session: Session) -> dict[int, IntegrationLog]:
    """Each connection's last webhook delivery refused (``webhooks.receive``), by connection id."""
    last = (
        sa.select(sa.func.max(IntegrationLog.id))
        .where(IntegrationLog.actor_label == WEBHOOK_REFUSED)
        .group_by(IntegrationLog.integration_id)
    )
    return {
        e.integration_id: e for e in session.exec(select(IntegrationLog).where(IntegrationLog.id.in_(last)))
    }  # type: ignore[union-attr]


def integrations(session: Session) -> list[IntegrationView]:
    """Every live vendor connection with its health; the key shows only its last 4 characters."""
    open_counts = dict(
        session.exec(
            sa.select(AssessmentAttempt.integration_id, sa.func.count())
            .where(AssessmentAttempt.state.in_([AttemptState.SENT, AttemptState.STARTED]))  # type: ignore[union-attr]
            .group_by(AssessmentAttempt.integration_id)
        ).all()
    )
    now = utcnow()
    day_ago = now - datetime.timedelta(days=1)
    errors = dict(
        session.exec(
            sa.select(IntegrationLog.integration_id, sa.func.count())
            .where(IntegrationLog.kind == "error", IntegrationLog.at > day_ago)
            .group_by(IntegrationLog.integration_id)
        ).all()
    )
    not_applied = WebhookDelivery.applied_at.is_(None)  # type: ignore[union-attr]
    waiting = dict(
        session.exec(
            sa.select(WebhookDelivery.integration_id, sa.func.count())
            .where(not_applied)
            .group_by(WebhookDelivery.integration_id)
        ).all()
    )
    base = get_settings().public_url.rstrip("/")
    views = []
    live = select(Integration).where(Integration.disconnected_at.is_(None))  # type: ignore[union-attr]
    rows = session.exec(live.order_by(Integration.vendor, Integration.name)).all()
    shared = sharing_an_account(rows)
    refusals = _last_refusals(session)
    for i in rows:
        webhook_error = (
            session.exec(
                select(WebhookDelivery.error)
                .where(
                    WebhookDelivery.integration_id == i.id, not_applied, WebhookDelivery.error.is_not(None)
                )  # type: ignore[union-attr]
                .order_by(WebhookDelivery.id.desc())  # type: ignore[union-attr]
                .limit(1)
            ).first()
            if waiting.get(i.id)
            else None
        )
        refusal = refusals.get(i.id)
        refused = (
            f"{refusal.message.rstrip('.')} (at {when(refusal.at)}); none accepted since."
            if refusal
            and i.webhook_refused_at
            and (i.last_webhook_at is None or i.webhook_refused_at > i.last_webhook_at)
            else ""
        )
        # The vendor's last error, while no call has succeeded since: a mended one is only counted.
        error_now = vendor_error_shown(i.last_error_at, i.last_used_at, now)
        failing = error_now or bool(webhook_error) or bool(refused)
        audit = session.exec(
            select(IntegrationLog)
            .where(IntegrationLog.integration_id == i.id, IntegrationLog.kind == "audit")
            .order_by(IntegrationLog.id.desc())
            .limit(10)
        ).all()
        views.append(
            IntegrationView(
                id=i.id,
                vendor=i.vendor,
                vendor_name=registry.VENDORS[i.vendor].display_name,
                name=i.name,
                region=i.region,
                custom_base_url=i.custom_base_url,
                masked_key=f"\u2022\u2022\u2022\u2022{i.api_key_last4}",
                created_at=when(i.created_at),
                last_used_at=when(i.last_used_at),
                last_webhook_at=when(i.last_webhook_at),
                last_sync_at=when(i.last_sync_at),
                last_error=(i.last_error or "") if error_now else "",
                errors_24h=errors.get(i.id, 0),
                last_sync_corrected=i.last_sync_corrected,
                open_attempts=open_counts.get(i.id, 0),
                health="failing" if failing else "connected",
                webhook_url_masked=f"{base}/api/webhooks/{i.vendor}/{i.id}?token=\u2022\u2022\u2022\u2022\u2022\u2022",
                audit=[EventView(when(e.at), e.message, e.actor_label, "") for e in audit],
                options={k: str(v) for k, v in (i.options or {}).items()},
                webhooks_waiting=waiting.get(i.id, 0),
                webhook_error=webhook_error or "",
                webhooks_refused=refused,
                sync_every=str(i.sync_every_seconds or "default"),
                webhook_secret_label=registry.VENDORS[i.vendor].webhook_secret_label,
                region_label=registry.region_label(registry.VENDORS[i.vendor], i.region),
                same_account=_same_account(i, shared.get(i.id, [])),
                webhooks_silent="" if refused else _webhooks_silent(i),  # refused: that note says why
            )
        )
    return views


# No webhook for this long, while the sync finds news: the vendor posts elsewhere, or not at all.
SILENT_FOR = datetime.timedelta(hours=24)


def _webhooks_silent(connection: Integration) -> str:
    """The card's warning that news comes by sync alone (helper-118): a connection made again has a
    new webhook address, and a vendor given it by hand (in CodeSignal's settings) still posts to the
    old, so the card read "connected" while every change waited for a sync; and CoderPad Screen
    keeps one an organisation, which another app registering its own takes (helper-126)."""
    spec = registry.VENDORS[connection.vendor]
    # Only where the vendor keeps the address (pasted by hand, or one an account): the others are
    # given it with each invitation, and a quiet day is no sign of a wrong one (helper-125).
    if not connection.last_sync_corrected or not spec.webhook_can_go_stale:
        return ""
    last = connection.last_webhook_at
    if last is not None and connection.last_sync_at and last > connection.last_sync_at - SILENT_FOR:
        return ""
    since = f"since {when(last)}" if last else "yet"
    return (
        f"The last sync found {counted(connection.last_sync_corrected, 'change')} no webhook told of, "
        f"and no webhook has come {since}: check that {spec.display_name} posts to this connection's "
        "webhook address below (a connection made again has a new one; saving this connection registers "
        "it again where Assay registers it). Until then, news waits for each sync."
    )


def _same_account(connection: Integration, others: list[Integration]) -> str:
    """The card's warning that ``others`` reach its vendor account too ("" if none do)."""
    if not others:
        return ""
    names = [f"'{name}'" for name in sorted(o.name for o in others)]
    said = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    vendor = registry.VENDORS[connection.vendor].display_name
    # Not every vendor keeps one webhook per account (CoderPad Screen does): "may".
    who, then = ("both", "one of them") if len(names) == 1 else ("all of them", "all but one")
    return (
        f"Reaches the same {vendor} account as {said}: {who} sync it, on one rate limit, and its "
        f"webhooks may reach only one of them. Disconnect {then}."
    )


# The users page shows this many; a bigger team finds the others by name or email.
USERS_SHOWN = 100


@dataclasses.dataclass
class UsersFound:
    """One look at the team: the people shown (by name) and how many the search matches."""

    users: list[UserView]
    total: int


def find_users(session: Session, search: str = "", limit: int = USERS_SHOWN) -> UsersFound:
    """The people whose name or email holds ``search`` (case, accents and spacing aside), the first
    ``limit`` of them by name, with the jobs each is on.

    Filtered, counted and cut in SQL: every person, each with a Role box and a box per job, was
    sent to the browser on every visit and after every change, and a team of thousands froze it.
    By name, folded too: "admin" came after every capitalised name on SQLite, and Élodie after Zoe
    (lower() kept her É, which sorts after every plain letter). Searched in the
    folded columns (``models.folded``), accents aside: lower() kept them, so "Rene" missed René
    Ørsted and "muller" Müller.
    """
    clauses: list[sa.ColumnElement] = []
    if search.strip():
        clauses.append(
            sa.or_(holds_search(User.search_name, search), holds_search(User.search_email, search))
        )
    total = session.exec(sa.select(sa.func.count()).select_from(User).where(*clauses)).one()[0]
    people = session.exec(
        select(User).where(*clauses).order_by(User.search_name, User.name, User.id).limit(limit)
    ).all()
    members: dict[int, list[Choice]] = {}
    shown = [u.id for u in people]
    on_jobs = session.exec(
        sa.select(JobMember.user_id, Job.id, Job.title, Job.search_title)
        .join(Job, Job.id == JobMember.job_id)
        .where(JobMember.user_id.in_(shown))  # type: ignore[union-attr]
        .order_by(Job.id)
    ).all()
    twins = _titles_shared(session, {search_title for *_, search_title in on_jobs}, None)
    for user_id, job_id, title, search_title in on_jobs:
        members.setdefault(user_id, []).append(
            Choice(str(job_id), _job_label(job_id, title, search_title, twins))
        )
    return UsersFound(
        users=[
            UserView(u.id, u.name, u.email, u.role.value, u.active, members.get(u.id, [])) for u in people
        ],
        total=total,
    )


def _job_label(job_id: int, title: str, search_title: str, twins: set[str]) -> str:
    """A job as every page names it: its title, and its number where another job has that title."""
    return f"{title} (job {job_id})" if search_title in twins else title


def job_choices(session: Session) -> list[Choice]:
    """Every job, by its id and label only (no counts), for the users page's "Add to a job" list:
    a box per job in every person's row drew a million boxes for a team of 100 and 10,000 jobs
    (helper-117)."""
    jobs = session.exec(sa.select(Job.id, Job.title, Job.search_title).order_by(Job.id)).all()
    title = Job.search_title
    twins = set(session.exec(sa.select(title).group_by(title).having(sa.func.count() > 1)).scalars())
    return [
        Choice(str(job_id), _job_label(job_id, name, folded_title, twins))
        for job_id, name, folded_title in jobs
    ]


def vendors(connections: list[IntegrationView]) -> list[VendorView]:
    """The vendors Assay can connect, their regions, and their state from ``connections``."""
    views = []
    for spec in registry.VENDORS.values():
        healths = {c.health for c in connections if c.vendor == spec.key}
        state = "failing" if "failing" in healths else "connected" if healths else "not connected"
        # Shown by their labels: the keys ("homologation", "legacy") are the registry's words.
        regions = [Choice(key, label) for key, label in registry.region_choices(spec).items()]
        views.append(
            VendorView(
                spec.key,
                spec.display_name,
                spec.key_label,
                regions,
                state,
                [
                    FieldView(f.key, f.label, f.help, f.required, list(f.choices), f.default)
                    for f in spec.extra_fields
                ],
                spec.webhook_setup,
            )
        )
    return views


@dataclasses.dataclass
class PlanTest:
    id: int
    name: str
    vendor_name: str  # the connection it goes through, named with its vendor (``connection_label``)
    # Why no candidate can enter the stage while the test goes through a disconnected
    # connection ("" while it is connected): the plan showed it as if nothing were wrong.
    broken: str = ""
    # Why sending it is refused, the vendor no longer listing it while its connection is connected
    # ("" while listed): the plan looked fine while each candidate entering the stage failed.
    unlisted: str = ""


@dataclasses.dataclass
class PlanStage:
    id: int
    name: str
    kind: str
    # Candidates in the stage still in the process: a rejected one is sent nothing, so the plan's
    # words on who is (not) sent a stage's test counted them wrongly ("The 2 candidates ...").
    applications: int
    auto_send: bool
    gating: str
    deadline_days: str
    tests: list[PlanTest]
    live_template: str
    reminder_hours: str = ""
    # Why no interview can be booked here, its link's connection disconnected ("" if connected).
    live_broken: str = ""
    # Why interviews booked here get no link, the vendor no longer listing its template while its
    # connection is connected ("" while listed), as ``PlanTest.unlisted``.
    live_unlisted: str = ""
    # Changes whenever the settings form's stored values do: the form, whose boxes keep what is
    # typed in them, is drawn afresh by it to show a colleague's saved settings.
    settings_version: str = ""
    # Rejected candidates in the stage: still their cards there, and moved with the rest if it is deleted.
    rejected: int = 0


@dataclasses.dataclass
class PlanView:
    job_id: int
    title: str
    stages: list[PlanStage]


def connection_label(connection: Integration) -> str:
    """A connection as a plan names it: its own name, with its vendor's where that does not say it.

    The vendor's name alone could not tell two accounts of one vendor apart ("CoderPad Screen
    (EU team)" and the demo's "CoderPad Screen"), nor say where a repaired test now goes.
    """
    vendor = registry.VENDORS[connection.vendor].display_name
    return (
        connection.name
        if vendor.casefold() in connection.name.casefold()
        else f"{connection.name} ({vendor})"
    )


def plan(session: Session, job_id: int) -> PlanView:
    """A job's interview plan, for editing: stages in order, their tests and settings."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job does not exist.")
    stages = list(session.exec(select(Stage).where(Stage.job_id == job_id).order_by(Stage.position)))
    # Each stage's applications, and how many of them were rejected (count() of a column skips NULLs).
    counts = {
        stage_id: (everyone - rejected, rejected)
        for stage_id, everyone, rejected in session.exec(
            sa.select(Application.stage_id, sa.func.count(), sa.func.count(Application.rejected_at))
            .where(Application.job_id == job_id)
            .group_by(Application.stage_id)
        ).all()
    }
    connections = {i.id: i for i in session.exec(select(Integration)) if i.vendor in registry.VENDORS}
    vendors = {i: connection_label(c) for i, c in connections.items()}
    names = {s.id: s.name for s in stages}
    tests: dict[int, list[PlanTest]] = {}
    for test in session.exec(
        select(StageAssessment)
        .where(StageAssessment.stage_id.in_([s.id for s in stages]))  # type: ignore[union-attr]
        .order_by(StageAssessment.position)
    ):
        connection = connections.get(test.integration_id)
        tests.setdefault(test.stage_id, []).append(
            PlanTest(
                test.id,
                test.vendor_test_name,
                vendors.get(test.integration_id, ""),
                plan_connections.test_warning(names[test.stage_id], connection),
                plan_connections.unlisted_warning(names[test.stage_id], connection, test),
            )
        )
    return PlanView(
        job.id,
        job.title,
        [
            PlanStage(
                id=s.id,
                name=s.name,
                kind=s.kind.value,
                applications=counts.get(s.id, (0, 0))[0],
                rejected=counts.get(s.id, (0, 0))[1],
                auto_send=s.send_automatically,
                gating=s.gating.value,
                deadline_days=str(s.deadline_days or ""),
                reminder_hours=str(s.reminder_hours or ""),
                settings_version=f"{s.send_automatically}-{s.gating.value}-{s.deadline_days}-{s.reminder_hours}",
                tests=tests.get(s.id, []),
                live_template=(
                    f"{s.live_template_name} ({vendors.get(s.live_integration_id, '')})"
                    if s.live_template_id
                    else ""
                ),
                live_broken=(
                    plan_connections.template_warning(s.name, connections.get(s.live_integration_id))
                    if s.live_template_id
                    else ""
                ),
                live_unlisted=plan_connections.link_unlisted_warning(
                    s, connections.get(s.live_integration_id)
                ),
            )
            for s in stages
        ],
    )


def connections(session: Session) -> list[Choice]:
    """Live vendor connections, for picking where a test comes from."""
    live = select(Integration).where(Integration.disconnected_at.is_(None))  # type: ignore[union-attr]
    return [
        Choice(str(i.id), f"{i.name} ({registry.VENDORS[i.vendor].display_name})")
        for i in session.exec(live.order_by(Integration.vendor, Integration.name))
        if i.vendor in registry.VENDORS
    ]


@dataclasses.dataclass
class NotificationView:
    id: int
    kind: str
    message: str
    application_id: int
    at: str  # how long ago, in words: "just now", "5m ago"
    unread: bool
    # Where its result stands now, when no longer as told ("Reviewed", "Rejected"); "" while it is.
    now: str = ""


@dataclasses.dataclass
class OutboxView:
    id: int
    to_address: str
    subject: str
    body: str
    created: str
    # this email's own: "Sent 2026-05-04 09:12 UTC", "Withheld: rejection undone", "Not sent: <why>", "Waiting to be sent"
    status: str
    tone: str  # its badge's colour: "green" sent, "red" refused by the mail server, "gray" waiting or withheld by us
    can_try_again: bool = False  # withheld because the mail server turned it down (``notify.try_again``)


def notifications(
    session: Session, user_id: int, visible_job_ids: frozenset[int] | None = None, limit: int = 100
) -> list[NotificationView]:
    """Unread by this person first, however old, then read ones; newest first within each (a hiring manager's jobs only).

    Two limited queries rather than the newest ``limit`` sorted afterwards: sorting only
    the newest page left older unread ones out of reach, while "Mark all read" counted them.
    """
    unread = notify.unread_by(user_id)
    found: list[NotificationView] = []
    for is_unread, which in ((True, unread), (False, ~unread)):
        if len(found) >= limit:
            break
        query = select(Notification).where(which)
        if visible_job_ids is not None:
            query = query.where(Notification.job_id.in_(visible_job_ids))  # type: ignore[union-attr]
        # By when it happened: ids follow the order notices were written in, which the demo's
        # replayed morning put out of time order ("4h ago" above "1h ago").
        newest_first = (Notification.created_at.desc(), Notification.id.desc())  # type: ignore[union-attr]
        rows = list(session.exec(query.order_by(*newest_first).limit(limit - len(found))))
        now = _since_noticed(session, rows)
        found += [
            NotificationView(
                n.id,
                n.kind,
                n.message,
                n.application_id or 0,
                ago_words(n.created_at),
                is_unread,
                now.get(n.id, ""),
            )
            for n in rows
        ]
    return found


def _since_noticed(session: Session, rows: list[Notification]) -> dict[int, str]:
    """By notification, where its attempt stands now, for those whose attempt has moved on from
    the state the notice told of (as every page says it: "Reviewed", "Rejected").

    A notice keeps its words, what happened and when; but the demo opened on a hiring manager's 9
    unread "needs review" where 6 waited, three reviewed since, with nothing telling which.
    """
    noticed = notify.noticed_attempts(rows)
    ids = {attempt_id for attempt_id, _state in noticed.values()}
    if not ids:
        return {}
    found = session.exec(
        sa.select(AssessmentAttempt, Application.rejected_at)
        .join(Application, Application.id == AssessmentAttempt.application_id)
        .where(AssessmentAttempt.id.in_(ids))  # type: ignore[union-attr]
    ).all()
    attempts = {a.id: (a, rejected_at is not None) for a, rejected_at in found}
    return {
        notification_id: status_label(attempts[attempt_id][0], rejected=attempts[attempt_id][1])
        for notification_id, (attempt_id, told) in noticed.items()
        if attempt_id in attempts and attempts[attempt_id][0].state != told
    }


def unread_count(session: Session, user_id: int, visible_job_ids: frozenset[int] | None = None) -> int:
    """How many notifications this person has not read (each member reads them for themselves)."""
    query = sa.select(sa.func.count()).select_from(Notification).where(notify.unread_by(user_id))
    if visible_job_ids is not None:
        query = query.where(Notification.job_id.in_(visible_job_ids))  # type: ignore[union-attr]
    return session.exec(query).one()[0]


def mail_server_set() -> bool:
    """Whether Assay hands its emails to a mail server (``ASSAY_SMTP_URL``), or only keeps them in the outbox."""
    return bool(get_settings().smtp_url)


# The outbox's standing filter: its value, what the list says. "Not sent" holds the emails still to
# go, those the mail server refused for now included (they are tried again); a withheld one (its
# rejection undone, or its address refused for good) never goes.
OUTBOX_STANDINGS = {"": "Every email", "not_sent": "Not sent", "sent": "Sent", "withheld": "Withheld"}


def _outbox_matching(search: str, standing: str = "") -> list[sa.ColumnElement[bool]]:
    """The outbox's search: part of the address an email went to, or of its subject (which names
    the candidate); and where the emails stand (``OUTBOX_STANDINGS``)."""
    unsent = OutboxMessage.sent_at.is_(None)  # type: ignore[union-attr]
    clauses: list[sa.ColumnElement[bool]] = {
        "": [],
        "not_sent": [unsent, OutboxMessage.withheld.is_(None)],  # type: ignore[union-attr]
        "sent": [~unsent],
        "withheld": [unsent, OutboxMessage.withheld.is_not(None)],  # type: ignore[union-attr]
    }[standing]
    text = search.strip().lower()
    if text:
        # autoescape: a % or _ typed is searched for as itself, not as a wildcard matching every email
        clauses.append(
            sa.or_(
                sa.func.lower(OutboxMessage.to_address).contains(text, autoescape=True),
                sa.func.lower(OutboxMessage.subject).contains(text, autoescape=True),
            )
        )
    return clauses


def outbox(session: Session, limit: int = 100, search: str = "", standing: str = "") -> list[OutboxView]:
    """The newest ``limit`` emails Assay wrote (of those the search finds): never all of them,
    which a busy workspace counts in tens of thousands.

    Each row says only where that email stands; that no mail server is set at all is said
    once, above them (``mail_server_set``), not on every row.
    """
    smtp = mail_server_set()

    def status(m: OutboxMessage) -> tuple[str, str]:
        if m.sent_at:
            return "Sent " + when(m.sent_at), "green"
        if m.withheld in notify.TURNED_DOWN:
            return f"Withheld: {m.withheld} ({m.error})", "red"
        if m.withheld:
            return f"Withheld: {m.withheld}", "gray"
        if m.error:
            return f"Not sent: {m.error}", "red"
        return ("Waiting to be sent", "gray") if smtp else ("Not sent", "gray")

    query = select(OutboxMessage).where(*_outbox_matching(search, standing))
    return [
        OutboxView(
            m.id,
            m.to_address,
            m.subject,
            m.body,
            when(m.created_at),
            *status(m),
            can_try_again=m.sent_at is None and m.withheld in notify.TURNED_DOWN,
        )
        # By when written, as the page says: in id order, emails written for moments not in the
        # order they were stored (the demo's team, played candidate by candidate) read out of order.
        for m in session.exec(
            query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)  # type: ignore[attr-defined]
        )
    ]


def outbox_count(session: Session, search: str = "", standing: str = "") -> int:
    """How many emails the outbox holds (of those the search finds): one count, no rows read out."""
    query = sa.select(sa.func.count()).select_from(OutboxMessage).where(*_outbox_matching(search, standing))
    return session.exec(query).one()[0]
