"""Scheduling a live interview: what the interviewers box may hold, and a rejection calling it off."""

import datetime

import pytest
from sqlmodel import select

from dashboard.services import accounts, interviews, reopening, review
from dashboard.services.actors import SYSTEM, user
from dashboard.services.errors import UserError
from models import ApplicationEvent, Interview, Role, utcnow


def _schedule(session, application_id: int, who: str) -> Interview:
    return interviews.schedule_interview(
        session=session,
        application_id=application_id,
        scheduled_for=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2),
        interviewers=who,
        actor=SYSTEM,
    )


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("<b>x</b>, " + "Y" * 300, "An interviewer's name is at most 120 characters."),
        (", ".join(f"Interviewer {n}" for n in range(21)), "Name at most 20 interviewers."),
        (
            ", ".join("Z" * 100 + str(n) for n in range(5)),
            "The interviewers' names are at most 500 characters",
        ),
    ],
)
def test_an_absurd_interviewers_box_is_refused_and_nothing_is_scheduled(
    session, pipeline_with_assessment, who, refusal
):
    p = pipeline_with_assessment

    with pytest.raises(UserError, match=refusal.replace("(", r"\(")):
        _schedule(session, p.application.id, who)

    assert session.exec(select(Interview)).all() == []
    assert not any("Interview" in e.summary for e in session.exec(select(ApplicationEvent)))


def test_a_few_interviewers_within_the_limits_are_kept_as_typed(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    who = ", ".join(["Grace Hopper", "Alan Kay", "A" * 120])

    interview = _schedule(session, p.application.id, who)

    assert interview.interviewers == who


def test_rejecting_cancels_the_upcoming_interviews_in_the_history_and_keeps_the_past_ones(
    session, pipeline_with_assessment
):
    """Found by a walk: a rejected candidate's interview stayed booked, its panel to turn up for
    someone the team had turned down; the reject dialog said nothing of it."""
    p = pipeline_with_assessment
    held = _schedule(session, p.application.id, "Grace Hopper")
    held.scheduled_for = utcnow() - datetime.timedelta(days=1)  # it took place yesterday
    session.add(held)
    session.commit()
    booked = _schedule(session, p.application.id, "Alan Kay")
    at = f"{booked.scheduled_for:%Y-%m-%d %H:%M} UTC with Alan Kay"
    rita, _ = accounts.create_user(
        session=session, email="rita@example.com", name="Rita", role=Role.RECRUITER
    )

    said = interviews.upcoming_on_rejection(session, p.application.id)
    outcome = review.reject(
        session=session,
        application_id=p.application.id,
        reason="Other",
        note="",
        expected_version=0,
        actor=user(rita.id, rita.name),
    )

    assert said == [f"Their interview on {at} will be cancelled; tell the interviewers."]
    assert outcome.message == f"Rejected (Other). Interviews cancelled: {at}."
    session.refresh(held), session.refresh(booked)
    assert held.cancelled_at is None and booked.cancelled_at is not None
    line = session.exec(select(ApplicationEvent).where(ApplicationEvent.summary.like("%cancelled%"))).one()
    assert (line.summary, line.actor_label) == (
        f"Interview on {at} cancelled: the candidate was rejected",
        "Rita",
    )
    assert f"staying cancelled: the interview on {at}." in reopening.what_stays(session, p.application.id)[0]
    with pytest.raises(UserError, match="undo the rejection to book an interview"):
        _schedule(session, p.application.id, "Barbara Liskov")
