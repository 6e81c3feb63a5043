"""The board's state: what a move into a stage that sends its tests on entry tells the recruiter."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import pipeline, plans
from dashboard.services.actors import SYSTEM
from dashboard.states.board import BoardState
from dashboard.states.pasted import PastedListState
from models import Application, AssessmentAttempt, AttemptState, Candidate, Role, get_engine
from tests.conftest import rejected_by_a_recruiter, send_test
from tests.states.conftest import run_async, run_handler, substate, toast_level, visit, watch_until


def _board_with_auto_send(session, p, signed_in_as):
    p.assessment.send_automatically = True
    session.add(p.assessment)
    session.commit()
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    return board


def test_a_bulk_move_whose_automatic_sends_all_fail_says_so_as_an_error(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    board = _board_with_auto_send(session, p, signed_in_as)
    # The vendor refuses every call: the two sends, and the listing asked after the first refusal
    # (whether the vendor still lists the test, plan_connections.unlisted_after_refusal).
    sandbox.faults(fail_next=[{"status": 400}] * 3)
    for application_id in (p.application.id, grace.id):
        run_async(run_handler(board, "toggle_selected", application_id))

    said = [u for u in run_async(run_handler(board, "move_selected", p.assessment.id)) if u]

    assert set(session.exec(select(AssessmentAttempt.state)).all()) == {AttemptState.ERROR}
    assert toast_level(said[-1]) == "error", said[-1]
    assert "Moved 2 applications. 2 assessments not sent." in repr(said[-1])
    # Each reason says whose card it is (helper-156: two alike "Not sent: ..." named no one).
    assert "Ada Lovelace: Not sent" in repr(said[-1]) and "Grace Hopper: Not sent" in repr(said[-1])


def test_a_card_moved_whose_automatic_send_fails_is_told_as_an_error(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    board = _board_with_auto_send(session, p, signed_in_as)
    sandbox.faults(fail_next=[{"status": 400}])

    [toast] = run_async(run_handler(board, "move", p.application.id, p.assessment.id))

    assert toast_level(toast) == "error" and "Sent 0 of 1" in repr(toast), toast


def test_picking_a_status_starts_every_column_at_its_first_page_as_apply_does(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: "Show more" paging outlived a change of the status filter (Apply resets it)."""
    p = pipeline_with_assessment
    for n in range(30):
        pipeline.add_application(
            session=session, job_id=p.job.id, name=f"Walk {n}", email=f"walk{n}@example.com", actor=SYSTEM
        )
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    applied = board.board.columns[0]
    run_async(run_handler(board, "show_more", applied.stage_id))
    assert board.limits and len(board.board.columns[0].cards) == 31

    run_async(run_handler(board, "set_status", "sent"))
    run_async(run_handler(board, "set_status", "any"))

    assert board.limits == {}
    assert len(board.board.columns[0].cards) == 25  # the first page again

    # A score box holding junk: the status is not applied, the paging is kept, and the page says why.
    run_async(run_handler(board, "show_more", applied.stage_id))
    board.score_min = "lots"
    run_async(run_handler(board, "set_status", "sent"))
    assert board.filter_error == "Scores are numbers from 0 to 100."
    assert len(board.board.columns[0].cards) == 31


def test_a_double_click_on_add_candidate_adds_once_quietly(session, pipeline_with_assessment, signed_in_as):
    """Found by a walk: a double click on Add candidate added the person, then toasted "... is already
    in this job": the second click's submit carries the boxes as they were, before the first's answer."""
    p = pipeline_with_assessment
    board = _board_with_auto_send(session, p, signed_in_as)
    typed = {"name": "Nora Double", "email": "nora@example.com", "generation": "0"}  # as the page drew it

    first = run_async(run_handler(board, "add_candidate", dict(typed)))
    second = run_async(run_handler(board, "add_candidate", dict(typed)))  # the double click's second
    again = {**typed, "generation": "1"}  # typed again after the answer
    third = run_async(run_handler(board, "add_candidate", again))

    assert "Nora Double added." in repr(first)
    assert second == [None]
    assert toast_level(third[0]) == "error" and "already in this job" in repr(third)


def test_a_pasted_list_adds_once_and_leaves_the_refused_lines_in_the_box(
    session, pipeline_with_assessment, signed_in_as
):
    """A double click on Add candidates sends the whole list twice: the second is let go, not
    answered with every line "already in this job"."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    dialog = substate(root, PastedListState)
    pasted = {"lines": "Nora Paste <nora@example.com>\nBob <bob@>", "generation": "0"}

    first = run_async(run_handler(dialog, "add", dict(pasted)))
    second = run_async(run_handler(dialog, "add", dict(pasted)))  # the double click's second

    assert toast_level(first[-1]) == "error" and "1 candidate added; 1 line not added" in repr(first[-1])
    assert second == []
    assert (dialog.text, dialog.adding) == ("Bob <bob@>", False)
    assert dialog.refused == ["Line 2 (Bob <bob@>): 'bob@' is not an email address (name@example.com)."]
    names = session.exec(select(Candidate.name)).all()
    assert sorted(names) == ["Ada Lovelace", "Nora Paste"]


def test_a_list_refused_whole_does_not_show_the_last_lists_refusals(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-130: the last add's "Lines not added" stayed beside the toast of a list refused whole."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    dialog = substate(root, PastedListState)
    run_async(run_handler(dialog, "add", {"lines": "Bob <bob@>", "generation": "0"}))
    assert len(dialog.refused) == 1

    said = run_async(run_handler(dialog, "add", {"lines": "Name, Email", "generation": "1"}))

    assert toast_level(said[-1]) == "error" and "Only the header row" in repr(said[-1])
    assert (dialog.text, dialog.refused, dialog.renamed) == ("Name, Email", [], [])


def test_the_pasted_list_of_one_job_is_not_offered_on_another_s_board(
    session, pipeline_with_assessment, signed_in_as
):
    """Found in a review: the dialog's list and refusals outlived the board they were typed on."""
    p = pipeline_with_assessment
    other = plans.create_job(session=session, title="Other Job", stage_names=["Applied"])
    root = signed_in_as(Role.RECRUITER)
    dialog = substate(root, PastedListState)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    run_async(run_handler(dialog, "set_open", True))
    run_async(run_handler(dialog, "add", {"lines": "Bob <bob@>", "generation": "0"}))
    run_async(run_handler(dialog, "set_open", False))
    run_async(run_handler(dialog, "set_open", True))  # the same board: the list stays to mend
    kept = (dialog.text, len(dialog.refused))

    visit(root, f"http://localhost:3000/jobs/{other.id}")
    run_async(run_handler(dialog, "set_open", True))

    assert kept == ("Bob <bob@>", 1)
    assert (dialog.text, dialog.refused) == ("", [])


def _rejecting_ada_and_grace(session, p, signed_in_as):
    """A recruiter's board with Ada and Grace Hopper (added here) ticked and the reject dialog
    open on them; the board state, and Grace's application."""
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    for application_id in (p.application.id, grace.id):
        run_async(run_handler(board, "toggle_selected", application_id))
    run_async(run_handler(board, "set_rejecting", True))
    return board, grace


def test_the_selected_cards_are_rejected_after_the_dialog_says_what_else_it_does(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    send_test(session, p.assessment, p.application)
    board, _grace = _rejecting_ada_and_grace(session, p, signed_in_as)

    assert board.rejecting and board.rejecting_whom == "2 selected candidates"
    assert board.reject_also == [
        "Ada Lovelace: Their open CoderPad Screen test, Backend Engineer (Python), will be withdrawn."
    ]
    board.reject_reason = "Position filled"
    said = [u for u in run_async(run_handler(board, "reject")) if u]

    assert toast_level(said[-1]) == "success"
    assert "Rejected 2 candidates (Position filled). 1 test withdrawn at the vendor." in repr(said[-1])
    assert (board.rejecting, board.selected) == (False, [])
    rejected = session.exec(
        select(Candidate.name).join(Application).where(Application.rejected_at.is_not(None))
    )
    assert sorted(rejected) == ["Ada Lovelace", "Grace Hopper"]


def test_a_card_taken_from_the_selection_while_the_reject_dialog_is_open_is_not_rejected(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-122: the board's live reload took a card from the selection (its status changed under
    a filter) while the reason was chosen; the title said "1 selected candidate", and both were
    rejected, from what the dialog had opened on."""
    board, grace = _rejecting_ada_and_grace(session, pipeline_with_assessment, signed_in_as)

    board.selected = [grace.id]  # what the live reload leaves selected
    board.reject_reason = "Position filled"
    run_async(run_handler(board, "reject"))

    rejected = session.exec(
        select(Candidate.name).join(Application).where(Application.rejected_at.is_not(None))
    )
    assert list(rejected) == ["Grace Hopper"]


def test_a_column_s_box_selects_every_card_shown_in_it_and_none_when_all_were(
    session, pipeline_with_assessment, signed_in_as
):
    p = pipeline_with_assessment
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    moved = pipeline.add_application(
        session=session, job_id=p.job.id, name="Cy Young", email="cy@example.com", actor=SYSTEM
    )
    pipeline.move_application(session=session, application_id=moved.id, stage_id=p.onsite.id, actor=SYSTEM)
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    run_async(run_handler(board, "toggle_selected", moved.id))

    run_async(run_handler(board, "toggle_column", p.applied.id))
    assert sorted(board.selected) == sorted([p.application.id, grace.id, moved.id])
    assert sorted(board.full_columns) == sorted([p.applied.id, p.onsite.id])
    run_async(run_handler(board, "toggle_selected", grace.id))
    assert board.full_columns == [p.onsite.id]  # one unticked: the column's box is not ticked
    run_async(run_handler(board, "toggle_column", p.applied.id))  # not all: ticks them all again
    run_async(run_handler(board, "toggle_column", p.applied.id))  # all: none of them
    assert board.selected == [moved.id]


@pytest.mark.parametrize("automatically", [True, False])
def test_the_pasted_list_dialog_says_what_each_candidate_added_is_sent(
    session, pipeline_with_assessment, signed_in_as, automatically
):
    """Found in a review: pasted into a plan whose first stage sends its test on entry, every line
    was sent the test as it was added, and nothing in the dialog said so before Add candidates."""
    p = pipeline_with_assessment
    p.assessment.send_automatically = automatically
    session.add(p.assessment)
    session.commit()
    plans.move_stage(session=session, stage_id=p.assessment.id, position=0)
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))

    test = board.board.columns[0].tests
    assert test
    assert board.added_are_sent == (
        f"Each candidate added is sent {test} at once: CoderPad assessment, the plan's first stage, "
        "sends its tests on entry."
        if automatically
        else ""
    )


def test_move_selected_leaves_a_card_a_colleague_moved_after_it_was_ticked(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by helper-75: the ticked card moved by a colleague to Onsite (the board redrawn with it
    there, still ticked) was taken back out of Onsite by "Move selected to"."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    run_async(run_handler(board, "toggle_selected", p.application.id))
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )
    run_async(run_handler(board, "show_more", p.onsite.id))  # the board redrawn, Ada in Onsite, ticked

    said = [u for u in run_async(run_handler(board, "move_selected", p.assessment.id)) if u]

    assert toast_level(said[-1]) == "error"
    assert (
        "Moved 0 of 1. Ada Lovelace was moved to Onsite meanwhile; not moved to CoderPad assessment."
        in repr(said[-1])
    )
    session.expire_all()
    assert session.get(Application, p.application.id).stage_id == p.onsite.id


def test_a_bulk_move_that_fails_on_assay_s_side_leaves_the_board_usable(
    session, pipeline_with_assessment, signed_in_as, caplog
):
    """helper-110: a failure that is no refusal (the database in trouble) left "Move selected to"
    and Reject spinning until a reload, with no word of what moved; a rejection already said so."""
    p = pipeline_with_assessment
    board = _board_with_auto_send(session, p, signed_in_as)
    run_async(run_handler(board, "toggle_selected", p.application.id))
    # The history table gone (a database in trouble): the move fails with no message for a user.
    session.exec(sa.text("ALTER TABLE applicationevent RENAME TO applicationevent_away"))
    session.commit()

    said = [u for u in run_async(run_handler(board, "move_selected", p.onsite.id)) if u]

    assert board.moving is False
    assert toast_level(said[-1]) == "error" and "The board shows where each is." in repr(said[-1])
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"moving the selection of job {p.job.id} failed"
    ]
    caplog.clear()  # the one error this test provokes


def test_move_selected_says_which_ticked_card_was_rejected_meanwhile(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-143: a card a colleague rejected after it was ticked was moved with the rest, its
    stage's test not sent, and the toast read a plain "Moved 1 application."."""
    p = pipeline_with_assessment
    board = _board_with_auto_send(session, p, signed_in_as)
    run_async(run_handler(board, "toggle_selected", p.application.id))
    rejected_by_a_recruiter(session, p.application.id)

    said = [u for u in run_async(run_handler(board, "move_selected", p.assessment.id)) if u]

    assert toast_level(said[-1]) == "warning"
    assert "Ada Lovelace is rejected, so the stage's test is not sent" in repr(said[-1])
    assert not session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.state == AttemptState.SENT)
    ).all()


def test_a_board_whose_first_read_fails_shows_itself_once_the_database_answers(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-167: the database failing as the board opened left it loading for good: its load
    raised before it started the watch, so nothing read it again once the database was back."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}")
    board = substate(root, BoardState)
    with get_engine().begin() as db:  # the stages' table away: every read of the board fails
        db.execute(sa.text("ALTER TABLE stage RENAME TO stage_away"))
    try:
        said = run_async(run_handler(board, "load"))
    finally:
        with get_engine().begin() as db:
            db.execute(sa.text("ALTER TABLE stage_away RENAME TO stage"))

    assert toast_level(said[0]) == "error" and "once the database answers" in repr(said[0])
    assert not board.loaded
    run_async(watch_until(board, lambda: board.loaded))
    assert [c.candidate_name for col in board.board.columns for c in col.cards] == ["Ada Lovelace"]
