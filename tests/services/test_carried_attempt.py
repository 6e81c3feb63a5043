"""A candidate enters a stage that sends a test they already have from an earlier stage.

Still open (sent, not finished): the invitation they hold is the stage's attempt now, carried
over, never sent twice; it counts for the stage it is in (Done when, the card's chip, the
queue's stage, a threshold rule), shown once and marked as carried over. Finished: the new
stage sends the test afresh, as a re-take, and counts that one.
"""

import dataclasses

import pytest
from sqlmodel import select

from dashboard.services import (
    board_view,
    notify,
    pipeline,
    plans,
    queue_view,
    review,
    sync,
    views,
)
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import list_vendor_tests
from models import Application, ApplicationEvent, AssessmentAttempt, AttemptState, Notification, Stage
from tests.conftest import Sandbox, finished_in_stage, vendor_test_stages


@dataclasses.dataclass
class TwoScreens:
    """Applied -> Screen -> Final screen -> Onsite; both screens send the same CoderPad test."""

    screen: Stage
    final: Stage
    onsite: Stage
    application_id: int


def _stage_sending(session, integration_id: int, test, name: str, after: Stage) -> Stage:
    """A stage after ``after`` that sends ``test`` as soon as a candidate enters it."""
    return plans.add_assessment_stage(
        session=session,
        job_id=after.job_id,
        name=name,
        integration_id=integration_id,
        vendor_test_id=test.id,
        vendor_test_name=test.name,
        send_automatically=True,
        after_stage_id=after.id,
    )


@pytest.fixture
def two_screens(session, screen) -> TwoScreens:
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied", "Onsite"])
    applied, onsite = plans.stages_of(session, job.id)
    test = list_vendor_tests(session=session, integration_id=screen.id)[0]
    first = _stage_sending(session, screen.id, test, "Screen", applied)
    final = _stage_sending(session, screen.id, test, "Final screen", first)
    application = pipeline.add_application(
        session=session, job_id=job.id, name="Ada Lovelace", email="ada@example.com", actor=SYSTEM
    )
    return TwoScreens(first, final, onsite, application.id)


def _move(session, p: TwoScreens, stage: Stage) -> pipeline.MoveOutcome:
    return pipeline.move_application(
        session=session, application_id=p.application_id, stage_id=stage.id, actor=SYSTEM
    )


def _fresh(session, attempt_id: int) -> AssessmentAttempt:
    session.expire_all()
    return session.get(AssessmentAttempt, attempt_id)


def _finish(session, sandbox: Sandbox, attempt: AssessmentAttempt) -> None:
    """The candidate takes the test at the vendor; Assay hears of it by its sweep."""
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=attempt.integration_id)


def _chips(session, p: TwoScreens, stage: Stage) -> list[str]:
    job_id = stage.job_id
    [column] = [c for c in board_view.board(session, job_id).columns if c.stage_id == stage.id]
    return [
        chip.label for card in column.cards if card.application_id == p.application_id for chip in card.chips
    ]


def _history(session, p: TwoScreens) -> list[str]:
    events = session.exec(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == p.application_id)
        .order_by(ApplicationEvent.id)
    )
    return [e.summary for e in events]


def test_an_open_test_is_carried_into_the_stage_that_sends_it_and_counts_there(session, sandbox, two_screens):
    p = two_screens
    [sent] = _move(session, p, p.screen).attempt_ids
    assert _fresh(session, sent).state == AttemptState.SENT

    entered = _move(session, p, p.final)

    assert entered.attempt_ids == (sent,)  # the invitation she holds, not a second one
    assert sandbox.stats()["invitations_created"] == 1
    assert "carried over from Screen" in entered.message and "Sent 0 of" not in entered.message
    attempt = _fresh(session, sent)
    assert attempt.stage_id == p.final.id and attempt.state == AttemptState.SENT
    assert any(
        "carried over from Screen" in line and "not sent again" in line for line in _history(session, p)
    )
    assert _chips(session, p, p.final) == ["Sent"]
    [waiting] = queue_view.rows(session, "awaiting")
    assert waiting.stage_name == "Final screen"

    _finish(session, sandbox, attempt)

    assert notify.stage_done(session, p.application_id, p.final.id)
    news = session.exec(select(Notification.kind)).all()
    assert news == ["needs_review"]  # a one-test stage: its test's news is the stage's
    assert _chips(session, p, p.final) == ["Assessment needs review"]
    [to_review] = queue_view.rows(session, "needs_review")
    assert (to_review.attempt_id, to_review.stage_name) == (sent, "Final screen")
    [shown] = views.application(session, p.application_id).attempts
    assert (shown.id, shown.stage_name, shown.carried_from) == (sent, "Final screen", "Screen")
    assert sandbox.stats()["invitations_created"] == 1


def test_a_stage_that_waits_for_a_click_does_not_ask_to_send_a_test_carried_in_sent(
    session, sandbox, two_screens
):
    p = two_screens
    plans.configure_stage(
        session=session, stage_id=p.final.id, send_automatically=False, gating="all", deadline_days=None
    )
    [sent] = _move(session, p, p.screen).attempt_ids

    entered = _move(session, p, p.final)

    assert "needs sending" not in entered.message
    assert queue_view.rows(session, "needs_sending") == []
    assert _chips(session, p, p.final) == ["Sent"]
    assert _fresh(session, sent).stage_id == p.final.id


def test_a_threshold_rule_advances_on_a_carried_attempt(session, sandbox, two_screens):
    p = two_screens
    review.set_rule(session=session, stage_id=p.final.id, advance_at=0, counting="latest", actor=SYSTEM)
    [sent] = _move(session, p, p.screen).attempt_ids
    _move(session, p, p.final)

    _finish(session, sandbox, _fresh(session, sent))

    session.expire_all()
    assert session.get(Application, p.application_id).stage_id == p.onsite.id


def test_moving_back_carries_the_open_test_back_without_sending_it_again(session, sandbox, two_screens):
    p = two_screens
    [sent] = _move(session, p, p.screen).attempt_ids
    _move(session, p, p.final)

    back = _move(session, p, p.screen)

    assert back.attempt_ids == (sent,) and "carried over from Final screen" in back.message
    assert _fresh(session, sent).stage_id == p.screen.id
    assert _chips(session, p, p.screen) == ["Sent"]
    assert sandbox.stats()["invitations_created"] == 1
    _finish(session, sandbox, _fresh(session, sent))
    assert notify.stage_done(session, p.application_id, p.screen.id)
    assert not notify.stage_done(session, p.application_id, p.final.id)
    assert len(views.application(session, p.application_id).attempts) == 1


def test_a_finished_test_is_sent_afresh_by_the_next_stage_that_sends_it(session, sandbox, two_screens):
    """Established: a stage that sends a test on entry invites the candidate to it again once
    the earlier attempt is finished (a re-take); the earlier result stays with its stage."""
    p = two_screens
    [first] = _move(session, p, p.screen).attempt_ids
    _finish(session, sandbox, _fresh(session, first))
    assert notify.stage_done(session, p.application_id, p.screen.id)

    entered = _move(session, p, p.final)

    [second] = entered.attempt_ids
    assert second != first and entered.sent == 1
    assert sandbox.stats()["invitations_created"] == 2
    made = _fresh(session, second)
    assert (made.stage_id, made.attempt_number, made.state) == (p.final.id, 2, AttemptState.SENT)
    assert made.retakes_attempt_id == first  # shown as the re-take of attempt 1
    assert _fresh(session, first).stage_id == p.screen.id
    assert not notify.stage_done(session, p.application_id, p.final.id)
    assert _chips(session, p, p.final) == ["Sent"]
    by_id = {a.id: a for a in views.application(session, p.application_id).attempts}
    assert (by_id[first].stage_name, by_id[first].carried_from) == ("Screen", "")
    assert (by_id[second].stage_name, by_id[second].carried_from) == ("Final screen", "")

    _finish(session, sandbox, made)

    assert notify.stage_done(session, p.application_id, p.final.id)


@pytest.mark.parametrize("vendor", ["imocha", "hackerrank"])
def test_a_finished_test_is_re_taken_by_the_next_stage_where_a_plain_send_would_not_do(
    session, sandbox, vendor
):
    """iMocha's invite is idempotent per email: a plain send for a test the candidate finished
    handed back the finished invitation, and its old result passed for the new stage's.
    HackerRank refuses a second invitation to the test: the send on entry failed."""
    integration, (first_stage,) = vendor_test_stages(session, vendor, "Backend", send_automatically=True)
    test = list_vendor_tests(session=session, integration_id=integration.id)[0]
    final = _stage_sending(session, integration.id, test, "Final test", first_stage)
    first = finished_in_stage(session, sandbox, first_stage, vendor)

    entered = pipeline.move_application(
        session=session, application_id=first.application_id, stage_id=final.id, actor=SYSTEM
    )

    [second] = entered.attempt_ids
    sync.sync_integration(session=session, integration_id=integration.id)
    made = _fresh(session, second)
    assert (entered.sent, made.state) == (1, AttemptState.SENT)  # not the old result, not a failure
    assert made.retakes_attempt_id == first.id
    assert sandbox.stats(vendor)["invitations_created"] == 2
    assert not notify.stage_done(session, first.application_id, final.id)
    assert _fresh(session, first.id).score_percent is not None  # never overwritten


def test_deleting_the_stage_holding_an_open_test_carries_it_on_still_named_for_that_stage(
    session, sandbox, two_screens
):
    """Its candidates enter the stage chosen, which sends the same test: the invitation they hold
    was carried over "from an earlier send", the stage's name lost with the stage."""
    p = two_screens
    [sent] = _move(session, p, p.screen).attempt_ids

    deleted = pipeline.delete_stage(
        session=session, stage_id=p.screen.id, move_to_stage_id=p.final.id, actor=SYSTEM
    )

    assert deleted.message == (
        "Stage deleted. 1 application moved to Final screen. "
        "1 assessment already sent carried over, not sent again."
    )  # it said "Sent 0 of 1 assessment(s)."
    assert _fresh(session, sent).stage_id == p.final.id
    [shown] = views.application(session, p.application_id).attempts
    assert (shown.id, shown.stage_name, shown.carried_from) == (sent, "Final screen", "Screen")
    assert any("carried over from Screen to Final screen" in line for line in _history(session, p))
    assert sandbox.stats()["invitations_created"] == 1


def test_an_open_test_whose_stage_was_deleted_is_carried_over_later_naming_that_stage(
    session, sandbox, two_screens
):
    p = two_screens
    [sent] = _move(session, p, p.screen).attempt_ids
    _move(session, p, p.onsite)  # sent, still open: it stays with Screen
    pipeline.delete_stage(session=session, stage_id=p.screen.id, move_to_stage_id=None, actor=SYSTEM)

    entered = _move(session, p, p.final)

    assert entered.attempt_ids == (sent,) and "carried over from Screen (sent)" in entered.message
    [shown] = views.application(session, p.application_id).attempts
    assert (shown.stage_name, shown.carried_from) == ("Final screen", "Screen")


def test_a_result_of_a_deleted_stage_is_named_for_it_not_one_off(session, sandbox, two_screens):
    """A finished test of a stage deleted since read "One-off", as if sent outside the plan."""
    p = two_screens
    [sent] = _move(session, p, p.screen).attempt_ids
    _finish(session, sandbox, _fresh(session, sent))
    _move(session, p, p.onsite)

    pipeline.delete_stage(session=session, stage_id=p.screen.id, move_to_stage_id=None, actor=SYSTEM)

    [shown] = views.application(session, p.application_id).attempts
    [result] = review.results(session, p.onsite.job_id)
    [to_review] = queue_view.rows(session, "needs_review")
    assert (shown.stage_name, result.stage_name, to_review.stage_name) == ("Screen (deleted)",) * 3
