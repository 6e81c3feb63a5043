"""The application page's state: the interview boxes empty once an interview is scheduled."""

import datetime

from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

from dashboard.states.application import ApplicationState
from models import Interview, Role
from tests.states.conftest import run_async, run_handler, substate


def _application_page(p, signed_in_as) -> ApplicationState:
    root = signed_in_as(Role.RECRUITER)
    root.router = RouterData(url=ReflexURL(f"http://localhost:3000/applications/{p.application.id}"))
    page = substate(root, ApplicationState)
    run_async(run_handler(page, "load"))
    return page


def test_a_scheduled_interview_empties_the_boxes_and_a_refused_one_keeps_them(
    session, pipeline_with_assessment, signed_in_as
):
    page = _application_page(pipeline_with_assessment, signed_in_as)
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d 15:00")

    page.interview_at, page.interviewers = later, "Grace Hopper, " + "Y" * 300
    run_async(run_handler(page, "schedule"))
    assert (page.interview_at, page.interviewers) == (later, "Grace Hopper, " + "Y" * 300)  # to correct

    page.interviewers = "Grace Hopper, Alan Kay"
    run_async(run_handler(page, "schedule"))
    assert (page.interview_at, page.interviewers) == ("", "")  # a second click schedules nothing
    run_async(run_handler(page, "schedule"))

    assert len(session.exec(select(Interview)).all()) == 1
    assert [i.interviewers for i in page.application.interviews] == ["Grace Hopper, Alan Kay"]
