"""Scheduling a live interview: what the interviewers box may hold, and a rejection calling it off."""

import datetime

import pytest
from sqlmodel import select

from dashboard.services import (
    accounts,
    assessments,
    attempt_actions,
    interviews,
    pipeline,
    plans,
    queue_view,
    reopening,
    review,
    views,
)
from dashboard.services.actors import SYSTEM, user
from dashboard.services.errors import UserError
from dashboard.services.integrations import list_vendor_tests, provider_for
from models import (
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Interview,
    Job,
    Role,
    utcnow,
)
from providers.base import AttemptStatus, Progress
from tests.conftest import a_colleague_meanwhile, codesignal_rooms_in_two_jobs


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


def _with_rooms(session, p) -> None:
    """Interviews in Applied get a room at the vendor, made from the stage's live template."""
    campaign = list_vendor_tests(session=session, integration_id=p.integration.id)[0]
    plans.set_live_interview_template(
        session=session,
        stage_id=p.applied.id,
        integration_id=p.integration.id,
        template_id=campaign.id,
        template_name="Pairing room",
    )


def test_one_interview_is_cancelled_on_its_own_and_its_room_withdrawn_once_no_interview_meets_in_it(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: an interview could be called off only by rejecting the candidate; one
    who asked to move theirs kept a booked slot and a live link nobody would use."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    moved = _schedule(session, p.application.id, "Grace Hopper")
    kept = _schedule(session, p.application.id, "Alan Kay")
    at = f"{moved.scheduled_for:%Y-%m-%d %H:%M} UTC with Grace Hopper"

    kept_at = f"{kept.scheduled_for:%Y-%m-%d %H:%M} UTC with Alan Kay"
    assert moved.attempt_id == kept.attempt_id  # one room for the stage's interviews
    # Seen in a walk: the room read "One-off", as if a test had been sent outside the plan.
    [room_view] = views.application(session, p.application.id).attempts
    assert room_view.stage_name == "Interview room"

    outcome = interviews.cancel_interview(session=session, interview_id=moved.id, actor=SYSTEM)

    assert (outcome.sent, outcome.failed) == (True, False)
    assert outcome.message == (
        f"Interview on {at} cancelled; tell the interviewers. "
        f"Its link stays: the interview on {kept_at} uses it too."
    )
    session.refresh(moved), session.refresh(kept)
    assert moved.cancelled_at is not None and kept.cancelled_at is None
    assert session.get(AssessmentAttempt, kept.attempt_id).state == AttemptState.SENT
    assert f"Interview on {at} cancelled" in session.exec(select(ApplicationEvent.summary)).all()
    assert [i.id for i in interviews.upcoming(session, p.application.id)] == [kept.id]

    last = interviews.cancel_interview(session=session, interview_id=kept.id, actor=SYSTEM)

    assert last.message == f"Interview on {kept_at} cancelled; tell the interviewers. Its link stops working."
    # The room is withdrawn at the vendor and not readied again (a fresh "needs sending").
    [room] = session.exec(select(AssessmentAttempt)).all()
    assert room.state == AttemptState.CANCELLED
    assert provider_for(p.integration).fetch(room.vendor_attempt_id).raw_status == "cancelled"
    again = interviews.cancel_interview(session=session, interview_id=moved.id, actor=SYSTEM)
    assert (again.sent, again.message) == (False, "Already cancelled.")


def test_two_colleagues_cancelling_the_two_interviews_in_a_room_at_once_withdraw_it(
    session, pipeline_with_assessment, sandbox
):
    """helper-120: each cancel found the other interview still booked, so each kept the room for
    it, and the room stayed open, its link live, for no interview."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    first = _schedule(session, p.application.id, "Grace Hopper")
    second = _schedule(session, p.application.id, "Alan Kay")
    second_id = second.id
    upcoming_read = iter(range(2))

    def sharing_read(state) -> bool:  # the cancel's second look at what is booked: who shares the room
        return (
            state.is_select
            and "interview.scheduled_for >" in str(state.statement)
            and next(upcoming_read, 1) == 1
        )

    told: list[str] = []
    with a_colleague_meanwhile(
        session,
        sharing_read,
        lambda own: told.append(
            interviews.cancel_interview(session=own, interview_id=second_id, actor=SYSTEM).message
        ),
    ):
        interviews.cancel_interview(session=session, interview_id=first.id, actor=SYSTEM)

    session.expire_all()
    room = session.get(AssessmentAttempt, first.attempt_id)
    assert room.state == AttemptState.CANCELLED
    assert told[0].endswith("Its link stops working.")


def test_a_room_the_vendor_will_not_withdraw_leaves_the_interview_cancelled_and_says_its_link_works(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _with_rooms(session, p)
    interview = _schedule(session, p.application.id, "Grace Hopper")
    sandbox.faults(vendor="coderpad_screen", fail_next=[{"status": 400}])

    outcome = interviews.cancel_interview(session=session, interview_id=interview.id, actor=SYSTEM)

    assert outcome.failed and "cancelled; tell the interviewers. Its link still works: " in outcome.message
    session.refresh(interview)
    assert interview.cancelled_at is not None
    assert session.get(AssessmentAttempt, interview.attempt_id).state == AttemptState.SENT


def test_an_interview_whose_time_has_passed_is_not_cancelled(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    held = _schedule(session, p.application.id, "Grace Hopper")
    held.scheduled_for = utcnow() - datetime.timedelta(hours=1)
    session.add(held)
    session.commit()
    with pytest.raises(UserError, match="time has passed"):
        interviews.cancel_interview(session=session, interview_id=held.id, actor=SYSTEM)
    session.refresh(held)
    assert held.cancelled_at is None


def test_a_room_cancelled_on_its_own_is_readied_again_for_the_interview_still_booked_in_it(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: whether a cancelled room was readied again went by whichever interview
    the database named first, so one cancelled interview left the other booked without a room."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    moved = _schedule(session, p.application.id, "Grace Hopper")
    kept = _schedule(session, p.application.id, "Alan Kay")
    interviews.cancel_interview(session=session, interview_id=moved.id, actor=SYSTEM)  # the room stays

    attempt_actions.cancel_assessment(session=session, attempt_id=kept.attempt_id, actor=SYSTEM)

    session.refresh(kept)
    fresh = session.get(AssessmentAttempt, kept.attempt_id)
    assert fresh.state == AttemptState.READY_TO_SEND and fresh.attempt_number == 2


def test_a_room_waiting_to_be_sent_offers_no_other_test_and_refuses_one(
    session, pipeline_with_assessment, sandbox
):
    """helper-120: "Another test for this candidate" changed the newest attempt, here an interview's
    room readied again, into an ordinary test still marked as a live interview. It is offered on
    the card of a test that can change now, and a room refuses it."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    interview = _schedule(session, p.application.id, "Grace Hopper")
    attempt_actions.cancel_assessment(session=session, attempt_id=interview.attempt_id, actor=SYSTEM)
    session.refresh(interview)
    room = session.get(AssessmentAttempt, interview.attempt_id)
    assert (room.state, room.live_interview) == (AttemptState.READY_TO_SEND, True)

    shown = {a.id: a for a in views.application(session, p.application.id).attempts}
    with pytest.raises(UserError, match="interview's room"):
        attempt_actions.change_test(
            session=session,
            attempt_id=room.id,
            integration_id=p.integration.id,
            vendor_test_id="104",
            vendor_test_name="Go Services",
            actor=SYSTEM,
        )

    assert not shown[room.id].can_change_test
    assert session.get(AssessmentAttempt, room.id).vendor_test_name == "Pairing room"


def test_an_interview_booked_in_a_room_as_it_is_withdrawn_gets_a_room_of_its_own(
    session, pipeline_with_assessment, sandbox
):
    """helper-120: to move an interview, a recruiter booked the new time while a colleague cancelled
    the old one. The cancel had decided to withdraw the room (no other interview in it), and while
    the vendor was asked the booking took that room: withdrawn, the new interview was left a fresh
    room only readied, no link, the link handed out dead. Its room is made at once now, and said."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    old = _schedule(session, p.application.id, "Grace Hopper")
    application_id = p.application.id
    sandbox.faults(fail_next=[{"delay_ms": 1500}])  # the vendor slow to answer the withdrawal
    booked: list[Interview] = []

    def decided(state) -> bool:  # the cancel's own write, once it has decided what its room becomes
        return not state.is_select and str(state.statement).startswith("UPDATE job")

    with a_colleague_meanwhile(
        session, decided, lambda own: booked.append(_schedule(own, application_id, "Alan Kay"))
    ):
        outcome = interviews.cancel_interview(session=session, interview_id=old.id, actor=SYSTEM)
    sandbox.faults()

    session.expire_all()
    room = session.get(AssessmentAttempt, session.get(Interview, booked[0].id).attempt_id)
    assert (room.state, room.live_interview) == (AttemptState.SENT, True)
    assert outcome.message.endswith(": a new room was made for it; its link is on the interview.")


def test_a_room_whose_interviews_are_past_or_cancelled_is_not_readied_again(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _with_rooms(session, p)
    held = _schedule(session, p.application.id, "Grace Hopper")
    booked = _schedule(session, p.application.id, "Alan Kay")
    held.scheduled_for = utcnow() - datetime.timedelta(hours=2)  # it took place this morning
    session.add(held)
    session.commit()

    interviews.cancel_interview(session=session, interview_id=booked.id, actor=SYSTEM)

    [room] = session.exec(select(AssessmentAttempt)).all()
    assert room.state == AttemptState.CANCELLED  # withdrawn, and no fresh room for nobody


def test_an_interview_rooms_card_offers_no_cancel_resend_or_deadline(
    session, pipeline_with_assessment, sandbox
):
    """Found by a walk: the Onsite pad's card offered Cancel, Resend invitation and Extend
    deadline. A room is called off with its interview (Cancel interview, which says what becomes
    of the link), it emails no invitation and has its interview's time, not a deadline; here, on
    a vendor that can, Cancel would have withdrawn the room of an interview still booked."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    _schedule(session, p.application.id, "Grace Hopper")

    [room] = views.application(session, p.application.id).attempts

    assert room.live_interview and room.state == "sent"
    assert [a.name for a in room.actions if a.applicable] == []
    assert "cancel" not in [a.name for a in room.actions]  # resend and extend: there, not applicable


def _revision(session, job_id: int) -> int:
    return session.exec(select(Job.revision).where(Job.id == job_id)).one()


def test_booking_or_cancelling_an_interview_tells_the_colleagues_open_pages(
    session, pipeline_with_assessment
):
    """Found in a review: an interview booked in a stage with no room, or cancelled while its
    room stayed, changed nothing an open page watches, so a colleague's application page still
    showed it unbooked, or still offered Cancel on it."""
    p = pipeline_with_assessment
    before = _revision(session, p.job.id)
    booked = _schedule(session, p.application.id, "Grace Hopper")  # Applied has no room: no attempt made
    after_booking = _revision(session, p.job.id)

    interviews.cancel_interview(session=session, interview_id=booked.id, actor=SYSTEM)

    assert before < after_booking < _revision(session, p.job.id)


def test_a_failed_room_is_set_aside_with_the_interview_it_was_for(session, pipeline_with_assessment, sandbox):
    """Found in a review: cancelling the interview left its room, whose making had failed, in the
    queue's Failed with a Retry that would make a room for nobody."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    sandbox.faults(fail_next=[{"status": 400}])  # the vendor refuses to make the room
    interview = _schedule(session, p.application.id, "Grace Hopper")
    room = session.get(AssessmentAttempt, interview.attempt_id)
    assert room.state == AttemptState.ERROR
    assert queue_view.count_of(queue_view.counts(session), "failed") == 1

    outcome = interviews.cancel_interview(session=session, interview_id=interview.id, actor=SYSTEM)

    session.refresh(room)
    assert room.state == AttemptState.CANCELLED
    assert queue_view.count_of(queue_view.counts(session), "failed") == 0
    assert outcome.message.endswith(" Its room, which had failed, is set aside.")


def test_a_room_the_vendor_made_then_failed_stays_under_failed_with_its_interview_cancelled(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: a room the vendor had made, then reported failed, was set aside here
    alone while its link might still work at the vendor; it stays where a person sees it."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    interview = _schedule(session, p.application.id, "Grace Hopper")
    room = session.get(AssessmentAttempt, interview.attempt_id)
    assert room.vendor_attempt_id
    room.state = AttemptState.ERROR  # as the vendor's report of a failure leaves it
    session.add(room)
    session.commit()

    outcome = interviews.cancel_interview(session=session, interview_id=interview.id, actor=SYSTEM)

    session.refresh(room)
    assert room.state == AttemptState.ERROR
    assert outcome.message.endswith(" Its room failed at the vendor and stays under Failed in the queue.")


def test_a_rooms_cancel_resend_or_new_deadline_asked_from_a_page_drawn_before_is_refused(
    session, pipeline_with_assessment, sandbox
):
    """Found by helper-77: the card no longer offers them, but the server did them when asked
    (a page drawn before): a room withdrawn at the vendor while its interview stayed booked."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    _schedule(session, p.application.id, "Grace Hopper")
    room = session.exec(select(AssessmentAttempt).where(AssessmentAttempt.live_interview)).one()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=9)

    with pytest.raises(UserError, match=r"^An upcoming interview meets in this room: Cancel interview"):
        attempt_actions.cancel_by_hand(session=session, attempt_id=room.id, actor=SYSTEM)
    with pytest.raises(UserError, match=r"^An interview room has its interview's time, not a deadline\.$"):
        attempt_actions.extend_deadline(session=session, attempt_id=room.id, expires_at=later, actor=SYSTEM)
    with pytest.raises(UserError, match=r"^An interview room sends no invitation"):
        attempt_actions.resend_invitation(session=session, attempt_id=room.id, actor=SYSTEM)

    session.expire_all()
    assert session.get(AssessmentAttempt, room.id).state == AttemptState.SENT


def test_a_room_left_open_by_a_refused_withdrawal_can_be_cancelled_on_its_card(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: the vendor refused to withdraw the room as its interview was called off
    ("Its link still works"); the room's own Cancel, the one way to try again, was gone for good."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    interview = _schedule(session, p.application.id, "Grace Hopper")
    sandbox.faults(vendor="coderpad_screen", fail_next=[{"status": 400}])
    interviews.cancel_interview(session=session, interview_id=interview.id, actor=SYSTEM)
    [room] = views.application(session, p.application.id).attempts

    assert [a.name for a in room.actions if a.applicable and a.enabled] == ["cancel"]
    attempt_actions.cancel_by_hand(session=session, attempt_id=room.id, actor=SYSTEM)

    session.expire_all()
    assert session.get(AssessmentAttempt, room.id).state == AttemptState.CANCELLED


def test_a_codesignal_room_is_made_for_a_candidate_who_has_one_from_the_same_template_in_another_job(
    session, sandbox
):
    """helper-86 found it: CodeSignal's test sessions are reused per email (``preferExisting``), so a
    second job's send of the same test is stopped and offered as a re-take; its live interviews
    (``createLiveInterview``) never are, yet the room for Ada's second job was refused as if they
    were ("send a re-attempt", which a live interview cannot be), and its Retry refused again."""
    first_job, second_job = codesignal_rooms_in_two_jobs(session)
    first = _schedule(session, first_job, "Grace Hopper")

    second = _schedule(session, second_job, "Alan Kay")

    rooms = [session.get(AssessmentAttempt, i.attempt_id) for i in (first, second)]
    assert [r.state for r in rooms] == [AttemptState.SENT, AttemptState.SENT]
    assert rooms[0].vendor_attempt_id != rooms[1].vendor_attempt_id


def test_a_retried_room_does_not_take_the_room_of_another_job(session, sandbox):
    """helper-90's review: a room whose first send failed on our side is looked for at the vendor
    before it is made again, and CodeSignal finds a candidate's one pending interview by email alone:
    the second job's room took the first job's, and the first stopped hearing of it."""
    first_job, second_job = codesignal_rooms_in_two_jobs(session)
    first = session.get(AssessmentAttempt, _schedule(session, first_job, "Grace Hopper").attempt_id)
    sandbox.faults(vendor="codesignal", fail_next=[{"reset": True}] * 5)
    second = session.get(AssessmentAttempt, _schedule(session, second_job, "Alan Kay").attempt_id)
    assert second.state == AttemptState.ERROR and second.vendor_attempt_id is None
    sandbox.faults(vendor="codesignal")

    attempt_actions.retry(session=session, attempt_id=second.id, actor=SYSTEM)

    session.expire_all()
    first, second = session.get(AssessmentAttempt, first.id), session.get(AssessmentAttempt, second.id)
    assert second.state == AttemptState.SENT
    assert second.vendor_attempt_id != first.vendor_attempt_id


def test_an_interview_room_the_vendor_says_ended_waits_for_no_review(
    session, pipeline_with_assessment, sandbox
):
    """helper-114: the review page leaves interview rooms out (no result to rank), the queue's
    "needs review" did not: an ended room waited there for a review no page offered."""
    p = pipeline_with_assessment
    _with_rooms(session, p)
    room = session.get(AssessmentAttempt, _schedule(session, p.application.id, "Barbara Liskov").attempt_id)
    assert room.live_interview and room.vendor_attempt_id

    ended = AttemptStatus(room.vendor_attempt_id, Progress.COMPLETED, "ended")
    assessments.apply_vendor_status(
        session=session, integration_id=p.integration.id, status=ended, actor=SYSTEM
    )

    session.refresh(room)
    assert room.state == AttemptState.COMPLETED
    assert queue_view.rows(session, "needs_review") == []


def test_a_stage_where_an_interview_was_booked_can_be_deleted_and_the_interview_stays(
    session, pipeline_with_assessment
):
    """helper-159: the interview's stage was required, so deleting a stage where one had ever been
    booked failed on its foreign key (the plan page closed its dialog saying nothing)."""
    p = pipeline_with_assessment
    booked = _schedule(session, p.application.id, "Grace Hopper")  # in Applied, where Ada is

    pipeline.delete_stage(session=session, stage_id=p.applied.id, move_to_stage_id=p.onsite.id, actor=SYSTEM)

    session.expire_all()
    kept = session.get(Interview, booked.id)
    assert (kept.stage_id, kept.interviewers, kept.cancelled_at) == (None, "Grace Hopper", None)
    assert [s.name for s in plans.stages_of(session, p.job.id)] == ["CoderPad assessment", "Onsite"]
    assert "Grace Hopper" in repr(views.application(session, p.application.id).interviews)
