"""A page reads its job's revision before its rows: a change landing in between wakes its watch.

Read the other way round, the page would hold the new revision with the old rows, and
no refresh would reload it until the job changed again.
"""

import re
import threading

import pytest
import sqlalchemy as sa

from dashboard.services import pipeline
from dashboard.services.actors import SYSTEM
from dashboard.states.application import ApplicationState
from dashboard.states.queue import QueueState
from models import Role, get_engine, new_session
from tests.states.conftest import run_async, run_handler, substate, visit, watch_until


def _load_while(state, handler: str, table: str, change) -> None:
    """Run ``handler``; right after it first reads ``table``, ``change`` lands from another session."""
    landed = threading.Event()
    reads_table = re.compile(rf"\bFROM {table}\b")

    def after_read(conn, cursor, statement, parameters, context, executemany):
        if not landed.is_set() and reads_table.search(statement):
            landed.set()
            writer = threading.Thread(target=change)
            writer.start()
            writer.join()

    sa.event.listen(get_engine(), "after_cursor_execute", after_read)
    try:
        run_async(run_handler(state, handler))
    finally:
        sa.event.remove(get_engine(), "after_cursor_execute", after_read)
    assert landed.is_set(), f"{handler} never read {table}"


def test_the_queue_counts_and_rows_catch_up_with_a_change_made_while_it_loaded(
    pipeline_with_assessment, signed_in_as
):
    p = pipeline_with_assessment
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)

    def move_into_the_test_stage() -> None:
        with new_session() as other:
            pipeline.move_application(
                session=other, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
            )

    _load_while(queue, "load", "assessmentattempt", move_into_the_test_stage)
    run_async(watch_until(queue, lambda: queue.total == 1))

    assert [r.candidate_name for r in queue.rows] == ["Ada Lovelace"]
    assert queue.total == 1


@pytest.mark.parametrize(
    "table",
    [
        "application",  # the first read: the job the application is in
        "applicationevent",  # the last read: its history
    ],
)
def test_the_application_page_catches_up_with_a_move_made_while_it_loaded(
    pipeline_with_assessment, signed_in_as, table
):
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/applications/{p.application.id}")
    page = substate(root, ApplicationState)

    def move_to_onsite() -> None:
        with new_session() as other:
            pipeline.move_application(
                session=other, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
            )

    _load_while(page, "load", table, move_to_onsite)
    run_async(watch_until(page, lambda: page.application.stage_name == "Onsite"))

    assert page.application.stage_name == "Onsite"
