"""One revision watch per worker wakes the open pages whose jobs changed, and only those.

Real database, real asyncio: pages wait on the watch while another session changes a
job, as a webhook or another recruiter would.
"""

import asyncio
import logging
import threading

import pytest
import sqlalchemy as sa

from dashboard import routes
from dashboard.pages import PAGES, integrations, team_settings, users  # noqa: F401  (each marks its page)
from dashboard.services import accounts, pipeline, plans
from dashboard.services.actors import SYSTEM
from dashboard.services.permissions import Permission
from dashboard.states import live
from dashboard.states.auth import AuthState
from dashboard.states.board import BoardState
from dashboard.states.unread import UnreadState
from models import Notification, Role, get_engine, new_session
from tests.states.conftest import run_async, run_handler, substate, visit, watch_until


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
            this_job, every_job = pipeline.job_revisions(s, [p.job.id]), pipeline.workspace_revision(s)
            another_job = pipeline.job_revisions(s, [other_job.id])
        this = asyncio.create_task(watch.next_change((p.job.id,), this_job, timeout=10))
        every = asyncio.create_task(watch.next_change(None, every_job, timeout=10))
        another = asyncio.create_task(watch.next_change((other_job.id,), another_job, timeout=1.5))
        await asyncio.sleep(3 * live.POLL_S)
        assert watch.waiting == 3 and not this.done(), "woke with nothing changed"
        await asyncio.to_thread(_move_to_onsite, p)
        woken = await asyncio.wait_for(asyncio.gather(this, every), 5)
        unmoved = await another
        # The loop ends once its read in flight is done: a poll or two, longer on a loaded machine
        # (CI169: a read still running 0.2 s on).
        for _ in range(100):
            if watch._loop_task is None:
                break
            await asyncio.sleep(live.POLL_S)
        return this_job, every_job, another_job, woken, unmoved, watch.waiting, watch._loop_task

    this_job, every_job, another_job, woken, unmoved, waiting_after, loop_task = run_async(scenario())

    assert woken[0] > this_job and woken[1] > every_job
    assert unmoved == another_job  # timed out: the other job never moved
    assert waiting_after == 0 and loop_task is None  # no page waits: the worker stops reading


def test_a_page_that_starts_waiting_during_a_read_is_served_by_the_next(pipeline_with_assessment):
    """The loop reads the scopes waited on when it starts a read; a page arriving meanwhile waits one more."""
    p = pipeline_with_assessment
    reading, release = threading.Event(), threading.Event()

    def hold_the_read(conn, cursor, statement, parameters, context, executemany):
        if "FROM job" in statement and not release.is_set():
            reading.set()
            release.wait(5)

    async def scenario():
        watch = live.watch()
        first = asyncio.create_task(watch.next_change((p.job.id,), -1, timeout=5))
        await asyncio.to_thread(reading.wait, 5)  # the loop is inside its read for the first page
        second = asyncio.create_task(watch.next_change(None, -1, timeout=5))
        await asyncio.sleep(0)
        release.set()
        return await asyncio.wait_for(asyncio.gather(first, second), 3)

    sa.event.listen(get_engine(), "after_cursor_execute", hold_the_read)
    try:
        first, second = run_async(scenario())
    finally:
        sa.event.remove(get_engine(), "after_cursor_execute", hold_the_read)

    assert reading.is_set() and first >= 0 and second >= 0  # both woken, neither timed out


def test_a_watch_cancelled_as_it_is_woken_ends(pipeline_with_assessment):
    """Leaving the page cancels its watch even when the cancel lands just as a change wakes it.

    (``asyncio.wait_for`` on Python 3.11 swallowed such a cancel: the watch lived on.)
    """

    async def scenario():
        watch = live.watch()
        waiting = asyncio.create_task(watch.next_change(None, -1, timeout=10))
        while watch.waiting == 0:
            await asyncio.sleep(0)
        next(iter(watch._waiters)).woken.set_result(7)  # woken ...
        waiting.cancel()  # ... and the page left before the watch ran again
        await asyncio.gather(waiting, return_exceptions=True)
        return waiting.cancelled(), watch.waiting

    cancelled, still_waiting = run_async(scenario())

    assert cancelled and still_waiting == 0


def test_an_open_board_refreshes_when_its_job_changes_elsewhere(pipeline_with_assessment, signed_in_as):
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}/board")
    board = substate(root, BoardState)
    assert run_async(run_handler(board, "load")) == [BoardState.watch]  # the load starts the watch

    def onsite() -> list[str]:
        column = next(c for c in board.board.columns if c.name == "Onsite")
        return [c.candidate_name for c in column.cards]

    assert onsite() == []

    async def move_while_watched():
        moving = asyncio.create_task(asyncio.to_thread(_move_to_onsite, p))
        await watch_until(board, lambda: onsite() == ["Ada Lovelace"])
        await moving
        return live.watch().waiting

    assert run_async(move_while_watched()) == 0  # leaving the page ended its watch


def _notify_about(p) -> None:
    with new_session() as other:
        other.add(Notification(dedupe_key="live", kind="failed", message="Failed", job_id=p.job.id))
        other.commit()


def test_an_open_pages_navigation_counts_a_notification_arriving_elsewhere(
    pipeline_with_assessment, signed_in_as
):
    """A notification belongs to no job: it moves no board, yet the board's unread count shows it."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}/board")
    run_async(run_handler(substate(root, AuthState), "guard_page"))
    board, badge = substate(root, BoardState), substate(root, UnreadState)
    run_async(run_handler(board, "load"))
    assert badge.count == 0

    async def notified_while_watched():
        arriving = asyncio.create_task(asyncio.to_thread(_notify_about, p))
        await watch_until(board, lambda: badge.count == 1)
        await arriving
        return live.watch().waiting

    assert run_async(notified_while_watched()) == 0  # one watch for the page and its count, ended with it
    assert badge.label == "Notifications, 1 unread"


def _on_load(route: str) -> list:
    return next(options["on_load"] for _render, options in PAGES if options["route"] == route)


@pytest.mark.parametrize("route", [routes.INTEGRATIONS, routes.USERS, routes.SETTINGS])
def test_a_page_of_no_job_keeps_its_navigations_unread_count_live(
    route, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: on Integrations, Users and Settings the navigation's unread count moved
    only when the page was loaded again, while every other page's watch recounts it live."""
    p = pipeline_with_assessment
    on_load = _on_load(route)
    watches = [handler for handler in on_load if handler.is_background]
    assert watches, f"{route} starts no watch: its navigation's unread count waits for a reload"
    root = signed_in_as(Role.ADMIN)
    visit(root, f"http://localhost:3000{route}")
    for handler in on_load:  # the page's load, as Reflex runs it: the guard counts, the page loads
        if not handler.is_background:
            run_async(run_handler(substate(root, handler.state), handler.fn.__name__))
    badge = substate(root, UnreadState)
    assert badge.count == 0
    [started] = watches

    async def notified_while_open():
        arriving = asyncio.create_task(asyncio.to_thread(_notify_about, p))
        await watch_until(substate(root, started.state), lambda: badge.count == 1)
        await arriving
        return live.watch().waiting

    assert run_async(notified_while_open()) == 0  # one wait on the worker's watch, ended with the page
    assert badge.label == "Notifications, 1 unread"


def test_a_signed_out_visitor_gets_no_watch(pipeline_with_assessment, signed_in_as):
    root = signed_in_as(None)
    board = substate(root, BoardState)

    refusal = run_async(run_handler(board, "watch"))

    assert len(refusal) == 1 and "/sign-in" in str(refusal[0])


def _job_revision(p) -> int:
    with new_session() as session:
        return pipeline.job_revisions(session, [p.job.id])


def test_a_failed_refresh_is_tried_again_at_the_next_wake(pipeline_with_assessment, signed_in_as, caplog):
    """A refresh that fails (the database away for a moment) does not end the page's live updates."""
    p = pipeline_with_assessment
    board = substate(signed_in_as(Role.RECRUITER), BoardState)
    board.revision = -1
    calls: list[int] = []

    async def reload() -> None:
        calls.append(_job_revision(p))
        if len(calls) == 1:
            raise RuntimeError("the database went away")

    async def scenario():
        watching = asyncio.create_task(
            live.keep_live(board, Permission.VIEW_PIPELINE, lambda: [p.job.id], reload)
        )
        async with asyncio.timeout(5):
            while not calls:
                await asyncio.sleep(0.02)
            await asyncio.to_thread(_move_to_onsite, p)
            while len(calls) < 2:
                await asyncio.sleep(0.02)
        alive = not watching.done()
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
        return alive

    assert run_async(scenario())
    assert calls[1] > calls[0]  # the second wake came with the move
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failures == ["refreshing a live page failed; trying again at its next wake"]
    caplog.clear()  # the one ERROR this test provokes; any other still fails it


def _sign_out(token: str) -> None:
    with new_session() as other:
        accounts.sign_out(session=other, token=token)


def test_a_page_whose_user_signed_out_stops_being_live(
    pipeline_with_assessment, signed_in_as, session, monkeypatch
):
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    board = substate(root, BoardState)
    board.revision = -1
    monkeypatch.setattr(live, "CATCH_UP_S", 0.3)  # check the user again after 0.3 s, not 10

    async def reload() -> None:
        board.revision = _job_revision(p)

    async def scenario():
        watching = asyncio.create_task(
            live.keep_live(board, Permission.VIEW_PIPELINE, lambda: [p.job.id], reload)
        )
        await asyncio.sleep(0.5)
        signed_in = not watching.done()
        token = substate(root, AuthState)._session_token()
        await asyncio.to_thread(_sign_out, token)
        await asyncio.wait_for(watching, 3)  # ends by itself
        return signed_in

    assert run_async(scenario())


def test_a_change_arriving_while_a_search_is_typed_keeps_the_applied_filter(
    pipeline_with_assessment, signed_in_as
):
    """The board reloads for a change elsewhere with the filter it shows, not the half-typed one."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}/board")
    board = substate(root, BoardState)
    run_async(run_handler(board, "load"))
    run_async(run_handler(board, "set_search", "Zed"))  # typed, Enter not pressed yet

    def onsite() -> list[str]:
        column = next(c for c in board.board.columns if c.name == "Onsite")
        return [c.candidate_name for c in column.cards]

    async def move_while_typing():
        moving = asyncio.create_task(asyncio.to_thread(_move_to_onsite, p))
        await watch_until(board, lambda: onsite() == ["Ada Lovelace"])
        await moving

    run_async(move_while_typing())
    assert board.search == "Zed" and board.board.matching == board.board.total == 1

    run_async(run_handler(board, "apply_filters"))  # Enter: now the board filters
    assert onsite() == [] and board.board.total == 1
