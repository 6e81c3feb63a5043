"""The users page of a big team: the first people by name, the rest found by name or email."""

import contextlib
import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import folded
from tests.browser.steps import query_app

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def agency_people(db_url: str, count: int):
    """``count`` deactivated people written into the running app's database (an invite hashes a
    password, a tenth of a second each), named to sort after the demo's team, with their folded
    name and email as the app writes them (what its search reads); gone afterwards."""
    engine = sa.create_engine(db_url)
    rows = [
        {
            "email": f"agency{n:03d}@assay.test",
            "name": f"Zz Agência {n:03d}",
            "search_email": f"agency{n:03d}@assay.test",
            "search_name": folded(f"Zz Agência {n:03d}"),
            "role": "recruiter",
            "hash": "",
            "at": datetime.datetime.now(datetime.UTC),
        }
        for n in range(count)
    ]
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    'insert into "user" (email, name, search_email, search_name, role, password_hash,'
                    " active, created_at) values (:email, :name, :search_email, :search_name, :role,"
                    " :hash, false, :at)"
                ),
                rows,
            )
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("delete from \"user\" where email like 'agency%@assay.test'"))
        engine.dispose()


def test_a_big_team_shows_its_first_hundred_and_finds_anyone_by_name_or_email(
    page, app_url, demo_app, sign_in, shoot
):
    """Found by a walk: the page drew every person, each with a Role box and a box per job; a team
    of thousands froze the browser on every visit and every change. A name is found without its
    accents ("agencia" finds Agência)."""
    sign_in("admin@assay.test")
    team = len(query_app(demo_app.db_url, 'SELECT id FROM "user"'))  # the demo's, and any a walk invited
    with agency_people(demo_app.db_url, 150):
        page.goto(app_url + "/users")
        people = page.get_by_role("region", name="People in the team").get_by_role("row")
        expect(people).to_have_count(101)  # the header's, and the first hundred by name
        expect(page.get_by_text(f"Showing the first 100 of {team + 150} people by name")).to_be_visible()
        expect(people.nth(1)).to_contain_text("Avery Admin")  # the demo's team comes first
        shoot("users-a-big-team", full_page=False)

        search = page.get_by_role("searchbox", name="Search people")
        search.fill("AGENCY149@")
        expect(people).to_have_count(2)
        expect(people.nth(1)).to_contain_text("Zz Agência 149")
        expect(page.get_by_role("status").filter(has_text="1 person matches")).to_be_visible()
        search.fill("agencia 148")  # typed without its accent, as recruiters type names
        expect(people).to_have_count(2)
        expect(people.nth(1)).to_contain_text("Zz Agência 148")

        search.fill("nobody by that name")
        expect(page.get_by_text("No one's name or email holds 'nobody by that name'.")).to_be_visible()
        expect(page.get_by_role("region", name="People in the team")).to_have_count(0)
        shoot("users-no-one-matches", full_page=False)
        page.get_by_role("button", name="Clear search").click()
        expect(search).to_be_focused()
        expect(search).to_have_value("")
        expect(people).to_have_count(101)
