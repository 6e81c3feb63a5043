"""A stage's test (or live-interview link) left on a disconnected connection moves to a connected
connection of the same vendor, only where that connection lists the test (asked in the sandbox)."""

import datetime

import pytest
from sqlmodel import select

from dashboard.services import attempt_actions, interviews, pipeline, plan_connections, plans, views
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import disconnect, list_vendor_tests
from models import (
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Integration,
    IntegrationLog,
    Interview,
    Job,
    Stage,
    StageAssessment,
)
from tests.conftest import (
    a_colleague_meanwhile,
    connect_pads,
    connect_screen,
    enter_stage,
    link_pads,
    send_test,
    vendor_test_stages,
)


def _audit(session, integration_id: int) -> list[str]:
    return list(
        session.exec(
            select(IntegrationLog.message).where(
                IntegrationLog.integration_id == integration_id, IntegrationLog.kind == "audit"
            )
        )
    )


def test_a_test_left_on_a_disconnected_connection_moves_to_the_reconnected_one_and_candidates_enter(
    session, pipeline_with_assessment, sandbox
):
    """Found by a walk: disconnected and connected again, CoderPad Screen was a new connection the
    stage did not use; every move into the stage was refused, and only removing the test and adding
    it again (by hand, from the picker) let candidates in."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    again = connect_screen(session)
    revision = session.get(Job, p.job.id).revision

    repair = plan_connections.repair_for_test(session, test.id)

    assert repair.offers == [(again.id, "CoderPad Screen")]
    assert repair.text.startswith(f"1 connected CoderPad Screen connection lists {test.vendor_test_name}:")
    said = plan_connections.use_for_test(
        session=session, stage_test_id=test.id, integration_id=again.id, actor=SYSTEM
    )

    assert said == (
        f"CoderPad assessment sends {test.vendor_test_name} through CoderPad Screen now: "
        "candidates can enter it."
    )
    session.expire_all()
    assert session.get(StageAssessment, test.id).integration_id == again.id
    assert session.get(Job, p.job.id).revision > revision  # open plan pages and boards refresh
    assert _audit(session, again.id)[-1] == (
        f"CoderPad assessment (Backend Engineer) sends {test.vendor_test_name} through this "
        f"connection, in place of {session.get(Integration, p.integration.id).name}."
    )
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    assert (attempt.integration_id, attempt.state) == (again.id, AttemptState.READY_TO_SEND)
    with pytest.raises(UserError, match="which is connected"):  # nothing left to repair
        plan_connections.repair_for_test(session, test.id)


def test_a_test_no_connected_connection_lists_is_not_moved_and_the_plan_change_is_named(
    session, pipeline_with_assessment, sandbox
):
    """A connection of the same vendor may be another account, without that test: moving the stage
    onto it would send candidates a test that is not there, so it is offered only where listed."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)

    nothing = plan_connections.repair_for_test(session, test.id)
    assert nothing.offers == []
    assert nothing.text == (
        f"No connected CoderPad Screen connection lists {test.vendor_test_name}. Remove it from "
        "CoderPad assessment (its x) and add one a connected vendor offers (Add assessment); an admin "
        "can connect CoderPad Screen on the integrations page, and this test can then move to it."
    )

    test.vendor_test_id = "campaign-deleted-at-the-vendor"  # no account lists it any more
    session.add(test)
    session.commit()
    again = connect_screen(session)
    assert plan_connections.repair_for_test(session, test.id).offers == []
    with pytest.raises(UserError, match="CoderPad Screen does not list"):
        plan_connections.use_for_test(
            session=session, stage_test_id=test.id, integration_id=again.id, actor=SYSTEM
        )
    pads = connect_pads(session)
    with pytest.raises(UserError, match="CoderPad Interview connects another vendor"):
        plan_connections.use_for_test(
            session=session, stage_test_id=test.id, integration_id=pads.id, actor=SYSTEM
        )
    session.expire_all()
    assert session.get(StageAssessment, test.id).integration_id == p.integration.id


def test_a_test_is_not_moved_onto_a_connection_a_colleague_disconnects_as_the_vendor_is_asked(
    session, pipeline_with_assessment, sandbox
):
    """helper-118: the connection chosen was checked live, then the vendor asked (seconds); a
    colleague's Disconnect meanwhile (its question naming no stage, the stage still on the old one)
    and the stage was moved onto it all the same, the admin told "candidates can enter it"."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    again = connect_screen(session)
    again_id = again.id

    def after_the_listing(state) -> bool:  # the stage's tests read, once the vendor has answered
        entities = {d["entity"] for d in state.statement.column_descriptions} if state.is_select else set()
        return StageAssessment in entities and "stage_id" in str(state.statement.whereclause)

    with (
        a_colleague_meanwhile(
            session,
            after_the_listing,
            lambda own: disconnect(session=own, integration_id=again_id, actor=SYSTEM),
        ),
        pytest.raises(NotFound, match="a colleague disconnected it"),
    ):
        plan_connections.use_for_test(
            session=session, stage_test_id=test.id, integration_id=again_id, actor=SYSTEM
        )

    session.expire_all()
    assert session.get(StageAssessment, test.id).integration_id == p.integration.id


def test_a_live_interview_link_left_on_a_disconnected_connection_moves_and_interviews_are_booked(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    pads, template_name = link_pads(session, p.applied.id)
    disconnect(session=session, integration_id=pads.id, actor=SYSTEM)
    again = connect_pads(session)

    repair = plan_connections.repair_for_link(session, p.applied.id)
    assert repair.offers == [(again.id, "CoderPad Interview")]
    assert repair.text == (
        f"1 connected CoderPad Interview connection lists {template_name}: interviews booked in "
        "Applied get their link through the one you choose."
    )
    said = plan_connections.use_for_link(
        session=session, stage_id=p.applied.id, integration_id=again.id, actor=SYSTEM
    )

    assert said == "Interviews booked in Applied get their link through CoderPad Interview now."
    room = _book(session, p.application.id)
    assert (room.integration_id, room.state) == (again.id, AttemptState.SENT)
    assert "makes its live-interview link" in _audit(session, again.id)[-1]


def test_booking_in_a_stage_whose_live_link_was_disconnected_is_refused_before_anything_is_saved(
    session, pipeline_with_assessment, sandbox
):
    """Found by a walk: the interview was saved, in the history, then its room failed with "reconnect
    it first"; the recruiter was told to do what cannot help, with a booking made for nothing."""
    p = pipeline_with_assessment
    pads, _template = link_pads(session, p.applied.id)
    disconnect(session=session, integration_id=pads.id, actor=SYSTEM)

    with pytest.raises(UserError) as refused:
        _booked(session, p.application.id)

    old = session.get(Integration, pads.id).name
    assert str(refused.value) == (
        f"Applied's live-interview link is made through {old}: nothing was booked. Repair the link "
        "in the interview plan (or remove it there), then book the interview again."
    )
    session.rollback()
    assert session.exec(select(Interview)).all() == []
    assert session.exec(select(AssessmentAttempt)).all() == []
    assert not any("Interview" in e for e in session.exec(select(ApplicationEvent.summary)))


def test_a_test_archived_at_the_vendor_is_marked_on_the_plan_once_a_send_of_it_is_refused(session, sandbox):
    """Found by trying it: a test archived at HackerRank while the connection stayed connected left
    the plan looking fine; each candidate moved into the stage failed, one by one, with the vendor's
    words, and nothing on the plan said the stage sent a test that was gone."""
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    [test] = plans.tests_of(session, stage.id)
    sandbox.post("/_sandbox/hackerrank/catalog", json={"archive": test.vendor_test_id})

    first = pipeline.move_application(
        session=session,
        application_id=pipeline.add_application(
            session=session, job_id=stage.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
        ).id,
        stage_id=stage.id,
        actor=SYSTEM,
    )

    gone = (
        f"HackerRank no longer lists {test.vendor_test_name}: sending it is refused. In the "
        "interview plan, remove it from HackerRank test (its x) and add one the vendor offers (Add assessment)."
    )
    assert first.not_sent[0].endswith(gone)
    [shown] = next(s for s in views.plan(session, stage.job_id).stages if s.id == stage.id).tests
    assert (shown.broken, shown.unlisted) == ("", gone)
    assert session.get(AssessmentAttempt, first.attempt_ids[0]).state == AttemptState.ERROR


def _archived_and_refused(session, sandbox, stage, email: str = "ada@example.com"):
    """The stage's HackerRank test archived at the vendor, and a candidate moved in: refused."""
    [test] = plans.tests_of(session, stage.id)
    sandbox.post("/_sandbox/hackerrank/catalog", json={"archive": test.vendor_test_id})
    moved = pipeline.move_application(
        session=session,
        application_id=pipeline.add_application(
            session=session, job_id=stage.job_id, name=email.split("@")[0], email=email, actor=SYSTEM
        ).id,
        stage_id=stage.id,
        actor=SYSTEM,
    )
    return test, moved


def _unlisted(session, stage) -> str:
    session.expire_all()
    [shown] = next(s for s in views.plan(session, stage.job_id).stages if s.id == stage.id).tests
    return shown.unlisted


def test_a_listing_that_shows_the_test_again_clears_its_mark(session, sandbox):
    """Archived by mistake and restored at the vendor: the next listing of the connection (the
    test picker, a repair) finds it, and the plan no longer calls it gone."""
    hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    test, _moved = _archived_and_refused(session, sandbox, stage)
    assert _unlisted(session, stage).startswith("HackerRank no longer lists")

    sandbox.post("/_sandbox/hackerrank/catalog", json={"restore": test.vendor_test_id})
    list_vendor_tests(session=session, integration_id=hackerrank.id)

    assert _unlisted(session, stage) == ""


def test_a_send_of_the_test_that_goes_through_clears_its_mark(session, sandbox):
    """Found in a review: restored at the vendor, the test went out again, yet the plan still said
    sending it was refused, until someone happened to open the test picker."""
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    test, _moved = _archived_and_refused(session, sandbox, stage)
    sandbox.post("/_sandbox/hackerrank/catalog", json={"restore": test.vendor_test_id})

    sent = session.get(
        AssessmentAttempt, enter_stage(session, stage, name="Linus", email="linus@example.com")
    )

    assert sent.state == AttemptState.SENT
    assert _unlisted(session, stage) == ""


def test_a_listing_alone_marks_no_test_it_leaves_out(session, sandbox):
    """Found in a review: a listing read short (an unverified page size, an empty reply) would have
    marked every plan test past it as gone; only a refused send of the test marks it."""
    hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Backend")
    [test] = plans.tests_of(session, stage.id)
    test.vendor_test_id = "410098"  # a test HackerRank does not list
    session.add(test)
    session.commit()

    list_vendor_tests(session=session, integration_id=hackerrank.id)

    assert _unlisted(session, stage) == ""


def test_the_listing_is_asked_again_ten_minutes_after_it_was_last_asked(session, sandbox):
    """Found in a review: counted from the last refusal of any kind, a stage refusing a stream of
    candidates for another reason never asked again, so a test archived meanwhile was never marked."""
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    [test] = plans.tests_of(session, stage.id)
    sandbox.faults(vendor="hackerrank", fail_next=[{"status": 400}])  # refused for another reason
    enter_stage(session, stage, name="grace", email="grace@example.com")
    assert _unlisted(session, stage) == ""
    session.refresh(test)
    test.listing_asked_at -= plan_connections.ASK_AGAIN_AFTER  # ten minutes on, refusals since or not
    session.add(test)
    session.commit()

    _archived_and_refused(session, sandbox, stage)

    assert _unlisted(session, stage).startswith("HackerRank no longer lists")


def test_a_campaign_archived_at_coderpad_screen_is_named_when_its_send_is_refused(
    session, pipeline_with_assessment, sandbox
):
    """CoderPad Screen says it with a 400 ("does not exist"), not HackerRank's 422: the listing is
    asked either way, and the failed attempt's reason names the plan's change."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    sandbox.post("/_sandbox/coderpad_screen/catalog", json={"archive": test.vendor_test_id})

    attempt = send_test(session, p.assessment, p.application)

    assert attempt.state == AttemptState.ERROR
    assert attempt.error_reason == (
        f"CoderPad Screen refused: Campaign {test.vendor_test_id} does not exist. CoderPad Screen no "
        f"longer lists {test.vendor_test_name}: sending it is refused. In the interview plan, remove it "
        "from CoderPad assessment (its x) and add one the vendor offers (Add assessment)."
    )


def test_sends_of_a_listed_test_refused_for_another_reason_ask_the_listing_once(
    session, pipeline_with_assessment, sandbox
):
    """Refused for another reason, the test is listed and stays unmarked: a bulk send must not
    list the vendor's catalogue once per candidate."""
    p = pipeline_with_assessment
    p.assessment.send_automatically = True
    session.add(p.assessment)
    session.commit()
    sandbox.faults(fail_next=[{"status": 400}, {"delay_ms": 0}, {"status": 400}])  # send, listing, send
    calls_before = sandbox.stats()["api_requests"]

    attempts = [
        session.get(AssessmentAttempt, enter_stage(session, p.assessment, name=n, email=f"{n}@example.com"))
        for n in ("grace", "linus")
    ]

    assert [a.state for a in attempts] == [AttemptState.ERROR, AttemptState.ERROR]
    assert sandbox.stats()["api_requests"] == calls_before + 3  # two sends, one listing
    [shown] = next(s for s in views.plan(session, p.job.id).stages if s.id == p.assessment.id).tests
    assert shown.unlisted == ""


def _booked(session, application_id: int, *, days: int = 1, interviewers: str = "Grace Hopper") -> Interview:
    """An interview booked ``days`` from now."""
    return interviews.schedule_interview(
        session=session,
        application_id=application_id,
        scheduled_for=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days),
        interviewers=interviewers,
        actor=SYSTEM,
    )


def _book(session, application_id: int) -> AssessmentAttempt:
    """An interview booked for tomorrow; its room at the vendor, made from the stage's template."""
    return session.get(AssessmentAttempt, _booked(session, application_id).attempt_id)


def _another_applicant(session, p, name: str) -> int:
    """Another applicant to the job, in its first stage."""
    return pipeline.add_application(
        session=session, job_id=p.job.id, name=name, email=f"{name.lower()}@example.com", actor=SYSTEM
    ).id


def _link_unlisted(session, stage_id: int) -> str:
    session.expire_all()
    stage = session.get(Stage, stage_id)
    shown = next(s for s in views.plan(session, stage.job_id).stages if s.id == stage_id)
    assert shown.live_broken == ""  # the connection is connected: only the template is gone
    return shown.live_unlisted


def _deleted_link_booked(session, sandbox, p) -> tuple[str, AssessmentAttempt]:
    """Applied's interviews get a CoderPad Interview pad from a question, deleted at CoderPad; one
    booked since. The question's name and the room refused."""
    _pads, question = link_pads(session, p.applied.id)
    deleted = sandbox.post(
        "/_sandbox/coderpad_interview/catalog",
        json={"archive": session.get(Stage, p.applied.id).live_template_id},
    )
    assert deleted.status_code == 200
    return question, _book(session, p.application.id)


def test_a_live_interview_template_deleted_at_the_vendor_is_marked_on_the_plan_once_a_booking_is_refused(
    session, pipeline_with_assessment, sandbox
):
    """Found by trying it: a question deleted in CoderPad left the plan's live-interview link looking
    fine; each interview booked in the stage got no room, one candidate at a time, with CoderPad's
    "Resource not found", and nothing said the link was what had to change."""
    p = pipeline_with_assessment
    question, room = _deleted_link_booked(session, sandbox, p)

    gone = (
        f"CoderPad Interview no longer lists {question}: interviews booked in Applied get no link. In the "
        "interview plan, remove the link from Applied (Remove) and choose one the vendor offers "
        "(Default live-interview link)."
    )
    assert room.state == AttemptState.ERROR
    assert room.error_reason == f"CoderPad Interview refused: Resource not found. {gone}"
    assert _link_unlisted(session, p.applied.id) == gone
    # Seen in the walk: the booking's toast said "Interview scheduled." in green, the refusal
    # only on the room's card below.
    [interview] = session.exec(select(Interview).where(Interview.attempt_id == room.id)).all()
    told = interviews.booking_outcome(session, interview)
    assert (told.sent, told.failed) == (True, True)
    assert told.message == f"Interview scheduled, but its link was not made: {room.error_reason}"


def test_a_codesignal_template_deleted_at_the_vendor_is_marked_when_a_booking_is_refused_in_graphql(
    session, pipeline_with_assessment, sandbox
):
    """CodeSignal refuses with a GraphQL error in a 200, not a 404: the listing is asked either way."""
    p = pipeline_with_assessment
    codesignal, _stages = vendor_test_stages(session, "codesignal")
    template = next(
        t for t in list_vendor_tests(session=session, integration_id=codesignal.id) if t.live_interview
    )
    plans.set_live_interview_template(
        session=session,
        stage_id=p.applied.id,
        integration_id=codesignal.id,
        template_id=template.id,
        template_name=template.name,
    )
    sandbox.post("/_sandbox/codesignal/catalog", json={"archive": template.id.removeprefix("live:")})

    room = _book(session, p.application.id)

    assert room.state == AttemptState.ERROR
    assert room.error_reason.startswith("CodeSignal refused: Interview template not found. ")
    assert _link_unlisted(session, p.applied.id).startswith(f"CodeSignal no longer lists {template.name}:")


def test_a_booking_whose_room_is_made_again_clears_the_links_mark(session, pipeline_with_assessment, sandbox):
    """The question brought back at CoderPad: the next interview gets its room, and the plan stops
    calling the link gone."""
    p = pipeline_with_assessment
    _question, _room = _deleted_link_booked(session, sandbox, p)
    sandbox.post(
        "/_sandbox/coderpad_interview/catalog",
        json={"restore": session.get(Stage, p.applied.id).live_template_id},
    )

    room = _book(session, p.application.id)

    assert room.state == AttemptState.SENT
    assert _link_unlisted(session, p.applied.id) == ""


def test_choosing_another_live_interview_template_clears_the_links_mark(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _question, _room = _deleted_link_booked(session, sandbox, p)
    pads = session.get(Stage, p.applied.id).live_integration_id
    other = [t for t in list_vendor_tests(session=session, integration_id=pads) if t.live_interview][1]

    plans.set_live_interview_template(
        session=session,
        stage_id=p.applied.id,
        integration_id=pads,
        template_id=other.id,
        template_name=other.name,
    )

    assert _link_unlisted(session, p.applied.id) == ""
    assert _book(session, p.application.id).state == AttemptState.SENT


def test_a_listing_that_shows_the_template_again_clears_the_links_mark(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _question, _room = _deleted_link_booked(session, sandbox, p)
    stage = session.get(Stage, p.applied.id)
    sandbox.post("/_sandbox/coderpad_interview/catalog", json={"restore": stage.live_template_id})

    list_vendor_tests(session=session, integration_id=stage.live_integration_id)  # the picker opened

    assert _link_unlisted(session, p.applied.id) == ""


def test_refused_bookings_ask_for_the_templates_at_most_every_ten_minutes(
    session, pipeline_with_assessment, sandbox
):
    """As for a plan's tests: a day of bookings refused for another reason would list the question
    bank once per interview; the last answer stands for ten minutes from the asking."""
    p = pipeline_with_assessment
    _pads, _question = link_pads(session, p.applied.id)
    sandbox.faults(vendor="coderpad_interview", fail_next=[{"status": 400}])  # refused for another reason
    assert _book(session, p.application.id).state == AttemptState.ERROR
    asked = sandbox.stats("coderpad_interview")["list_requests"]
    sandbox.post(
        "/_sandbox/coderpad_interview/catalog",
        json={"archive": session.get(Stage, p.applied.id).live_template_id},
    )

    # Other candidates' interviews: a candidate's own booked again takes up their failed room,
    # looked for at the vendor first.
    assert _book(session, _another_applicant(session, p, "Grace")).state == AttemptState.ERROR
    assert sandbox.stats("coderpad_interview")["list_requests"] == asked  # not asked again
    assert _link_unlisted(session, p.applied.id) == ""
    stage = session.get(Stage, p.applied.id)
    stage.live_template_listing_asked_at -= plan_connections.ASK_AGAIN_AFTER
    session.add(stage)
    session.commit()

    _book(session, _another_applicant(session, p, "Alan"))

    assert _link_unlisted(session, p.applied.id).startswith("CoderPad Interview no longer lists")


def _another_template(session, stage: Stage):
    """A live-interview template the stage's vendor offers other than the stage's own."""
    return next(
        t
        for t in list_vendor_tests(session=session, integration_id=stage.live_integration_id)
        if t.live_interview and t.id != stage.live_template_id
    )


def _another_link(session, stage_id: int):
    """The stage's link replaced, as the refusal's words say, by another template its vendor offers."""
    stage = session.get(Stage, stage_id)
    other = _another_template(session, stage)
    plans.set_live_interview_template(
        session=session,
        stage_id=stage.id,
        integration_id=stage.live_integration_id,
        template_id=other.id,
        template_name=other.name,
    )
    return other


def _said_of(session, attempt_id: int) -> list[str]:
    return list(
        session.exec(select(ApplicationEvent.summary).where(ApplicationEvent.attempt_id == attempt_id))
    )


def test_retrying_a_room_refused_for_a_deleted_template_makes_it_from_the_link_chosen_since(
    session, pipeline_with_assessment, sandbox
):
    """helper-81 saw it: the recruiter replaced the link as the words said, then pressed Retry on the
    room, which asked CoderPad for the deleted question again and failed again; only cancelling the
    interview and booking it anew helped, and nothing said so. The interview gets a room from the
    link now, and the failed one is set aside."""
    p = pipeline_with_assessment
    deleted, failed = _deleted_link_booked(session, sandbox, p)
    other = _another_link(session, p.applied.id)

    outcome = attempt_actions.retry(session=session, attempt_id=failed.id, actor=SYSTEM)

    session.expire_all()
    [interview] = session.exec(select(Interview).where(Interview.application_id == p.application.id)).all()
    room = session.get(AssessmentAttempt, interview.attempt_id)
    assert (room.state, room.vendor_test_id, room.attempt_number) == (AttemptState.SENT, other.id, 1)
    assert not outcome.failed
    assert session.get(AssessmentAttempt, failed.id).state == AttemptState.CANCELLED
    assert (
        f"{deleted}: set aside: its interview meets in a room from the plan's link now, {other.name}"
        in _said_of(session, failed.id)
    )


def _rooms(session, application_id: int) -> set[int]:
    """The rooms (attempts) the application's interviews meet in."""
    return {
        i.attempt_id
        for i in session.exec(select(Interview).where(Interview.application_id == application_id))
    }


def test_a_second_interview_booked_while_the_room_failed_meets_with_the_first_in_the_linked_room(
    session, pipeline_with_assessment, sandbox
):
    """helper-85's review: two interviews booked while the template was deleted got a failed room
    each; once the link was replaced, retrying both broke the one-open-room index. The second
    booking now takes up the first's failed room (booking shares a room, and the vendor may have
    made the first after all); its retry, once the link is replaced, opens one room from it."""
    p = pipeline_with_assessment
    _deleted, first = _deleted_link_booked(session, sandbox, p)
    second = _book(session, p.application.id)
    assert second.id == first.id and second.state == AttemptState.ERROR
    _another_link(session, p.applied.id)

    outcome = attempt_actions.retry(session=session, attempt_id=first.id, actor=SYSTEM)

    session.expire_all()
    rooms = _rooms(session, p.application.id)
    assert len(rooms) == 1 and session.get(AssessmentAttempt, rooms.pop()).state == AttemptState.SENT
    assert not outcome.failed, outcome.message
    assert session.get(AssessmentAttempt, first.id).state == AttemptState.CANCELLED


def test_two_failed_rooms_kept_from_before_are_retried_into_one_room(
    session, pipeline_with_assessment, sandbox
):
    """helper-85's review, for the rooms booked before a second booking took up the first's: two
    interviews, each with a failed room of the deleted template. Once the link was replaced, the
    first retry opened a room from it, and the second, moving its room onto the same template,
    broke the one-open-room index. The second interview meets in the first's room."""
    p = pipeline_with_assessment
    _deleted, first = _deleted_link_booked(session, sandbox, p)
    second_interview = _booked(session, p.application.id, days=2, interviewers="Alan Turing")
    # As a booking made its own room before: a copy of the first's failed room, a reference its own.
    kept = {k: v for k, v in first.model_dump().items() if k != "id"}
    second = AssessmentAttempt(**{**kept, "reference": "assay-kept-from-before"})
    session.add(second)
    session.flush()
    second_interview.attempt_id = second.id
    session.add(second_interview)
    session.commit()
    _another_link(session, p.applied.id)

    attempt_actions.retry(session=session, attempt_id=first.id, actor=SYSTEM)
    outcome = attempt_actions.retry(session=session, attempt_id=second.id, actor=SYSTEM)

    session.expire_all()
    rooms = _rooms(session, p.application.id)
    assert len(rooms) == 1 and session.get(AssessmentAttempt, rooms.pop()).state == AttemptState.SENT
    assert not outcome.failed and outcome.message.startswith("Its interview meets in the room already open")
    assert session.get(AssessmentAttempt, second.id).state == AttemptState.CANCELLED


def test_a_link_replaced_while_the_vendor_is_asked_is_not_marked_for_the_old_templates_refusal(
    session, pipeline_with_assessment, sandbox
):
    """helper-85's review: the refused room's template is looked up on the stage, whose link a
    colleague may replace while the vendor's listing is read (seconds); the mark then landed on the
    template just chosen, and the plan called it gone."""
    p = pipeline_with_assessment
    _pads, _question = link_pads(session, p.applied.id)
    stage = session.get(Stage, p.applied.id)
    sandbox.post("/_sandbox/coderpad_interview/catalog", json={"archive": stage.live_template_id})
    other = _another_template(session, stage)

    def colleague_replaces_the_link(own) -> None:
        plans.set_live_interview_template(
            session=own,
            stage_id=stage.id,
            integration_id=stage.live_integration_id,
            template_id=other.id,
            template_name=other.name,
        )

    def the_room_looked_up(state) -> bool:  # the refusal's first look, at whose room it was
        return state.is_select and Interview in {d["entity"] for d in state.statement.column_descriptions}

    with a_colleague_meanwhile(session, the_room_looked_up, colleague_replaces_the_link):
        room = _book(session, p.application.id)

    assert room.state == AttemptState.ERROR
    session.expire_all()
    assert session.get(Stage, stage.id).live_template_id == other.id
    assert _link_unlisted(session, stage.id) == ""


def test_a_listing_of_blank_pads_alone_marks_no_template(session, pipeline_with_assessment, sandbox):
    """helper-85's review: CoderPad Interview's listing always ends with the blank pads, made up
    here, so it was never empty: a question bank read as empty (a key whose user sees no team
    questions, a misread page) marked the refused room's question as deleted, which the guard
    against an empty listing is there to prevent."""
    p = pipeline_with_assessment
    pads, _question = link_pads(session, p.applied.id)
    for test in list_vendor_tests(session=session, integration_id=pads.id):
        if not test.built_in:
            sandbox.post("/_sandbox/coderpad_interview/catalog", json={"archive": test.id})

    room = _book(session, p.application.id)

    assert room.state == AttemptState.ERROR
    assert _link_unlisted(session, p.applied.id) == ""
