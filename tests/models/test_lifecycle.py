"""The lifecycle is a pure function: every (current, reported) pair is decided by a table."""

import itertools

import pytest

from models.lifecycle import ALLOWED, AttemptState, decide

S = AttemptState

FORWARD = [
    (S.READY_TO_SEND, S.SENT),
    (S.SENT, S.STARTED),
    (S.STARTED, S.COMPLETED),
    (S.COMPLETED, S.REVIEWED),
    (S.SENT, S.COMPLETED),  # a webhook for "started" that never came
    (S.SENT, S.CANCELLED),
    (S.READY_TO_SEND, S.CANCELLED),
    (S.SENT, S.EXPIRED),
    (S.STARTED, S.EXPIRED),
    (S.READY_TO_SEND, S.ERROR),
    (S.ERROR, S.READY_TO_SEND),  # retry
    (S.ERROR, S.SENT),  # the vendor had it after all
    (S.ERROR, S.COMPLETED),
    (S.READY_TO_SEND, S.STARTED),  # the webhook overtook our record of the send
]

BACKWARDS_OR_LATE = [
    (S.COMPLETED, S.STARTED, "would move back"),
    (S.COMPLETED, S.SENT, "would move back"),
    (S.STARTED, S.SENT, "would move back"),
    (S.REVIEWED, S.CANCELLED, "is final"),
    (S.REVIEWED, S.STARTED, "is final"),
    (S.CANCELLED, S.STARTED, "is final"),
    (S.EXPIRED, S.COMPLETED, "is final"),
    (S.COMPLETED, S.EXPIRED, "cannot become"),
    (S.COMPLETED, S.CANCELLED, "cannot become"),
    (S.READY_TO_SEND, S.EXPIRED, "cannot become"),
]


@pytest.mark.parametrize(("current", "reported"), FORWARD)
def test_forward_moves_are_applied(current, reported):
    assert decide(current, reported).apply


@pytest.mark.parametrize(("current", "reported", "reason"), BACKWARDS_OR_LATE)
def test_backward_and_late_reports_are_ignored_with_a_reason(current, reported, reason):
    decision = decide(current, reported)
    assert not decision.apply
    assert reason in decision.reason


@pytest.mark.parametrize("state", list(S))
def test_the_same_state_again_only_refreshes_open_states(state):
    decision = decide(state, state)
    assert not decision.apply
    assert decision.refresh == (state not in {S.REVIEWED, S.CANCELLED, S.EXPIRED})


def test_every_pair_is_either_allowed_or_explained():
    for current, reported in itertools.product(S, S):
        decision = decide(current, reported)
        assert decision.apply == ((current, reported) in ALLOWED)
        if not decision.apply:
            assert decision.reason


@pytest.mark.parametrize(
    ("reached", "reported", "applied"),
    [
        (S.STARTED, S.SENT, False),  # a late "sent" after the vendor's odd word
        (S.STARTED, S.READY_TO_SEND, False),
        (S.STARTED, S.STARTED, True),  # the error left for where it was
        (S.STARTED, S.COMPLETED, True),
        (S.SENT, S.SENT, True),
        (None, S.SENT, True),  # a send that failed, retried
    ],
)
def test_an_error_leaves_only_for_a_step_at_least_as_far_as_it_had_reached(reached, reported, applied):
    """An error leaves to any step; a started attempt went back to "sent" through one."""
    decision = decide(S.ERROR, reported, reached=reached)
    assert decision.apply == applied
    if not applied:
        assert "would move back from started" in decision.reason


def test_a_result_reported_again_after_the_review_refreshes_its_figures_not_its_state():
    """helper-112: a re-score after the review was dropped as "reviewed is final"."""
    decision = decide(S.REVIEWED, S.COMPLETED)
    assert not decision.apply and decision.refresh
