"""Adding a pasted list of candidates: each line on its own, the refused ones given back with why."""

import pytest
from sqlmodel import select

from dashboard.services import pasted_candidates, people, pipeline, plans
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from models import Application, Candidate
from tests.conftest import vendor_test_stages


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("Ada Lovelace <ada@example.com>", ("Ada Lovelace", "ada@example.com")),
        ('"Lovelace, Ada" <ada@example.com>', ("Lovelace, Ada", "ada@example.com")),
        ("Ada Lovelace, ada@example.com", ("Ada Lovelace", "ada@example.com")),
        ("ada@example.com, Ada Lovelace", ("Ada Lovelace", "ada@example.com")),
        ("Ada\tLovelace\tada@example.com", ("Ada Lovelace", "ada@example.com")),  # spreadsheet columns
        ("ada@example.com, Ada, Lovelace", ("Ada Lovelace", "ada@example.com")),
        ("Ada Lovelace; ada@example.com", ("Ada Lovelace", "ada@example.com")),
        ('"Lovelace, Ada",ada@example.com', ("Lovelace, Ada", "ada@example.com")),
        ("José Ñúñez, jose@example.com", ("José Ñúñez", "jose@example.com")),
        ("Ada Lovelace", ("Ada Lovelace", "")),
        ("ada@example.com", ("", "ada@example.com")),
    ],
)
def test_a_line_is_read_in_the_forms_people_paste(line, read):
    assert pasted_candidates.name_and_email(line) == read


def test_a_line_copied_from_an_email_s_to_field_is_one_candidate_per_addressee():
    lines = pasted_candidates.lines_of(
        'Ada Lovelace <ada@example.com>; "King, Bea" <bea@example.com>, <cy@example.com>'
    )

    assert [(line.number, pasted_candidates.name_and_email(line.text)) for line in lines] == [
        (1, ("Ada Lovelace", "ada@example.com")),
        (1, ("King, Bea", "bea@example.com")),
        (1, ("", "cy@example.com")),
    ]


def test_outlook_s_to_line_with_names_unquoted_is_one_candidate_per_addressee():
    """Found in a review: Outlook writes "Lovelace, Ada <ada@x>; Turing, Alan <alan@y>", and the
    whole line was one candidate named "Lovelace, Ada <ada@x>; Turing, Alan", sent Alan's tests."""
    lines = pasted_candidates.lines_of("Lovelace, Ada <ada@example.com>; Turing, Alan <alan@example.com>")

    assert [pasted_candidates.name_and_email(line.text) for line in lines] == [
        ("Lovelace, Ada", "ada@example.com"),
        ("Turing, Alan", "alan@example.com"),
    ]


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        (
            "Ada\tLovelace\tada@example.com\t+44 20 7946 0958\tAcme Ltd",
            "More columns than a name and an email",
        ),
        ("Bob Smith, bob@example.com, Initech", "More columns than a name and an email"),
        ("Bob, bob@example.com, Initech", "More columns than a name and an email"),
        ("Ada <3, ada@example.com", "cannot hold"),
        ("x" * 600 + "@example.com", "more than 500 characters"),
    ],
)
def test_a_line_that_cannot_be_told_apart_is_refused_not_guessed(line, refusal):
    """Found in a review: a sheet's phone and company columns were kept as part of the name."""
    with pytest.raises(UserError, match=refusal):
        pasted_candidates.name_and_email(line)


def test_a_header_row_picks_the_name_s_columns_and_leaves_the_others_out():
    [header, row] = pasted_candidates.lines_of(
        "First name\tLast name\tEmail\tPhone\tCompany\nAda\tLovelace\tada@example.com\t+44 20 7946\tAcme"
    )

    assert pasted_candidates.name_and_email(row.text, pasted_candidates.name_columns(header)) == (
        "Ada Lovelace",
        "ada@example.com",
    )


def test_a_line_with_two_addresses_is_refused_not_guessed():
    with pytest.raises(UserError, match="2 email addresses on one line"):
        pasted_candidates.name_and_email("Ada, ada@example.com, ada.l@example.com")


def test_a_pasted_list_adds_each_good_line_and_gives_back_the_rest_with_why(session):
    job = plans.create_job(session=session, title="Support Engineer", stage_names=["Applied", "Onsite"])
    pipeline.add_application(
        session=session, job_id=job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    pasted = "\n".join(
        [
            "Name,Email",  # the sheet's header row
            "Ada Lovelace, ADA@example.com ",
            "",
            "Alan Turing <alan@example>",  # no dot in the domain
            "Grace Hopper <grace@example.com>",  # already in the job
            "Linus   Torvalds <linus@example.com>",  # spaces as pasted: kept as it reads, no "renamed"
            "ada@example.com, Ada Again",  # pasted twice
            "Barbara Liskov",  # no email
        ]
    )

    outcome = pasted_candidates.add_pasted(session=session, job_id=job.id, text=pasted, actor=SYSTEM)

    assert (outcome.added, outcome.renamed) == (["Ada Lovelace", "Linus Torvalds"], [])
    assert [r.split(":")[0] for r in outcome.refused] == [
        "Line 4 (Alan Turing <alan@example>)",
        "Line 5 (Grace Hopper <grace@example.com>)",
        "Line 7 (ada@example.com, Ada Again)",
        "Line 8 (Barbara Liskov)",
    ]
    assert "is not an email address" in outcome.refused[0]
    assert "Give the candidate's email" in outcome.refused[3]
    assert outcome.refused_lines == [
        "Name,Email",  # given back with them: mended without it, a third column joins the name
        "Alan Turing <alan@example>",
        "Grace Hopper <grace@example.com>",
        "ada@example.com, Ada Again",
        "Barbara Liskov",
    ]
    assert outcome.message == "2 candidates added; 4 lines not added: mend them below and add again."
    first = plans.stages_of(session, job.id)[0]
    in_job = session.exec(
        select(Candidate.email)
        .join(Application)
        .where(Application.job_id == job.id, Application.stage_id == first.id)
    ).all()
    assert sorted(in_job) == ["ada@example.com", "grace@example.com", "linus@example.com"]


def test_a_known_email_keeps_its_name_and_the_outcome_says_so(session):
    first_job = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    pipeline.add_application(
        session=session, job_id=first_job.id, name="Ada King", email="ada@example.com", actor=SYSTEM
    )
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])

    outcome = pasted_candidates.add_pasted(
        session=session, job_id=job.id, text="Ada Lovelace <ada@example.com>", actor=SYSTEM
    )

    assert (outcome.added, outcome.message) == (["Ada King"], "1 candidate added.")
    assert outcome.renamed == [
        "Line 1: Ada King added: ada@example.com is already Ada King's address, "
        "so the name typed (Ada Lovelace) was not used."
    ]


def test_nothing_pasted_or_too_long_a_list_adds_no_one(session):
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    # The header row is not a candidate: 501 below it are 501.
    too_many = "Name, Email\n" + "\n".join(
        f"Person {n} <p{n}@example.com>" for n in range(pasted_candidates.MAX_LINES + 1)
    )

    with pytest.raises(UserError, match="Paste the candidates"):
        pasted_candidates.add_pasted(session=session, job_id=job.id, text=" \n\n", actor=SYSTEM)
    with pytest.raises(UserError, match="at most 500 candidates at a time; this list has 501"):
        pasted_candidates.add_pasted(session=session, job_id=job.id, text=too_many, actor=SYSTEM)
    with pytest.raises(UserError, match="Only the header row was pasted"):  # helper-130: "0 added", green
        pasted_candidates.add_pasted(session=session, job_id=job.id, text="Name\tEmail\n", actor=SYSTEM)
    assert session.exec(select(Application)).all() == []


def test_a_list_pasted_into_a_plan_that_starts_with_a_test_says_which_tests_were_not_sent(session, sandbox):
    """Added to a plan whose first stage sends its test on entry, each candidate is sent it; one the
    vendor failed waits under Failed, and the toast says so rather than only "2 candidates added"."""
    _integration, (stage,) = vendor_test_stages(session, "hackerrank", "Backend", send_automatically=True)
    plans.move_stage(session=session, stage_id=stage.id, position=0)
    sandbox.faults(vendor="hackerrank", fail_next=[{"status": 503}])

    outcome = pasted_candidates.add_pasted(
        session=session,
        job_id=stage.job_id,
        text="Ada <ada@example.com>\nGrace <grace@example.com>",
        actor=SYSTEM,
    )

    assert outcome.message == "2 candidates added. 1 test not sent: it waits under Failed in the queue."


@pytest.mark.parametrize(
    "line",
    ["<bea@example.com>, Bea Smith", "Bea Smith\tbea@example.com;", "Bea Smith, mailto:bea@example.com"],
)
def test_an_address_as_a_mail_program_copies_it_is_read_bare(line):
    """helper-143: "<bea@example.com>" and "bea@example.com;" passed as addresses as they were, a
    second candidate beside Bea the next time, sent her tests at an address no vendor delivers to."""
    assert pasted_candidates.name_and_email(line) == ("Bea Smith", "bea@example.com")


@pytest.mark.parametrize(
    "typed", ["<bea@example.com>", "bea@example.com;", "bea@exa mple.com", "bea@-example.com"]
)
def test_an_address_with_brackets_or_a_broken_domain_is_refused_where_it_is_typed(typed):
    with pytest.raises(UserError, match="is not an email address"):
        people.candidate_name_and_email("Bea Smith", typed)


def test_unseen_characters_copied_with_an_address_do_not_make_a_second_card_for_the_same_person(session):
    """helper-164: a zero-width space after the address, or a direction mark before it (a list copied
    from a chat or a web page), made another address: Grace's second and third cards in one job."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied", "Onsite"])
    pipeline.add_application(
        session=session, job_id=job.id, name="Grace Hopper", email="grace@example.com", actor=SYSTEM
    )
    pasted = "\ufeffGrace Hopper <grace@example.com\u200b>\nGrace Hopper, \u200egrace@example.com\nAda Lovelace\u200b, ada@example.com\u200b"

    outcome = pasted_candidates.add_pasted(session=session, job_id=job.id, text=pasted, actor=SYSTEM)

    assert outcome.added == ["Ada Lovelace"]
    assert [r.split(" (")[0] for r in outcome.refused] == ["Line 1", "Line 2"]  # already in the job
    in_job = session.exec(
        select(Candidate.email, Candidate.name).join(Application).where(Application.job_id == job.id)
    ).all()
    assert sorted(in_job) == [("ada@example.com", "Ada Lovelace"), ("grace@example.com", "Grace Hopper")]
