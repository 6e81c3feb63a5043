"""The notifications page's state: read is per person; opening one or marking all reads them."""

import sqlalchemy as sa

from dashboard.states.notifications import NotificationsState
from models import Notification, NotificationRead, Role
from tests.states.conftest import run_async, run_handler, substate


def _notified(session, p, count: int, first: int = 0) -> None:
    session.add_all(
        Notification(
            dedupe_key=f"needs_review:{n}",
            kind="needs_review",
            message=f"Result {n} needs review",
            application_id=p.application.id,
            job_id=p.job.id,
        )
        for n in range(first, first + count)
    )
    session.commit()


def _notifications_page(signed_in_as, role: Role) -> NotificationsState:
    page = substate(signed_in_as(role), NotificationsState)
    run_async(run_handler(page, "load"))
    return page


def test_mark_all_read_reads_every_unread_one_for_that_person_only_and_says_so(
    session, pipeline_with_assessment, signed_in_as
):
    _notified(session, pipeline_with_assessment, 105)  # more than the page shows (100)
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)
    admin = _notifications_page(signed_in_as, Role.ADMIN)
    assert recruiter.unread == admin.unread == 105 and len(recruiter.items) == 100

    [toast] = run_async(run_handler(recruiter, "mark_all_read"))

    assert recruiter.unread == 0 and not any(n.unread for n in recruiter.items)
    assert "105" in str(toast)
    run_async(run_handler(admin, "load"))
    assert admin.unread == 105  # the admin has read none of them


def test_opening_a_notification_marks_it_read_for_that_person(
    session, pipeline_with_assessment, signed_in_as
):
    _notified(session, pipeline_with_assessment, 3)
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)
    opened = recruiter.items[1]

    run_async(run_handler(recruiter, "open_notification", opened.id))

    run_async(run_handler(recruiter, "load"))  # coming back to the page
    assert recruiter.unread == 2
    assert [n.id for n in recruiter.items if not n.unread] == [opened.id]
    admin = _notifications_page(signed_in_as, Role.ADMIN)
    assert admin.unread == 3


def test_unread_notifications_older_than_the_newest_page_are_shown_first_and_show_more_pages_on(
    session, pipeline_with_assessment, signed_in_as
):
    _notified(session, pipeline_with_assessment, 3)
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)
    oldest = {n.id for n in recruiter.items}
    _notified(session, pipeline_with_assessment, 150, first=3)
    run_async(run_handler(recruiter, "mark_all_read"))
    # the 150 newer ones read, the three oldest not: older than the newest 100
    session.execute(sa.delete(NotificationRead).where(NotificationRead.notification_id.in_(oldest)))
    session.commit()

    run_async(run_handler(recruiter, "load"))

    assert recruiter.unread == 3
    assert {n.id for n in recruiter.items[:3]} == oldest and all(n.unread for n in recruiter.items[:3])
    assert len(recruiter.items) == 100 and recruiter.more
    run_async(run_handler(recruiter, "show_more"))
    assert len(recruiter.items) == 153 and not recruiter.more
    assert recruiter.items[-1].id == min(n.id for n in recruiter.items if not n.unread)
