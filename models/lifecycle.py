"""The assessment lifecycle shared by every vendor, as a pure function.

    ready_to_send -> sent -> started -> completed -> reviewed
    with side exits cancelled, expired and error (which a later vendor update,
    or a retry, can leave).

Vendors report late and out of order; ``decide`` is the single place that says
whether a reported state may be applied, so a webhook, a poll and a click can
never disagree.
"""

from __future__ import annotations

import dataclasses
import enum


class AttemptState(enum.StrEnum):
    """Where an assessment attempt is; the values are stored in the database."""

    READY_TO_SEND = "ready_to_send"
    SENT = "sent"
    STARTED = "started"
    COMPLETED = "completed"
    REVIEWED = "reviewed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ERROR = "error"


S = AttemptState

# States a candidate can still act on; one such attempt per application and stage.
OPEN_STATES = frozenset({S.READY_TO_SEND, S.SENT, S.STARTED})
# Sent and not finished: the vendor's to move (what a sweep asks about).
WAITING_ON_VENDOR = frozenset({S.SENT, S.STARTED})
# The candidate took the test: a result exists (reviewed or not).
FINISHED_STATES = frozenset({S.COMPLETED, S.REVIEWED})
# States from which nothing moves on (a re-attempt is a new row).
FINAL_STATES = frozenset({S.REVIEWED, S.CANCELLED, S.EXPIRED})

_FORWARD_ORDER = {S.READY_TO_SEND: 0, S.SENT: 1, S.STARTED: 2, S.COMPLETED: 3, S.REVIEWED: 4}

ALLOWED: frozenset[tuple[AttemptState, AttemptState]] = frozenset(
    {
        (S.READY_TO_SEND, S.SENT),
        (S.READY_TO_SEND, S.CANCELLED),
        (S.READY_TO_SEND, S.ERROR),
        # The vendor's news can overtake our own record of the send.
        (S.READY_TO_SEND, S.STARTED),
        (S.READY_TO_SEND, S.COMPLETED),
        (S.SENT, S.STARTED),
        (S.SENT, S.COMPLETED),
        (S.SENT, S.CANCELLED),
        (S.SENT, S.EXPIRED),
        (S.SENT, S.ERROR),
        (S.STARTED, S.COMPLETED),
        (S.STARTED, S.CANCELLED),
        (S.STARTED, S.EXPIRED),
        (S.STARTED, S.ERROR),
        (S.COMPLETED, S.REVIEWED),
        # An error is not final: a retry sends again, or the vendor turns out to have it.
        (S.ERROR, S.READY_TO_SEND),
        (S.ERROR, S.SENT),
        (S.ERROR, S.STARTED),
        (S.ERROR, S.COMPLETED),
        (S.ERROR, S.CANCELLED),
        (S.ERROR, S.EXPIRED),
    }
)


@dataclasses.dataclass(frozen=True)
class Decision:
    """Whether a reported state is applied, and why not when it is not.

    Attributes:
        apply: Move the attempt to the reported state.
        refresh: The state is unchanged but the report may carry newer details
            (a result that arrived after "completed", a new test link).
        reason: Why the report is ignored, for the log.
    """

    apply: bool
    refresh: bool = False
    reason: str = ""


def decide(current: AttemptState, reported: AttemptState, *, reached: AttemptState | None = None) -> Decision:
    """Decide whether ``reported`` may replace ``current``.

    Args:
        current: The attempt's stored state.
        reported: The state a user, webhook or poll says it is in now.
        reached: For an attempt in error, the furthest step it had reached before (an error
            leaves to any step, and a late "sent" moved a started attempt back through it).

    Returns:
        The decision; ``reason`` says why an ignored report was ignored.
    """
    if current == reported:
        return Decision(apply=False, refresh=current not in FINAL_STATES, reason="unchanged")
    if current == S.ERROR and reached is not None and _behind(reported, reached):
        return Decision(
            apply=False, reason=f"{reported.value} would move back from {reached.value}, reached before"
        )
    if (current, reported) in ALLOWED:
        return Decision(apply=True)
    if (current, reported) == (S.REVIEWED, S.COMPLETED):
        # The vendor's result again after the review, maybe changed (a re-score, an integrity flag,
        # a new take under the same invitation): the decision stands, the vendor's figures are kept
        # and the change said (helper-112: dropped, the page went on showing the old score).
        return Decision(apply=False, refresh=True, reason="reviewed: the decision stands")
    if current in FINAL_STATES:
        return Decision(apply=False, reason=f"{current.value} is final")
    if _behind(reported, current):
        return Decision(apply=False, reason=f"{reported.value} would move back from {current.value}")
    return Decision(apply=False, reason=f"{current.value} cannot become {reported.value}")


def _behind(reported: AttemptState, step: AttemptState) -> bool:
    """Whether ``reported`` is an earlier step of the forward path than ``step``."""
    return _FORWARD_ORDER.get(reported, 99) < _FORWARD_ORDER.get(step, -1)


def furthest(states: list[AttemptState]) -> AttemptState | None:
    """The furthest step of the forward path among ``states`` (None if none is on it)."""
    forward = [s for s in states if s in _FORWARD_ORDER]
    return max(forward, key=_FORWARD_ORDER.__getitem__) if forward else None
