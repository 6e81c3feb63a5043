"""Telling the team: in-app notifications and emails through the outbox.

Every notice has a dedupe key, so a webhook and a poll reporting the same
completion (or a delivery retried three times) make one notification and one
email. Emails are written to the outbox table first; with ``ASSAY_SMTP_URL``
set, the scheduler hands them to that server, otherwise they stay readable in
the app's outbox. An email withheld (``OutboxMessage.withheld``) is never handed over.
"""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
import ssl
import urllib.parse
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import history
from dashboard.services.actors import SYSTEM, Actor
from dashboard.services.errors import UserError
from dashboard.services.wording import counted
from dashboard.settings import get_settings
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Gating,
    Job,
    JobMember,
    Notification,
    NotificationRead,
    OutboxMessage,
    Role,
    Stage,
    StageAssessment,
    User,
    utcnow,
)
from models.lifecycle import FINISHED_STATES

log = logging.getLogger(__name__)

NOTICES = {
    AttemptState.COMPLETED: ("needs_review", "{candidate}'s {test} is complete and needs review ({job})."),
    AttemptState.EXPIRED: ("expired", "{candidate}'s {test} expired before it was finished ({job})."),
    AttemptState.ERROR: ("failed", "{candidate}'s {test} failed: {reason} ({job})."),
}


def _insert_once(session: Session, row: Notification | OutboxMessage) -> bool:
    try:
        with session.begin_nested():
            session.add(row)
    except sa.exc.IntegrityError:
        return False
    return True


# The team's alerts (``_tell_the_team``) by kind, which starts each one's dedupe key: whether the
# job's hiring managers are sent it too (results are theirs to decide; a send's failure or an
# expiry is the recruiters' to act on).
ALERTS = {"needs_review": True, "result_revised": True, "expired": False, "failed": False}


def _on_the_team(job_id: int | None, *, with_managers: bool) -> sa.ColumnElement[bool]:
    """Whether a user is sent the team's alert about the job: active recruiters and admins, and
    ``with_managers`` the job's active members. One rule, read as an alert is written
    (``_team_addresses``) and again as it goes (``_no_longer_theirs``)."""
    told = User.role.in_([Role.ADMIN, Role.RECRUITER])  # type: ignore[attr-defined]
    if with_managers:
        told = sa.or_(told, sa.exists().where(JobMember.user_id == User.id, JobMember.job_id == job_id))
    return sa.and_(User.active, told)


def _team_addresses(session: Session, job_id: int, *, with_managers: bool) -> list[str]:
    """Recruiters and admins, plus the job's hiring managers for results (``_on_the_team``)."""
    return sorted(session.exec(select(User.email).where(_on_the_team(job_id, with_managers=with_managers))))


def attempt_key(kind: str, attempt: AssessmentAttempt) -> str:
    """The dedupe key of an attempt's notice (``NOTICES``): one notice per attempt and kind, and
    for a failed send one per try (a Retry reuses the attempt: failing again, it told no one,
    helper-116)."""
    key = f"{kind}:attempt:{attempt.id}"
    return f"{key}:{attempt.send_tries}" if kind == "failed" else key


def noticed_attempts(notifications: list[Notification]) -> dict[int, tuple[int, AttemptState]]:
    """Of these notifications, those telling of an attempt's state (``NOTICES``): by notification,
    the attempt and the state told of, read back from the notice's key (``attempt_key``)."""
    told = {kind: state for state, (kind, _template) in NOTICES.items()}
    found = {}
    for n in notifications:
        kind, _, told_of = n.dedupe_key.partition(":attempt:")
        attempt_id = told_of.partition(":")[0]  # a failed send's key ends with its try
        if kind in told and attempt_id.isdigit():
            found[n.id] = (int(attempt_id), told[kind])
    return found


def attempt_changed(session: Session, attempt: AssessmentAttempt) -> None:
    """Notify about an attempt that just reached a state someone must act on (in the caller's
    transaction); none for a rejected candidate, whose results wait for no one (helper-116: a test
    finished after the rejection asked the whole team to review it)."""
    notice = NOTICES.get(attempt.state)
    if notice is None:
        return
    kind, template = notice
    application = session.get(Application, attempt.application_id)
    if rejected_now(session, application.id):
        return
    candidate = session.get(Candidate, application.candidate_id)
    job = session.get(Job, application.job_id)
    message = template.format(
        candidate=candidate.name,
        test=attempt.vendor_test_name,
        job=job.title,
        reason=attempt.error_reason or "",
    )[:300]
    if not _tell_the_team(session, attempt_key(kind, attempt), kind, message, application):
        return
    if attempt.state == AttemptState.COMPLETED and attempt.stage_id:
        _stage_done(session, application, attempt.stage_id)


def result_revised(session: Session, attempt: AssessmentAttempt, figures: str, *, retaken: bool) -> None:
    """Tell the team, managers included, that a result decided on changed at the vendor (a re-score,
    an integrity flag, a new take), in the caller's transaction, which holds the attempt: each change
    is the attempt's next numbered notice (a score going 70 to 75, back, and to 75 again is told
    three times, helper-116), and a change applied twice at once is told once by the hold."""
    application = session.get(Application, attempt.application_id)
    if rejected_now(session, application.id):
        return  # no one waits on a rejected candidate's results (helper-119); the history says it
    candidate = session.get(Candidate, application.candidate_id)
    job = session.get(Job, application.job_id)
    news = (
        f"{candidate.name} took {attempt.vendor_test_name} again after the review"
        if retaken
        else f"{candidate.name}'s {attempt.vendor_test_name} changed after the review"
    )
    message = f"{news}: {figures} ({job.title})."[:300]
    told = session.exec(
        select(sa.func.count()).where(Notification.dedupe_key.startswith(f"result_revised:{attempt.id}:"))  # type: ignore[union-attr]
    ).one()
    key = f"result_revised:{attempt.id}:{told + 1}"
    _tell_the_team(session, key, "result_revised", message, application)


def rejected_now(session: Session, application_id: int) -> bool:
    """Whether the candidate is rejected now, read from the database: the application held in the
    session may have been read before a rejection was made or undone (a sweep reads it, then asks
    the vendor for seconds), and a result then told no one (helper-123)."""
    return (
        session.exec(select(Application.rejected_at).where(Application.id == application_id)).one()
        is not None
    )


def _tell_the_team(session: Session, key: str, kind: str, message: str, application: Application) -> bool:
    """One notification and an email to each of the team (recruiters and admins, and the job's
    hiring managers for the kinds ``ALERTS`` says), each once by ``key``; False if told before.

    The message is one line: it is the email's subject too, and a vendor's refusal with a line
    break in it (a plain-text reply) made a subject no email can carry, which failed every run."""
    message = " ".join(message.split())
    if not _insert_once(
        session,
        Notification(
            dedupe_key=key,
            kind=kind,
            message=message,
            application_id=application.id,
            job_id=application.job_id,
        ),
    ):
        return False
    base = get_settings().public_url.rstrip("/")
    for address in _team_addresses(session, application.job_id, with_managers=ALERTS[kind]):
        _insert_once(
            session,
            OutboxMessage(
                dedupe_key=f"{key}:{address}"[:200],
                to_address=address,
                subject=message[:200],
                body=f"{message}\n\nOpen the application: {base}/applications/{application.id}\n",
                application_id=application.id,
            ),
        )
    return True


def stage_done(session: Session, application_id: int, stage_id: int) -> bool:
    """Whether the application has finished the stage's tests (all, or any one, as the stage says)."""
    stage = session.get(Stage, stage_id)
    tests = list(session.exec(select(StageAssessment).where(StageAssessment.stage_id == stage_id)))
    if stage is None or not tests:
        return False
    done = list(
        session.exec(
            select(AssessmentAttempt).where(
                AssessmentAttempt.application_id == application_id,
                AssessmentAttempt.stage_id == stage_id,
                AssessmentAttempt.state.in_(FINISHED_STATES),  # type: ignore[union-attr]
            )
        )
    )
    # A re-take is matched by its test; a test changed for this candidate ("Change test")
    # by the stage's test it stands for, or the stage was never done for them.
    done_tests = {(a.integration_id, a.vendor_test_id) for a in done}
    stands_for = {a.stage_assessment_id for a in done}
    hits = [t.id in stands_for or (t.integration_id, t.vendor_test_id) in done_tests for t in tests]
    return any(hits) if stage.gating == Gating.ANY else all(hits)


def _stage_done_words(stage: Stage, tests: int) -> tuple[str, str]:
    """What the stage's tests came to: for the team's notification, and for the history."""
    if stage.gating == Gating.ANY:
        return (
            f"has completed {stage.name}, which asks for one of its {tests} tests",
            f"one of its {tests} tests completed, as it asks",
        )
    every = "both tests" if tests == 2 else f"all {tests} tests"
    return f"has completed {every} of {stage.name}", f"{every} completed"


def _stage_done(session: Session, application: Application, stage_id: int) -> None:
    """Tell the team, and the history, that the candidate is done with a stage of several tests.

    A stage of one test is done with that test: its "is complete and needs review" (and the
    history's line for it) says so already, and a second notification doubled every completion.
    """
    tests = len(session.exec(select(StageAssessment.id).where(StageAssessment.stage_id == stage_id)).all())
    if tests < 2 or not stage_done(session, application.id, stage_id):
        return
    stage = session.get(Stage, stage_id)
    news, summary = _stage_done_words(stage, tests)
    candidate = session.get(Candidate, application.candidate_id)
    job = session.get(Job, application.job_id)
    if _insert_once(
        session,
        Notification(
            dedupe_key=f"stage_done:{application.id}:{stage_id}",
            kind="stage_done",
            message=f"{candidate.name} {news} ({job.title}).",
            application_id=application.id,
            job_id=application.job_id,
        ),
    ):
        history.record(
            session, application_id=application.id, summary=f"{stage.name} done: {summary}", actor=SYSTEM
        )


def unread_by(user_id: int) -> sa.ColumnElement[bool]:
    """A notification this person has not read (read is per person: a notification has no recipient)."""
    return ~sa.exists().where(
        NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user_id
    )


def _mark(session: Session, user_id: int, *which: sa.ColumnElement[bool]) -> int:
    """Mark read, for this person, the notifications ``which`` picks that they have not read; how many."""
    unread = sa.select(
        Notification.id,
        sa.literal(user_id),
        sa.literal(utcnow(), type_=NotificationRead.__table__.c.read_at.type),
    ).where(unread_by(user_id), *which)
    for _try in range(2):  # the person's other tab marked some at the same moment: the rest again
        try:
            # Counted from RETURNING: an INSERT ... SELECT's rowcount is -1 on PostgreSQL (psycopg).
            marked = len(
                session.exec(
                    sa.insert(NotificationRead)
                    .from_select(["notification_id", "user_id", "read_at"], unread)
                    .returning(NotificationRead.notification_id)
                ).all()
            )
        except sa.exc.IntegrityError:
            session.rollback()
            continue
        if marked:
            session.commit()
        else:
            session.rollback()  # nothing unread: no write, and no open page reloads for it
        return marked
    return 0


def mark_read(session: Session, user_id: int, notification_ids: list[int]) -> int:
    """Mark these notifications read for one person (opening one reads it); how many were unread."""
    if not notification_ids:
        return 0
    return _mark(session, user_id, Notification.id.in_(notification_ids))  # type: ignore[union-attr]


def mark_all_read(
    session: Session,
    user_id: int,
    visible_job_ids: frozenset[int] | None = None,
    *,
    up_to: int | None = None,
) -> int:
    """Mark every notification the person can see read for them, not only the page shown; how many.

    ``up_to``: the newest notification when their page was drawn (``newest_notification``): one
    that came after it, unseen, stays unread (helper-130: a "needs review" landing between the
    page's last reload and the click was marked read without anyone seeing it)."""
    which = []
    if visible_job_ids is not None:
        which.append(Notification.job_id.in_(visible_job_ids))  # type: ignore[union-attr]
    if up_to is not None:
        which.append(Notification.id <= up_to)
    return _mark(session, user_id, *which)


def newest_notification(session: Session) -> int:
    """The id of the newest notification written (0 if none): what a page drawn now has seen."""
    return session.exec(select(sa.func.max(Notification.id))).one() or 0


# How long a send's claim on an email holds (``OutboxMessage.sending_since``): far longer than
# the mail server's timeout, so only a send that died meanwhile loses it, and its email goes again.
SENDING_LEASE = datetime.timedelta(minutes=10)


def unclaimed(now: datetime.datetime):
    """No send holds the email now (none claimed it, or its claim ran out)."""
    return sa.or_(
        OutboxMessage.sending_since.is_(None),  # type: ignore[union-attr]
        OutboxMessage.sending_since < now - SENDING_LEASE,  # type: ignore[operator]
    )


def _claim(session: Session, message_id: int) -> OutboxMessage | None:
    """The email, claimed for this send; None if it went, is withheld, or another send holds it,
    or it is a team alert its teammate is no longer sent (withheld now: ``_no_longer_theirs``).

    A write that succeeds only where nothing else has written, on SQLite as on PostgreSQL: two
    sends never take one email, and a withheld one (its rejection undone) is never taken.
    """
    now = utcnow()
    claimed = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),  # type: ignore[union-attr]
            OutboxMessage.withheld.is_(None),  # type: ignore[union-attr]
            unclaimed(now),
        )
        .values(sending_since=now)
    ).rowcount
    session.commit()
    if not claimed:
        return None
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    why = _no_longer_theirs(session, message)
    if why is None:
        return message
    session.execute(  # the claim let go; a deactivation's withholding written since keeps its own reason
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(withheld=sa.func.coalesce(OutboxMessage.withheld, why), sending_since=None)
    )
    session.commit()
    return None


def _no_longer_theirs(session: Session, message: OutboxMessage) -> str | None:
    """Why the team's alert is no longer for whom it was written, read as it goes; None if it is
    still theirs, or is not a team alert (a candidate's feedback is theirs whoever is on the team).

    An alert waits for the next run, or for days while the mail server is down or a mailbox
    refuses it for now; meanwhile a hiring manager taken off the job, or a recruiter made a
    hiring manager of other jobs, was still emailed its candidate's name and result (found in a
    review). The same rule as it was written (``_on_the_team``), the teammate as they are now."""
    kind = message.dedupe_key.partition(":")[0]
    if message.dedupe_key.startswith(FEEDBACK) or kind not in ALERTS:
        return None
    job_id = session.exec(select(Application.job_id).where(Application.id == message.application_id)).first()
    teammate = session.exec(select(User).where(User.email == message.to_address)).first()
    if teammate is None:
        return LEFT_THE_JOB
    still = session.exec(
        select(User.id).where(User.id == teammate.id, _on_the_team(job_id, with_managers=ALERTS[kind]))
    ).first()
    if still is not None:
        return None
    if not teammate.active:
        return DEACTIVATED
    return LEFT_THE_JOB if ALERTS[kind] else MADE_A_MANAGER


def _mark_sent(session: Session, message: OutboxMessage) -> None:
    """The mail server took it: sent, claim released. An undo that withheld it while the server
    was taking it came too late: the withholding is taken back and the history says it went. So
    is a deactivation's (``withhold_alerts_to``), without a word: the alert went as it was written.

    ``sent_at`` is written first: from then on no undo withholds it (``reopening._withhold``
    writes only an unsent email), so a withholding read after it is one that came before."""
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(sent_at=utcnow(), error=None, sending_since=None, refused_since=None)
    )
    session.refresh(message)
    if message.withheld == DEACTIVATED:  # the teammate deactivated as the server took it: it went
        message.withheld = None
        session.add(message)
    elif message.withheld and message.application_id:
        message.withheld = None
        session.add(message)
        _key_back(session, message)
        history.record(
            session,
            application_id=message.application_id,
            summary=f"Rejection email to {message.to_address} went all the same: "
            "the mail server was taking it as the rejection was undone",
            actor=SYSTEM,
        )
    session.commit()


def _key_back(session: Session, message: OutboxMessage) -> None:
    """The dedupe key an undo set aside (``reopening._withhold``) given back to an email that went
    all the same: rejecting the candidate again wrote them a second rejection email, and the next
    undo did not know they had been told (helper-149). Unless a rejection since holds it: that
    email is the one waiting, and the history says this one went."""
    aside = f"withheld:{message.id}:"
    if not message.dedupe_key.startswith(aside):
        return
    key, other = message.dedupe_key.removeprefix(aside), sa.orm.aliased(OutboxMessage)
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message.id, ~sa.exists().where(other.dedupe_key == key))
        .values(dedupe_key=key)
        .execution_options(synchronize_session=False)
    )


# How the dedupe key of an email to a candidate (their feedback) starts; the rest are the team's alerts.
FEEDBACK = "feedback:"

# Why an email refused for good is withheld: never tried again (``OutboxMessage.withheld``).
REFUSED = "refused for good by the mail server"
# How long an email turned down for now (4xx) is tried again before it is given up: a mail
# server's own give-up time (RFC 5321, 4.5.4.1: "at least 4-5 days"). Why it is withheld then.
GIVE_UP_AFTER = datetime.timedelta(days=5)
GAVE_UP = "turned down for 5 days by the mail server"
# The reasons a correction of the candidate's address lifts: the address was the trouble.
TURNED_DOWN = (REFUSED, GAVE_UP)


_ENHANCED = re.compile(r"^\s*(\d)\.(\d{1,3})\.(\d{1,3})")  # "5.1.1 No such user": the reply's class
# Enhanced status subjects (RFC 3463) about the one email's address (1) or mailbox (2): a disabled
# or full mailbox, no such user. Bare codes: no such mailbox, not local, storage exceeded, name not
# allowed. Others (a relay or policy refusal, 5.7.x; routing, 5.4.x; content, 5.6.x) could be about
# every email Assay sends: a content filter refusing its template would withhold them one by one.
_ABOUT_THE_EMAIL = {"1", "2"}
_BARE_ABOUT_THE_EMAIL = (550, 551, 552, 553)


def _reply(
    err: smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError | smtplib.SMTPNotSupportedError,
) -> tuple[int, str]:
    """The mail server's reply to one email, its code and its words (no address in them)."""
    if isinstance(err, smtplib.SMTPNotSupportedError):  # a non-ASCII address, no SMTPUTF8 here
        return 553, "the mail server takes no address written outside ASCII (no SMTPUTF8)"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, words = next(iter(err.recipients.values()))
    else:
        code, words = err.smtp_code, err.smtp_error
    return code, words.decode(errors="replace") if isinstance(words, bytes) else str(words)


def _about_the_email(code: int, said: str) -> bool:
    """Whether a refusal is surely about the email it answers (its address or mailbox), not maybe
    about Assay, which would turn down every email alike. A 4xx is "not now" for that email."""
    if code < 500:
        return True
    enhanced = _ENHANCED.match(said)
    if enhanced:
        return enhanced.group(2) in _ABOUT_THE_EMAIL
    return code in _BARE_ABOUT_THE_EMAIL


def _turned_down(session: Session, message: OutboxMessage, err: Exception, refused_alike: set[str]) -> bool:
    """Mark the email the mail server turned down (``_refused``); True if the run stops there.

    A reply surely about the email: withheld for good (5xx) or tried again (4xx). One that could be
    about Assay: passed over for the run, tried again on the next, after the emails never turned
    down, and given up after five days as a 4xx is. The next email to another address tells which:
    gone through, it was about that email; a second address refused alike stops the run, the rest
    untried and unmarked (helper-119: its reply was written on every email behind it, which then
    went after the two refused ones and were never tried again). An email turned down before does
    not count: refused again, it tells nothing of the others.
    """
    code, said = _reply(err)
    # Turned down before: refused (``refused_since``), not merely caught in an outage (its ``error``).
    about_it, fresh = _about_the_email(code, said), message.refused_since is None
    address = message.to_address  # the one refused (``_refused`` may readdress the email)
    _refused(session, message, code, said, for_good=about_it and code >= 500)
    if about_it or not fresh:
        return False
    refused_alike.add(address.lower())
    return len(refused_alike) > 1


def _refused(session: Session, message: OutboxMessage, code: int, words: str, *, for_good: bool) -> None:
    """The mail server turned this one email down; the batch goes on with the next.

    Refused ``for_good`` (a 5xx about the address or mailbox: ``_about_the_email``), it is
    withheld and never tried again: tried on every run, it stood first in each batch and held up
    every email behind it. Otherwise (a 4xx: a full mailbox, greylisting; a reply that could be
    about Assay) the next run tries it again, for ``GIVE_UP_AFTER`` from the first such refusal;
    then it is withheld too, or a mailbox full for good was tried on every run forever.
    """
    if _follows_a_correction(session, message):
        return
    now = utcnow()
    unsent = OutboxMessage.id == message.id
    session.execute(
        sa.update(OutboxMessage).where(unsent).values(error=f"{code} {words}"[:300], sending_since=None)
    )
    first = OutboxMessage.refused_since.is_(None)  # type: ignore[union-attr]
    session.execute(sa.update(OutboxMessage).where(unsent, first).values(refused_since=now))
    refused_long = OutboxMessage.refused_since <= now - GIVE_UP_AFTER  # type: ignore[operator]
    if for_good or session.execute(sa.select(OutboxMessage.id).where(unsent, refused_long)).first():
        session.execute(  # an undo's withholding written meanwhile keeps its own reason
            sa.update(OutboxMessage)
            .where(unsent, OutboxMessage.withheld.is_(None))  # type: ignore[union-attr]
            .values(withheld=REFUSED if for_good else GAVE_UP)
        )
    session.commit()
    session.refresh(message)


def may_still_go() -> sa.ColumnElement[bool]:
    """An email not sent that nothing holds back but the mail server's refusal (``TURNED_DOWN``,
    which a correction of the address lifts): one withheld for another reason (a rejection undone,
    a teammate deactivated) never goes."""
    return sa.and_(
        OutboxMessage.sent_at.is_(None),  # type: ignore[union-attr]
        sa.or_(OutboxMessage.withheld.is_(None), OutboxMessage.withheld.in_(TURNED_DOWN)),  # type: ignore[union-attr]
    )


def _follows_a_correction(session: Session, message: OutboxMessage) -> bool:
    """Send the candidate's email that failed to the address corrected while it was being handed
    over, on the next run; whether it was. A correction moves the emails waiting, but not the one
    a send holds (``corrections._readdressed``): refused at the typo, that one was withheld there
    for good, and "Try again" sent it to the typo again (helper-149). Committed, as ``_refused``."""
    if not message.application_id or not message.dedupe_key.startswith(FEEDBACK):
        return False  # the team's alerts go to the team's addresses
    now_at = session.exec(
        select(Candidate.email)
        .join(Application, Application.candidate_id == Candidate.id)
        .where(Application.id == message.application_id)
    ).first()
    if now_at in (None, message.to_address):
        return False
    moved = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.to_address == message.to_address,
            may_still_go(),
        )
        .values(to_address=now_at, withheld=None, error=None, refused_since=None, sending_since=None)
    ).rowcount
    if moved:
        history.record(
            session,
            application_id=message.application_id,
            summary=f"Email to {message.to_address} not taken; it goes to {now_at}, "
            "the address corrected as it was being sent",
            actor=SYSTEM,
        )
    session.commit()
    session.refresh(message)
    return bool(moved)


# Why an alert to a teammate is withheld: they were deactivated before it went (``withhold_alerts_to``).
DEACTIVATED = "its teammate was deactivated before it went"
# Why, found as it goes (``_no_longer_theirs``): taken off its job, or made a hiring manager (who is
# not sent an expiry or a failed send).
LEFT_THE_JOB = "its teammate left the job's team before it went"
MADE_A_MANAGER = "its teammate was made a hiring manager before it went, and hiring managers are not sent it"


def withhold_alerts_to(session: Session, address: str) -> int:
    """Withhold the alerts still waiting for a teammate being deactivated, in the caller's
    transaction; how many. New alerts already leave them out (``_team_addresses``); these, written
    before, went to someone no longer on the team, with the candidates' names and results. The
    candidates' own emails (feedback) are not the teammate's and stay. Written wherever an alert is
    unsent, as an undo's withholding is: one a send holds now is not tried again should that send
    fail (one the server takes all the same is marked sent, ``_mark_sent``), and one turned down
    before is no longer offered to "Try again" (helper-150). Reactivated, they get the alerts
    written from then on, not these.

    An alert going is checked again anyway (``_no_longer_theirs``), which withholds it for a teammate
    taken off its job or given another role; a deactivation's is still written here, at once: the
    teammate reactivated before it went would be sent it then, and the outbox says it now."""
    return session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.to_address == address,
            may_still_go(),
            ~OutboxMessage.dedupe_key.startswith(FEEDBACK),  # type: ignore[attr-defined]
        )
        .values(withheld=DEACTIVATED)
    ).rowcount


def try_again(session: Session, message_id: int, actor: Actor) -> str:
    """Hand an email the mail server turned down (``TURNED_DOWN``) to it again on the next run:
    the mailbox full for days has room now, or the address refused was created since. One
    withheld for another reason (its rejection undone) is never sent, so it is not offered.

    Raises:
        UserError: It went meanwhile, or is not withheld for a refusal (another tab tried it).
    """
    again = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),  # type: ignore[union-attr]
            OutboxMessage.withheld.in_(TURNED_DOWN),  # type: ignore[union-attr]
        )
        .values(withheld=None, refused_since=None, error=None)
    ).rowcount
    message = session.get(OutboxMessage, message_id)
    if not again or message is None:
        session.rollback()
        raise UserError(
            "That email is not withheld for a refusal any more; the outbox now shows where it stands."
        )
    if message.application_id:
        history.record(
            session,
            application_id=message.application_id,
            summary=f"Email to {message.to_address} to be tried again: {message.subject}",
            actor=actor,
        )
    session.commit()
    return f"The email to {message.to_address} goes with the next send."


def _sender_outside_ascii() -> smtplib.SMTPException:
    """Assay's own address (ASSAY_MAIL_FROM) written outside ASCII, to a mail server without
    SMTPUTF8: about every email, not the one, which it withheld as refused for good one by one
    (helper-149). The run stops, the emails kept with these words, until the setting is mended."""
    return smtplib.SMTPException(
        "ASSAY_MAIL_FROM's address is written outside ASCII, which this mail server does not take "
        "(no SMTPUTF8): write it in ASCII (a domain in its xn-- form)"
    )


def _message_id(message: OutboxMessage) -> str:
    """The email's own Message-ID, the same each time it goes.

    A send that dies after the mail server took an email, before it could write so, leaves it to
    go again once its claim runs out (``SENDING_LEASE``): Assay cannot tell that from a send that
    died before. Mail clients show two copies with one Message-ID as one email.
    """
    domain = parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "assay.invalid"
    return f"<outbox-{message.id}.{int(message.created_at.timestamp())}@{domain}>"


def _mail_server(parts: urllib.parse.SplitResult) -> smtplib.SMTP:
    """The connection to ``ASSAY_SMTP_URL``'s server, its certificate checked where it speaks TLS
    (the system's authorities, or ``SSL_CERT_FILE``'s): smtplib's own STARTTLS takes any, and
    the password and every email went to whoever answered (helper-116)."""
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        return smtplib.SMTP_SSL(host, parts.port or 465, timeout=10, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, parts.port or 25, timeout=10)
    if parts.scheme == "smtp+starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def deliver_outbox(session: Session, limit: int = 100) -> int:
    """Hand waiting emails to the SMTP server, if one is configured; returns how many went.

    Each email is claimed just before it goes (``_claim``), and marked sent as soon as it has: a
    rejection undone while the batch goes out withholds its email (``reopening``), which must
    then not go, and a batch cut short must not send again what it already sent. One address
    turned down does not stop the batch (``_refused``); a server down or refusing us does.
    """
    url = get_settings().smtp_url
    if not url:
        return 0
    pending = list(
        session.exec(
            select(OutboxMessage.id)
            # A withheld email (its rejection undone before it went) is never sent.
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.withheld.is_(None))  # type: ignore[union-attr]
            # Those turned down before after the rest: a hundred refused for now held back every newer one.
            .order_by(OutboxMessage.error.is_not(None), OutboxMessage.id)  # type: ignore[union-attr]
            .limit(limit)
        )
    )
    if not pending:
        return 0
    parts = urllib.parse.urlsplit(url)
    sent, left = 0, pending  # left: the emails not yet handed over (or passed over)
    holding = None  # the email this send has claimed and not yet marked sent
    refused_alike: set[str] = set()  # addresses refused in words that could be about Assay, since one went
    try:
        with _mail_server(parts) as smtp:
            if parts.username:
                smtp.login(urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
            for n, message_id in enumerate(pending):
                left = pending[n:]
                message = holding = _claim(session, message_id)
                if message is None:
                    continue
                email = EmailMessage()
                email["From"], email["To"], email["Subject"] = (
                    get_settings().mail_from,
                    message.to_address,
                    " ".join(message.subject.split()),  # one line, as a header must be (kept ones too)
                )
                email["Message-ID"] = _message_id(message)
                email["Date"] = format_datetime(message.created_at)  # RFC 5322's; the same on a resend
                email.set_content(message.body)
                try:
                    smtp.send_message(email)
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError,
                ) as err:
                    code, said = _reply(err)
                    if code == 421:  # closing the connection (a throttle): about no email; the run stops
                        raise smtplib.SMTPServerDisconnected(f"{code} {said}") from err
                    if isinstance(err, smtplib.SMTPNotSupportedError) and message.to_address.isascii():
                        raise _sender_outside_ascii() from err
                    holding = None
                    if _turned_down(session, message, err, refused_alike):
                        log.warning(
                            "outbox: two addresses refused alike (%s): the mail server refuses Assay, "
                            "not them; the run stops",
                            message.error,
                        )
                        break
                    continue
                _mark_sent(session, message)
                holding, sent = None, sent + 1
                refused_alike.clear()
            left = []
    except (OSError, smtplib.SMTPException) as err:
        log.warning("outbox: SMTP delivery failed after %s: %s", counted(sent, "message"), err)
        for message_id in left:
            message = session.get(OutboxMessage, message_id)
            if message is not None and message.sent_at is None:
                if message is holding and _follows_a_correction(session, message):
                    continue
                message.error = str(err)[:300]
                if message is holding:
                    message.sending_since = None  # not taken: the next run tries it again
                session.add(message)
    session.commit()
    return sent
