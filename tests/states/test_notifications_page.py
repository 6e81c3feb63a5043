"""The notifications page's state: read is per person; opening one or marking all reads them."""

import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import accounts, notify, plans
from dashboard.states.auth import AuthState
from dashboard.states.notifications import NotificationsState
from dashboard.states.unread import UnreadState
from models import Notification, NotificationRead, OutboxMessage, Role, User
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


def test_mark_all_read_reads_every_unread_one_for_that_person_only_and_says_so_by_the_count_alone(
    session, pipeline_with_assessment, signed_in_as
):
    _notified(session, pipeline_with_assessment, 105)  # more than the page shows (100)
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)
    admin = _notifications_page(signed_in_as, Role.ADMIN)
    assert recruiter.unread == admin.unread == 105 and len(recruiter.items) == 100

    answered = run_async(run_handler(recruiter, "mark_all_read"))

    assert recruiter.unread == 0 and not any(n.unread for n in recruiter.items)
    assert answered == [None]  # no toast: the page's count ("All read"), focused, says it
    run_async(run_handler(admin, "load"))
    assert admin.unread == 105  # the admin has read none of them


def test_mark_all_read_leaves_unread_what_came_after_the_page_was_drawn(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-130: a "needs review" landing between the page's last reload and the click was marked
    read without anyone seeing it."""
    _notified(session, pipeline_with_assessment, 3)
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)
    _notified(session, pipeline_with_assessment, 1, first=3)  # not on the page yet

    run_async(run_handler(recruiter, "mark_all_read"))

    assert recruiter.unread == 1
    assert [n.message for n in recruiter.items if n.unread] == ["Result 3 needs review"]


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
    run_async(run_handler(recruiter, "load"))  # seen, then marked
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


def _emails(session, count: int) -> None:
    """``count`` emails, the newest last: a busy workspace's outbox, written in one statement."""
    session.execute(
        sa.insert(OutboxMessage),
        [
            {
                "dedupe_key": f"feedback:{n}",
                "to_address": f"candidate{n}@example.com",
                "subject": f"Your Backend Engineer assessment ({n})",
                "body": "Thank you for taking the test.",
            }
            for n in range(count)
        ],
    )
    session.commit()


def test_the_outbox_pages_through_ten_thousand_emails_finds_one_and_says_once_none_is_sent(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: the outbox showed the newest 100 emails with no way to older ones, and
    every row said "kept in the outbox (no SMTP server set)" instead of its own status."""
    _emails(session, 10_000)
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)

    assert {e.status for e in recruiter.emails} == {"Not sent"}  # the row's own status
    assert not recruiter.mail_server_set  # said once, above the rows
    assert len(recruiter.emails) == 100 and recruiter.emails_total == 10_000 and recruiter.more_emails
    assert recruiter.emails[0].to_address == "candidate9999@example.com"  # newest first

    run_async(run_handler(recruiter, "show_more_emails"))
    assert len(recruiter.emails) == 200 and recruiter.emails[-1].to_address == "candidate9800@example.com"

    run_async(run_handler(recruiter, "set_mail_search", " Candidate7@EXAMPLE "))
    run_async(run_handler(recruiter, "search_mail"))
    assert [e.to_address for e in recruiter.emails] == ["candidate7@example.com"]
    assert (recruiter.emails_total, recruiter.more_emails) == (1, False)
    run_async(run_handler(recruiter, "set_mail_search", "(42)"))  # the subject names the candidate
    run_async(run_handler(recruiter, "search_mail"))
    assert [e.to_address for e in recruiter.emails] == ["candidate42@example.com"]
    run_async(run_handler(recruiter, "set_mail_search", "%"))  # a wildcard is searched for as itself
    run_async(run_handler(recruiter, "search_mail"))
    assert (recruiter.emails, recruiter.emails_total, recruiter.mail_searched) == ([], 0, "%")

    manager = _notifications_page(signed_in_as, Role.HIRING_MANAGER)
    assert (manager.emails, manager.emails_total) == ([], 0)  # a hiring manager has no outbox


def test_the_outbox_shows_the_emails_sent_not_sent_or_withheld_and_says_when_none_is(
    session, pipeline_with_assessment, signed_in_as
):
    """A recruiter checking which emails never went read the whole outbox, 100 at a time."""
    _emails(session, 300)
    emails = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    for email in emails[:200]:
        email.sent_at = email.created_at
    emails[250].withheld, emails[260].error = "rejection undone", "550 mailbox unavailable"
    session.add_all(emails)
    session.commit()
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)

    run_async(run_handler(recruiter, "show_standing", "not_sent"))
    assert (recruiter.emails_total, len(recruiter.emails)) == (99, 99)  # refused ones are tried again
    assert recruiter.emails[0].to_address == "candidate299@example.com"
    assert "Not sent: 550 mailbox unavailable" in {e.status for e in recruiter.emails}
    run_async(run_handler(recruiter, "show_standing", "withheld"))
    assert [e.status for e in recruiter.emails] == ["Withheld: rejection undone"]
    run_async(run_handler(recruiter, "show_standing", "sent"))
    assert recruiter.emails_total == 200 and recruiter.more_emails
    assert {e.status[:5] for e in recruiter.emails} == {"Sent "}

    run_async(run_handler(recruiter, "set_mail_search", "candidate25"))  # 25, 250..259
    run_async(run_handler(recruiter, "search_mail"))
    assert [e.to_address for e in recruiter.emails] == ["candidate25@example.com"]  # the sent ones only
    run_async(run_handler(recruiter, "show_standing", "withheld"))
    assert [e.to_address for e in recruiter.emails] == ["candidate250@example.com"]
    run_async(run_handler(recruiter, "set_mail_search", "candidate7@"))
    run_async(run_handler(recruiter, "search_mail"))
    assert (
        recruiter.emails == []
        and recruiter.no_email_found == "No email to or about “candidate7@” is withheld."
    )
    run_async(run_handler(recruiter, "show_standing", "every"))
    assert recruiter.emails_total == 1 and recruiter.mail_standing == ""


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


def test_a_recruiter_tries_a_turned_down_email_again_and_the_row_says_it_waits(
    session, pipeline_with_assessment, signed_in_as
):
    _emails(session, 2)
    refused, undone = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    refused.withheld, refused.error = notify.REFUSED, "550 5.1.1 No such user"
    undone.withheld = "rejection undone"
    session.add_all([refused, undone])
    session.commit()
    recruiter = _notifications_page(signed_in_as, Role.RECRUITER)
    offered = {e.id: e.can_try_again for e in recruiter.emails}

    said = run_async(run_handler(recruiter, "try_email_again", refused.id))
    refused_again = run_async(run_handler(recruiter, "try_email_again", undone.id))

    assert offered == {refused.id: True, undone.id: False}
    assert "goes with the next send" in repr(said) and "not withheld for a refusal" in repr(refused_again)
    shown = {e.id: e.status for e in recruiter.emails}
    assert shown[refused.id] in ("Not sent", "Waiting to be sent")
    assert shown[undone.id] == "Withheld: rejection undone"
