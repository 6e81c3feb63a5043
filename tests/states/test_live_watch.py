"""One revision watch per worker wakes the open pages whose jobs changed, and only those.

Real database, real asyncio: pages wait on the watch while another session changes a
job, as a webhook or another recruiter would.
"""

import asyncio

from reflex.istate.data import ReflexURL, RouterData

from dashboard.services import pipeline, plans
from dashboard.services.actors import SYSTEM
from dashboard.states import live
from dashboard.states.board import BoardState
from models import Role, new_session
from tests.states.conftest import run_async, run_handler, substate


def _move_to_onsite(p) -> None:
    with new_session() as other:
        pipeline.move_application(
            session=other, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
        )


def test_a_change_wakes_the_pages_of_its_job_and_of_every_job_but_not_another_jobs(
    pipeline_with_assessment, session
):
    p = pipeline_with_assessment
    other_job = plans.create_job(session=session, title="Designer", stage_names=["Applied"])

    async def scenario():
        watch = live.watch()
        with new_session() as s:
            this_job, every_job = pipeline.job_revisions(s, [p.job.id]), pipeline.job_revisions(s)
            another_job = pipeline.job_revisions(s, [other_job.id])
        this = asyncio.create_task(watch.next_change((p.job.id,), this_job, timeout=10))
        every = asyncio.create_task(watch.next_change(None, every_job, timeout=10))
        another = asyncio.create_task(watch.next_change((other_job.id,), another_job, timeout=1.5))
        await asyncio.sleep(3 * live.POLL_S)
        assert watch.waiting == 3 and not this.done(), "woke with nothing changed"
        await asyncio.to_thread(_move_to_onsite, p)
        woken = await asyncio.wait_for(asyncio.gather(this, every), 5)
        unmoved = await another
        await asyncio.sleep(2 * live.POLL_S)
        return this_job, every_job, another_job, woken, unmoved, watch.waiting, watch._loop_task

    this_job, every_job, another_job, woken, unmoved, waiting_after, loop_task = run_async(scenario())

    assert woken[0] > this_job and woken[1] > every_job
    assert unmoved == another_job  # timed out: the other job never moved
    assert waiting_after == 0 and loop_task is None  # no page waits: the worker stops reading


def test_an_open_board_refreshes_when_its_job_changes_elsewhere(pipeline_with_assessment, signed_in_as):
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    root.router = RouterData(url=ReflexURL(f"http://localhost:3000/jobs/{p.job.id}/board"))
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    onsite = next(c for c in board.board.columns if c.name == "Onsite")
    assert onsite.cards == []

    async def watch_until_woken():
        watching = BoardState.event_handlers["watch"].fn(board)
        first = anext(watching)
        await asyncio.sleep(3 * live.POLL_S)
        await asyncio.to_thread(_move_to_onsite, p)
        event = await asyncio.wait_for(first, 5)
        await watching.aclose()
        return event

    event = run_async(watch_until_woken())
    assert event is BoardState.refresh
    run_async(run_handler(board, "refresh"))
    onsite = next(c for c in board.board.columns if c.name == "Onsite")
    assert [c.candidate_name for c in onsite.cards] == ["Ada Lovelace"]


def test_a_signed_out_visitor_gets_no_watch(pipeline_with_assessment, signed_in_as):
    root = signed_in_as(None)
    board = substate(root, BoardState)

    updates = run_async(run_handler(board, "watch"))

    assert len(updates) == 1 and "/sign-in" in str(updates[0])
