"""SQLModel tables. Vendor ids are strings; times are timezone-aware UTC.

SQLModel's datetime columns refuse naive values and read back in UTC on every
database (SQLite included); ``utcnow`` is the one clock the services use.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import enum
import unicodedata
from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from models.lifecycle import OPEN_STATES, AttemptState


def _enum_column(enum_type: type[enum.Enum], **kwargs) -> Column:
    """A column storing the enum's values as plain strings (portable, readable in SQL)."""
    return Column(
        sa.Enum(enum_type, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
        **kwargs,
    )


# Set only by ``clock_stopped_at`` (the demo seed): the moment ``utcnow`` answers instead of the real one.
_STOPPED_AT: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "assay_clock_stopped_at", default=None
)


def utcnow() -> datetime.datetime:
    """Now, in UTC, to the second (the moment the clock stands at inside ``clock_stopped_at``)."""
    stopped = _STOPPED_AT.get()
    return stopped or datetime.datetime.now(datetime.UTC).replace(microsecond=0)


@contextlib.contextmanager
def clock_stopped_at(moment: datetime.datetime) -> Iterator[None]:
    """Within the block, every service's "now" is ``moment``: the demo seed plays a hiring team's
    morning (added at nine, invited at five past, finished forty minutes after starting) so that
    the history it writes agrees with the times the vendor sandbox, whose clock it stops at the
    same moments, reports for the same events. Nothing else stops the clock."""
    token = _STOPPED_AT.set(moment.astimezone(datetime.UTC).replace(microsecond=0))
    try:
        yield
    finally:
        _STOPPED_AT.reset(token)


class Role(enum.StrEnum):
    """What a user may do."""

    ADMIN = "admin"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"


class StageKind(enum.StrEnum):
    """A stage of an interview plan is a plain step or sends an assessment."""

    REGULAR = "regular"
    ASSESSMENT = "assessment"


class ActorKind(enum.StrEnum):
    """Who or what caused a change in an application's history."""

    USER = "user"
    WEBHOOK = "webhook"
    POLL = "poll"
    SYSTEM = "system"


class User(SQLModel, table=True):
    """A member of the hiring team. The password is stored as an argon2 hash only."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    name: str = Field(max_length=120)
    role: Role = Field(sa_column=_enum_column(Role))
    password_hash: str = ""
    active: bool = True
    created_at: datetime.datetime = Field(default_factory=utcnow)
    # ``folded(name)`` and ``folded(email)``, kept by the listener below: what the users page
    # searches ("rene" finds René Ørsted); the email itself is kept as it was given (NFC).
    search_name: str = Field(default="", sa_column_kwargs={"server_default": ""})
    search_email: str = Field(default="", sa_column_kwargs={"server_default": ""})


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only a hash of its token is stored; it expires by itself.

    The token reaches the browser only as an HttpOnly cookie, set by ``POST /api/session`` in
    exchange for a one-time code the page was given (``handoff_hash``), for a minute: the
    page's scripts never see the token, kept encrypted until then (``handoff_token_encrypted``).
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime.datetime = Field(default_factory=utcnow)
    expires_at: datetime.datetime
    handoff_hash: str | None = Field(default=None, unique=True, index=True, max_length=64)
    handoff_token_encrypted: str | None = None
    handoff_expires_at: datetime.datetime | None = None


class SignInAttempt(SQLModel, table=True):
    """Failed sign-ins, for rate limiting across every worker: per email, and per email and place;
    and, ``signed_in``, the last sign-in from each place, which the ceiling on every place spares.

    ``email`` holds a keyed fingerprint of the address typed (``accounts._ledger_key``, 64 hex
    characters), never the text: a password typed into the Email box was kept readable (helper-158)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=254)
    at: datetime.datetime = Field(default_factory=utcnow)
    source: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})  # the place
    signed_in: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class JobMember(SQLModel, table=True):
    """A hiring manager assigned to a job: they see and decide only for these."""

    job_id: int = Field(foreign_key="job.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


# Letters NFKD leaves whole (no accent to strip): as a recruiter types them on a plain keyboard.
_PLAIN = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def folded(text: str) -> str:
    """Text as a search compares it: case, accents and spacing aside.

    A recruiter types "jose" for José, "lukasz" for Łukasz and "developpeur" for Développeur; lower() (PostgreSQL's,
    and SQLite's as ``models.db`` replaces it) keeps the accents, so names and titles are searched
    in this form (``Candidate.search_name``, ``Job.search_title``, ``User.search_name``).
    """
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_PLAIN).split())


def holds_search(column: sa.ColumnElement, text: str) -> sa.ColumnElement[bool]:
    """Whether ``column``, kept ``folded``, holds the search ``text`` (case, accents and spacing aside).

    autoescape: a % or _ typed is searched for as itself, not as a wildcard matching everyone.
    A search that folds to nothing (combining accents typed alone) matches no one: it held
    "", which every name contains, and listed everyone.
    """
    words = folded(text)
    return column.contains(words, autoescape=True) if words else sa.false()


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _fold_person(_mapper, _connection, user: User) -> None:
    user.search_name, user.search_email = folded(user.name), folded(user.email)


class Job(SQLModel, table=True):
    """An open position with its interview plan.

    ``revision`` grows with every change to the job's applications, so open
    boards can tell cheaply that they are stale. With ``candidate_feedback`` on,
    candidates get a message (from ``feedback_template``) when their result
    arrives and when a decision is taken.
    """

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    revision: int = 0
    created_at: datetime.datetime = Field(default_factory=utcnow)
    candidate_feedback: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    feedback_template: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # ``folded(title)``, kept by the listener below: what the jobs search and the same-title check read.
    search_title: str = Field(default="", sa_column_kwargs={"server_default": ""})


@sa.event.listens_for(Job, "before_insert")
@sa.event.listens_for(Job, "before_update")
def _fold_title(_mapper, _connection, job: Job) -> None:
    job.search_title = folded(job.title)


class Gating(enum.StrEnum):
    """When an assessment stage with several tests counts as done."""

    ALL = "all"
    ANY = "any"


class Stage(SQLModel, table=True):
    """One step of a job's interview plan, in ``position`` order.

    An assessment stage sends one or several tests (``StageAssessment``), at once
    on entry or on a click, with an optional deadline. Any stage may carry a
    default live-interview template, whose link is made when an interview in the
    stage is scheduled.
    """

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    position: int
    name: str = Field(max_length=120)
    kind: StageKind = Field(sa_column=_enum_column(StageKind))
    send_automatically: bool = False
    gating: Gating = Field(default=Gating.ALL, sa_column=_enum_column(Gating, server_default="all"))
    deadline_days: int | None = None
    # Remind the candidate this many hours before the deadline (where the vendor can resend).
    reminder_hours: int | None = None
    live_integration_id: int | None = Field(default=None, foreign_key="integration.id")
    live_template_id: str | None = Field(default=None, max_length=120)
    live_template_name: str | None = Field(default=None, max_length=200)
    # As ``StageAssessment.unlisted_since`` and ``listing_asked_at``, for the live-interview template:
    # deleted at the vendor, every interview booked here gets no room (see plan_connections).
    live_template_unlisted_since: datetime.datetime | None = None
    live_template_listing_asked_at: datetime.datetime | None = None
    # Which attempt counts when a candidate took a test more than once: "latest" or "best".
    counting: str = Field(default="latest", max_length=10, sa_column_kwargs={"server_default": "latest"})
    # Threshold rule: advance automatically at or above ``advance_at`` (None: off); scores from
    # ``review_from`` up go to review, and below it they are flagged "below the bar" for a
    # person to decide. Never rejects.
    advance_at: float | None = None
    review_from: float | None = None
    # Rule changes are audited in the application history of the moves they make.
    rule_enabled_at: datetime.datetime | None = None


class StageAssessment(SQLModel, table=True):
    """One test an assessment stage sends: a vendor connection and the vendor's test."""

    __table_args__ = (sa.UniqueConstraint("stage_id", "integration_id", "vendor_test_id"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    position: int = 0
    integration_id: int = Field(foreign_key="integration.id")
    vendor_test_id: str = Field(max_length=120)
    vendor_test_name: str = Field(max_length=200)
    # When a listing of the connection's tests last left this one out (archived or deleted at the
    # vendor): every send of it is refused there; None once a listing shows it (see plan_connections).
    unlisted_since: datetime.datetime | None = None
    # When a refused send of it last asked the vendor's listing: asked again ten minutes on at the soonest.
    listing_asked_at: datetime.datetime | None = None


class Candidate(SQLModel, table=True):
    """A person who applies; one candidate can apply to several jobs."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    # Unique: one person is one candidate, even when two workers add them at the same moment.
    email: str = Field(index=True, unique=True, max_length=254)
    # ``folded(name)``, kept by the listener below on every insert and update: what searches read.
    search_name: str = Field(default="", sa_column_kwargs={"server_default": ""})


@sa.event.listens_for(Candidate, "before_insert")
@sa.event.listens_for(Candidate, "before_update")
def _fold_name(_mapper, _connection, candidate: Candidate) -> None:
    candidate.search_name = folded(candidate.name)


class Application(SQLModel, table=True):
    """A candidate in one job's pipeline, at one stage."""

    __table_args__ = (sa.Index("ix_application_job_stage", "job_id", "stage_id", "stage_entered_at"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    job_id: int = Field(foreign_key="job.id")
    stage_id: int = Field(foreign_key="stage.id")
    stage_entered_at: datetime.datetime = Field(default_factory=utcnow)
    updated_at: datetime.datetime = Field(default_factory=utcnow)
    # Set when someone rejects the candidate; a rejection is always a person's decision.
    rejected_at: datetime.datetime | None = None
    rejection_reason: str | None = Field(default=None, max_length=200)
    # Grows with every decision, so two reviewers at once cannot both win.
    decision_version: int = 0


# The connections ``uq_integration_account`` keeps to one per account: live ones holding a key (one being
# connected is hidden as disconnected until the vendor accepts it, and is not counted).
_LIVE_ACCOUNT_SQL = "disconnected_at IS NULL AND account_fingerprint IS NOT NULL"


class Integration(SQLModel, table=True):
    """A connection to one vendor account. Secrets are stored encrypted."""

    __table_args__ = (
        sa.UniqueConstraint("vendor", "name"),
        # One live connection per vendor account: CoderPad keeps one webhook per account, and a
        # second connection takes the first's. The services check before connecting; two admins
        # connecting one account at the same moment both passed that check, and meet here.
        sa.Index(
            "uq_integration_account",
            "account_fingerprint",
            unique=True,
            sqlite_where=sa.text(_LIVE_ACCOUNT_SQL),
            postgresql_where=sa.text(_LIVE_ACCOUNT_SQL),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    vendor: str = Field(max_length=40)
    name: str = Field(max_length=120)
    region: str = Field(max_length=20)
    custom_base_url: str = Field(default="", max_length=500)
    api_key_encrypted: str
    api_key_last4: str = Field(max_length=4)
    webhook_token_encrypted: str
    # The account it reaches, as a keyed digest of vendor, region, custom URL and key (``secrets.fingerprint``):
    # the key is encrypted with a fresh nonce each time, so the database could not compare it. None once
    # disconnected (its key erased), or for the second of an account connected twice before this existed.
    account_fingerprint: str | None = Field(default=None, max_length=64)
    # The vendor's settings beyond the key (a company or workspace id); never secret.
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    created_at: datetime.datetime = Field(default_factory=utcnow)
    last_used_at: datetime.datetime | None = None
    last_webhook_at: datetime.datetime | None = None
    # The last webhook delivery refused (``webhooks.receive``): its card says so while no
    # delivery was accepted after it.
    webhook_refused_at: datetime.datetime | None = None
    last_sync_at: datetime.datetime | None = None
    last_sync_corrected: int = 0
    # How often the sync job sweeps this connection; None: the workspace's ASSAY_POLL_SECONDS.
    sync_every_seconds: int | None = None
    # When the key, region or settings last changed: attempts sent before may live in another account.
    credentials_changed_at: datetime.datetime | None = None
    last_error: str | None = None
    last_error_at: datetime.datetime | None = None
    disconnected_at: datetime.datetime | None = None


# A vendor's error shows on its connection's health this long, unless a call succeeds after it.
VENDOR_ERROR_SHOWN_FOR = datetime.timedelta(days=1)


def vendor_error_shown(
    last_error_at: datetime.datetime | None, last_used_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Whether a connection's last vendor error marks it failing: recent, and no call has succeeded since.

    One rule for the page that shows it and the revision that tells open pages it moved.
    """
    return bool(
        last_error_at
        and last_error_at > now - VENDOR_ERROR_SHOWN_FOR
        and (last_used_at is None or last_error_at >= last_used_at)
    )


# Who an error of a connection's log is by when it is a webhook delivery Assay refused: its
# health says so until a delivery is accepted (``webhooks.receive``, ``views.integrations``).
WEBHOOK_REFUSED = "webhook refused"


class IntegrationLog(SQLModel, table=True):
    """The audit log and error log of a connection (never a secret)."""

    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = Field(foreign_key="integration.id", index=True)
    at: datetime.datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=10)  # "audit" or "error"
    actor_label: str = Field(max_length=120)
    message: str = Field(max_length=500)


class ApplicationNote(SQLModel, table=True):
    """A note by the hiring team on an application."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    author_name: str = Field(max_length=120)
    at: datetime.datetime = Field(default_factory=utcnow)
    text: str = Field(max_length=4000)


class Interview(SQLModel, table=True):
    """A scheduled live interview; its link comes from the stage's live-interview template."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    # None once its stage is deleted: the interview, its room and history stay (helper-159).
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    scheduled_for: datetime.datetime
    interviewers: str = Field(default="", max_length=500)
    attempt_id: int | None = Field(default=None, foreign_key="assessmentattempt.id")
    created_at: datetime.datetime = Field(default_factory=utcnow)
    # Set when a booked interview is called off (the candidate was rejected); the history says why.
    cancelled_at: datetime.datetime | None = None


class Notification(SQLModel, table=True):
    """Something the team should look at: an assessment needs review, expired or failed.

    ``dedupe_key`` makes each notice once, however often the cause is seen.
    """

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=200)
    kind: str = Field(max_length=30)
    message: str = Field(max_length=300)
    application_id: int | None = Field(default=None, foreign_key="application.id")
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    # Indexed: the list reads newest first by it (ids follow the order notices were written in,
    # which a delivery applied late or the demo's replayed morning can put out of time order).
    created_at: datetime.datetime = Field(default_factory=utcnow, index=True)


class NotificationRead(SQLModel, table=True):
    """One person has read one notification.

    A notification has no recipient: it is for everyone who may see its job. So who has
    read it is kept per person; one ``read_at`` on the notification made one recruiter's
    click read it for the whole team.
    """

    notification_id: int = Field(foreign_key="notification.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True)
    read_at: datetime.datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """An email: kept here first, then handed to SMTP when one is configured.

    ``dedupe_key`` makes every message once (a candidate never gets the same
    feedback twice, a recruiter the same alert twice). ``withheld`` says why an email
    not yet sent never will be (a rejection undone before its email went): no path sends it.
    ``sending_since`` is a send's claim on it while the mail server takes it: whoever writes
    first, that send or an undo withholding it, wins, on SQLite as on PostgreSQL.
    """

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=200)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str
    application_id: int | None = Field(default=None, foreign_key="application.id")
    # Indexed: the outbox lists the newest written first, a page of tens of thousands.
    created_at: datetime.datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime.datetime | None = None
    error: str | None = None
    withheld: str | None = Field(default=None, max_length=200)
    sending_since: datetime.datetime | None = None
    # When the mail server first turned it down for now (a 4xx), tried on each run since: after
    # days of it, it is withheld (``notify.GAVE_UP``), as a mail server gives up on a message.
    refused_since: datetime.datetime | None = None


_OPEN_STATES_SQL = "state IN ({})".format(",".join(sorted(f"'{s.value}'" for s in OPEN_STATES)))


class AssessmentAttempt(SQLModel, table=True):
    """One invitation of one candidate to one vendor test.

    A re-attempt is a new row pointing at the one it re-takes, so no result is
    ever overwritten. ``reference`` travels to the vendor with the invitation,
    which lets a retried send find an invitation that a timeout hid from us.
    """

    __table_args__ = (
        # One open attempt per application and test: two racing sends (two tabs, the
        # automation and a click, a bulk send and a retry) meet here.
        sa.Index(
            "uq_attempt_open_per_test",
            "application_id",
            "integration_id",
            "vendor_test_id",
            unique=True,
            sqlite_where=sa.text(_OPEN_STATES_SQL),
            postgresql_where=sa.text(_OPEN_STATES_SQL),
        ),
        # Not unique: a vendor may keep its id for a re-attempt (the newest row is the live one).
        sa.Index("ix_attempt_vendor_id", "integration_id", "vendor_attempt_id"),
        # Whether a later attempt re-took the same test (``assessments.newest_at_its_test``, which
        # every queue bucket and the board's filters ask of each attempt): without it SQLite looked
        # among all the connection's attempts, and counting the queue grew with their square.
        sa.Index("ix_attempt_per_test", "application_id", "integration_id", "vendor_test_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    # The stage it was sent for (None: a one-off assessment outside the plan).
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    stage_assessment_id: int | None = Field(default=None, foreign_key="stageassessment.id")
    # The stage it was still open in when the candidate entered ``stage_id``, a stage sending the
    # same test: the invitation was carried over, not sent twice (a name, as the history keeps).
    carried_from: str | None = Field(default=None, max_length=120)
    # The name of the stage it was sent for, once that stage is deleted (``stage_id`` is then
    # None): the pages say so rather than "One-off", and a carry-over names where it came from.
    deleted_stage: str | None = Field(default=None, max_length=120)
    integration_id: int = Field(foreign_key="integration.id", index=True)
    vendor_test_id: str = Field(max_length=120)
    live_interview: bool = False
    vendor_test_name: str = Field(max_length=200)
    attempt_number: int = 1
    retakes_attempt_id: int | None = Field(default=None, foreign_key="assessmentattempt.id")
    reference: str = Field(unique=True, max_length=64)
    state: AttemptState = Field(sa_column=_enum_column(AttemptState, index=True))
    send_claimed_at: datetime.datetime | None = None
    send_tries: int = 0
    # When a try's answer never came (a timeout, a reset): the vendor may have made the invitation
    # all the same, and a vendor whose listing lags (CoderPad Interview's pad index) may not list it
    # yet, so a retry within that lag waits rather than make a second (``assessments._unlisted_yet``).
    send_unanswered_at: datetime.datetime | None = None
    # The address a send gave the vendor: the vendor keeps it though the candidate's email is
    # corrected since, so updates naming it are still theirs (``assessments.same_person``).
    invited_email: str | None = Field(default=None, max_length=254)
    vendor_attempt_id: str | None = Field(default=None, max_length=120)
    raw_status: str | None = Field(default=None, max_length=60)
    test_url: str | None = None
    report_url: str | None = None
    created_at: datetime.datetime = Field(default_factory=utcnow)
    updated_at: datetime.datetime = Field(default_factory=utcnow)
    sent_at: datetime.datetime | None = None
    started_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    reminded_at: datetime.datetime | None = None
    # When a person's Resend last took the invitation to email it again, before the vendor is
    # asked: a second Resend within a minute (a double click, two colleagues) finds it taken.
    resent_at: datetime.datetime | None = None
    reviewed_at: datetime.datetime | None = None
    # When it was completed, while what a result sets off (the stage's threshold rule, the
    # candidate's feedback email) has not finished: written with the completion and cleared once
    # that work is done, so a failure between the two (the database locked, the worker killed) is
    # run again by the delivery's retry or the scheduled pick-up, not lost. Indexed: the pick-up
    # looks for the few set among every attempt.
    after_completion_due_at: datetime.datetime | None = Field(default=None, index=True)
    # First sweep that found it neither in the vendor's complete listing nor by its id (see sync).
    missing_since: datetime.datetime | None = None
    # When a sweep last asked the vendor about it by its id (see sync's ``_to_fetch``).
    looked_up_at: datetime.datetime | None = None
    # The connection's credentials it was sent under: when its key, region or settings were set
    # (``Integration.credentials_changed_at``, or its ``created_at``). Only an attempt listed from
    # the same proves it deleted at the vendor (``deleted_at_vendor.AccountProof``). None: sent
    # before Assay kept it.
    sent_under: datetime.datetime | None = None
    # When Assay asked the vendor for the view last applied to it (to the microsecond): a view read
    # before that one (a Refresh answered slowly, a sweep's page read before a webhook's fetch) is
    # older than what the page shows, and does not write its details back over it.
    vendor_read_at: datetime.datetime | None = None
    score_percent: float | None = None
    points: float | None = None
    max_points: float | None = None
    comparative_score: float | None = None
    duration_seconds: int | None = None
    time_allowed_seconds: int | None = None
    subscores: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    warnings: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error_reason: str | None = None
    error_retryable: bool = False


class ApplicationEvent(SQLModel, table=True):
    """One line of an application's history: a stage move or an attempt transition."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    attempt_id: int | None = Field(default=None, foreign_key="assessmentattempt.id")
    at: datetime.datetime = Field(default_factory=utcnow)
    summary: str = Field(max_length=300)
    from_state: str | None = Field(default=None, max_length=120)
    to_state: str | None = Field(default=None, max_length=120)
    actor_kind: ActorKind = Field(sa_column=_enum_column(ActorKind))
    actor_label: str = Field(max_length=120)
    raw_status: str | None = Field(default=None, max_length=60)
    delivery_id: int | None = Field(default=None, foreign_key="webhookdelivery.id")


class WebhookDelivery(SQLModel, table=True):
    """The webhook inbox: every delivery is stored before it is applied.

    The unique ``delivery_key`` collapses duplicates; a delivery that failed to
    apply keeps its ``error`` and is retried.
    """

    __table_args__ = (
        # The deliveries waiting, which every drain and retry reads: without it each read the
        # connection's whole history, kept for good (helper-129).
        sa.Index(
            "ix_webhookdelivery_waiting",
            "integration_id",
            "id",
            sqlite_where=sa.text("applied_at IS NULL"),
            postgresql_where=sa.text("applied_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = Field(foreign_key="integration.id", index=True)
    delivery_key: str = Field(unique=True, max_length=200)
    received_at: datetime.datetime = Field(default_factory=utcnow)
    body: str
    vendor_attempt_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    applied_at: datetime.datetime | None = None
    error: str | None = None
    # When it was last tried and kept for retry; the retry takes those never tried first, then
    # those tried longest ago (``webhooks._apply_pending``). One held behind two kept in a row
    # was not asked about: it keeps its own (None if never tried).
    tried_at: datetime.datetime | None = None


class UnmatchedResult(SQLModel, table=True):
    """A vendor update Assay could not tie to an application: kept for a recruiter to match.

    An unknown attempt id or a candidate email that does not match the invitation
    must never be dropped, nor applied to the wrong person.
    """

    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = Field(foreign_key="integration.id", index=True)
    delivery_id: int | None = Field(default=None, foreign_key="webhookdelivery.id")
    vendor_attempt_id: str = Field(max_length=120)
    candidate_email: str | None = Field(default=None, max_length=254)
    reason: str = Field(max_length=300)
    status: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime.datetime = Field(default_factory=utcnow)
    resolved_at: datetime.datetime | None = None
    resolved_attempt_id: int | None = Field(default=None, foreign_key="assessmentattempt.id")
    resolved_by: str | None = Field(default=None, max_length=120)


class ScheduledRun(SQLModel, table=True):
    """The run ledger: one row per scheduled job and time slot.

    A run that fired twice (two workers, a restart, a misfire) meets the unique
    key and does nothing the second time.
    """

    __table_args__ = (sa.UniqueConstraint("job_name", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job_name: str = Field(max_length=60)
    slot: datetime.datetime
    started_at: datetime.datetime = Field(default_factory=utcnow)
    finished_at: datetime.datetime | None = None
    runner: str = Field(default="", max_length=120)
    outcome: str = Field(default="", max_length=300)


class StatusClock(SQLModel, table=True):
    """An admin's setting: hours an assessment may wait in a state before its chip turns amber, then red.

    States without a row keep the defaults of ``dashboard.services.status_clocks``.
    """

    state: str = Field(primary_key=True, max_length=30)
    amber_after_hours: float
    red_after_hours: float
    updated_at: datetime.datetime = Field(default_factory=utcnow)


class WorkspaceRevision(SQLModel, table=True):
    """One number that grows with every change the team sees outside any one job.

    Each job has its own ``revision``; the results kept for matching, the email outbox
    and the notifications belong to no board, so a change to them moves this one
    (``models.revisions``). Pages that show every job watch both. One row, made by the
    migration.
    """

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
