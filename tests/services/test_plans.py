"""Interview plans: stages in order, several tests per stage, automatic sending and gating."""

import pytest
from sqlmodel import select

from dashboard.services import assessments, board_view, notify, pipeline, plans, review, sync
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import SameTitle, UserError
from dashboard.services.integrations import list_vendor_tests
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Gating,
    Job,
    Notification,
    Stage,
    StageKind,
)
from tests.conftest import (
    a_colleague_meanwhile,
    add_go_services,
    at_once,
    reads,
    scored,
    selects,
    sent_another_test,
    two_test_stage,
    vendor_test_stages,
)


def test_a_new_job_moves_the_revision_open_job_lists_watch(session):
    before = pipeline.workspace_revision(session)

    plans.create_job(session=session, title="Designer", stage_names=["Applied"])

    assert pipeline.workspace_revision(session) > before


def test_a_new_job_titled_as_another_is_asked_about_and_made_only_when_meant(session):
    """Typing "backend engineer " for a second Backend Engineer made one without a word: two rows
    of one name on the jobs list, one of them to be told apart and deleted by hand."""
    backend = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])

    with pytest.raises(SameTitle) as asked:
        plans.create_job(session=session, title="  backend   ENGINEER ", stage_names=["Applied"])
    second = plans.create_job(
        session=session, title="  Backend   Engineer ", stage_names=["Applied"], same_title_meant=True
    )

    assert (asked.value.job_id, asked.value.title) == (backend.id, "Backend Engineer")
    assert str(asked.value) == "There is already a job called Backend Engineer."
    assert second.title == "Backend Engineer" and second.id != backend.id  # its spacing tidied
    assert session.exec(select(Job.title).order_by(Job.id)).all() == ["Backend Engineer"] * 2
    # Another title, even one holding the first, is made at once.
    plans.create_job(session=session, title="Backend Engineer (Berlin)", stage_names=["Applied"])


def test_stages_are_added_renamed_reordered_and_kept_dense(session):
    job = plans.create_job(session=session, title="Designer", stage_names=["Applied", "Portfolio", "Offer"])
    applied, portfolio, offer = plans.stages_of(session, job.id)

    chat = plans.add_stage(session=session, job_id=job.id, name="Chat", after_stage_id=applied.id)
    plans.rename_stage(session=session, stage_id=portfolio.id, name="Portfolio review")
    plans.move_stage(session=session, stage_id=offer.id, position=0)

    stages = plans.stages_of(session, job.id)
    assert [s.name for s in stages] == ["Offer", "Applied", "Chat", "Portfolio review"]
    assert [s.position for s in stages] == [0, 1, 2, 3]
    assert chat.kind == StageKind.REGULAR
    with pytest.raises(UserError, match="name"):
        plans.rename_stage(session=session, stage_id=chat.id, name="   ")


def test_a_stage_cannot_take_the_name_of_another_stage_in_its_plan(session):
    """Two stages of one name are two board columns no one can tell apart, and moves land in either."""
    job = plans.create_job(session=session, title="Designer", stage_names=["Applied", "Offer"])
    other = plans.create_job(session=session, title="Writer", stage_names=["Hunt stage"])
    applied, _offer = plans.stages_of(session, job.id)

    with pytest.raises(UserError, match="already has a stage called Offer"):
        plans.rename_stage(session=session, stage_id=applied.id, name=" offer ")
    with pytest.raises(UserError, match="already has a stage called Applied"):
        plans.add_stage(session=session, job_id=job.id, name="APPLIED")
    plans.rename_stage(session=session, stage_id=applied.id, name="applied")  # its own name, recased
    plans.add_stage(session=session, job_id=job.id, name="Hunt stage")  # another job's name is fine

    assert [s.name for s in plans.stages_of(session, job.id)] == ["applied", "Offer", "Hunt stage"]
    assert [s.name for s in plans.stages_of(session, other.id)] == ["Hunt stage"]


def test_deleting_a_stage_with_applications_asks_where_they_go(session, pipeline_with_assessment):
    p = pipeline_with_assessment

    with pytest.raises(UserError, match="1 application"):
        plans.delete_stage(session=session, stage_id=p.applied.id, move_to_stage_id=None, actor=SYSTEM)
    moved = plans.delete_stage(
        session=session, stage_id=p.applied.id, move_to_stage_id=p.onsite.id, actor=SYSTEM
    )

    session.refresh(p.application)
    assert [a.id for a in moved] == [p.application.id] and p.application.stage_id == p.onsite.id
    assert [s.name for s in plans.stages_of(session, p.job.id)] == ["CoderPad assessment", "Onsite"]


def test_the_last_stage_cannot_be_deleted(session):
    job = plans.create_job(session=session, title="Solo", stage_names=["Only"])
    [only] = plans.stages_of(session, job.id)

    with pytest.raises(UserError, match="at least one stage"):
        plans.delete_stage(session=session, stage_id=only.id, move_to_stage_id=None, actor=SYSTEM)


def test_a_deadline_in_the_past_is_refused(session, pipeline_with_assessment):
    for days in (0, -3, 400):
        with pytest.raises(UserError, match="deadline"):
            plans.configure_stage(
                session=session,
                stage_id=pipeline_with_assessment.assessment.id,
                send_automatically=False,
                gating=Gating.ALL,
                deadline_days=days,
            )


def test_a_stage_sending_the_same_test_twice_is_refused(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)

    with pytest.raises(UserError, match="already sends"):
        plans.add_stage_test(
            session=session,
            stage_id=p.assessment.id,
            integration_id=p.integration.id,
            vendor_test_id=test.vendor_test_id,
            vendor_test_name=test.vendor_test_name,
        )


def test_an_automatic_two_test_stage_sends_both_on_entry(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    two_test_stage(session, p, Gating.ALL)

    outcome = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    attempts = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == p.application.id)
    ).all()
    assert outcome.sent == 2 and len(outcome.attempt_ids) == 2
    assert {a.state for a in attempts} == {AttemptState.SENT}
    assert sandbox.stats()["invitations_created"] == 2


@pytest.mark.parametrize(("gating", "done_after_one"), [(Gating.ALL, False), (Gating.ANY, True)])
def test_the_stage_is_done_when_all_or_any_tests_are_completed(
    session, pipeline_with_assessment, sandbox, gating, done_after_one
):
    p = pipeline_with_assessment
    two_test_stage(session, p, gating)
    outcome = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    first, second = (session.get(AssessmentAttempt, i) for i in outcome.attempt_ids)

    sandbox.start(first.vendor_attempt_id)
    sandbox.submit(first.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    after_one = notify.stage_done(session, p.application.id, p.assessment.id)
    sandbox.start(second.vendor_attempt_id)
    sandbox.submit(second.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)

    assert after_one == done_after_one
    assert notify.stage_done(session, p.application.id, p.assessment.id)
    done = session.exec(select(Notification).where(Notification.kind == "stage_done")).all()
    assert len(done) == 1  # said once, however many completions follow
    assert (
        done[0].message
        == {  # names who, in a list of many, and what the stage asked
            Gating.ALL: "Ada Lovelace has completed both tests of CoderPad assessment (Backend Engineer).",
            Gating.ANY: "Ada Lovelace has completed CoderPad assessment, which asks for one of its 2 tests (Backend Engineer).",
        }[gating]
    )


def test_moving_into_a_stage_whose_connection_is_gone_is_refused_cleanly(
    session, pipeline_with_assessment, sandbox
):
    from dashboard.services.integrations import disconnect

    p = pipeline_with_assessment
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)

    with pytest.raises(UserError, match="disconnected"):
        pipeline.move_application(
            session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
        )

    session.expire_all()
    assert session.get(Application, p.application.id).stage_id == p.applied.id


def test_a_candidate_without_an_email_cannot_be_sent_a_test(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    # Added before an email was required (the board refuses one without, now)
    candidate = Candidate(name="No Mail", email="")
    session.add(candidate)
    session.flush()
    no_mail = Application(candidate_id=candidate.id, job_id=p.job.id, stage_id=p.applied.id)
    session.add(no_mail)
    session.commit()
    moved = pipeline.move_application(
        session=session, application_id=no_mail.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    with pytest.raises(UserError, match="no email"):
        assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)

    assert session.get(AssessmentAttempt, moved.attempt_id).state == AttemptState.READY_TO_SEND
    assert sandbox.stats()["invitations_created"] == 0


def test_bulk_move_reports_each_row(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    other = pipeline.add_application(
        session=session, job_id=p.job.id, name="Bo", email="bo@example.com", actor=SYSTEM
    )

    results = pipeline.move_applications(
        session=session,
        application_ids=[p.application.id, other.id, 999999],
        stage_id=p.onsite.id,
        actor=SYSTEM,
    )

    assert [r.ok for r in results] == [True, True, False]
    assert [r.moved for r in results] == [True, True, False]
    assert "no longer exists" in results[2].message
    again = pipeline.move_applications(
        session=session, application_ids=[p.application.id], stage_id=p.onsite.id, actor=SYSTEM
    )
    assert [(r.ok, r.moved, r.message) for r in again] == [(True, False, "Already in Onsite.")]


@pytest.mark.parametrize(
    ("title", "stages", "message"),
    [
        ("  ", ["Applied"], "Give the job a title"),
        ("x" * 201, ["Applied"], "at most 200 characters"),
        ("Backend Engineer", [], "at least one stage"),
        ("Backend Engineer", ["Applied", "Onsite", "applied "], "a name of its own"),
    ],
)
def test_a_new_job_needs_a_title_that_fits_and_stages_of_distinct_names(session, title, stages, message):
    with pytest.raises(UserError, match=message):
        plans.create_job(session=session, title=title, stage_names=stages)

    assert session.exec(select(Job)).all() == []


def test_a_deadline_or_reminder_the_stages_vendor_cannot_take_is_refused_with_its_reason(
    session, pipeline_with_assessment, sandbox
):
    """CoderPad Screen's invite takes no deadline: a deadline saved for its stage was never applied,
    and a reminder, counted back from that deadline, never went out."""
    p = pipeline_with_assessment

    with pytest.raises(UserError, match="CoderPad Screen's invite takes no deadline"):
        plans.configure_stage(
            session=session,
            stage_id=p.assessment.id,
            send_automatically=True,
            gating=Gating.ALL,
            deadline_days=5,
            reminder_hours=24,
        )

    session.expire_all()
    assert session.get(Stage, p.assessment.id).deadline_days is None
    _imocha, (imocha_stage,) = vendor_test_stages(session, "imocha", "Data Engineer")
    with pytest.raises(UserError, match="A reminder sends the invitation again: iMocha"):
        plans.configure_stage(
            session=session,
            stage_id=imocha_stage.id,
            send_automatically=False,
            gating=Gating.ALL,
            deadline_days=5,
            reminder_hours=24,
        )
    plans.configure_stage(  # iMocha takes the deadline; only the reminder was refused
        session=session,
        stage_id=imocha_stage.id,
        send_automatically=False,
        gating=Gating.ALL,
        deadline_days=5,
    )
    session.expire_all()
    assert session.get(Stage, imocha_stage.id).deadline_days == 5


def test_a_test_swapped_for_one_candidate_counts_for_the_stage_when_completed(
    session, pipeline_with_assessment, sandbox
):
    """ "Change test" before sending gave Ada another test than the stage's default; when she
    completed it the stage was never done for her, under "all" or "any"."""
    p = pipeline_with_assessment
    attempt = sent_another_test(session, p, "104", "Go Services")
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)

    assert notify.stage_done(session, p.application.id, p.assessment.id)
    # The stage has one test: its "needs review" is the stage's news, said once.
    assert session.exec(select(Notification.kind)).all() == ["needs_review"]


def _plan_edits(p):
    """Every edit the plan page offers, as a colleague would make it, by name."""
    return {
        "add a stage": lambda s: plans.add_stage(session=s, job_id=p.job.id, name="Chat"),
        "rename a stage": lambda s: plans.rename_stage(session=s, stage_id=p.onsite.id, name="Final"),
        "move a stage": lambda s: plans.move_stage(session=s, stage_id=p.onsite.id, position=0),
        "change its sending": lambda s: plans.configure_stage(
            session=s,
            stage_id=p.assessment.id,
            send_automatically=True,
            gating=Gating.ANY,
            deadline_days=None,
        ),
        "add a test": lambda s: plans.add_stage_test(
            session=s,
            stage_id=p.onsite.id,
            integration_id=p.integration.id,
            vendor_test_id="t9",
            vendor_test_name="T9",
        ),
        "remove a test": lambda s: plans.remove_stage_test(
            session=s, stage_test_id=plans.tests_of(s, p.assessment.id)[0].id
        ),
        "set a live-interview link": lambda s: plans.set_live_interview_template(
            session=s,
            stage_id=p.onsite.id,
            integration_id=p.integration.id,
            template_id="pad",
            template_name="Pad",
        ),
        "delete a stage": lambda s: plans.delete_stage(
            session=s, stage_id=p.onsite.id, move_to_stage_id=p.applied.id, actor=SYSTEM
        ),
    }


@pytest.mark.parametrize("edit", list(_plan_edits(None)))
def test_every_plan_edit_moves_the_revision_open_plan_pages_watch(session, pipeline_with_assessment, edit):
    """Open plan pages refresh when their job's revision moves: an edit that left it still (a
    live-interview link set) stayed unseen by a colleague's open page until they reloaded."""
    p = pipeline_with_assessment
    before = pipeline.job_revisions(session, [p.job.id])

    _plan_edits(p)[edit](session)

    assert pipeline.job_revisions(session, [p.job.id]) > before


def test_two_colleagues_reordering_one_plan_at_once_leave_every_stage_its_own_place(session):
    """helper-113: each move read the plan, then wrote the places that changed in its own reading:
    C moved to the top while a colleague moved A to the end left B 0, C 0, A 1, and which stage
    comes next (an advance, the board's order) anyone's guess. A plan edit now holds the plan first."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["A", "B", "C"])
    a, _b, c = (s.id for s in plans.stages_of(session, job.id))
    session.expunge_all()

    def colleague_moves_a_to_the_end(own) -> None:
        plans.move_stage(session=own, stage_id=a, position=2)

    with a_colleague_meanwhile(session, selects(Stage, job.id), colleague_moves_a_to_the_end):
        plans.move_stage(session=session, stage_id=c, position=0)

    session.expire_all()
    assert [s.name for s in plans.stages_of(session, job.id)] == ["C", "B", "A"]
    assert sorted(s.position for s in plans.stages_of(session, job.id)) == [0, 1, 2]


def test_a_test_added_as_a_colleague_removes_the_stage_s_only_one_leaves_an_assessment_stage(
    session, pipeline_with_assessment
):
    """helper-113: the stage was read an assessment stage; the colleague's removal of its only
    test turned it regular; the test added was saved under the regular stage, which sends nothing."""
    p = pipeline_with_assessment
    [only] = plans.tests_of(session, p.assessment.id)
    stage_id, integration_id = p.assessment.id, p.integration.id
    session.expunge_all()

    def colleague_removes_the_only_test(own) -> None:
        plans.remove_stage_test(session=own, stage_test_id=only.id)

    with a_colleague_meanwhile(session, reads(Stage), colleague_removes_the_only_test):
        plans.add_stage_test(
            session=session,
            stage_id=stage_id,
            integration_id=integration_id,
            vendor_test_id="104",
            vendor_test_name="Go Services",
        )

    session.expire_all()
    assert session.get(Stage, stage_id).kind == StageKind.ASSESSMENT
    assert [t.vendor_test_name for t in plans.tests_of(session, stage_id)] == ["Go Services"]


def test_a_deadline_no_test_left_takes_goes_with_the_test_removed_and_the_question_says_so(
    session, sandbox, screen
):
    """helper-113: iMocha's test (it takes a deadline) removed from a stage, CoderPad Screen's left
    (it takes none): the plan still read "Deadline: 5 days" over a stage applying none, and saving
    its settings as shown (5 days) was refused."""
    _imocha, (stage,) = vendor_test_stages(session, "imocha", "Backend", deadline_days=5)
    [imocha_test] = plans.tests_of(session, stage.id)
    campaign = list_vendor_tests(session=session, integration_id=screen.id)[0]
    plans.add_stage_test(
        session=session,
        stage_id=stage.id,
        integration_id=screen.id,
        vendor_test_id=campaign.id,
        vendor_test_name=campaign.name,
    )

    asked = plans.removal_of(session, imocha_test.id)
    plans.remove_stage_test(session=session, stage_test_id=imocha_test.id)

    assert asked.drops == "Its 5-day deadline goes with it: no test left takes one."
    session.expire_all()
    assert session.get(Stage, stage.id).deadline_days is None


def test_a_plan_edit_refused_after_the_plan_was_held_lets_go_of_it(session, pipeline_with_assessment):
    """A rename refused for a name the plan has already is refused after the plan is held; not let
    go of, the open session held it, and a colleague's edit waited on it (then failed, SQLite's
    lock timing out, or waited for good, PostgreSQL's row locks)."""
    p = pipeline_with_assessment
    with pytest.raises(UserError, match="already"):
        plans.rename_stage(session=session, stage_id=p.onsite.id, name="Applied")

    answers = at_once(
        1, lambda own: plans.rename_stage(session=own, stage_id=p.onsite.id, name="Final round").name
    )

    assert answers == ["Final round"]


def _finished_in_the_assessment_stage(session, p) -> AssessmentAttempt:
    """Ada in the assessment stage, which sends its test on entry, and her result at 88%."""
    plans.configure_stage(
        session=session,
        stage_id=p.assessment.id,
        send_automatically=True,
        gating=Gating.ALL,
        deadline_days=None,
    )
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    finished = session.get(AssessmentAttempt, moved.attempt_id)
    scored(session, p, finished, 88.0)
    return finished


def test_a_candidate_back_in_a_stage_whose_test_they_finished_keeps_their_result_not_sent_it_again(
    session, pipeline_with_assessment, sandbox
):
    """helper-143: a card dragged out of the stage by mistake and back (or an advance undone by
    hand) sent the finished test again as a re-take; its card read "Sent", the result waiting for
    review behind it. Re-attempt is there for a second take that is meant."""
    p = pipeline_with_assessment
    finished = _finished_in_the_assessment_stage(session, p)
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )

    back = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    attempts = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == p.application.id)
    ).all()
    assert [(a.id, a.state) for a in attempts] == [(finished.id, AttemptState.COMPLETED)]
    assert back.attempt_ids == (finished.id,) and back.sent == 0
    assert "finished in this stage already" in back.message and back.kept == 1 and back.carried == 0
    assert sandbox.stats()["invitations_created"] == 1


def test_back_in_the_stage_past_a_later_stage_s_unsent_re_take_the_result_is_still_kept(
    session, pipeline_with_assessment, sandbox
):
    """helper-144: dragged on to a later stage asking for the same test (which opens a re-take, not
    sent there) and back, that re-take was withdrawn as the card left, and being the newest at the
    test, it hid the finished result: the stage sent the test again."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    plans.add_stage_test(
        session=session,
        stage_id=p.onsite.id,
        integration_id=test.integration_id,
        vendor_test_id=test.vendor_test_id,
        vendor_test_name=test.vendor_test_name,
    )
    first = _finished_in_the_assessment_stage(session, p)
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )

    back = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    assert back.attempt_ids == (first.id,) and back.sent == 0
    states = session.exec(
        select(AssessmentAttempt.state)
        .where(AssessmentAttempt.application_id == p.application.id)
        .order_by(AssessmentAttempt.id)
    ).all()
    assert states == [AttemptState.COMPLETED, AttemptState.CANCELLED]  # the re-take withdrawn unsent
    assert sandbox.stats()["invitations_created"] == 1
    # The board shows the result kept, and its filters find it (helper-167: the withdrawn re-take,
    # the newest at the test, hid it: no chip, no score, found by neither filter).
    [card] = _cards_in(session, p, p.assessment.id)
    assert ([c.label for c in card.chips], card.score) == (["Assessment needs review"], "88%")
    completed = board_view.BoardFilter(status=AttemptState.COMPLETED.value)
    assert _cards_in(session, p, p.assessment.id, completed) == [card]
    assert _cards_in(session, p, p.assessment.id, board_view.BoardFilter(score_min=80)) == [card]


def _cards_in(session, p, stage_id: int, board_filter=None) -> list:
    """The board's cards in the stage's column (all of them: one page)."""
    shown = board_view.board(session, p.job.id, board_filter or board_view.BoardFilter())
    return next(c.cards for c in shown.columns if c.stage_id == stage_id)


def test_a_test_added_to_a_stage_whose_only_test_went_is_not_sent_on_entry_by_a_hidden_setting(
    session, pipeline_with_assessment, sandbox
):
    """helper-159: the stage sent its test on entry and advanced at 80%; its only test removed, it
    became regular with both settings hidden but kept, and a test added later went out by itself
    to the next candidate moved in, the rule advancing on it."""
    p = pipeline_with_assessment
    plans.configure_stage(
        session=session,
        stage_id=p.assessment.id,
        send_automatically=True,
        gating=Gating.ANY,
        deadline_days=None,
    )
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=80, counting="best", actor=SYSTEM)
    [only] = plans.tests_of(session, p.assessment.id)
    plans.remove_stage_test(session=session, stage_test_id=only.id)

    add_go_services(session, p)
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    assert (moved.sent, "needs sending" in moved.message) == (0, True)
    stage = session.get(Stage, p.assessment.id)
    assert (stage.send_automatically, stage.gating, stage.advance_at, stage.counting) == (
        False,
        Gating.ALL,
        None,
        "latest",
    )
    assert sandbox.stats()["invitations_created"] == 0
