"""Users, passwords (argon2 via pwdlib), sessions that expire, and sign-in rate limiting.

Only hashes are stored: the password's argon2 hash and the session token's SHA-256.
A failed sign-in never says whether the email exists, and takes as long either way.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import ipaddress
import logging
import secrets

import sqlalchemy as sa
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, select

from dashboard.services import notify
from dashboard.services import secrets as vault
from dashboard.services.errors import BadValue, NotFound, UserError
from dashboard.services.people import EMAIL, normal_email, tidy_name
from dashboard.services.permissions import SignedInUser
from dashboard.settings import get_settings
from models import Job, JobMember, Role, SignInAttempt, User, UserSession, utcnow

log = logging.getLogger(__name__)

SESSION_LIFETIME = datetime.timedelta(hours=12)
HANDOFF_FOR = datetime.timedelta(minutes=1)  # the sign-in page trades its code for the cookie at once
FAILURE_WINDOW = datetime.timedelta(minutes=15)
MAX_FAILURES = 5  # from one place (``_place``)
# From every place together, but those the person signed in from within ``KNOWN_FOR``: five locking
# the email everywhere let anyone who knew a colleague's address keep them out, the last admin too
# (helper-117); guesses spread over many places still stop here, and the person, at their desk,
# still gets in (helper-123: a ceiling for every place let fifty guesses lock them out again).
MAX_FAILURES_EVERYWHERE = 50
KNOWN_FOR = datetime.timedelta(days=30)
MIN_PASSWORD = 10
MAX_NAME = 120  # the column's length; longer names also pushed the users page's controls off-screen


@functools.cache
def _hashing() -> tuple[PasswordHash, str]:
    """The password hasher (argon2 as argon2-cffi recommends it, or at its lowest cost for the test
    suite, ``password_hashing``), and a hash it checks a sign-in for nobody against, as long as a
    real check takes."""
    hasher = hasher_for(get_settings().password_hashing)
    return hasher, hasher.hash("no such user: the same work as a real check")


def hasher_for(cost: str) -> PasswordHash:
    """argon2 at argon2-cffi's recommended cost ("strong"), or at its lowest ("fast", the test suite's).

    A hash made at another cost is made again at the strong one on the next right password
    (``sign_in``), so one made while "fast" was set by mistake does not stay weak."""
    if cost == "fast":
        log.warning("passwords are hashed at argon2's lowest cost (ASSAY_PASSWORD_HASHING=fast): tests only")
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return PasswordHash.recommended()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    *, session: Session, email: str, name: str, role: Role, password: str | None = None
) -> tuple[User, str]:
    """A new user; returns the user and the password (generated when not given, shown once).

    Raises:
        UserError: A malformed email, no name or a too long one, a short password, or the email is
            taken (by a deactivated account: the words say to reactivate it).
    """
    email, name = normal_email(email), tidy_name(name)
    # As a candidate's: "bob@" or an address with a tab pasted inside was taken, and its
    # invitation could never be delivered.
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise UserError("Enter a valid email address (name@example.com).")
    if not name:
        raise UserError("Enter the person's name.")
    if len(name) > MAX_NAME:
        raise UserError(f"A name is at most {MAX_NAME} characters.")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"A password needs at least {MIN_PASSWORD} characters.")
    _refuse_a_taken(session, email)
    user = User(email=email, name=name, role=role, password_hash=_hashing()[0].hash(password))
    session.add(user)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        # Another admin invited the same address since the check above: told as if they had
        # been first, rather than the page failing.
        session.rollback()
        _refuse_a_taken(session, email)
        raise
    log.info("user %s created with role %s", user.id, role.value)
    return user, password


def _refuse_a_taken(session: Session, email: str) -> None:
    """Say whose the address is, if it is anyone's.

    Raises:
        UserError: The address has an account (a deactivated one: the words say to reactivate it).
    """
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing and not existing.active:
        # Someone who left and comes back: "already has an account" said neither why they cannot
        # sign in nor what to do, and their row's only hint is its Reactivate button.
        raise UserError(f"{email} has an account, deactivated: Reactivate {existing.name} in the list below.")
    if existing:
        raise UserError(f"{email} already has an account.")


def sign_in(*, session: Session, email: str, password: str, source: str = "") -> str:
    """A new session token for the right email and password; ``source`` is where the guess came
    from (the browser's address, as Reflex reads it behind ``trusted_proxy_hops`` proxies).

    Raises:
        UserError: A box left empty (counted as no failure), wrong email or password (the same
            words for both), an inactive account, or too many failures for this email from this
            place, or from everywhere, in the last minutes.
    """
    email = normal_email(email)
    if not email or not password:
        # Enter pressed in the Email box (as two-step sign-in pages teach) was a failed sign-in:
        # five locked the person out without a password tried. Said alike whatever the email.
        raise UserError("Enter your email and password.")
    now = utcnow()
    guess = _take_a_guess(session, email, source, now)
    if guess is None:
        raise UserError("Too many failed sign-ins for this email. Wait 15 minutes, then try again.")
    user = session.exec(select(User).where(User.email == email)).first()
    hasher, unknown_user_hash = _hashing()
    valid, rehashed = hasher.verify_and_update(
        password, user.password_hash if user and user.password_hash else unknown_user_hash
    )
    if not (valid and user and user.active):
        raise UserError("Email or password is incorrect.")  # the guess stays counted
    # The password checked is still the one set, held so to the commit (its row locked on PostgreSQL):
    # an admin's new password saved as it was checked ends this sign-in, not the other way round
    # (helper-125: the rehash below wrote the old password back over it). A hash made at another
    # cost (weaker, or argon2's advice since changed) is made strong; never weaker (the suite's
    # "fast", set by mistake, rewrote strong hashes at the lowest cost).
    strong = rehashed if rehashed and get_settings().password_hashing == "strong" else None
    if not _still_set(session, user, strong):
        # Changed meanwhile: by a sign-in's rehash (two at once, helper-126), the same password
        # at another cost, or by a new password, which this one is not.
        session.rollback()  # SQLite's write lock let go through the second check (the guess is committed)
        current = session.exec(select(User.password_hash).where(User.id == user.id)).one()
        if not (current and hasher.verify(password, current)) or not _still_set(session, user, None, current):
            session.rollback()
            raise UserError("Email or password is incorrect.")  # the guess stays counted
    # A right password is no failure: the place's last sign-in is kept in its stead, one a place.
    session.exec(
        sa.delete(SignInAttempt).where(
            SignInAttempt.email == guess.email,
            SignInAttempt.source == guess.source,
            sa.or_(SignInAttempt.signed_in, SignInAttempt.id == guess.id),  # type: ignore[arg-type]
        )
    )
    session.add(SignInAttempt(email=guess.email, at=now, source=guess.source, signed_in=True))
    token = _new_session(session, user.id, now)
    session.commit()
    return token


def _still_set(session: Session, user: User, rehashed: str | None, checked: str | None = None) -> bool:
    """Hold the user's row to the commit if the hash ``checked`` (the one read) is still theirs and
    they are still active, writing ``rehashed`` over it if given (a rehash, or the person's new
    password, ``change_password``): a deactivation committed as the password was checked left a
    session the deactivation had not ended (helper-126, helper-158)."""
    checked = checked or user.password_hash
    return bool(
        session.exec(
            sa.update(User)
            .where(User.id == user.id, User.password_hash == checked, User.active)
            .values(password_hash=rehashed or User.password_hash)
        ).rowcount
    )


def _take_a_guess(session: Session, email: str, source: str, now: datetime.datetime) -> SignInAttempt | None:
    """Count a password guess for ``email`` (normalised) from ``source`` before it is checked
    (committed), or None, taken back, when it is over a limit. Counted once checked, twenty guesses
    sent at once all passed the count and were checked, a guess per worker thread instead of five
    (helper-117); counted first, each sees those before it."""
    _forget_the_past(session, now)
    guess = SignInAttempt(email=_ledger_key(email), at=now, source=_place(source))
    session.add(guess)
    session.commit()
    here = SignInAttempt.source == guess.source
    if _failures(session, guess.email, now, here) <= MAX_FAILURES and (
        _failures(session, guess.email, now) <= MAX_FAILURES_EVERYWHERE
        or _known(session, guess.email, guess.source, now)
    ):
        return guess
    session.delete(guess)  # refused unchecked: it does not draw the lockout out
    session.commit()
    return None


def _forget_the_past(session: Session, now: datetime.datetime) -> None:
    """Delete (not committed) the guesses no count reads any more: failures out of the lockout's
    window, a place's last sign-in once it is known no more (``KNOWN_FOR``). Nothing deleted them,
    and every guess at a made-up address stayed for good, as did a password typed as an email
    before the ledger kept fingerprints (helper-158). Rows another transaction holds are left to
    the next guess: waiting on them, guesses sent at once could deadlock (as helper-148's)."""
    past = (
        select(SignInAttempt.id)
        .where(
            sa.or_(
                SignInAttempt.at <= now - KNOWN_FOR,
                sa.and_(
                    SignInAttempt.signed_in.is_(False),  # type: ignore[attr-defined]
                    SignInAttempt.at <= now - FAILURE_WINDOW,
                ),
            )
        )
        .with_for_update(skip_locked=True)
    )
    session.exec(
        sa.delete(SignInAttempt)
        .where(SignInAttempt.id.in_(past.scalar_subquery()))  # type: ignore[union-attr]
        # Those deleted leave the session too: SQLite gives a deleted row's id to the next guess.
        .execution_options(synchronize_session="fetch")
    )


def _ledger_key(email: str) -> str:
    """What the sign-in ledger keeps of a typed address (``SignInAttempt.email``): a keyed fingerprint
    of it, never the text. Whatever is typed is counted before any check, and the person who swapped
    the two boxes left their password there, readable by whoever read the database (helper-158).

    Keyed by the newest master key (``vault.fingerprint``): a rotation forgets the counts and the
    places known, as if the ledger were new; each place is known again at its next sign-in."""
    return vault.fingerprint("sign-in attempt", email)


def _place(source: str) -> str:
    """Where a guess comes from, as the lockout counts it: an IPv4 address, or an IPv6 address's /64
    (one host is given a /64, and each of its addresses counted apart was five more guesses)."""
    try:
        address = ipaddress.ip_address(source.strip())
    except ValueError:
        return source.strip()[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _known(session: Session, key: str, place: str, now: datetime.datetime) -> bool:
    """Whether the person (``key``, their address's ``_ledger_key``) signed in from ``place`` within
    ``KNOWN_FOR``."""
    return (
        session.exec(
            select(SignInAttempt.id).where(
                SignInAttempt.email == key,
                SignInAttempt.source == place,
                SignInAttempt.signed_in,
                SignInAttempt.at > now - KNOWN_FOR,
            )
        ).first()
        is not None
    )


def _new_session(session: Session, user_id: int, now: datetime.datetime) -> str:
    """A new session for the user (not committed); its token, of which only a hash is kept."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(token_hash=_token_hash(token), user_id=user_id, expires_at=now + SESSION_LIFETIME)
    )
    return token


def _failures(session: Session, key: str, now: datetime.datetime, *where: sa.ColumnElement) -> int:
    """Failed sign-ins (and wrong current passwords) for ``key`` (an address's ``_ledger_key``) in the
    lockout's window."""
    return session.exec(
        select(sa.func.count())
        .select_from(SignInAttempt)
        .where(
            SignInAttempt.email == key,
            SignInAttempt.at > now - FAILURE_WINDOW,
            SignInAttempt.signed_in.is_(False),  # type: ignore[attr-defined]
            *where,
        )
    ).one()


def signed_in_user(*, session: Session, token: str) -> SignedInUser | None:
    """The active user behind an unexpired session token, or None."""
    if not token:
        return None
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _token_hash(token), UserSession.expires_at > utcnow(), User.active)
    ).first()
    if row is None:
        return None
    user = row[1]
    job_ids = frozenset(session.exec(select(JobMember.job_id).where(JobMember.user_id == user.id)).all())
    return SignedInUser(user.id, user.name, user.email, user.role, job_ids)


def hand_off(*, session: Session, token: str) -> str:
    """A one-time code the browser trades (``claim_handoff``) for the session's cookie, within
    ``HANDOFF_FOR``: the sign-in is checked over the page's websocket, which cannot set an
    HttpOnly cookie, and a token given to the page would be readable by its scripts. The token
    waits for it encrypted, as every secret Assay keeps; untraded, it is cleared at the first
    sign-in after its minute (``_clear_untraded``).

    Raises:
        UserError: The session has ended (signed out, or its user deactivated, meanwhile).
    """
    _clear_untraded(session)
    code = _handed_off(session, token)
    session.commit()
    if code is None:
        raise UserError("Your session has ended: sign in again.")
    return code


def _clear_untraded(session: Session) -> None:
    """Codes left untraded past their minute (a tab closed first) go, with the tokens waiting for
    them, in a commit of their own; rows another transaction holds are left to the next sign-in
    (a password change deleting its person's sessions: waiting on it could deadlock, helper-148)."""
    untraded = (
        select(UserSession.id)
        .where(UserSession.handoff_expires_at <= utcnow())  # type: ignore[operator]
        .with_for_update(skip_locked=True)
    )
    session.exec(
        sa.update(UserSession)
        .where(UserSession.id.in_(untraded.scalar_subquery()))  # type: ignore[union-attr]
        .values(handoff_hash=None, handoff_token_encrypted=None, handoff_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _handed_off(session: Session, token: str) -> str | None:
    """``hand_off`` in the caller's transaction; None if the session has ended."""
    now = utcnow()
    code = secrets.token_urlsafe(32)
    handed = session.exec(
        sa.update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.expires_at > now)
        .values(
            handoff_hash=_token_hash(code),
            handoff_token_encrypted=vault.encrypt(token),
            handoff_expires_at=now + HANDOFF_FOR,
        )
        .execution_options(synchronize_session=False)
    )
    return code if handed.rowcount == 1 else None


def claim_handoff(*, session: Session, code: str) -> str | None:
    """The session's token for a handoff code not yet used nor expired, or None. A code works
    once: its row is taken by a conditional update, which a second claim finds done."""
    if not code:
        return None
    now = utcnow()
    waiting = (
        UserSession.handoff_hash == _token_hash(code),
        UserSession.handoff_expires_at > now,  # type: ignore[operator]
        UserSession.expires_at > now,
    )
    encrypted = session.exec(select(UserSession.handoff_token_encrypted).where(*waiting)).first()
    claimed = session.exec(
        sa.update(UserSession)
        .where(*waiting)
        .values(handoff_hash=None, handoff_token_encrypted=None, handoff_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1 or encrypted is None:
        return None
    return vault.readable(encrypted)


def sign_out(*, session: Session, token: str) -> None:
    """End the session."""
    session.exec(sa.delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
    session.commit()


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user no longer exists.")
    return user


def _lock_the_admins(session: Session) -> None:
    """Hold every active admin's row until the commit (PostgreSQL; on SQLite the write that
    follows holds the whole database): a second admin taking an admin role away at the same
    moment waits here, then counts the admins this change leaves."""
    session.exec(
        select(User.id).where(User.role == Role.ADMIN, User.active).order_by(User.id).with_for_update()
    )


def _keep_an_admin(session: Session, user: User) -> None:
    """Undo the change just written if it left the team without an active admin, and say so.

    Counted after the write, not before: two admins demoting (or deactivating) each other at once
    each saw the other still an admin, both changes went through, and no one could manage users or
    connect a vendor again.

    Raises:
        UserError: No active admin would be left.
    """
    session.flush()
    left = session.exec(
        select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    ).one()
    if not left:
        name = user.name
        session.rollback()
        raise UserError(
            f"Keep at least one active admin: {name} is the last one. Make someone else an admin first."
        )


def change_role(*, session: Session, user_id: int, role: Role) -> None:
    """Give a user another role; the last active admin cannot stop being one.

    Raises:
        UserError: It would leave the team without an admin.
    """
    user = _user(session, user_id)
    demoted = user.active and user.role == Role.ADMIN and role != Role.ADMIN
    if demoted:
        _lock_the_admins(session)
    user.role = role
    session.add(user)
    if demoted:
        _keep_an_admin(session, user)
    session.commit()


def set_active(*, session: Session, user_id: int, active: bool) -> None:
    """Deactivate (ending every session, withholding the alerts still waiting for them) or
    reactivate a user.

    Raises:
        UserError: Deactivating the last active admin.
    """
    user = _user(session, user_id)
    demoted = user.active and not active and user.role == Role.ADMIN
    if demoted:
        _lock_the_admins(session)
    user.active = active
    session.add(user)
    if demoted:
        _keep_an_admin(session, user)
    if not active:
        session.exec(sa.delete(UserSession).where(UserSession.user_id == user_id))
        notify.withhold_alerts_to(session, user.email)
    session.commit()


def new_password(*, session: Session, user_id: int, by_user_id: int | None = None) -> str:
    """A generated password for someone who lost theirs, or never got their first one; returns it,
    to be shown once and handed over, as an invite's first password is.

    A first password closed before it was handed over left the person unable ever to sign in, and
    inviting them again answers "already has an account". Their old password stops working and
    their sessions end (whoever holds the old one is out); their failed sign-ins are forgotten, so
    the new password works at once rather than after the lockout's 15 minutes.

    Raises:
        NotFound: The user no longer exists.
    """
    user = _user(session, user_id)
    password = secrets.token_urlsafe(12)
    user.password_hash = _hashing()[0].hash(password)
    session.add(user)
    session.exec(sa.delete(UserSession).where(UserSession.user_id == user_id))
    # Its failures forgotten; the places it signed in from kept (wiped, a spread-out attack's
    # ceiling would shut the person out of their own desk again within minutes: helper-124).
    session.exec(
        sa.delete(SignInAttempt).where(
            SignInAttempt.email == _ledger_key(user.email),
            SignInAttempt.signed_in.is_(False),  # type: ignore[attr-defined]
        )
    )
    session.commit()
    log.info("user %s given a new password by user %s", user.id, by_user_id)
    return password


def change_password(
    *, session: Session, token: str, current: str, new: str, repeated: str, source: str = ""
) -> tuple[int, str, str]:
    """The signed-in person's own new password, their current one checked; returns how many of
    their other sessions ended, and a new token for the browser they changed it in, which stays
    signed in (its old token ends too: one changing a password because a session was stolen
    would otherwise leave the stolen cookie working), with the code its page trades for the
    new cookie (``hand_off``), made in the same commit.

    Before this, an invite's generated first password (or an admin's new one) stayed in use for
    good, as handed over. Whoever held the old one elsewhere (a shared laptop, a colleague who
    read it over a shoulder) is signed out with it. A wrong current password counts as a failed
    sign-in, so a screen left unlocked cannot be used to try passwords freely: five in 15
    minutes from one place lock this form and the sign-in page alike there (``source``, as ``sign_in``). A box left empty or a new password
    refused counts nothing. The passwords are never logged nor kept.

    Raises:
        BadValue: A box left empty, a new password too short, the current one again, the two new
            ones different, or the current one wrong (``box`` names the input to fix).
        UserError: The session has ended (before, or as the password was changed: by an admin's new
            password or a deactivation), or too many wrong passwords in the last minutes.
    """
    if not current:
        raise BadValue("Enter your current password.", "current_password")
    if not new:
        raise BadValue("Enter a new password, twice.", "new_password")
    if len(new) < MIN_PASSWORD:
        raise BadValue(f"A new password needs at least {MIN_PASSWORD} characters.", "new_password")
    if new == current:
        raise BadValue("That is your current password: choose a new one.", "new_password")
    if new != repeated:
        raise BadValue(
            "The two new passwords differ: type the new one again in both boxes.", "repeated_password"
        )
    me = signed_in_user(session=session, token=token)
    if me is None:
        raise UserError("Your session has ended: sign in again, then change your password.")
    user, now = _user(session, me.id), utcnow()
    guess = _take_a_guess(session, user.email, source, now)
    if guess is None:
        raise UserError("Too many wrong passwords for your account. Wait 15 minutes, then try again.")
    hasher, checked = _hashing()[0], user.password_hash
    if not (checked and hasher.verify(current, checked)):
        raise BadValue("Your current password is incorrect.", "current_password")  # the guess stays counted
    # Written only over the hash checked, the person still active, their row held so to the commit
    # (``_still_set``, as ``sign_in``): an admin's new password given as this one was checked was
    # written over, and a deactivation meanwhile left the renewed session below working (helper-158).
    new_hash = hasher.hash(new)
    if not _still_set(session, user, new_hash, checked):
        session.rollback()
        # A sign-in's rehash (the same password at another cost) goes on; a new password given, or a
        # deactivation, ended this session with the others.
        now_set = session.exec(select(User.password_hash).where(User.id == user.id)).one()
        if not (now_set and hasher.verify(current, now_set)) or not _still_set(
            session, user, new_hash, now_set
        ):
            session.rollback()
            raise UserError("Your session has ended: sign in again.")  # the guess stays counted
    session.delete(guess)
    others = sa.and_(UserSession.user_id == user.id, UserSession.token_hash != _token_hash(token))
    # Counted as the person knows them: sessions expired on their own were ended already.
    ended = session.exec(
        select(sa.func.count()).select_from(UserSession).where(others, UserSession.expires_at > now)
    ).one()
    session.exec(sa.delete(UserSession).where(UserSession.user_id == user.id))
    renewed = _new_session(session, user.id, now)
    session.flush()
    code = _handed_off(session, renewed)
    session.commit()
    log.info("user %s changed their password; %s other sessions ended", user.id, ended)
    return ended, renewed, code


def set_job_member(*, session: Session, user_id: int, job_id: int, member: bool) -> str:
    """Put one person on one job's team, or take them off; returns what changed, to tell the admin.

    A job's team is who a hiring manager sees and decides for, or what a recruiter owns
    (the queue filters by it).

    One job at a time, not the whole list the page last showed: two admins ticking
    different jobs for the same person at once both count.

    Raises:
        NotFound: The user or the job no longer exists.
    """
    user = _user(session, user_id)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job no longer exists. Reload the page.")
    session.exec(sa.delete(JobMember).where(JobMember.user_id == user_id, JobMember.job_id == job_id))
    if member:
        session.add(JobMember(job_id=job_id, user_id=user_id))
    session.commit()
    return f"{user.name} {'is now on' if member else 'is no longer on'} the {job.title} team."


def first_admin(*, session: Session) -> str | None:
    """On a database without users, create the first admin; returns their password to print once."""
    if session.exec(select(User)).first():
        return None
    _user_row, password = create_user(
        session=session, email="admin@assay.local", name="Admin", role=Role.ADMIN
    )
    return password
