"""Candidates applying, and applications moving through the plan: what happens to a stage's
tests when a candidate leaves it."""

import pytest
from sqlmodel import select

from dashboard.services import assessments, board_view, pipeline, plans, queue_view
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from dashboard.services.integrations import disconnect
from models import Application, ApplicationEvent, AssessmentAttempt, AttemptState, Candidate
from models.lifecycle import OPEN_STATES
from tests.conftest import (
    a_colleague_adding,
    a_colleague_meanwhile,
    finished_in_stage,
    rejected_by_a_recruiter,
    selects,
    vendor_test_stages,
)


def _attempt(session, attempt_id: int) -> AssessmentAttempt:
    session.expire_all()
    return session.get(AssessmentAttempt, attempt_id)


def test_leaving_a_stage_withdraws_its_unsent_test_and_keeps_a_sent_one(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    entered = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    [unsent] = entered.attempt_ids

    left = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )

    assert _attempt(session, unsent).state == AttemptState.CANCELLED
    assert "Withdrew 1 unsent assessment of CoderPad assessment." in left.message
    assert queue_view.rows(session, "needs_sending") == []  # nothing waits for a stage they left
    summaries = [e.summary for e in session.exec(select(ApplicationEvent).order_by(ApplicationEvent.id))]
    assert any("withdrawn before it was sent" in s for s in summaries)

    back = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    [fresh] = back.attempt_ids
    assert fresh != unsent and _attempt(session, fresh).state == AttemptState.READY_TO_SEND
    assessments.send_assessment(session=session, attempt_id=fresh, actor=SYSTEM)

    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )

    assert _attempt(session, fresh).state == AttemptState.SENT  # the candidate may still take it
    assert sandbox.stats()["invitations_created"] == 1


@pytest.mark.parametrize(
    "email", ["", "  ", "@", "foo@", "@example.com", "a@b", "a b@example.com", "a@@b.com"]
)
def test_a_candidate_is_added_only_with_an_email_address_tests_can_be_sent_to(session, email):
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])

    with pytest.raises(UserError, match="email"):
        pipeline.add_application(session=session, job_id=job.id, name="Ada", email=email, actor=SYSTEM)

    assert session.exec(select(Candidate)).all() == []


def test_the_history_says_applied_once_and_names_a_first_stage_called_otherwise(session):
    """It read "Applied; entered Applied" for every plan starting, as most do, with Applied."""
    usual = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied", "Onsite"])
    other = plans.create_job(session=session, title="Data Engineer", stage_names=["Sourced", "Onsite"])
    for job in (usual, other):
        pipeline.add_application(
            session=session, job_id=job.id, name="Ada", email="ada@example.com", actor=SYSTEM
        )

    summaries = session.exec(select(ApplicationEvent.summary).order_by(ApplicationEvent.id)).all()

    assert summaries == ["Applied", "Applied; entered Sourced"]


def test_one_person_is_one_card_per_job_and_keeps_the_name_known_for_their_email(session):
    backend = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    data = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    first = pipeline.add_application(
        session=session, job_id=backend.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )

    with pytest.raises(
        UserError, match=r"Grace Hopper \(grace@example.com\) is already in this job, in Applied"
    ):
        pipeline.add_application(
            session=session, job_id=backend.id, name="G. Hopper", email=" GRACE@example.com ", actor=SYSTEM
        )
    other_job = pipeline.add_application(
        session=session, job_id=data.id, name="G. Hopper", email="grace@example.com", actor=SYSTEM
    )

    assert other_job.candidate_id == first.candidate_id
    assert pipeline.added_message(session, first, typed_name="Grace Hopper") == "Grace Hopper added."
    assert pipeline.added_message(session, other_job, typed_name=" G. Hopper ") == (
        "Grace Hopper added: grace@example.com is already Grace Hopper's address, "
        "so the name typed (G. Hopper) was not used."
    )
    assert session.get(Candidate, first.candidate_id).name == "Grace Hopper"
    assert len(session.exec(select(Application).where(Application.job_id == backend.id)).all()) == 1


def test_a_person_added_by_a_colleague_at_the_same_moment_is_one_candidate(session):
    """Two workers adding the same new person, each to a job, both find the email free; the unique
    email lets one save them, and the other's application goes to that candidate."""
    backend = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    data = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])

    def colleague_adds(own) -> None:
        pipeline.add_application(
            session=own, job_id=data.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
        )

    with a_colleague_meanwhile(session, selects(Candidate, "grace@example.com"), colleague_adds):
        pipeline.add_application(
            session=session, job_id=backend.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
        )

    candidates = session.exec(select(Candidate)).all()
    assert [c.name for c in candidates] == ["Grace Hopper"]
    assert {a.candidate_id for a in session.exec(select(Application))} == {candidates[0].id}


def test_two_recruiters_adding_one_person_to_one_job_at_once_make_one_card(session):
    """Each add looked for the person's card in the job, found none, and made one: two cards, their
    tests and history split. The colleague's add starts just after this one looked; it waits for
    this one to finish, then finds the card and is refused. Grace is known already (from another
    job), so no new candidate's unique email stands between the two adds: the job's lock does."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    data = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    pipeline.add_application(
        session=session, job_id=data.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    told: list[str] = []
    colleague_adds = a_colleague_adding(job.id, "Grace", "grace@example.com", told)

    with a_colleague_meanwhile(session, selects(Application, job.id), colleague_adds):
        pipeline.add_application(
            session=session, job_id=job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
        )

    assert len(session.exec(select(Application).where(Application.job_id == job.id)).all()) == 1
    assert told == ["Grace Hopper (grace@example.com) is already in this job, in Applied."]


def test_a_bulk_move_into_an_auto_send_stage_counts_a_refused_send_as_moved_and_not_sent(session, sandbox):
    """iMocha hands back the invitation a candidate had from another job, so Assay refuses that
    send; the refusal came after the move was saved and read as a move that failed."""
    _integration, (backend, platform) = vendor_test_stages(
        session, "imocha", "Backend", "Platform", send_automatically=True
    )
    finished_in_stage(session, sandbox, backend, "imocha")  # Ada took it for Backend
    again = pipeline.add_application(
        session=session, job_id=platform.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )

    [result] = pipeline.move_applications(
        session=session, application_ids=[again.id], stage_id=platform.id, actor=SYSTEM
    )

    assert (result.ok, result.moved, result.candidate) == (True, True, "Ada")
    assert "Not sent: Ada already has" in result.message
    session.expire_all()
    assert session.get(Application, again.id).stage_id == platform.id
    assert sandbox.stats("imocha")["invitations_created"] == 1


def test_a_stage_deleted_into_one_that_sends_on_entry_sends_nothing_to_its_rejected_candidates(
    session, pipeline_with_assessment, sandbox
):
    """Found by helper-67: deleting a stage holding Ada and the rejected Grace into a stage that
    sends on entry said, as an error, "Sent 1 of 2 assessments. Not sent: Grace was rejected"."""
    p = pipeline_with_assessment
    p.assessment.send_automatically = True
    session.add(p.assessment)
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace", email="grace@example.com", actor=SYSTEM
    )
    rejected_by_a_recruiter(session, grace.id)

    outcome = pipeline.delete_stage(
        session=session, stage_id=p.applied.id, move_to_stage_id=p.assessment.id, actor=SYSTEM
    )

    assert outcome.message == (
        "Stage deleted. 2 applications moved to CoderPad assessment. Sent 1 of 1 assessment. "
        "1 rejected candidate is sent nothing."
    )
    assert (outcome.sent, outcome.not_sent) == (1, ())
    assert sandbox.stats()["invitations_created"] == 1


@pytest.mark.parametrize("automatically", [True, False])
def test_a_candidate_added_to_a_plan_that_starts_with_a_test_is_sent_it_or_it_waits_to_be(
    session, sandbox, automatically
):
    """Found by helper-70: a plan whose first stage sends a test never opened it for anyone added
    (one by one or by a pasted list): no attempt, no queue row, nothing sent even with "send on
    entry" on. Being added is entering the first stage, as a move into it is."""
    _integration, (stage,) = vendor_test_stages(
        session, "hackerrank", "Backend", send_automatically=automatically
    )
    plans.move_stage(session=session, stage_id=stage.id, position=0)

    added = pipeline.add_application(
        session=session, job_id=stage.job_id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )

    [attempt] = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == added.id)
    ).all()
    test = attempt.vendor_test_name
    if automatically:
        assert attempt.state == AttemptState.SENT
        assert sandbox.stats("hackerrank")["invitations_created"] == 1
        told = f"Grace Hopper added. {test} sent."
    else:
        assert attempt.state == AttemptState.READY_TO_SEND
        assert [r.attempt_id for r in queue_view.rows(session, "needs_sending")] == [attempt.id]
        told = f"Grace Hopper added. {test} needs sending."
    assert pipeline.added_message(session, added, typed_name="Grace Hopper") == told


def test_a_new_card_and_its_first_test_are_added_at_once_for_a_colleague_moving_it(session, sandbox):
    """helper-156: the card was committed, then its first stage's test opened and sent: a
    colleague's move landing between left Grace in Onsite with the first stage's test sent to her
    all the same, the colleague told only "Moved to Onsite". Card and test are added in one commit
    now: a colleague finds neither until both are there, and the test goes to the stage she is in."""
    _integration, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    plans.move_stage(session=session, stage_id=stage.id, position=0)
    onsite = next(s for s in plans.stages_of(session, stage.job_id) if s.id != stage.id)

    def colleague_moves_her_on_if_she_is_there(own) -> None:
        if (card := own.exec(select(Application)).first()) is not None:
            pipeline.move_application(
                session=own, application_id=card.id, stage_id=onsite.id, actor=SYSTEM, seen_in=stage.id
            )

    # Just as the new card's first test is looked for.
    with a_colleague_meanwhile(session, selects(AssessmentAttempt), colleague_moves_her_on_if_she_is_there):
        added = pipeline.add_application(
            session=session, job_id=stage.job_id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
        )

    session.expire_all()
    [attempt] = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == added.id)
    ).all()
    assert (session.get(Application, added.id).stage_id, attempt.state) == (stage.id, AttemptState.SENT)
    assert sandbox.stats("hackerrank")["invitations_created"] == 1


def test_no_candidate_is_added_to_a_plan_whose_first_test_goes_through_a_disconnected_connection(
    session, sandbox
):
    """Found in a review: added there, a candidate got a test that could never be sent, and was told
    it "needs sending"; a move into such a stage was refused already, saying what to change."""
    hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    plans.move_stage(session=session, stage_id=stage.id, position=0)
    disconnect(session=session, integration_id=hackerrank.id)

    with pytest.raises(
        UserError, match=r"through a vendor connection that was disconnected; .* before adding candidates\.$"
    ):
        pipeline.add_application(
            session=session, job_id=stage.job_id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
        )

    assert session.exec(select(Application)).all() == []


def test_a_name_pasted_with_extra_spaces_is_kept_as_it_reads_and_found_by_it(session):
    """Found by a walk: "Ada   Lovelace" pasted from a CV read "Ada Lovelace" on her card (a page
    shows one space), but searching the board for "Ada Lovelace" found no one; and "ada lovelace"
    added beside her was not taken for her namesake."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    added = pipeline.add_application(
        session=session, job_id=job.id, name="  Ada \t  Lovelace ", email="ada@example.com", actor=SYSTEM
    )

    assert session.get(Candidate, added.candidate_id).name == "Ada Lovelace"
    assert pipeline.added_message(session, added, typed_name="  Ada \t  Lovelace ") == "Ada Lovelace added."
    found = board_view.board(session, job.id, board_view.BoardFilter(search="ada lovelace"))
    assert [card.candidate_name for card in found.columns[0].cards] == ["Ada Lovelace"]


def _a_colleague_moving(application_id: int, stage_id: int):
    """For ``a_colleague_meanwhile``: the colleague moves the card."""

    def moves(own) -> None:
        pipeline.move_application(session=own, application_id=application_id, stage_id=stage_id, actor=SYSTEM)

    return moves


def test_a_card_a_colleague_moved_since_it_was_seen_is_not_moved_back(session, pipeline_with_assessment):
    """Found by helper-75: Rita had the card ticked (or a drag begun) in Applied; Sam moved it to
    Onsite; Rita's "Move selected to" the test stage quietly took it back out of Onsite."""
    p = pipeline_with_assessment
    _a_colleague_moving(p.application.id, p.onsite.id)(session)

    with pytest.raises(
        UserError, match=r"^Ada Lovelace was moved to Onsite meanwhile; not moved to CoderPad assessment\."
    ):
        pipeline.move_application(
            session=session,
            application_id=p.application.id,
            stage_id=p.assessment.id,
            actor=SYSTEM,
            seen_in=p.applied.id,
        )

    session.expire_all()
    assert session.get(Application, p.application.id).stage_id == p.onsite.id
    assert session.exec(select(AssessmentAttempt)).all() == []


def test_a_colleague_s_move_at_the_same_moment_is_not_undone(session, pipeline_with_assessment):
    """The two moves at once (two workers): the second reads where the card is once the first is
    done, not where it was when both began."""
    p = pipeline_with_assessment
    ada, applied, assessment, onsite = p.application.id, p.applied.id, p.assessment.id, p.onsite.id
    session.expunge_all()  # as a request's own session, which reads the card afresh

    def the_card_read(state) -> bool:
        return state.is_select and str(state.statement).startswith("SELECT application.id")

    with (
        a_colleague_meanwhile(session, the_card_read, _a_colleague_moving(ada, onsite)),
        pytest.raises(UserError, match=r"^Ada Lovelace was moved to Onsite meanwhile"),
    ):
        pipeline.move_application(
            session=session, application_id=ada, stage_id=assessment, actor=SYSTEM, seen_in=applied
        )

    session.expire_all()
    assert session.get(Application, ada).stage_id == onsite
    moves = session.exec(select(ApplicationEvent.summary).where(ApplicationEvent.summary.startswith("Moved")))
    assert moves.all() == ["Moved from Applied to Onsite"]


def test_two_moves_of_one_card_at_once_go_one_after_the_other(session, pipeline_with_assessment):
    """The colleague's move, begun once this one holds the card, waits for it to finish, then
    finds the card moved (both seen in Applied): one move, not two each "from Applied"."""
    p = pipeline_with_assessment
    ada, applied, assessment, onsite = p.application.id, p.applied.id, p.assessment.id, p.onsite.id
    session.expunge_all()
    told: list[str] = []

    def colleague_moves(own) -> None:
        try:
            pipeline.move_application(
                session=own, application_id=ada, stage_id=onsite, actor=SYSTEM, seen_in=applied
            )
        except UserError as err:
            told.append(str(err))

    reads: list[str] = []

    def where_the_card_is_read_again(state) -> bool:
        """The card read again before acting on it (its first read found it to move)."""
        if state.is_select and str(state.statement).startswith("SELECT application.id"):
            reads.append("read")
        return len(reads) == 2

    with a_colleague_meanwhile(session, where_the_card_is_read_again, colleague_moves):
        pipeline.move_application(
            session=session, application_id=ada, stage_id=assessment, actor=SYSTEM, seen_in=applied
        )

    assert told == ["Ada Lovelace was moved to CoderPad assessment meanwhile; not moved to Onsite."]
    session.expire_all()
    assert session.get(Application, ada).stage_id == assessment
    moves = session.exec(select(ApplicationEvent.summary).where(ApplicationEvent.summary.startswith("Moved")))
    assert moves.all() == ["Moved from Applied to CoderPad assessment"]


def test_a_card_moved_while_its_menu_was_open_is_told_where_it_went(session, pipeline_with_assessment):
    """Found by helper-h84: a colleague moved the card whose "Move to" menu a recruiter had open;
    the menu closed with the card's old place, saying nothing. What the board tells them then."""
    p = pipeline_with_assessment
    assert (
        pipeline.moved_meanwhile(
            session, job_id=p.job.id, application_id=p.application.id, seen_in=p.applied.id
        )
        == ""
    )

    _a_colleague_moving(p.application.id, p.onsite.id)(session)

    assert pipeline.moved_meanwhile(
        session, job_id=p.job.id, application_id=p.application.id, seen_in=p.applied.id
    ) == (
        "Ada Lovelace was moved to Onsite meanwhile, so their menu closed before you chose. "
        "Move them from their card in Onsite if need be."
    )
    assert (
        pipeline.moved_meanwhile(
            session, job_id=p.job.id, application_id=p.application.id, seen_in=p.onsite.id
        )
        == ""
    )
    # Another job's board learns nothing of this card.
    assert (
        pipeline.moved_meanwhile(
            session, job_id=p.job.id + 1, application_id=p.application.id, seen_in=p.applied.id
        )
        == ""
    )


def test_deleting_a_stage_withdraws_its_tests_not_yet_sent(session, pipeline_with_assessment):
    """helper-110: a move out of a stage withdraws its unsent tests; deleting the stage did not,
    and "Needs sending" went on offering "CoderPad assessment (deleted)" for Ada, now in Onsite:
    one click would have emailed her a test for a stage that no longer exists."""
    p = pipeline_with_assessment
    attempt_id = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    ).attempt_id  # the stage sends by click: it waits

    outcome = pipeline.delete_stage(
        session=session, stage_id=p.assessment.id, move_to_stage_id=p.onsite.id, actor=SYSTEM
    )

    assert outcome.message == (
        "Stage deleted. 1 application moved to Onsite. Withdrew 1 unsent assessment of CoderPad assessment."
    )
    assert queue_view.rows(session, "needs_sending") == []
    assert _attempt(session, attempt_id).state == AttemptState.CANCELLED


@pytest.mark.parametrize("colleague_after", ["the cards read", "the plan held"])
def test_a_card_moved_into_a_stage_as_it_is_deleted_gets_its_test_or_is_refused(
    session, pipeline_with_assessment, colleague_after
):
    """helper-110: a colleague moving Ada into Applied just as Applied was deleted into the test
    stage: the delete read who was in Applied before her move, then moved her with the rest, and
    entered only those it had read: Ada in the test stage with no test opened, nothing queued (or,
    a moment later, a foreign-key error for the page). The delete now holds the plan before it
    reads who is in the stage: a move done before is moved on with the rest, its test opened; one
    after waits, and is refused (the stage is gone)."""
    p = pipeline_with_assessment
    ada, applied, assessment, onsite = p.application.id, p.applied.id, p.assessment.id, p.onsite.id
    pipeline.move_application(session=session, application_id=ada, stage_id=onsite, actor=SYSTEM)
    session.expunge_all()
    told: list[str] = []

    def colleague_moves_ada_into_applied(own) -> None:
        try:
            pipeline.move_application(session=own, application_id=ada, stage_id=applied, actor=SYSTEM)
        except UserError as err:
            told.append(str(err))

    def looks(state) -> bool:
        if colleague_after == "the cards read":  # the first read of who is in Applied
            return selects(Application, applied)(state)
        return not state.is_select and str(state.statement).startswith("UPDATE stage")

    with a_colleague_meanwhile(session, looks, colleague_moves_ada_into_applied):
        pipeline.delete_stage(session=session, stage_id=applied, move_to_stage_id=assessment, actor=SYSTEM)

    session.expire_all()
    attempts = session.exec(select(AssessmentAttempt)).all()
    if colleague_after == "the cards read":
        assert told == [] and session.get(Application, ada).stage_id == assessment
        assert [(a.application_id, a.state) for a in attempts] == [(ada, AttemptState.READY_TO_SEND)]
    else:
        assert told == ["That stage is not part of this job's interview plan."]
        assert session.get(Application, ada).stage_id == onsite and attempts == []


def test_a_card_a_colleague_moves_out_as_its_stage_is_deleted_stays_where_they_put_it(
    session, pipeline_with_assessment
):
    """helper-115: the delete read who was in Applied, a colleague moved Ada on to Onsite, and the
    delete moved her into the test stage with the rest, over the colleague's move. Each card is
    moved only if still in the stage once the plan is held (on PostgreSQL the colleague waits for
    the delete instead, then moves her on from where it put her, withdrawing the unsent test)."""
    p = pipeline_with_assessment
    ada, applied, assessment, onsite = p.application.id, p.applied.id, p.assessment.id, p.onsite.id
    session.expunge_all()

    with a_colleague_meanwhile(
        session,
        selects(Application, applied),
        lambda own: pipeline.move_application(session=own, application_id=ada, stage_id=onsite, actor=SYSTEM),
    ):
        pipeline.delete_stage(session=session, stage_id=applied, move_to_stage_id=assessment, actor=SYSTEM)

    session.expire_all()
    waiting = session.exec(select(AssessmentAttempt).where(AssessmentAttempt.state.in_(OPEN_STATES))).all()
    assert (session.get(Application, ada).stage_id, waiting) == (onsite, [])


def test_a_stage_is_not_deleted_into_one_whose_test_goes_through_a_disconnected_connection(
    session, pipeline_with_assessment
):
    """helper-110: a move into such a stage is refused, saying to repair the plan; deleting a stage
    into it went through, opening tests that could never be sent ("1 assessment needs sending")."""
    p = pipeline_with_assessment
    disconnect(session=session, integration_id=p.integration.id)

    with pytest.raises(UserError, match=r"disconnected; repair .* before moving candidates in\.$"):
        pipeline.delete_stage(
            session=session, stage_id=p.applied.id, move_to_stage_id=p.assessment.id, actor=SYSTEM
        )

    session.expire_all()
    assert session.get(Application, p.application.id).stage_id == p.applied.id
    assert [s.name for s in plans.stages_of(session, p.job.id)] == [
        "Applied",
        "CoderPad assessment",
        "Onsite",
    ]


def test_a_candidate_added_whose_first_test_another_job_s_invitation_holds_is_told_why_it_was_not_sent(
    session, sandbox
):
    """helper-110: Ada took iMocha's test for Backend; added to Platform, whose first stage sends
    the same test on entry, the send was refused (iMocha would hand back her finished invitation)
    and the recruiter read, in green, only "... not sent on entry: it waits in Needs sending", the
    reason and the re-attempt advice lost. A move in the same case says both, as an error."""
    _integration, (backend, platform) = vendor_test_stages(
        session, "imocha", "Backend", "Platform", send_automatically=True
    )
    finished_in_stage(session, sandbox, backend, "imocha")
    plans.move_stage(session=session, stage_id=platform.id, position=0)

    added = pipeline.add_application(
        session=session, job_id=platform.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )

    said = pipeline.added_message(session, added, typed_name="Ada")
    assert said.startswith("Ada added. ") and "not sent on entry: Ada already has " in said
    assert "from the Backend application (assessment needs review, score 52%)" in said
    assert said.endswith("send a re-attempt to give a fresh one.")
    assert pipeline.tests_not_sent(session, added) == 1


def test_a_test_withdrawn_before_it_was_sent_does_not_count_as_an_attempt(session, pipeline_with_assessment):
    """helper-110: Ada entered a stage sending a test by click and left before it was sent; the
    next stage's same test was "attempt 2" in her history and on the review page, of a test she
    never got."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    second = plans.add_assessment_stage(
        session=session,
        job_id=p.job.id,
        name="Second screen",
        integration_id=p.integration.id,
        vendor_test_id=test.vendor_test_id,
        vendor_test_name=test.vendor_test_name,
        after_stage_id=p.assessment.id,
    )
    for stage in (p.assessment, second):
        moved = pipeline.move_application(
            session=session, application_id=p.application.id, stage_id=stage.id, actor=SYSTEM
        )

    assert _attempt(session, moved.attempt_id).attempt_number == 1
    needs_sending = select(ApplicationEvent.summary).where(ApplicationEvent.summary.endswith("needs sending"))
    assert session.exec(needs_sending).all() == [f"{test.vendor_test_name}: assessment needs sending"] * 2
