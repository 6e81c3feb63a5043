"""How long an assessment may wait in a status before its chip turns amber, then red.

Gem's SLA chips, set by an admin per status: a recruiter scanning a board sees at a
glance which candidates have waited too long. States nobody has to act on (reviewed,
cancelled, expired) stay grey. A failure is never green: somebody has to act on it at
once, so its chip is amber from the start and only its red clock is set.
"""

from __future__ import annotations

import dataclasses
import datetime
import math

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from dashboard.services.assessments import STATE_LABELS
from dashboard.services.errors import BadValue, UserError
from dashboard.services.permissions import Permission, SignedInUser, require
from models import AttemptState, StatusClock, WorkspaceRevision, utcnow

# The defaults: (amber after, red after), in hours.
DEFAULT_HOURS: dict[AttemptState, tuple[float, float]] = {
    AttemptState.READY_TO_SEND: (24, 72),
    AttemptState.SENT: (72, 168),
    AttemptState.STARTED: (24, 72),
    AttemptState.COMPLETED: (24, 72),
    AttemptState.ERROR: (0, 24),
}
# Statuses somebody must act on at once: amber from the start, so no amber clock.
AMBER_FROM_THE_START = frozenset({AttemptState.ERROR})
MAX_HOURS = 24 * 365

Hours = dict[AttemptState, tuple[float, float]]


def hours(session: Session) -> Hours:
    """The thresholds in force: the defaults, with what an admin set over them."""
    current = dict(DEFAULT_HOURS)
    for clock in session.exec(select(StatusClock)):
        state = next((s for s in current if s.value == clock.state), None)  # a retired state is skipped
        if state is not None:
            amber = 0.0 if state in AMBER_FROM_THE_START else clock.amber_after_hours  # an older row's 4 h
            current[state] = (amber, clock.red_after_hours)
    return current


def tone(state: AttemptState, since: datetime.datetime, now: datetime.datetime, thresholds: Hours) -> str:
    """green, amber or red by how long the attempt has waited; gray where nobody has to act."""
    pair = thresholds.get(state)
    if pair is None:
        return "gray"
    waited = (now - since).total_seconds() / 3600
    return "green" if waited < pair[0] else "amber" if waited < pair[1] else "red"


@dataclasses.dataclass
class ClockView:
    """One row of the settings form (hours as text, as typed)."""

    state: str
    label: str
    amber: str
    red: str
    default: str
    amber_from_the_start: bool = False


def _text(value: float) -> str:
    return f"{value:.10g}"  # enough digits that saving the form again keeps what is stored


def _amber_text(state: AttemptState, amber: float) -> str:
    return "from the start" if state in AMBER_FROM_THE_START else f"{_text(amber)} h"


def views(session: Session) -> list[ClockView]:
    """Every status with a clock, in the order a recruiter meets them."""
    current = hours(session)
    return [
        ClockView(
            state=state.value,
            label=STATE_LABELS[state],
            amber=_text(current[state][0]),
            red=_text(current[state][1]),
            default=f"{_amber_text(state, amber)} / {_text(red)} h",
            amber_from_the_start=state in AMBER_FROM_THE_START,
        )
        for state, (amber, red) in DEFAULT_HOURS.items()
    ]


def _hours(text: str, label: str, state: AttemptState, which: str) -> float:
    box = f"{state.value}_{which}"  # the settings form's input name
    try:
        value = float(text.strip())
    except ValueError:
        raise BadValue(f"{label}: the {which} time must be a number of hours.", box) from None
    if not math.isfinite(value) or value <= 0:
        raise BadValue(f"{label}: the {which} time must be more than 0 hours.", box)
    if value > MAX_HOURS:
        raise BadValue(f"{label}: the {which} time must be at most {MAX_HOURS} hours (a year).", box)
    return value


class ChangedMeanwhile(UserError):
    """A clock the admin changed was changed by a colleague since their form was drawn."""


def save(
    *,
    session: Session,
    user: SignedInUser,
    values: dict[str, tuple[str | None, str | None]],
    drawn: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Set the thresholds of the statuses given (state value -> amber, red as typed; None: the one
    in force kept); all or nothing. ``drawn``: each clock as the form showed it: one changed since
    by a colleague is refused, not overwritten or checked against times the admin never saw
    (helper-132: their red was refused for an amber a colleague set, the box shown holding another).

    Raises:
        PermissionDenied: Not an admin.
        ChangedMeanwhile: A colleague changed a clock given since the form was drawn.
        UserError: A value is not a positive number of hours, or amber is not before red.
    """
    require(user, Permission.MANAGE_SETTINGS)
    _hold_the_clocks(session)
    parsed: Hours = {}
    in_force = hours(session)  # read held: a colleague's save is done before it, or waits till ours is
    for key, (amber_typed, red_typed) in values.items():
        try:
            state = AttemptState(key)
        except ValueError:
            raise UserError(f"There is no status {key!r}.") from None
        if state not in DEFAULT_HOURS:
            raise UserError(f"{STATE_LABELS[state]} has no clock: nobody has to act on it.")
        label = STATE_LABELS[state]
        now_in_force = (_text(in_force[state][0]), _text(in_force[state][1]))
        if drawn is not None and key in drawn and drawn[key] != now_in_force:
            raise ChangedMeanwhile(
                f"A colleague changed the {label} clock since this page was drawn (now "
                f"{_amber_text(state, in_force[state][0])} / {now_in_force[1]} h). The page shows the "
                "clocks in force: make your change again."
            )
        amber_text = _text(in_force[state][0]) if amber_typed is None else amber_typed
        red_text = _text(in_force[state][1]) if red_typed is None else red_typed
        if state in AMBER_FROM_THE_START:  # whatever the amber field said: there is none
            parsed[state] = (0.0, _hours(red_text, label, state, "red"))
            continue
        amber, red = _hours(amber_text, label, state, "amber"), _hours(red_text, label, state, "red")
        if amber >= red:
            raise BadValue(
                f"{label}: the chip turns amber before it turns red, so amber must be less.",
                f"{state.value}_amber",
            )
        parsed[state] = (amber, red)
    for _try in range(2):  # a second admin saving at the same moment inserted the row first
        for state, (amber, red) in parsed.items():
            clock = session.get(StatusClock, state.value) or StatusClock(
                state=state.value, amber_after_hours=amber, red_after_hours=red
            )
            clock.amber_after_hours, clock.red_after_hours, clock.updated_at = amber, red, utcnow()
            session.add(clock)
        try:
            session.commit()
            return
        except sa.exc.IntegrityError:
            session.rollback()
    raise UserError("The clocks changed while saving; reload the page and try again.")


def _hold_the_clocks(session: Session) -> None:
    """Take the team's settings till the commit (a write that changes nothing, on the one row every
    change outside a job moves: ``WorkspaceRevision``), so the clocks in force are read and checked
    against the form, then written, with no colleague's save between (two admins at once: the
    second's check read the clocks before the first saved, and wrote over them)."""
    session.exec(
        sa.update(WorkspaceRevision)
        .values(revision=WorkspaceRevision.revision)
        .execution_options(synchronize_session=False)
    )


def restore_defaults(*, session: Session, user: SignedInUser) -> None:
    """Forget every threshold an admin set."""
    require(user, Permission.MANAGE_SETTINGS)
    _hold_the_clocks(session)  # in the order a save takes them: the two never wait on each other
    session.exec(delete(StatusClock))
    session.commit()
