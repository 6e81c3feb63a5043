"""A long queue bucket, walked in Chromium: its pages stay put while colleagues work it.

helper-122 and helper-124: pages counted by offset slid page two's rows onto page one as a
colleague sent from page one, and the rows ticked there were unticked without a word; then, held
by place, the Next button was never offered. An app of its own (so it runs before the demo app
starts: a build names its serving port): 130 more candidates waiting to be sent would change what
the other walks of the demo see.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from dashboard.services import pipeline, plans
from dashboard.services.actors import SYSTEM
from models import Application, Candidate, Job, StageAssessment
from tests.browser.conftest import running_app
from tests.browser.steps import on_the_apps_database, sign_in_on

pytestmark = [pytest.mark.browser, pytest.mark.own_app]  # its build would serve the demo app's port

CROWD = 130


def _waiting_to_be_sent(db_url: str) -> None:
    """CROWD candidates moved into the Data Engineer job's iMocha stage, which sends by hand."""
    with on_the_apps_database(db_url) as session:
        job = session.exec(select(Job).where(Job.title == "Data Engineer")).one()
        stages = plans.stages_of(session, job.id)
        [stage] = [
            s
            for s in stages
            if session.exec(select(StageAssessment).where(StageAssessment.stage_id == s.id)).first()
        ]
        for n in range(CROWD):
            application = pipeline.add_application(
                session=session,
                job_id=job.id,
                name=f"Paged {n:03}",
                email=f"paged{n:03}@example.com",
                actor=SYSTEM,
            )
            pipeline.move_application(
                session=session, application_id=application.id, stage_id=stage.id, actor=SYSTEM
            )


def _colleague_moves_back(db_url: str, names: list[str]) -> None:
    """A colleague moves these candidates back to Applied: their tests wait to be sent no more."""
    with on_the_apps_database(db_url) as session:
        job = session.exec(select(Job).where(Job.title == "Data Engineer")).one()
        applied = plans.stages_of(session, job.id)[0]
        for name in names:
            application_id = session.exec(
                select(Application.id).join(Candidate).where(Candidate.name == name)
            ).one()
            pipeline.move_application(
                session=session, application_id=application_id, stage_id=applied.id, actor=SYSTEM
            )


@pytest.fixture(scope="module")
def crowded_app(browser_sandbox_url):
    with running_app(browser_sandbox_url) as app:
        _waiting_to_be_sent(app.db_url)
        yield app


def test_a_long_bucket_pages_and_its_second_page_stays_put_as_colleagues_work_the_first(
    page, crowded_app, shoot
):
    sign_in_on(page, crowded_app.url, "recruiter@assay.test")
    page.goto(f"{crowded_app.url}/queue")
    label = page.locator(".queue-page")
    expect(label).to_have_text(re.compile(r"^1-100 of \d+$"))
    total = int(label.inner_text().rsplit(" ", 1)[1])
    assert total > 100
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    crowd = page.get_by_role("link", name=re.compile(r"^Paged \d+$"))
    on_page_one = crowd.all_inner_texts()

    page.get_by_role("button", name="Next").click()
    expect(label).to_have_text(f"101-{total} of {total}")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    expect(crowd.first).not_to_have_text(on_page_one[0])
    shown = crowd.all_inner_texts()
    page.get_by_label(f"Select {shown[0]}").click()
    page.get_by_label(f"Select {shown[1]}").click()
    expect(page.get_by_role("button", name=re.compile(r"Send selected \(2\)"))).to_be_visible()

    # A colleague takes 20 candidates of page one off the list: page two keeps its rows and ticks.
    _colleague_moves_back(crowded_app.db_url, on_page_one[:20])
    expect(label).to_have_text(f"81-{total - 20} of {total - 20}")
    expect(page.get_by_role("link", name=shown[0], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Send selected \(2\)"))).to_be_visible()

    # Then one of the two ticked: it leaves the selection, and the page says so.
    _colleague_moves_back(crowded_app.db_url, [shown[0]])
    expect(page.get_by_role("button", name=re.compile(r"Send selected \(1\)"))).to_be_visible()
    expect(page.locator(".queue-unticked")).to_have_text(
        "1 selected row left this page meanwhile (sent, moved on or changed, by a colleague or the vendor) "
        "and is no longer selected."
    )
    shoot("queue-second-page-stays-put")

    page.get_by_role("button", name="Previous").click()
    expect(label).to_have_text(f"1-100 of {total - 21}")
