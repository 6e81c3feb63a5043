"""Read models the pages show: the application, the board (paged, filtered) and the queue buckets."""

import datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import (
    accounts,
    assessments,
    attempt_actions,
    board_view,
    integrations,
    notes,
    pipeline,
    plans,
    queue_view,
    review,
    sync,
    views,
)
from dashboard.services.actors import SYSTEM, user
from dashboard.services.errors import NotFound, SameTitle
from models import AssessmentAttempt, AttemptState, Gating, Job, Role
from providers.base import AttemptStatus, Progress
from tests.conftest import (
    both_tests_sent,
    enter_stage,
    finished_in_stage,
    scored,
    send_test,
    sent_with_a_reminder,
    two_test_stage,
    vendor_test_stages,
)


def _sent(session, p, application_id=None) -> AssessmentAttempt:
    moved = pipeline.move_application(
        session=session,
        application_id=application_id or p.application.id,
        stage_id=p.assessment.id,
        actor=SYSTEM,
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    return session.get(AssessmentAttempt, moved.attempt_id)


def test_the_application_view_lists_actions_with_the_vendors_reasons(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    _sent(session, p)
    riley, _password = accounts.create_user(
        session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER
    )
    notes.add_note(
        session=session, application_id=p.application.id, text="Strong SQL", actor=user(riley.id, "Riley")
    )

    view = views.application(session, p.application.id)

    [attempt] = view.attempts
    actions = {a.name: a for a in attempt.actions}
    assert actions["cancel"].enabled and actions["cancel"].applicable
    assert not actions["extend"].enabled and actions["extend"].applicable and actions["extend"].reason
    assert not actions["send"].applicable
    assert [n.text for n in view.notes] == ["Strong SQL"] and view.notes[0].author == "Riley"
    assert any("Note added" in e.summary for e in view.history)


def test_a_cancelled_invitations_link_is_no_longer_offered(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    attempt = _sent(session, p)
    assert views.application(session, p.application.id).attempts[0].test_url == attempt.test_url

    attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    by_id = {a.id: a for a in views.application(session, p.application.id).attempts}
    assert by_id[attempt.id].state == "cancelled" and by_id[attempt.id].test_url == ""


def test_a_finished_tests_link_is_no_longer_offered_its_report_is(session, sandbox):
    """Found by a walk: a completed, then a reviewed test still offered "Candidate's test link"
    and its copy button above the result, as if there were something left to send them to."""
    _integration, (stage,) = vendor_test_stages(session, "hackerrank", "Backend")
    attempt = finished_in_stage(session, sandbox, stage, "hackerrank")
    assert attempt.test_url

    [completed] = views.application(session, attempt.application_id).attempts
    assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=SYSTEM)
    [reviewed] = views.application(session, attempt.application_id).attempts

    assert (completed.state, completed.test_url) == ("completed", "")
    assert (reviewed.state, reviewed.test_url) == ("reviewed", "")
    assert completed.report_url == reviewed.report_url == attempt.report_url != ""


def test_a_cancelled_test_shows_no_deadline(session, sandbox):
    """Found by a walk: a cancelled test still said "Deadline 2027-03-01 23:59 UTC"; it has none."""
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Deadlines", deadline_days=7)
    attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    application_id = attempt.application_id
    assert views.application(session, application_id).attempts[0].expires_at != ""

    attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    by_id = {a.id: a for a in views.application(session, application_id).attempts}
    assert by_id[attempt.id].state == "cancelled"
    assert by_id[attempt.id].expires_at == ""


def test_a_sent_test_says_its_deadline_or_that_none_is_set(session, sandbox):
    """Found by a walk: a sent HackerRank test with no deadline showed none, yet offered "Extend
    deadline": the recruiter could not see what they were extending from."""
    _hackerrank, (open_ended, dated) = vendor_test_stages(session, "hackerrank", "Open", "Dated")
    plans.configure_stage(
        session=session, stage_id=dated.id, send_automatically=False, gating="all", deadline_days=7
    )
    seen = {}
    for stage, name in ((open_ended, "Ada"), (dated, "Alan")):
        attempt = session.get(AssessmentAttempt, enter_stage(session, stage, name=name))
        assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
        [view] = views.application(session, attempt.application_id).attempts
        seen[name] = view.deadline

    assert seen["Ada"] == "No deadline set"
    assert seen["Alan"].startswith("Deadline 20") and seen["Alan"].endswith(" UTC")


def test_a_report_link_is_offered_for_a_finished_test_only(session, sandbox):
    """HackerRank hands out the report's address with the invitation: a re-attempt only "Sent"
    showed "Detailed report"."""
    _integration, (stage,) = vendor_test_stages(session, "hackerrank", "Backend")
    first = finished_in_stage(session, sandbox, stage, "hackerrank")
    attempt_actions.reattempt(session=session, attempt_id=first.id, actor=SYSTEM)
    sync.sync_integration(session=session, integration_id=first.integration_id)  # the vendor's word on it
    retake = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.retakes_attempt_id == first.id)
    ).one()
    assert retake.state.value == "sent" and retake.report_url  # the vendor's address, kept

    by_id = {a.id: a for a in views.application(session, first.application_id).attempts}

    assert by_id[first.id].report_url == first.report_url != ""
    assert by_id[retake.id].report_url == "" and by_id[retake.id].report_pdf_url == ""


def test_a_subscores_points_read_as_the_totals_do_and_never_as_a_bare_maximum(session, sandbox):
    """A walk's Python section read "8.0 / 10" where the total beside it read "7.5 / 20" (a
    figure of its own kind), CodeSignal's Coding Score (550, no maximum) read nothing at all, and
    a question not graded yet read " / 10"."""
    _integration, (stage,) = vendor_test_stages(session, "codesignal", "Backend")
    attempt = finished_in_stage(session, sandbox, stage, "codesignal")
    attempt.points, attempt.max_points = 7.96, 20
    attempt.subscores = [
        {"name": "Lists", "score_percent": 79.6, "points": 7.96, "max_points": 10},
        {"name": "Joins", "score_percent": 75.0, "points": 7.5, "max_points": 10},
        {"name": "Coding Score", "score_percent": None, "points": 550.0},
        {"name": "Not graded yet", "score_percent": None, "points": None, "max_points": 10},
    ]
    session.add(attempt)
    session.commit()

    [view] = views.application(session, attempt.application_id).attempts

    assert view.points == "7.9 / 20"  # cut down, as scores are (79.6% beside it)
    assert [s.detail for s in view.subscores] == ["7.9 / 10", "7.5 / 10", "550", ""]


def test_a_test_under_way_shows_no_result_until_it_is_finished_or_scored(session, sandbox):
    """Found in a review: a vendor's integrity warnings sent while the test was under way showed
    the result block, "Total score: no score" beside them, as if it were finished."""
    attempt = sent_with_a_reminder(session)
    attempt.state, attempt.warnings = AttemptState.STARTED, ["Tab switched 3 times"]
    session.add(attempt)
    session.commit()

    [view] = views.application(session, attempt.application_id).attempts
    assert not view.has_result

    attempt.state = AttemptState.COMPLETED
    session.add(attempt)
    session.commit()
    [view] = views.application(session, attempt.application_id).attempts
    assert view.has_result


def test_a_hiring_manager_cannot_open_an_application_of_another_job(session, pipeline_with_assessment):
    with pytest.raises(NotFound):
        views.application(session, pipeline_with_assessment.application.id, frozenset({999}))


def test_board_columns_are_paged_and_filtered_in_sql(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    for n in range(30):
        pipeline.add_application(
            session=session, job_id=p.job.id, name=f"Grace {n}", email=f"g{n}@example.com", actor=SYSTEM
        )

    first_page = board_view.board(session, p.job.id)
    bigger = board_view.board(session, p.job.id, limits={p.applied.id: 50})
    found = board_view.board(session, p.job.id, board_view.BoardFilter(search="grace 2"))

    applied = next(c for c in first_page.columns if c.stage_id == p.applied.id)
    assert (
        applied.count == 31
        and len(applied.cards) == board_view.PAGE
        and applied.hidden == 31 - board_view.PAGE
    )
    assert len(next(c for c in bigger.columns if c.stage_id == p.applied.id).cards) == 31
    assert found.matching == 1 + 10 and found.total == 31  # "Grace 2" and "Grace 20".."Grace 29"


def test_names_and_titles_with_accented_capitals_are_found_in_any_case(session, pipeline_with_assessment):
    """Found by a review: SQLite's lower() folds ASCII letters only, so on the default database a
    search for "élodie" missed Élodie, and a second "ÉCRIVAIN" job was made without the question."""
    p = pipeline_with_assessment
    pipeline.add_application(
        session=session, job_id=p.job.id, name="Élodie Durand", email="elodie@example.com", actor=SYSTEM
    )
    plans.create_job(session=session, title="Écrivain technique", stage_names=["Applied"])

    found = board_view.board(session, p.job.id, board_view.BoardFilter(search="élodie"))
    assert found.matching == 1
    assert [j.title for j in views.find_jobs(session, search="ÉCRIVAIN").jobs] == ["Écrivain technique"]
    with pytest.raises(SameTitle):
        plans.create_job(session=session, title="écrivain TECHNIQUE", stage_names=["Applied"])


def test_a_title_is_found_and_compared_with_accents_aside(session):
    """Typed without its accents, "developpeur" did not find Développeur, and a "Developpeur"
    was made beside it without the question a same title asks."""
    plans.create_job(session=session, title="Développeur Back-end", stage_names=["Applied"])

    assert [j.title for j in views.find_jobs(session, search="developpeur").jobs] == ["Développeur Back-end"]
    with pytest.raises(SameTitle):
        plans.create_job(session=session, title="DEVELOPPEUR back-end", stage_names=["Applied"])


def test_namesakes_on_a_board_are_told_apart_by_their_emails(session, pipeline_with_assessment):
    """Found by a walk: the demo job's two Linus Lovelaces made two identical cards, and their
    checkboxes, links and "Move to" menus shared one name for a screen reader."""
    p = pipeline_with_assessment
    for name, email in [("Linus Lovelace", "linus@example.com"), ("linus lovelace", "ll@example.com")]:
        pipeline.add_application(session=session, job_id=p.job.id, name=name, email=email, actor=SYSTEM)

    cards = {c.candidate_name: c for col in board_view.board(session, p.job.id).columns for c in col.cards}

    assert cards["Linus Lovelace"].namesake_email == "linus@example.com"
    assert cards["linus lovelace"].namesake_email == "ll@example.com"
    assert cards["Ada Lovelace"].namesake_email == ""  # a name of her own is enough


def test_the_boards_status_filter_goes_by_each_tests_newest_attempt_as_the_chip_does(
    session, pipeline_with_assessment, sandbox
):
    """Found by a walk: a cancelled invitation followed by a fresh one sent still matched the filter
    "Cancelled", its card's chip saying "Sent"; an expired one re-taken matched "Expired" the same way."""
    p = pipeline_with_assessment
    cancelled = _sent(session, p)
    attempt_actions.cancel_assessment(session=session, attempt_id=cancelled.id, actor=SYSTEM)
    fresh = session.exec(select(AssessmentAttempt).where(AssessmentAttempt.id > cancelled.id)).one()
    assessments.send_assessment(session=session, attempt_id=fresh.id, actor=SYSTEM)

    def shown(status):
        found = board_view.board(session, p.job.id, board_view.BoardFilter(status=status))
        return {
            card.candidate_name: [chip.label for chip in card.chips]
            for c in found.columns
            for card in c.cards
        }

    assert shown("sent") == {"Ada Lovelace": ["Sent"]}
    assert shown("cancelled") == {}


def test_the_boards_filters_go_by_the_tests_of_the_cards_stage_as_its_chips_do(
    session, pipeline_with_assessment, sandbox
):
    """A reviewer's find: a candidate sent the test, then moved on to Onsite, matched "Sent"
    and a score bound in the Onsite column, where the card shows no chip and no score."""
    p = pipeline_with_assessment
    _sent(session, p)
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    _sent(session, p, grace.id)
    pipeline.move_application(session=session, application_id=grace.id, stage_id=p.onsite.id, actor=SYSTEM)

    found = board_view.board(session, p.job.id, board_view.BoardFilter(status="sent"))

    shown = {card.candidate_name: card.chips for c in found.columns for card in c.cards}
    assert list(shown) == ["Ada Lovelace"] and found.matching == 1
    assert [chip.label for chip in shown["Ada Lovelace"]] == ["Sent"]


def test_a_percent_or_underscore_typed_in_a_search_is_searched_for_not_a_wildcard(
    session, pipeline_with_assessment
):
    p = pipeline_with_assessment
    for name, email in [("Bo Kahn", "bo_kahn@example.com"), ("Cy Young", "cy.young@example.com")]:
        moved = pipeline.add_application(
            session=session, job_id=p.job.id, name=name, email=email, actor=SYSTEM
        )
        pipeline.move_application(
            session=session, application_id=moved.id, stage_id=p.assessment.id, actor=SYSTEM
        )

    def board_names(search):
        found = board_view.board(session, p.job.id, board_view.BoardFilter(search=search))
        return sorted(card.candidate_name for column in found.columns for card in column.cards)

    def queue_names(search):
        return sorted(
            r.candidate_name
            for r in queue_view.rows(session, "needs_sending", queue_view.QueueFilter(search=search))
        )

    assert board_names("%") == [] and queue_names("%") == []
    assert board_names("_") == ["Bo Kahn"] and queue_names("_") == ["Bo Kahn"]
    assert board_names("o_k") == ["Bo Kahn"] and queue_names("o_k") == ["Bo Kahn"]
    assert board_names("y.y") == ["Cy Young"]


def test_a_search_of_accents_alone_finds_no_one_on_any_page(session, pipeline_with_assessment):
    """Accents typed alone (a dead key pressed, then the field left) fold to nothing, which every
    name holds: the board, the queue, the jobs list and the users list each listed everyone."""
    p = pipeline_with_assessment
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    accounts.create_user(session=session, name="René Ørsted", email="rene@example.com", role=Role.ADMIN)
    accents = "\u0301\u0308"

    board = board_view.board(session, p.job.id, board_view.BoardFilter(search=accents))
    queue = queue_view.rows(session, "needs_sending", queue_view.QueueFilter(search=accents))

    assert [card for column in board.columns for card in column.cards] == [] and board.matching == 0
    assert queue == []
    assert views.find_jobs(session, search=accents).total == 0
    assert views.find_users(session, search=accents).total == 0
    assert views.find_jobs(session, search="backend").total == 1  # the same lists, searched for a word
    assert views.find_users(session, search="rené").total == 1


def test_the_queue_counts_each_bucket_and_forgets_retaken_attempts(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    attempt = _sent(session, p)
    other = pipeline.add_application(
        session=session, job_id=p.job.id, name="Bo", email="bo@example.com", actor=SYSTEM
    )
    pipeline.move_application(
        session=session, application_id=other.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    sandbox.act(attempt.vendor_attempt_id, "expire")
    sync.sync_integration(session=session, integration_id=p.integration.id)

    counts = {b.key: b.count for b in queue_view.counts(session)}
    rows = queue_view.rows(session, "expired")

    assert counts["needs_sending"] == 1 and counts["expired"] == 1 and counts["awaiting"] == 0
    assert [r.candidate_name for r in rows] == ["Ada Lovelace"]
    attempt_actions.reattempt(session=session, attempt_id=attempt.id, actor=SYSTEM)
    counts = {b.key: b.count for b in queue_view.counts(session)}
    assert counts["expired"] == 0 and counts["awaiting"] == 1
    assert queue_view.rows(session, "awaiting", queue_view.QueueFilter(search="ada"))[0].test_name


def test_each_queue_row_offers_its_next_step_or_says_why_it_cannot(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    def step(bucket: str) -> tuple[str, str, str]:
        (row,) = queue_view.rows(session, bucket)
        return row.step, row.step_label, row.step_blocked

    assert step("needs_sending") == ("send", "Send", "")
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    assert step("awaiting") == ("resend", "Resend", "")  # CoderPad Screen resends its invitation
    sandbox.act(session.get(AssessmentAttempt, moved.attempt_id).vendor_attempt_id, "start")
    sync.sync_integration(session=session, integration_id=p.integration.id)
    assert step("awaiting") == ("", "", "")  # the candidate is on it: nothing to click
    sandbox.act(session.get(AssessmentAttempt, moved.attempt_id).vendor_attempt_id, "expire")
    sync.sync_integration(session=session, integration_id=p.integration.id)
    assert step("expired") == ("reattempt", "Re-attempt", "")
    attempt_actions.reattempt(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    retake = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.retakes_attempt_id == moved.attempt_id)
    ).one()
    # The vendor's word that the attempt failed (CoderPad Screen's "aborted"), as a webhook brings it.
    assessments.apply_vendor_status(
        session=session,
        integration_id=p.integration.id,
        status=AttemptStatus(retake.vendor_attempt_id, Progress.ERROR, "aborted"),
        actor=SYSTEM,
    )
    assert step("failed") == ("retry", "Retry", "The vendor reported this failure; a retry cannot change it.")
    integrations.disconnect(session=session, integration_id=p.integration.id)
    assert step("failed") == (
        "retry",
        "Retry",
        "Its vendor connection was disconnected: send the candidate the test through a connected "
        "vendor (Send an assessment).",
    )


def test_an_expired_attempt_re_taken_for_another_job_offers_no_second_re_take(session, sandbox):
    integration, (first_stage, second_stage) = vendor_test_stages(session, "imocha", "Backend", "Platform")

    first_id = enter_stage(session, first_stage)
    assessments.send_assessment(session=session, attempt_id=first_id, actor=SYSTEM)
    sandbox.act(session.get(AssessmentAttempt, first_id).vendor_attempt_id, "expire", vendor="imocha")
    sync.sync_integration(session=session, integration_id=integration.id)
    (row,) = queue_view.rows(session, "expired")
    assert (row.step, row.step_blocked) == ("reattempt", "")

    # The second job's attempt re-takes the first (iMocha would hand back the same invitation).
    second_id = enter_stage(session, second_stage)
    attempt_actions.reattempt(session=session, attempt_id=second_id, of_attempt_id=first_id, actor=SYSTEM)

    (row,) = queue_view.rows(session, "expired")
    assert (row.attempt_id, row.step, row.step_blocked) == (
        first_id,
        "reattempt",
        "Already re-taken by another attempt.",
    )


def test_the_queue_narrows_to_a_stage_and_to_a_recruiters_jobs(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    riley, _ = accounts.create_user(
        session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER
    )
    sam, _ = accounts.create_user(session=session, email="sam@example.com", name="Sam", role=Role.RECRUITER)
    accounts.set_job_member(session=session, user_id=riley.id, job_id=p.job.id, member=True)

    def waiting(**narrowed) -> int:
        return {b.key: b.count for b in queue_view.counts(session, queue_view.QueueFilter(**narrowed))}[
            "needs_sending"
        ]

    stages, members = queue_view.filter_choices(session)
    assert "CoderPad assessment" in stages and [name for _id, name in members] == ["Riley", "Sam"]
    assert waiting() == 1
    assert waiting(stage_name="CoderPad assessment") == 1 and waiting(stage_name="Onsite") == 0
    assert waiting(member_id=riley.id) == 1 and waiting(member_id=sam.id) == 0


def test_the_queue_offers_a_picked_jobs_stages_in_its_plans_order(session):
    """Found by a walk: with a job picked, the Stage list read "Applied, HackerRank assessment, Offer,
    Onsite, Recruiter screen" (by name), not the plan's order its board shows."""
    job = plans.create_job(
        session=session, title="Platform", stage_names=["Applied", "Recruiter screen", "Onsite", "Offer"]
    )

    stages, _members = queue_view.filter_choices(session, job_id=job.id)

    assert stages == ["Applied", "Recruiter screen", "Onsite", "Offer"]


def test_the_jobs_list_counts_what_the_queue_shows_not_a_rejected_candidates_tests(
    session, pipeline_with_assessment
):
    """A rejected candidate's unsent test left the queue, but the jobs list still said it needed sending."""
    p = pipeline_with_assessment
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace", email="grace@example.com", actor=SYSTEM
    )
    for application_id in (p.application.id, grace.id):
        pipeline.move_application(
            session=session, application_id=application_id, stage_id=p.assessment.id, actor=SYSTEM
        )
    recruiter, _ = accounts.create_user(
        session=session, email="rita@example.com", name="Rita", role=Role.RECRUITER
    )
    review.reject(
        session=session,
        application_id=grace.id,
        reason="Other",
        note="",
        expected_version=grace.decision_version,
        actor=user(recruiter.id, recruiter.name),
    )

    [job] = views.list_jobs(session)
    in_queue = queue_view.counts(session, queue_view.QueueFilter(job_id=p.job.id))

    assert job.needs_sending == queue_view.count_of(in_queue, "needs_sending") == 1
    assert job.applications == 2  # the rejected card is still on the board


def test_the_jobs_list_finds_a_job_by_title_among_a_thousand_and_shows_a_page_of_them(
    session, pipeline_with_assessment
):
    """A team with hundreds of jobs scrolled the whole list for one: every job was read, counted
    and sent to the page on each live reload. The search and the page's cut are made in SQL."""
    p = pipeline_with_assessment
    session.add_all([Job(title=f"Account Executive {n}") for n in range(1200)])
    session.add_all([Job(title="Backend Engineer (Payments)"), Job(title="100% Remote_Designer")])
    session.commit()
    statements = []

    def note(*args) -> None:
        statements.append(args[2])

    sa.event.listen(session.get_bind(), "before_cursor_execute", note)
    try:
        every = views.find_jobs(session)
        one_look = len(statements)
    finally:  # the engine outlives the test
        sa.event.remove(session.get_bind(), "before_cursor_execute", note)
    backend = views.find_jobs(session, search="  backend   ENGINEER ")
    only_p = views.find_jobs(session, visible_job_ids=frozenset({p.job.id}), search="engineer")

    assert every.total == 1203 and len(every.jobs) == views.JOBS_SHOWN
    assert every.jobs[0].title == "100% Remote_Designer"  # the newest first: the jobs being worked on
    assert one_look <= 6  # a few queries a look, not some per job
    assert [j.title for j in backend.jobs] == ["Backend Engineer (Payments)", p.job.title]
    assert backend.jobs[1].applications == 1 and backend.total == 2
    assert [j.id for j in only_p.jobs] == [p.job.id]
    # A % or _ typed is looked for as itself: "0%" is not "0, then anything".
    assert [j.title for j in views.find_jobs(session, search="0%").jobs] == ["100% Remote_Designer"]
    assert views.find_jobs(session, search="t_e").total == 0  # not "Account Executive"


def test_two_jobs_of_one_title_are_told_apart_by_number_and_opening_minute(session):
    """A second "Backend Engineer" (another office) made two identical rows on the jobs list, and
    two identical options in the queue's job filter and the users page's job access."""
    opened = datetime.datetime(2026, 12, 4, 14, 5, tzinfo=datetime.UTC)
    first = Job(title="Backend Engineer", created_at=opened)
    second = Job(title="backend engineer", created_at=opened + datetime.timedelta(hours=2))
    alone = Job(title="Data Engineer", created_at=opened)
    session.add_all([first, second, alone])
    session.commit()

    rows = {j.id: j for j in views.find_jobs(session).jobs}
    seen_by_one = views.list_jobs(session, visible_job_ids=frozenset({first.id, alone.id}))

    assert rows[first.id].label == f"Backend Engineer (job {first.id})"
    assert rows[second.id].label == f"backend engineer (job {second.id})"
    assert rows[first.id].opened == "2026-12-04 14:05 UTC"
    assert rows[second.id].opened == "2026-12-04 16:05 UTC"
    assert (rows[alone.id].label, rows[alone.id].opened) == ("Data Engineer", "2026-12-04")
    # A recruiter who sees only one of them has nothing to tell apart.
    assert [j.label for j in seen_by_one] == ["Backend Engineer", "Data Engineer"]


def test_a_search_pasted_with_extra_spaces_finds_the_name_it_reads_as(session, pipeline_with_assessment):
    """A name copied from an email ("Cy  Young", or with a tab) found no one on the board or in
    the queue: names are kept with one space between words, the search was taken as pasted."""
    p = pipeline_with_assessment
    cy = pipeline.add_application(
        session=session, job_id=p.job.id, name="Cy Young", email="cy.young@example.com", actor=SYSTEM
    )
    pipeline.move_application(session=session, application_id=cy.id, stage_id=p.assessment.id, actor=SYSTEM)

    found = board_view.board(session, p.job.id, board_view.BoardFilter(search=" cy \t young "))
    rows = queue_view.rows(session, "needs_sending", queue_view.QueueFilter(search="Cy  Young"))

    assert [card.candidate_name for column in found.columns for card in column.cards] == ["Cy Young"]
    assert [r.candidate_name for r in rows] == ["Cy Young"]


def test_a_name_is_found_with_case_and_accents_aside_on_the_board_and_in_the_queue(
    session, pipeline_with_assessment
):
    """A recruiter types "jose" for José, "elodie" for ÉLODIE: neither was found (lower() keeps
    the accents)."""
    p = pipeline_with_assessment
    people = (
        ("José Núñez", "jn@example.com"),
        ("ÉLODIE Durand", "ed@example.com"),
        ("Łukasz Søren", "ls@example.com"),
    )
    for name, email in people:
        application = pipeline.add_application(
            session=session, job_id=p.job.id, name=name, email=email, actor=SYSTEM
        )
        pipeline.move_application(
            session=session, application_id=application.id, stage_id=p.assessment.id, actor=SYSTEM
        )

    def board_finds(search: str) -> list[str]:
        found = board_view.board(session, p.job.id, board_view.BoardFilter(search=search))
        return [card.candidate_name for column in found.columns for card in column.cards]

    def queue_finds(search: str) -> list[str]:
        rows = queue_view.rows(session, "needs_sending", queue_view.QueueFilter(search=search))
        return [r.candidate_name for r in rows]

    for finds in (board_finds, queue_finds):
        assert finds("jose nunez") == ["José Núñez"]
        assert finds("NÚÑEZ") == ["José Núñez"]
        assert finds("élodie") == finds("Elodie") == ["ÉLODIE Durand"]
        assert finds("ED@EXAMPLE") == ["ÉLODIE Durand"]
        assert finds("lukasz soren") == ["Łukasz Søren"]  # letters with no accent to strip, too


def test_a_re_take_of_another_jobs_attempt_names_that_job_not_an_attempt_0(session, sandbox):
    """Found by a walk: the second job's iMocha attempt, sent as a re-take of the first job's
    (iMocha hands the same invitation back otherwise), read "attempt 1 (re-take of attempt 0)":
    the attempt it re-takes is the other application's, not one before it on this page."""
    _integration, (first_stage, second_stage) = vendor_test_stages(session, "imocha", "Backend", "Platform")
    first = finished_in_stage(session, sandbox, first_stage, "imocha")
    second_id = enter_stage(session, second_stage)
    attempt_actions.reattempt(session=session, attempt_id=second_id, of_attempt_id=first.id, actor=SYSTEM)

    second = session.get(AssessmentAttempt, second_id)
    (shown,) = views.application(session, second.application_id).attempts
    assert (shown.attempt_number, shown.retakes) == (1, "re-take of attempt 1 for Backend")
    # A hiring manager of Platform only is not told where else the candidate applied.
    (seen,) = views.application(
        session, second.application_id, visible_job_ids=frozenset({second_stage.job_id})
    ).attempts
    assert seen.retakes == "re-take of an earlier attempt"


def test_the_history_says_which_attempt_of_a_test_each_line_is_about(session, sandbox):
    """Found by a walk: a test cancelled, then sent again, read "Python: sent" twice in the
    history, and its completion "Python: assessment needs review": of which attempt, not said."""
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Twice")
    first = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=first.id, actor=SYSTEM)
    attempt_actions.cancel_assessment(session=session, attempt_id=first.id, actor=SYSTEM)
    second = session.exec(select(AssessmentAttempt).where(AssessmentAttempt.id != first.id)).one()
    assessments.send_assessment(session=session, attempt_id=second.id, actor=SYSTEM)
    test = first.vendor_test_name

    said = [e.summary for e in views.application(session, first.application_id).history]

    assert said[:4] == [
        f"{test}, attempt 2: sent",
        f"{test}: attempt 2 needs sending",
        f"{test}: cancelled",
        f"{test}: sent",
    ]


def test_the_users_page_names_each_persons_jobs_and_offers_every_job_as_the_jobs_page_names_it(session):
    """The users page drew a box per job in every row (a million for 100 people and 10,000 jobs,
    helper-117): a row names the jobs the person is on, and one list offers every job to add."""
    first = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    twin = plans.create_job(
        session=session, title="Data Engineer", stage_names=["Applied"], same_title_meant=True
    )
    plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])  # its title alone
    harper, _ = accounts.create_user(
        session=session, email="harper@example.com", name="Harper", role=Role.HIRING_MANAGER
    )
    accounts.set_job_member(session=session, user_id=harper.id, job_id=twin.id, member=True)

    [row] = views.find_users(session, "harper").users
    offered = views.job_choices(session)

    assert [(j.value, j.label) for j in row.jobs] == [(str(twin.id), f"Data Engineer (job {twin.id})")]
    assert [j.label for j in offered] == [
        f"Data Engineer (job {first.id})",
        f"Data Engineer (job {twin.id})",
        "Backend Engineer",
    ]


def test_a_card_a_status_filter_finds_shows_the_chip_it_was_found_by_when_its_stage_lost_its_test(
    session, pipeline_with_assessment, sandbox
):
    """helper-143: the stage's only test taken out of the plan made it a plain stage, whose cards drew
    no chips; the status filter still found Ada there by the test she had been sent."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    [test] = plans.tests_of(session, p.assessment.id)
    plans.remove_stage_test(session=session, stage_test_id=test.id)

    found = board_view.board(session, p.job.id, board_view.BoardFilter(status="sent"))

    [card] = [c for column in found.columns for c in column.cards]
    assert card.application_id == p.application.id
    assert [chip.label for chip in card.chips] == ["Sent"]
    assert card.chips[0].title.startswith(f"{attempt.vendor_test_name}: sent for ")


def test_a_highest_score_filter_finds_a_card_showing_exactly_that_score(session, pipeline_with_assessment):
    """helper-167: 7 of 12 is kept as 58.33 and shown "58.3%"; "to 58.3" hid the card showing it."""
    p = pipeline_with_assessment
    scored(session, p, send_test(session, p.assessment, p.application), 700 / 12)

    def found(score_max: float) -> list[str]:
        shown = board_view.board(session, p.job.id, board_view.BoardFilter(score_max=score_max))
        return [c.score for col in shown.columns for c in col.cards]

    assert (found(58.3), found(58.2)) == (["58.3%"], [])


def test_a_card_of_a_stage_of_two_tests_shows_each_score_its_filters_match(session, pipeline_with_assessment):
    """helper-167: Ada scored 40 on one test and 90 on the other; her card read "90%" and "to 50"
    listed her all the same (the filters match a card by any of its stage's tests)."""
    p = pipeline_with_assessment
    two_test_stage(session, p, Gating.ALL)
    first, second = both_tests_sent(session, p)
    scored(session, p, first, 40.0)
    scored(session, p, second, 90.0)

    shown = board_view.board(session, p.job.id, board_view.BoardFilter(score_max=50))

    assert [c.score for col in shown.columns for c in col.cards] == ["40% · 90%"]
