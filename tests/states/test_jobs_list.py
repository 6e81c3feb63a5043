"""The jobs page's state: making jobs one after another, and a double click making one."""

from sqlmodel import select

from dashboard.states.overview import JobsState
from models import Job, Role
from tests.states.conftest import run_async, run_handler, substate


def _jobs_page(signed_in_as) -> JobsState:
    page = substate(signed_in_as(Role.RECRUITER), JobsState)
    run_async(run_handler(page, "load"))
    return page


def test_a_job_typed_before_the_list_loads_again_is_made_and_a_double_click_makes_one(session, signed_in_as):
    """Found by a CI run: back on the list at once after making a job, a second title sent before
    the page's load was dropped without a word (the first job's "creating" still stood)."""
    page = _jobs_page(signed_in_as)

    run_async(run_handler(page, "create_job", {"title": "Security Engineer"}))
    run_async(
        run_handler(page, "create_job", {"title": " Security  Engineer"})
    )  # the double click's second press
    run_async(run_handler(page, "create_job", {"title": "Site Reliability Engineer"}))  # before any load

    titles = sorted(session.exec(select(Job.title)).all())
    assert titles == ["Security Engineer", "Site Reliability Engineer"]


def test_a_job_made_leaves_the_new_job_button_usable_for_the_next_visit(session, signed_in_as):
    """Found by a CI run under load: back on the list after making a job, the New job button came
    back spinning (``creating`` kept in the tab's state) until the page's load ended. A spinning
    button is disabled, and a disabled submit button makes the browser drop the Enter pressed in
    the title box: the recruiter's second job was never asked for."""
    page = _jobs_page(signed_in_as)

    run_async(run_handler(page, "create_job", {"title": "Security Engineer"}))

    assert page.creating is False


def test_the_search_finds_a_title_with_accents_and_case_aside_on_either_side(session, signed_in_as):
    """Checked beside the users page's search (which kept accents): the jobs page's folds both
    what is typed and the titles, so "ingenieur" finds Ingénieur and "Müller" a Muller."""
    page = _jobs_page(signed_in_as)
    for title in ["Ingénieur Données", "Muller Lab Technician", "Backend Engineer"]:
        run_async(run_handler(page, "create_job", {"title": title}))

    def found(typed: str) -> list[str]:
        run_async(run_handler(page, "search_jobs", typed))
        return sorted(j.title for j in page.jobs)

    assert found("ingenieur donnees") == ["Ingénieur Données"]
    assert found("DONNÉES") == ["Ingénieur Données"]
    assert found("Müller") == ["Muller Lab Technician"]
    assert found("%") == []
