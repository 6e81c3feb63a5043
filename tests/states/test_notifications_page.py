"""The notifications page's state: read is per person; opening one or marking all reads them."""

import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import accounts, plans
from dashboard.states.auth import AuthState
from dashboard.states.notifications import NotificationsState
from dashboard.states.unread import UnreadState
from models import Notification, NotificationRead, Role, User
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


def _navigation_after_a_page_load(root) -> UnreadState:
    run_async(run_handler(substate(root, AuthState), "guard_page"))  # every page's first on_load
    return substate(root, UnreadState)


def test_every_page_counts_the_persons_unread_notifications_of_the_jobs_they_see_for_the_navigation(
    session, pipeline_with_assessment, signed_in_as
):
    p = pipeline_with_assessment
    _notified(session, p, 3)
    other = plans.create_job(session=session, title="Designer", stage_names=["Applied"])
    session.add(Notification(dedupe_key="other", kind="failed", message="Not yours", job_id=other.id))
    session.commit()
    recruiter = signed_in_as(Role.RECRUITER)
    manager = signed_in_as(Role.HIRING_MANAGER)
    harper = session.exec(select(User).where(User.role == Role.HIRING_MANAGER)).one()
    accounts.set_job_member(session=session, user_id=harper.id, job_id=p.job.id, member=True)

    assert _navigation_after_a_page_load(recruiter).label == "Notifications, 4 unread"
    assert _navigation_after_a_page_load(manager).label == "Notifications, 3 unread"  # their job's only

    run_async(run_handler(_notifications_page_of(recruiter), "mark_all_read"))
    badge = _navigation_after_a_page_load(recruiter)
    assert (badge.count, badge.label) == (0, "Notifications")
    assert _navigation_after_a_page_load(manager).count == 3  # read is per person


def _notifications_page_of(root) -> NotificationsState:
    page = substate(root, NotificationsState)
    run_async(run_handler(page, "load"))
    return page
