"""Plan stages left on a disconnected vendor connection: marked, and moved to a connected one.

Disconnecting leaves a stage's tests (and its live-interview link) pointing at the connection,
and connecting the vendor again makes a new one, which they do not use: no candidate can enter
the stage, no interview be booked in it, while the plan looked as if nothing were wrong. The
plan page says so on the test itself, and offers to send it through a connected connection of
the same vendor, but only one the vendor says lists that very test: another account's catalogue
may hold other tests under the same ids, or none, so nothing is moved on a guess.

A test archived or deleted at the vendor while its connection stays connected stops the stage
as surely, and looked as fine: each send was refused there, one candidate at a time. A listing
of the connection's tests that leaves it out, asked when a send of it is refused, marks it
(``unlisted_after_refusal``); a listing that shows it again (the picker, a repair) or a send of
it that goes through clears the mark. A stage's live-interview template deleted at the vendor
stops every booking's room as surely, and is marked and cleared the same way (``_Named`` is
either): a refused room asks, a room made or another template chosen clears.
The plan page asks the vendor nothing itself: one listing per connection on every load (and
every redraw a colleague's change brings) would make the plan wait on the slowest vendor.
"""

from __future__ import annotations

import dataclasses
import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import history, integrations, plans
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.wording import counted
from models import AssessmentAttempt, Integration, Interview, Job, Stage, StageAssessment, utcnow
from providers import registry

ASK_AGAIN_AFTER = datetime.timedelta(minutes=10)  # see unlisted_after_refusal


def _disconnected(connection: Integration | None) -> bool:
    return connection is None or connection.disconnected_at is not None


def _named(connection: Integration | None) -> str:
    """The disconnected connection as the plan names it: disconnecting put the date in its name."""
    return connection.name if connection else "a vendor connection since removed"


def test_warning(stage_name: str, connection: Integration | None) -> str:
    """What a stage's test through a disconnected connection stops; "" while it is connected."""
    if not _disconnected(connection):
        return ""
    return (
        f"Sent through {_named(connection)}: no candidate can enter {stage_name} until this test is replaced."
    )


def template_warning(stage_name: str, connection: Integration | None) -> str:
    """What a live-interview link through a disconnected connection stops; "" while it is connected."""
    if not _disconnected(connection):
        return ""
    return f"Made through {_named(connection)}: no interview can be booked in {stage_name} until this link is replaced."


def unlisted_warning(stage_name: str, connection: Integration | None, test: StageAssessment) -> str:
    """What a stage's test the vendor no longer lists stops, and how to replace it; "" while listed
    (or while its connection is disconnected: ``test_warning`` says that, and its repair helps)."""
    if test.unlisted_since is None or _disconnected(connection):
        return ""
    return (
        f"{connection.name} no longer lists {test.vendor_test_name}: sending it is refused. In the "
        f"interview plan, remove it from {stage_name} (its x) and add one the vendor offers (Add assessment)."
    )


def link_unlisted_warning(stage: Stage, connection: Integration | None) -> str:
    """What a stage's live-interview template the vendor no longer lists stops, and how to replace
    it; "" while listed (or while its connection is disconnected: ``template_warning`` says that)."""
    if not stage.live_template_id or stage.live_template_unlisted_since is None or _disconnected(connection):
        return ""
    return (
        f"{connection.name} no longer lists {stage.live_template_name or stage.live_template_id}: "
        f"interviews booked in {stage.name} get no link. In the interview plan, remove the link from "
        f"{stage.name} (Remove) and choose one the vendor offers (Default live-interview link)."
    )


@dataclasses.dataclass(frozen=True)
class _Named:
    """What a plan names at a vendor and marks once the vendor no longer lists it: a stage's test,
    or its live-interview template. ``row`` keeps the mark and the last asking, in the columns
    ``since`` and ``asked`` name (a stage holds its template's beside its other settings)."""

    row: StageAssessment | Stage
    stage: Stage
    integration_id: int
    vendor_id: str
    since: str
    asked: str

    def still_named(self) -> bool:
        """Whether ``row`` still names it: a colleague may replace a stage's link while the vendor
        is asked (a test's row names its one test for good)."""
        if isinstance(self.row, Stage):
            return (self.row.live_integration_id, self.row.live_template_id) == (
                self.integration_id,
                self.vendor_id,
            )
        return True

    def warning(self, session: Session) -> str:
        connection = session.get(Integration, self.integration_id)
        if isinstance(self.row, Stage):
            return link_unlisted_warning(self.stage, connection)
        return unlisted_warning(self.stage.name, connection, self.row)


def _plan_test_of(session: Session, attempt: AssessmentAttempt) -> _Named | None:
    """The plan's test ``attempt`` was sent for; None for a test changed for this one candidate,
    or sent one-off."""
    if attempt.stage_id is None:
        return None
    test = session.exec(
        select(StageAssessment).where(
            StageAssessment.stage_id == attempt.stage_id,
            StageAssessment.integration_id == attempt.integration_id,
            StageAssessment.vendor_test_id == attempt.vendor_test_id,
        )
    ).first()
    if test is None:
        return None
    stage = session.get(Stage, test.stage_id)
    return _Named(test, stage, test.integration_id, test.vendor_test_id, "unlisted_since", "listing_asked_at")


def _plan_link_of(session: Session, attempt: AssessmentAttempt) -> _Named | None:
    """The live-interview link whose template made ``attempt``, an interview's room; None once its
    stage's link was changed since (to another template or connection)."""
    interview = session.exec(select(Interview).where(Interview.attempt_id == attempt.id)).first()
    stage = session.get(Stage, interview.stage_id) if interview and interview.stage_id else None
    if stage is None or (stage.live_integration_id, stage.live_template_id) != (
        attempt.integration_id,
        attempt.vendor_test_id,
    ):
        return None
    return _Named(
        stage,
        stage,
        attempt.integration_id,
        attempt.vendor_test_id,
        "live_template_unlisted_since",
        "live_template_listing_asked_at",
    )


def _named_by(session: Session, attempt: AssessmentAttempt) -> _Named | None:
    return _plan_link_of(session, attempt) if attempt.live_interview else _plan_test_of(session, attempt)


def unlisted_after_refusal(session: Session, attempt: AssessmentAttempt) -> str:
    """After the vendor refused to send ``attempt``, whether it is its stage's test (or the room of
    its live-interview link) and one the vendor no longer lists: the words for the recruiter, or "".
    The test (or link) is marked on the plan if so.

    The vendors say it each their own way (a 404, a 400 "does not exist", a 422 "not active",
    GraphQL's 200 with an error), so their listing is asked rather than their words read. Asked
    at most every ``ASK_AGAIN_AFTER`` per test, counted from the last asking (refused for another
    reason, a bulk send would list the catalogue per candidate); in between, the last answer stands.
    """
    named = _named_by(session, attempt)
    if named is None:
        return ""
    row = named.row
    asked = getattr(row, named.asked)
    if asked is None or asked <= utcnow() - ASK_AGAIN_AFTER:
        setattr(row, named.asked, utcnow())
        session.add(row)
        try:
            tests = integrations.list_vendor_tests(session=session, integration_id=named.integration_id)
        except UserError:
            return ""  # kept on the connection's health; the vendor's own refusal is said
        try:
            session.refresh(row)
        except sa.exc.InvalidRequestError:  # its stage (or test) deleted meanwhile: nothing to mark
            return ""
        if not named.still_named():
            return ""  # the link was replaced while the vendor was asked: the new one is not gone
        # An empty listing is more likely misread than every test gone: it marks nothing (nor
        # does one of the provider's own built-in templates alone).
        from_the_vendor = any(not t.built_in for t in tests)
        listed = {t.id for t in tests}
        if from_the_vendor and named.vendor_id not in listed and getattr(row, named.since) is None:
            setattr(row, named.since, utcnow())
            session.add(row)
            history.bump_job(session, named.stage.job_id)
    return named.warning(session)


def listed_again(session: Session, attempt: AssessmentAttempt) -> None:
    """``attempt`` was sent: its plan's test (or live-interview template), if marked as no longer
    listed, is offered again (an admin restored it at the vendor), and the plan stops calling it
    gone. Not committed here."""
    named = _named_by(session, attempt)
    if named is not None and getattr(named.row, named.since) is not None:
        setattr(named.row, named.since, None)
        session.add(named.row)
        history.bump_job(session, named.stage.job_id)


def booking_refusal(stage: Stage, connection: Integration | None) -> str:
    """Why no interview can be booked in ``stage``, whose live-interview link goes through a
    disconnected connection; "" when it has no link or its connection is connected.

    Asked before the booking is saved: saved first, the interview stood booked in the history
    while its room failed, with words sending the recruiter to reconnect (which cannot help).
    """
    if not stage.live_template_id or not _disconnected(connection):
        return ""
    return (
        f"{stage.name}'s live-interview link is made through {_named(connection)}: nothing was booked. "
        "Repair the link in the interview plan (or remove it there), then book the interview again."
    )


@dataclasses.dataclass(frozen=True)
class Repair:
    """What can be done for one test (or live-interview link) left on a disconnected connection:
    the connected connections of its vendor that list it, and the words the question says."""

    what: str  # the test's or template's name
    stage_name: str
    offers: list[tuple[int, str]]  # (connection id, its name), each listing the test
    text: str


def _listing(session: Session, vendor: str, vendor_test_id: str) -> tuple[list[tuple[int, str]], list[str]]:
    """The connected connections of ``vendor`` whose vendor lists ``vendor_test_id`` (asked live,
    through the test picker's own service), and the reasons of those that could not be asked."""
    connected = session.exec(
        select(Integration)
        .where(Integration.vendor == vendor, Integration.disconnected_at.is_(None))  # type: ignore[union-attr]
        .order_by(Integration.name)
    ).all()
    offers, unasked = [], []
    for connection in connected:
        connection_id, name = connection.id, connection.name
        try:
            listed = integrations.list_vendor_tests(session=session, integration_id=connection_id)
        except UserError as err:
            unasked.append(f"{name} could not be asked: {err}")
            continue
        if any(t.id == vendor_test_id for t in listed):
            offers.append((connection_id, name))
    return offers, unasked


def _question(
    session: Session, *, what: str, stage: Stage, vendor: str, vendor_test_id: str, for_link: bool
) -> Repair:
    display = registry.VENDORS[vendor].display_name if vendor in registry.VENDORS else vendor
    offers, unasked = _listing(session, vendor, vendor_test_id)
    if offers:
        if for_link:
            then = f"interviews booked in {stage.name} get their link through the one you choose."
        else:
            then = (
                f"candidates can enter {stage.name} again, sent {what} through the one you choose. A test "
                "that failed when the connection was disconnected stays failed: send its candidate "
                "another from their application page."
            )
        text = f"{counted(len(offers), f'connected {display} connection')} {'lists' if len(offers) == 1 else 'list'} {what}: {then}"
    else:
        kind = "link" if for_link else "test"
        remove = (
            "Remove the link and choose another (Default live-interview link)"
            if for_link
            else f"Remove it from {stage.name} (its x) and add one a connected vendor offers (Add assessment)"
        )
        text = (
            f"No connected {display} connection lists {what}. {remove}; "
            f"an admin can connect {display} on the integrations page, and this {kind} can then move to it."
        )
    return Repair(what, stage.name, offers, " ".join([text, *unasked]))


def repair_for_test(session: Session, stage_test_id: int) -> Repair:
    """The connected connections a stage's test could go through instead, asked live.

    Raises:
        UserError: The test is gone, or its connection is connected (nothing to repair).
    """
    test, stage, old = _stranded_test(session, stage_test_id)
    return _question(
        session,
        what=test.vendor_test_name,
        stage=stage,
        vendor=old.vendor,
        vendor_test_id=test.vendor_test_id,
        for_link=False,
    )


def repair_for_link(session: Session, stage_id: int) -> Repair:
    """The connected connections a stage's live-interview link could be made through instead.

    Raises:
        UserError: The stage or its link is gone, or its connection is connected.
    """
    stage, old = _stranded_link(session, stage_id)
    return _question(
        session,
        what=stage.live_template_name or stage.live_template_id,
        stage=stage,
        vendor=old.vendor,
        vendor_test_id=stage.live_template_id,
        for_link=True,
    )


def _stranded_test(session: Session, stage_test_id: int) -> tuple[StageAssessment, Stage, Integration]:
    test = session.get(StageAssessment, stage_test_id)
    if test is None:
        raise NotFound("That test is no longer part of the stage.")
    stage = plans.get_stage(session, test.stage_id)
    old = session.get(Integration, test.integration_id)
    if old is None:
        raise NotFound("That test's vendor connection no longer exists.")
    if not _disconnected(old):
        raise UserError(f"{stage.name} sends {test.vendor_test_name} through {old.name}, which is connected.")
    return test, stage, old


def _stranded_link(session: Session, stage_id: int) -> tuple[Stage, Integration]:
    stage = plans.get_stage(session, stage_id)
    old = session.get(Integration, stage.live_integration_id) if stage.live_template_id else None
    if old is None:
        raise NotFound(f"{stage.name} has no live-interview link any more.")
    if not _disconnected(old):
        raise UserError(f"{stage.name}'s live-interview link is made through {old.name}, which is connected.")
    return stage, old


def _lister(
    session: Session, old: Integration, integration_id: int, vendor_test_id: str, what: str
) -> Integration:
    """The connection chosen, once it is connected, of the same vendor, and lists the test (asked again:
    the question may have been open a while)."""
    new = integrations.get_integration(session, integration_id)
    if new.vendor != old.vendor:
        display = registry.VENDORS[old.vendor].display_name
        raise UserError(f"{new.name} connects another vendor; {what} is a {display} test.")
    offers, unasked = _listing(session, new.vendor, vendor_test_id)
    if integration_id not in {i for i, _name in offers}:
        raise UserError(" ".join([f"{new.name} does not list {what}.", *unasked]))
    return new


def use_for_test(*, session: Session, stage_test_id: int, integration_id: int, actor: Actor) -> str:
    """Send a stage's test through a connected connection listing it, in place of the disconnected
    one; written to that connection's audit log, and the job bumped so open pages show it.

    Raises:
        UserError: Nothing to repair, the connection does not list the test, or the stage sends the
            test through it already (the stranded one is then to be removed).
    """
    test, stage, old = _stranded_test(session, stage_test_id)
    new = _lister(session, old, integration_id, test.vendor_test_id, test.vendor_test_name)
    twin = next(
        (
            t
            for t in plans.tests_of(session, stage.id)
            if (t.integration_id, t.vendor_test_id) == (new.id, test.vendor_test_id)
        ),
        None,
    )
    if twin is not None:
        raise UserError(
            f"{stage.name} already sends {test.vendor_test_name} through {new.name}: remove this one (its x)."
        )
    test.integration_id = new.id
    test.unlisted_since = None  # ``new`` was just asked, and lists it
    session.add(test)
    job = session.get(Job, stage.job_id)
    history.bump_job(session, stage.job_id)
    session.flush()
    # Not disconnected while the vendor was asked (helper-118); held last, after the stage's test
    # and the job, as a disconnect holds the job before the connection (helper-119: the other
    # order could deadlock with it).
    integrations.hold_live(session, new)
    integrations.audit(
        session,
        new.id,
        actor,
        f"{stage.name} ({job.title}) sends {test.vendor_test_name} through this connection, "
        f"in place of {old.name}.",
    )
    session.commit()
    return f"{stage.name} sends {test.vendor_test_name} through {new.name} now: candidates can enter it."


def use_for_link(*, session: Session, stage_id: int, integration_id: int, actor: Actor) -> str:
    """Make a stage's live-interview link through a connected connection listing its template, in
    place of the disconnected one; audited and the job bumped, as ``use_for_test``.

    Raises:
        UserError: Nothing to repair, or the connection does not list the template.
    """
    stage, old = _stranded_link(session, stage_id)
    what = stage.live_template_name or stage.live_template_id
    new = _lister(session, old, integration_id, stage.live_template_id, what)
    stage.live_integration_id = new.id
    stage.live_template_unlisted_since = None  # ``new`` was just asked, and lists it
    session.add(stage)
    job = session.get(Job, stage.job_id)
    history.bump_job(session, stage.job_id)
    session.flush()
    integrations.hold_live(session, new)  # last, as in ``use_for_test``
    integrations.audit(
        session,
        new.id,
        actor,
        f"{stage.name} ({job.title}) makes its live-interview link ({what}) through this connection, "
        f"in place of {old.name}.",
    )
    session.commit()
    return f"Interviews booked in {stage.name} get their link through {new.name} now."
