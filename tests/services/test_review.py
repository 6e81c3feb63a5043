"""Reviewing and deciding: percentiles, counting policy, rules with a dry run, concurrent decisions, feedback."""

import concurrent.futures
import csv
import io
import logging
import threading
import time

import pytest
from sqlmodel import select

from dashboard.services import assessments, pipeline, plans, reopening, review, sync, views
from dashboard.services.actors import SYSTEM, user
from dashboard.services.errors import UserError
from dashboard.services.integrations import disconnect, list_vendor_tests
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Gating,
    Job,
    OutboxMessage,
    new_session,
)
from providers.base import AssessmentResult, AttemptStatus, Progress
from tests.conftest import (
    SECOND_SCREEN_KEY,
    a_colleague_meanwhile,
    both_tests_sent,
    connect_screen,
    go_services_sent,
    retaken,
    scored,
    send_test,
    send_to_applicants,
    taken_at_vendor,
    two_test_stage,
)

ALICE = user(1, "Alice Reviewer")
BOB = user(2, "Bob Reviewer")


def _reject(session, application_id: int, version: int, actor, *, reason: str = "Other", note: str = ""):
    """``actor`` rejects the application, read at decision ``version``, for ``reason``."""
    return review.reject(
        session=session,
        application_id=application_id,
        reason=reason,
        note=note,
        expected_version=version,
        actor=actor,
    )


def _advance(session, application_id: int, version: int, seen_in: int, actor):
    """``actor`` advances the application, read at decision ``version`` in stage ``seen_in``."""
    return review.advance(
        session=session, application_id=application_id, expected_version=version, seen_in=seen_in, actor=actor
    )


@pytest.fixture
def cohort(session, pipeline_with_assessment, sandbox):
    """Eight candidates who took the stage's test; the sandbox scores them by email."""
    p = pipeline_with_assessment
    attempts = [
        send_test(session, p.assessment, p.application),
        *send_to_applicants(session, p.assessment, 7),
    ]
    for attempt in attempts:
        sandbox.start(attempt.vendor_attempt_id)
        sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    return p, [session.get(Application, a.application_id) for a in attempts]


def test_percentile_ranks_within_the_cohort_with_shared_ties():
    assert review.percentile_rank(50, [50]) is None
    assert review.percentile_rank(10, [10, 20, 30]) == 0
    assert review.percentile_rank(30, [10, 20, 30]) == 100
    assert review.percentile_rank(20, [10, 20, 20, 30]) == 50


def test_results_carry_a_percentile_computed_by_assay(session, cohort):
    rows = review.results(session, cohort[0].job.id)

    scores = sorted(r.score for r in rows)
    top = max(rows, key=lambda r: r.score)
    assert len(rows) == 8 and all(r.counts for r in rows)
    assert top.percentile == 100 and min(rows, key=lambda r: r.score).percentile == 0
    assert scores == sorted(scores) and all(0 <= r.score <= 100 for r in rows)


def test_the_application_page_says_each_results_percentile_in_the_job_as_the_review_page_does(
    session, cohort
):
    """Found by a walk: the hiring manager who opened a candidate from a notification read their
    score, the vendor's comparative and the time, but not where they stand among the job's other
    candidates: the percentile was on the review page only."""
    rows = review.results(session, cohort[0].job.id)

    for row in rows:
        [shown] = views.application(session, row.application_id).attempts
        assert shown.percentile == f"{row.percentile:g}", row.candidate_name
    assert {views.application(session, r.application_id).attempts[0].percentile for r in rows} >= {"0", "100"}


def test_the_dry_run_names_who_a_rule_would_advance(session, cohort):
    p, _applications = cohort
    rows = review.results(session, p.job.id)
    threshold = sorted(r.score for r in rows)[5]  # the top three

    dry = review.dry_run(session, p.assessment.id, threshold, job_id=p.job.id)

    expected = sorted(r.candidate_name for r in rows if r.score >= threshold)
    assert dry.total == 8 and dry.would_advance == expected and dry.to_review == 8 - len(expected)
    with pytest.raises(UserError, match="0 to 100"):
        review.dry_run(session, p.assessment.id, 140, job_id=p.job.id)


def test_the_dry_run_counts_two_candidates_of_the_same_name_as_two(session, cohort):
    """Found by a walk: the demo job has two Linus Lovelaces, and a rule that would advance
    both was said to advance one, the other counted as going to review."""
    p, _ = cohort
    rows = sorted(review.results(session, p.job.id), key=lambda r: r.score)
    top, second = rows[-1], rows[-2]
    twin = session.get(Candidate, session.get(Application, second.application_id).candidate_id)
    twin.name = top.candidate_name
    session.add(twin)
    session.commit()

    dry = review.dry_run(session, p.assessment.id, second.score, job_id=p.job.id)

    advancing = sum(1 for r in rows if r.score >= second.score)
    assert dry.would_advance.count(top.candidate_name) == 2
    assert len(dry.would_advance) == advancing and dry.to_review == 8 - advancing


def test_two_reviewers_at_once_cannot_both_decide(session, cohort):
    p, _ = cohort
    version = session.get(Application, p.application.id).decision_version
    outcomes, barrier = [], threading.Barrier(2)

    def decide(actor, kind):
        barrier.wait()
        with new_session() as own:
            try:
                if kind == "advance":
                    _advance(own, p.application.id, version, p.assessment.id, actor)
                else:
                    _reject(own, p.application.id, version, actor, reason="Score below the bar")
                outcomes.append("ok")
            except UserError as err:
                outcomes.append(str(err))

    threads = [
        threading.Thread(target=decide, args=(ALICE, "advance")),
        threading.Thread(target=decide, args=(BOB, "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # One decision stands; the other is told why (decided meanwhile, or already rejected).
    [refusal] = [o for o in outcomes if o != "ok"]
    assert outcomes.count("ok") == 1
    assert "while you were looking" in refusal or "rejected" in refusal, refusal


def test_advancing_moves_to_the_next_stage_and_marks_the_result_reviewed(session, cohort):
    p, _ = cohort
    application = session.get(Application, p.application.id)

    _advance(session, application.id, application.decision_version, application.stage_id, ALICE)

    session.expire_all()
    assert session.get(Application, application.id).stage_id == p.onsite.id
    states = {
        a.state
        for a in session.exec(
            select(AssessmentAttempt).where(AssessmentAttempt.application_id == application.id)
        )
    }
    assert states == {AttemptState.REVIEWED}


def test_only_a_person_rejects_and_only_with_a_listed_reason(session, cohort):
    p, _ = cohort
    version = session.get(Application, p.application.id).decision_version

    with pytest.raises(UserError, match="Only a person"):
        _reject(session, p.application.id, version, SYSTEM)
    with pytest.raises(UserError, match="reason"):
        _reject(session, p.application.id, version, ALICE, reason="")
    _reject(session, p.application.id, version, ALICE, note="Relocation")

    assert session.get(Application, p.application.id).rejection_reason == "Other"


def test_a_rule_advances_at_the_threshold_and_never_rejects(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=ALICE)
    taken_at_vendor(session, sandbox, p)

    sync.sync_integration(session=session, integration_id=p.integration.id)

    session.expire_all()
    assert session.get(Application, p.application.id).stage_id == p.onsite.id
    moves = [
        e.actor_label
        for e in session.exec(
            select(ApplicationEvent).where(ApplicationEvent.application_id == p.application.id)
        )
        if e.summary.startswith("Moved from CoderPad")
    ]
    assert moves == ["rule: advance at 0% or more"]


def test_a_rule_does_not_advance_a_candidate_rejected_while_the_sweep_ran(
    session, pipeline_with_assessment, sandbox
):
    """The sweep loads its applications at its start; the rule must decide on the application as it is."""
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=ALICE)
    taken_at_vendor(session, sandbox, p)
    sandbox.faults(latency_ms=600)  # the vendor slow to list: the recruiter decides meanwhile

    def sweep() -> sync.SyncReport:
        with new_session() as own:
            return sync.sync_integration(session=own, integration_id=p.integration.id)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        sweeping = pool.submit(sweep)
        time.sleep(0.3)
        session.expire_all()
        version = session.get(Application, p.application.id).decision_version
        _reject(session, p.application.id, version, ALICE, note="Withdrew")
        report = sweeping.result()

    session.expire_all()
    assert report.error is None and report.corrected == 1
    application = session.get(Application, p.application.id)
    assert application.rejected_at is not None and application.stage_id == p.assessment.id


def test_the_best_attempt_counts_where_the_stage_says_so(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    first = send_test(session, p.assessment, p.application)
    scored(session, p, first, 90.0)
    second = retaken(session, p, first)
    scored(session, p, second, 40.0)

    latest = {r.attempt_id for r in review.results(session, p.job.id) if r.counts}
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=None, counting="best", actor=ALICE)
    best = {r.attempt_id for r in review.results(session, p.job.id) if r.counts}

    assert latest == {second.id} and best == {first.id}


def test_an_impossible_score_is_not_ranked_and_says_why(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)

    scored(session, p, session.get(AssessmentAttempt, moved.attempt_id), 130.0)

    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    assert attempt.score_percent is None
    assert any("130%" in w for w in attempt.warnings)


def test_candidate_feedback_is_sent_once_per_event(session, cohort):
    p, _ = cohort
    review.set_feedback(
        session=session, job_id=p.job.id, enabled=True, template="Hi {name}: {band} {next_step}"
    )

    first = review.send_feedback(session, p.application.id, "result")
    again = review.send_feedback(session, p.application.id, "result")

    messages = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == "ada@example.com")).all()
    assert first and not again
    assert len(messages) == 1 and messages[0].body.startswith("Hi Ada Lovelace:")
    # Written, not sent: with no mail server it never goes, and the outbox says whether it did.
    said = session.exec(
        select(ApplicationEvent.summary).where(ApplicationEvent.application_id == p.application.id)
    ).all()
    assert "Feedback email to ada@example.com (result) written to the outbox" in said


def test_the_feedback_email_says_the_time_taken_as_the_pages_do(session, pipeline_with_assessment, sandbox):
    """The email said "You took 29 minutes" where the application and review pages say "29.0 min
    of 60 min": one figure, read two ways."""
    p = pipeline_with_assessment
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="")
    attempt = send_test(session, p.assessment, p.application)
    status = AttemptStatus(
        vendor_attempt_id=attempt.vendor_attempt_id,
        progress=Progress.COMPLETED,
        raw_status="completed",
        result=AssessmentResult(score_percent=72.0, duration_seconds=29 * 60, time_allowed_seconds=60 * 60),
    )
    assessments.apply_vendor_status(
        session=session, integration_id=p.integration.id, status=status, actor=SYSTEM
    )

    [shown] = views.application(session, p.application.id).attempts
    [message] = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == "ada@example.com")).all()
    assert shown.time_taken == "29.0 min of 60 min"
    assert f"You took {shown.time_taken}." in message.body

    # A job that saved the earlier default keeps its words, with the pages' figure in them.
    review.set_feedback(
        session=session, job_id=p.job.id, enabled=True, template="You took {minutes} minutes."
    )
    review.send_feedback(session, p.application.id, "rejected")
    rejected = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("feedback:rejected"))
    ).one()
    assert rejected.body == "You took 29.0 minutes."


def test_the_csv_export_has_a_row_per_finished_attempt(session, cohort):
    p, _ = cohort

    lines = review.results_csv(review.results(session, p.job.id)).strip().splitlines()

    assert lines[0].startswith("candidate,stage,test") and len(lines) == 9


def test_a_review_band_flags_low_scores_for_a_person_and_refuses_an_upside_down_band(session, cohort):
    p, _ = cohort
    rows = review.results(session, p.job.id)
    scores = sorted(r.score for r in rows)
    advance_at, review_from = scores[5], scores[2]

    dry = review.dry_run(session, p.assessment.id, advance_at, review_from, job_id=p.job.id)
    review.set_rule(
        session=session,
        stage_id=p.assessment.id,
        advance_at=advance_at,
        review_from=review_from,
        counting="latest",
        actor=ALICE,
    )

    flagged = sorted(r.candidate_name for r in review.results(session, p.job.id) if r.below_bar)
    assert dry.below_bar == flagged and len(flagged) == sum(1 for s in scores if s < review_from) >= 1
    assert len(dry.would_advance) + dry.to_review + len(dry.below_bar) == dry.total
    with pytest.raises(UserError, match="above the advance bar"):
        review.dry_run(session, p.assessment.id, 50, 70, job_id=p.job.id)


def test_a_rejection_settles_a_one_off_result_too(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    go_services_sent(session, p)
    [attempt] = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == p.application.id)
    ).all()
    scored(session, p, attempt, 55.0)
    version = session.get(Application, p.application.id).decision_version

    _reject(session, p.application.id, version, ALICE)

    session.refresh(attempt)
    assert attempt.state == AttemptState.REVIEWED
    assert not [r for r in review.results(session, p.job.id) if r.state == "Assessment needs review"]


def test_the_review_settings_show_each_rule_and_changing_the_policy_keeps_it(
    session, pipeline_with_assessment
):
    p = pipeline_with_assessment
    review.set_rule(
        session=session,
        stage_id=p.assessment.id,
        advance_at=80,
        review_from=55.5,
        counting="latest",
        actor=ALICE,
    )

    review.set_counting(session=session, stage_id=p.assessment.id, counting="best")

    shown = review.settings(session, p.job.id)
    assert shown.title == "Backend Engineer" and not shown.feedback_on
    assert [(r.name, r.advance_at, r.review_from, r.counting) for r in shown.rules] == [
        ("CoderPad assessment", "80", "55.5", "best")
    ]


def test_a_rejected_candidate_s_result_reads_rejected_not_reviewed(session, cohort):
    """Found by a walk: the review page showed a rejected candidate as "Reviewed", the same
    as one whose result was only looked at."""
    p, (rejected, looked_at, *_) = cohort
    _reject(session, rejected.id, rejected.decision_version, ALICE)
    [looked_at_attempt] = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == looked_at.id)
    )
    assessments.mark_reviewed(session=session, attempt_id=looked_at_attempt.id, actor=BOB)

    status = {row.application_id: row.state for row in review.results(session, p.job.id)}
    assert status[rejected.id] == "Rejected"
    assert status[looked_at.id] == "Reviewed"
    # The application page writes it alike (it said "Reviewed" there).
    [on_its_page] = views.application(session, rejected.id).attempts
    assert on_its_page.status_label == "Rejected"
    assert views.application(session, looked_at.id).attempts[0].status_label == "Reviewed"


def test_advancing_leaves_a_card_a_colleague_moved_meanwhile_where_they_put_it(session, cohort):
    """Found in a review: Advance read the card's stage, then moved it to the stage after that one
    from wherever it was by then; a recruiter's move of it in between (back to Applied) was undone."""
    p, _ = cohort
    ada, applied = p.application.id, p.applied.id
    version = session.get(Application, ada).decision_version

    def the_plan_read(state) -> bool:
        return state.is_select and str(state.statement).startswith("SELECT stage.id")

    def colleague_moves(own) -> None:
        pipeline.move_application(session=own, application_id=ada, stage_id=applied, actor=SYSTEM)

    with (
        a_colleague_meanwhile(session, the_plan_read, colleague_moves),
        pytest.raises(
            UserError, match=r"^Ada Lovelace was moved to Applied meanwhile; not moved to Onsite\.$"
        ),
    ):
        _advance(session, ada, version, p.assessment.id, ALICE)

    session.expire_all()
    assert session.get(Application, ada).stage_id == applied


def test_one_applications_results_are_ranked_from_its_own_tests_rows_alone(session, cohort):
    """helper-90's review: the application page ranked the job's every result on each reload (and it
    reloads with every change in the job); a percentile ranks within its test, so its tests' rows
    give the same figures."""
    everyone = review.results(session, cohort[0].job.id)
    tests = {(a.integration_id, a.vendor_test_id) for a in session.exec(select(AssessmentAttempt)).all()}

    assert review.results(session, cohort[0].job.id, tests) == everyone
    assert review.results(session, cohort[0].job.id, {(tests.copy().pop()[0], "no-such-test")}) == []


def _second_test_through_a_gone_connection(session, p) -> None:
    """A second assessment stage after the first, sending through a connection since disconnected."""
    other = connect_screen(session, name="Second account", api_key=SECOND_SCREEN_KEY)
    campaign = list_vendor_tests(session=session, integration_id=other.id)[0]
    plans.add_assessment_stage(
        session=session,
        job_id=p.job.id,
        name="Second test",
        integration_id=other.id,
        vendor_test_id=campaign.id,
        vendor_test_name=campaign.name,
        after_stage_id=p.assessment.id,
    )
    disconnect(session=session, integration_id=other.id)


def _decided(session, application_id: int) -> tuple[int, set[AttemptState], list[str]]:
    """The application's decision version, its attempts' states and its history's decisions."""
    session.expire_all()
    attempts = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == application_id)
    )
    events = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id == application_id))
    return (
        session.get(Application, application_id).decision_version,
        {a.state for a in attempts},
        [e.summary for e in events if e.summary == "Advanced after review"],
    )


def test_an_advance_refused_by_the_next_stage_leaves_the_result_waiting_for_review(session, cohort):
    """helper-106: the decision was taken and the result marked reviewed before the move, which
    the next stage then refused: the candidate stayed, out of every review list, their history
    saying "Advanced after review"."""
    p, _ = cohort
    _second_test_through_a_gone_connection(session, p)
    version = session.get(Application, p.application.id).decision_version

    with pytest.raises(UserError, match="disconnected"):
        _advance(session, p.application.id, version, p.assessment.id, ALICE)

    assert _decided(session, p.application.id) == (version, {AttemptState.COMPLETED}, [])
    assert session.get(Application, p.application.id).stage_id == p.assessment.id


def test_an_advance_of_a_candidate_moved_since_the_page_showed_them_moves_nothing(session, cohort):
    """helper-106: the next stage was worked out from where the candidate is now, so a recruiter's
    move (which takes no decision) between the page's load and the press skipped a stage."""
    p, _ = cohort
    version = session.get(Application, p.application.id).decision_version
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=BOB
    )
    offer = plans.add_stage(session=session, job_id=p.job.id, name="Offer")

    with pytest.raises(
        UserError, match=r"^Already in Onsite meanwhile \(a colleague's move\): nothing was decided"
    ):
        _advance(session, p.application.id, version, p.assessment.id, ALICE)

    assert session.get(Application, p.application.id).stage_id == p.onsite.id != offer.id
    assert _decided(session, p.application.id) == (version, {AttemptState.COMPLETED}, [])


def test_a_rule_whose_move_is_refused_leaves_the_result_waiting_for_review(
    session, pipeline_with_assessment, sandbox, caplog
):
    """helper-106: the rule marked the result reviewed, then the next stage refused the move: the
    candidate dropped out of every review list unseen."""
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=ALICE)
    _second_test_through_a_gone_connection(session, p)
    taken_at_vendor(session, sandbox, p)

    with caplog.at_level(logging.INFO, logger="dashboard.services.review"):
        sync.sync_integration(session=session, integration_id=p.integration.id)

    assert any("the rule did not advance" in m and "disconnected" in m for m in caplog.messages)  # it tried
    _version, states, advanced = _decided(session, p.application.id)
    assert (states, advanced) == ({AttemptState.COMPLETED}, [])
    assert session.get(Application, p.application.id).stage_id == p.assessment.id


def test_a_rejection_note_longer_than_its_history_line_holds_is_refused_not_cut(session, cohort):
    """helper-106: a note past 200 characters was cut there without a word; the rest was lost."""
    p, _ = cohort
    version = session.get(Application, p.application.id).decision_version

    with pytest.raises(UserError, match=r"^The note is at most 200 characters \(201 now\)"):
        _reject(session, p.application.id, version, ALICE, note="x" * 201)

    session.expire_all()
    assert session.get(Application, p.application.id).rejected_at is None
    _reject(session, p.application.id, version, ALICE, note="y" * 200)
    [line] = [e.summary for e in session.exec(select(ApplicationEvent)) if e.summary.startswith("Rejected")]
    assert line == "Rejected: Other. Note: " + "y" * 200


def test_a_refused_decision_names_the_colleague_s_decision_not_what_followed_it(session, cohort):
    """helper-106: the refusal quoted the history's last line, which after a rejection is the
    feedback email written to the outbox, by System."""
    p, _ = cohort
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="")
    version = session.get(Application, p.application.id).decision_version
    _reject(session, p.application.id, version, BOB, reason="Position filled")

    with pytest.raises(UserError) as refused:
        reopening.reopen(
            session=session, application_id=p.application.id, expected_version=version, actor=ALICE
        )

    assert "(Rejected: Position filled, by Bob Reviewer)" in str(refused.value)


def test_a_name_that_reads_as_a_formula_is_exported_as_text(session, pipeline_with_assessment, sandbox):
    """helper-106: a candidate's name from a pasted list, "=HYPERLINK(...)", was a live formula in
    the exported CSV once opened in a spreadsheet."""
    p = pipeline_with_assessment
    application = session.get(Application, p.application.id)
    session.get(Candidate, application.candidate_id).name = '=HYPERLINK("http://evil.example","Ada")'
    session.commit()
    attempt = send_test(session, p.assessment, application)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)

    [row] = csv.DictReader(io.StringIO(review.results_csv(review.results(session, p.job.id))))

    assert row["candidate"] == '\'=HYPERLINK("http://evil.example","Ada")'
    assert row["test"] == attempt.vendor_test_name  # a plain name is left as it is


def test_a_feedback_template_whose_braces_do_not_pair_up_is_refused(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    with pytest.raises(UserError, match=r"^The template cannot be filled: a brace stands alone\. "):
        review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="Hi {name}, thanks :-}")


def test_a_template_that_cannot_be_filled_loses_neither_the_rule_nor_the_email(
    session, pipeline_with_assessment, sandbox, caplog
):
    """helper-112: a stray brace in a template (saved before templates were checked) raised as
    the result came in, after it was stored: the stage's rule never advanced the candidate and
    the email was never written, and nothing would try either again."""
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=ALICE)
    job = session.get(Job, p.job.id)
    job.candidate_feedback, job.feedback_template = True, "Hi {name}, thanks :-}"
    session.add(job)
    session.commit()

    scored(session, p, send_test(session, p.assessment, p.application), 70.0)

    session.expire_all()
    assert session.get(Application, p.application.id).stage_id == p.onsite.id
    bodies = session.exec(select(OutboxMessage.body)).all()
    assert bodies and all(b.startswith("Hello Ada Lovelace,") for b in bodies)
    assert "its feedback template cannot be filled" in caplog.text


@pytest.mark.parametrize(("gating", "advanced"), [(Gating.ALL, False), (Gating.ANY, True)])
def test_the_rule_weighs_each_test_of_a_stage_that_asks_for_all_of_them(
    session, pipeline_with_assessment, sandbox, gating, advanced
):
    """helper-141: only the test finished last was weighed, so a 95 finished after a 40 advanced
    the candidate and marked the 40 reviewed, never seen; finished the other way, they waited."""
    p = pipeline_with_assessment
    two_test_stage(session, p, gating)
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=70, counting="latest", actor=ALICE)
    low, high = both_tests_sent(session, p)

    dry_before = review.dry_run(session, p.assessment.id, 70, job_id=p.job.id)
    scored(session, p, low, 40.0)
    scored(session, p, high, 95.0)
    dry = review.dry_run(session, p.assessment.id, 70, job_id=p.job.id)

    application = session.get(Application, p.application.id, populate_existing=True)
    session.refresh(low)
    assert (application.stage_id != p.assessment.id) is advanced
    assert low.state == (AttemptState.REVIEWED if advanced else AttemptState.COMPLETED)
    assert dry_before.total == 0
    assert dry.total == 1 and dry.would_advance == (["Ada Lovelace"] if advanced else [])


def test_the_dry_run_of_a_stage_asking_for_all_tests_waits_for_each_of_them(
    session, pipeline_with_assessment, sandbox
):
    """helper-142: the dry run counted a candidate who had finished one of the two tests, with a
    95, as one the rule would advance; the rule itself waits for both."""
    p = pipeline_with_assessment
    two_test_stage(session, p, Gating.ALL)
    one, other = both_tests_sent(session, p)

    scored(session, p, one, 95.0)
    after_one = review.dry_run(session, p.assessment.id, 70, job_id=p.job.id)
    scored(session, p, other, 80.0)
    after_both = review.dry_run(session, p.assessment.id, 70, job_id=p.job.id)

    assert (after_one.total, after_one.would_advance) == (1, [])
    assert (after_both.total, after_both.would_advance) == (1, ["Ada Lovelace"])


@pytest.mark.parametrize("decision", ["reject", "advance"])
def test_a_decision_on_a_page_drawn_before_a_re_takes_result_is_refused_and_the_result_waits(
    session, pipeline_with_assessment, decision
):
    """helper-166: the manager's page showed Ada's 40 (her re-take under way); the re-take's 95 landed
    as the reject dialog was open, the page no longer reloading. The rejection went through on the
    40 and marked the 95 reviewed, unseen; an advance likewise stood on a score no longer counted."""
    p = pipeline_with_assessment
    first = send_test(session, p.assessment, p.application)
    scored(session, p, first, 40.0)
    second = retaken(session, p, first)
    seen = next(r for r in review.results(session, p.job.id) if r.attempt_id == first.id)
    scored(session, p, second, 95.0)

    with pytest.raises(UserError, match="A result came in while you were looking"):
        if decision == "reject":
            review.reject(
                session=session,
                application_id=p.application.id,
                reason="Other",
                note="",
                expected_version=seen.decision_version,
                actor=ALICE,
            )
        else:
            review.advance(
                session=session,
                application_id=p.application.id,
                expected_version=seen.decision_version,
                seen_in=p.assessment.id,
                actor=ALICE,
            )

    session.expire_all()
    assert session.get(AssessmentAttempt, second.id).state == AttemptState.COMPLETED  # waits for review
    application = session.get(Application, p.application.id)
    assert (application.rejected_at, application.stage_id) == (None, p.assessment.id)
