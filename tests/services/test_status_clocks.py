"""Status chips: coloured by how long an assessment has waited, on clocks an admin sets."""

import datetime

import pytest
import sqlalchemy as sa

from dashboard.services import assessments, board_view, pipeline, queue_view, status_clocks, views
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from dashboard.services.permissions import PermissionDenied, SignedInUser
from models import AssessmentAttempt, AttemptState, Role, StatusClock, utcnow
from tests.conftest import a_colleague_meanwhile, reads

ADMIN = SignedInUser(1, "Admin", "admin@example.com", Role.ADMIN)
RECRUITER = SignedInUser(2, "Recruiter", "recruiter@example.com", Role.RECRUITER)


def _sent_hours_ago(session, p, hours: float) -> AssessmentAttempt:
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id == moved.attempt_id)
        .values(updated_at=utcnow() - datetime.timedelta(hours=hours))
    )
    session.commit()
    return session.get(AssessmentAttempt, moved.attempt_id)


def _board_tone(session, p) -> str:
    column = next(c for c in board_view.board(session, p.job.id).columns if c.stage_id == p.assessment.id)
    [card] = column.cards
    return card.chips[0].tone


def test_the_default_clocks_colour_by_waiting_time_and_leave_settled_states_grey():
    now, hours = utcnow(), status_clocks.DEFAULT_HOURS
    sent = AttemptState.SENT

    assert status_clocks.tone(sent, now - datetime.timedelta(hours=1), now, hours) == "green"
    assert status_clocks.tone(sent, now - datetime.timedelta(days=4), now, hours) == "amber"
    assert status_clocks.tone(sent, now - datetime.timedelta(days=8), now, hours) == "red"
    assert status_clocks.tone(AttemptState.REVIEWED, now - datetime.timedelta(days=90), now, hours) == "gray"


def test_a_failure_is_amber_from_the_start_whatever_an_older_amber_clock_said(session):
    failed, now = AttemptState.ERROR, utcnow()
    session.add(StatusClock(state=failed.value, amber_after_hours=4, red_after_hours=24))  # saved before
    session.commit()
    clocks = status_clocks.hours(session)

    assert status_clocks.tone(failed, now - datetime.timedelta(minutes=1), now, clocks) == "amber"
    assert status_clocks.tone(failed, now - datetime.timedelta(hours=25), now, clocks) == "red"
    status_clocks.save(session=session, user=ADMIN, values={"error": ("", "8")})  # no amber field to fill
    assert status_clocks.hours(session)[failed] == (0, 8)
    row = next(v for v in status_clocks.views(session) if v.state == "error")
    assert row.amber_from_the_start and row.default == "from the start / 24 h"


def test_an_admins_clock_colours_the_board_and_the_queue_and_can_be_restored(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _sent_hours_ago(session, p, 30)
    assert _board_tone(session, p) == "green"  # 30 h of the default 72 h

    status_clocks.save(session=session, user=ADMIN, values={"sent": ("12", "24")})

    [row] = queue_view.rows(session, "awaiting")
    assert _board_tone(session, p) == "red" and row.status_tone == "red"
    sent_row = next(v for v in status_clocks.views(session) if v.state == "sent")
    assert (sent_row.amber, sent_row.red, sent_row.default) == ("12", "24", "72 h / 168 h")

    status_clocks.restore_defaults(session=session, user=ADMIN)
    assert _board_tone(session, p) == "green"


def _application_tone(session, p) -> str:
    [attempt] = views.application(session, p.application.id).attempts
    return attempt.status_tone


def test_the_application_pages_chip_follows_the_same_clocks_as_the_board_and_the_queue(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _sent_hours_ago(session, p, 30)
    assert _application_tone(session, p) == _board_tone(session, p) == "green"  # 30 h of the default 72 h

    status_clocks.save(session=session, user=ADMIN, values={"sent": ("12", "24")})

    [row] = queue_view.rows(session, "awaiting")
    assert _application_tone(session, p) == _board_tone(session, p) == row.status_tone == "red"


@pytest.mark.parametrize(
    ("values", "message", "box"),
    [
        ({"sent": ("48", "24")}, "Sent: the chip turns amber before it turns red", "sent_amber"),
        ({"sent": ("soon", "24")}, "Sent: the amber time must be a number of hours", "sent_amber"),
        ({"error": ("", "0")}, "Failed: the red time must be more than 0 hours", "error_red"),
        ({"started": ("1", "nan")}, "Started: the red time must be more than 0 hours", "started_red"),
        ({"completed": ("1", "9000")}, "at most 8760 hours", "completed_red"),
        ({"reviewed": ("1", "2")}, "Reviewed has no clock", ""),
        ({"lost": ("1", "2")}, "There is no status 'lost'", ""),
    ],
)
def test_a_bad_clock_is_refused_with_its_reason_and_nothing_is_saved(session, values, message, box):
    """The refusal names the box at fault (the form's input name), which the page marks and focuses."""
    with pytest.raises(UserError, match=message) as refused:
        status_clocks.save(session=session, user=ADMIN, values={"ready_to_send": ("2", "4"), **values})

    assert getattr(refused.value, "box", "") == box

    assert status_clocks.hours(session) == status_clocks.DEFAULT_HOURS


def test_only_an_admin_sets_the_clocks(session):
    with pytest.raises(PermissionDenied):
        status_clocks.save(session=session, user=RECRUITER, values={"sent": ("1", "2")})
    with pytest.raises(PermissionDenied):
        status_clocks.restore_defaults(session=session, user=RECRUITER)


def test_a_precise_clock_survives_saving_the_form_again_and_a_retired_state_is_ignored(session):
    status_clocks.save(session=session, user=ADMIN, values={"sent": ("1234.5678", "2000")})
    session.add(StatusClock(state="paused", amber_after_hours=1, red_after_hours=2))  # a state since removed
    session.commit()

    shown = {v.state: (v.amber, v.red) for v in status_clocks.views(session)}
    status_clocks.save(
        session=session, user=ADMIN, values=shown, drawn=shown
    )  # every clock typed back unchanged

    assert status_clocks.hours(session)[AttemptState.SENT] == (1234.5678, 2000)
    assert "paused" not in shown


def test_two_admins_saving_the_clocks_at_once_do_not_write_over_each_other_unseen(session):
    """Both forms drawn with the defaults: the second admin's save read the clocks in force, the first
    saved meanwhile, and the second's check, against what it had read, let it write over them."""
    drawn = {v.state: (v.amber, v.red) for v in status_clocks.views(session)}
    colleague_refused: list[str] = []

    def colleague_saves(own) -> None:
        try:
            status_clocks.save(session=own, user=ADMIN, values={"sent": ("10", "20")}, drawn=drawn)
        except status_clocks.ChangedMeanwhile as err:
            colleague_refused.append(str(err))

    try:
        with a_colleague_meanwhile(session, reads(StatusClock), colleague_saves):
            status_clocks.save(session=session, user=ADMIN, values={"sent": ("30", "40")}, drawn=drawn)
        mine_saved = True
    except status_clocks.ChangedMeanwhile:
        mine_saved = False

    session.expire_all()
    assert [mine_saved, not colleague_refused].count(True) == 1  # one saved, the other told
    assert status_clocks.hours(session)[AttemptState.SENT] == ((30, 40) if mine_saved else (10, 20))
