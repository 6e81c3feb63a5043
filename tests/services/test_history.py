"""The application history: each line fits its column, and a line cut short says so."""

from sqlmodel import select

from dashboard.services import history
from dashboard.services.actors import SYSTEM
from models import ApplicationEvent


def test_a_line_too_long_for_the_history_is_cut_at_a_word_and_says_it_was_cut(
    session, pipeline_with_assessment
):
    """helper-81 saw a failed room's line end "...(Default live-intervi": cut mid-word with nothing
    to say more was there (the whole reason is on the room's card)."""
    p = pipeline_with_assessment
    reason = "Live interview: not made: CoderPad Interview refused. " + "Replace the link in the plan. " * 12

    history.record(session, application_id=p.application.id, summary=reason, actor=SYSTEM)
    session.commit()

    [line] = session.exec(
        select(ApplicationEvent.summary).where(ApplicationEvent.summary.startswith("Live"))
    ).all()
    assert len(line) <= 300
    assert line.endswith("Replace the link in the plan…")
    assert reason.startswith(line.removesuffix("…"))


def test_a_long_line_without_spaces_is_cut_at_the_column_not_back_to_its_last_word(
    session, pipeline_with_assessment
):
    """helper-85's review: a vendor's refusal quoting 400 characters of JSON kept only "Test: failed:
    400…", the cut going back to the last space however far."""
    p = pipeline_with_assessment
    history.record(
        session, application_id=p.application.id, summary="Test: failed: 400 " + "x" * 400, actor=SYSTEM
    )
    session.commit()

    [line] = session.exec(
        select(ApplicationEvent.summary).where(ApplicationEvent.summary.startswith("Test"))
    ).all()
    assert len(line) == 300 and line.endswith("x…")
