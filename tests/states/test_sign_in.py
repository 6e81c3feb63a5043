"""Signing in brings a visitor back to the page they opened, and only to a page of Assay's."""

from urllib.parse import quote

import pytest
from reflex.istate.data import ReflexURL, RouterData

from dashboard.services import accounts
from dashboard.states.auth import AuthState
from models import Role
from tests.states.conftest import run_async, run_handler, substate

PASSWORD = "a-long-enough-password"


def _signed_out_at(session, signed_in_as, url: str):
    accounts.create_user(session=session, email="a@example.com", name="A", role=Role.ADMIN, password=PASSWORD)
    root = signed_in_as(None)
    root.router = RouterData(url=ReflexURL(url))
    return root, substate(root, AuthState)


def _addresses(updates: list) -> str:
    """The texts a handler's page actions carry: a redirect's address, a script's code."""
    specs = [spec for update in updates for spec in (update if isinstance(update, list) else [update])]
    values = [getattr(value, "_var_value", None) for spec in specs if spec for _key, value in spec.args]
    return " ".join(value for value in values if isinstance(value, str))


def _sign_in(root, auth, url: str) -> str:
    root.router = RouterData(url=ReflexURL(url))
    updates = run_async(run_handler(auth, "sign_in", {"email": "a@example.com", "password": PASSWORD}))
    assert auth.session_token
    return _addresses(updates)


def test_a_link_opened_signed_out_is_where_signing_in_leads(session, signed_in_as):
    """A bookmarked /integrations (or a queue link sent by a colleague) went to sign-in, then to
    the jobs page: the page asked for was forgotten and had to be found again."""
    root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/queue?bucket=failed")

    assert (
        _addresses(run_async(run_handler(auth, "guard_page"))) == "/sign-in?next=%2Fqueue%3Fbucket%3Dfailed"
    )

    landed = _sign_in(root, auth, "http://localhost:3000/sign-in?next=%2Fqueue%3Fbucket%3Dfailed")
    assert 'window.location.assign("/queue?bucket=failed")' in landed


def test_the_jobs_page_needs_no_return_address(session, signed_in_as):
    _root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/")
    assert _addresses(run_async(run_handler(auth, "guard_page"))) == "/sign-in"


# A tab or a line break the browser drops from an address: "/<tab>/evil.example" is "//evil.example"
# to it, another site (helper-113).
@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "jobs",
        "/\t/evil.example/x",
        "/\n/evil.example",
    ],
)
def test_signing_in_never_leads_off_assay(session, signed_in_as, elsewhere):
    root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/sign-in")
    landed = _sign_in(root, auth, f"http://localhost:3000/sign-in?next={quote(elsewhere, safe='')}")
    assert 'window.location.assign("/")' in landed and "evil" not in landed


def test_a_signed_in_user_opening_the_sign_in_page_goes_on_to_their_page(session, signed_in_as):
    """Found by a walk: a signed-in user opening /sign-in (a bookmark, the browser's back button)
    was shown the sign-in form, as if signed out."""
    root = signed_in_as(Role.RECRUITER)
    auth = substate(root, AuthState)

    root.router = RouterData(url=ReflexURL("http://localhost:3000/sign-in?next=%2Fqueue"))
    assert _addresses(run_async(run_handler(auth, "leave_sign_in"))) == "/queue"
    root.router = RouterData(url=ReflexURL("http://localhost:3000/sign-in"))
    assert _addresses(run_async(run_handler(auth, "leave_sign_in"))) == "/"
    root.router = RouterData(url=ReflexURL("http://localhost:3000/sign-in?next=%2F%2Fevil.example"))
    assert _addresses(run_async(run_handler(auth, "leave_sign_in"))) == "/"

    _root, signed_out = _signed_out_at(session, signed_in_as, "http://localhost:3000/sign-in?next=%2Fqueue")
    assert _addresses(run_async(run_handler(signed_out, "leave_sign_in"))) == ""  # the form stays
