"""Scheduling a live interview: what the interviewers box may hold."""

import datetime

import pytest
from sqlmodel import select

from dashboard.services import interviews
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from models import ApplicationEvent, Interview


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
