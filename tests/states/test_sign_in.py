"""Signing in brings a visitor back to the page they opened, and only to a page of Assay's."""

from urllib.parse import quote

import pytest

from dashboard.services import accounts
from dashboard.states.auth import AuthState
from models import Role
from tests.states.conftest import connected_with, handoff_code, run_async, run_handler, substate, visit

PASSWORD = "a-long-enough-password"


def _signed_out_at(session, signed_in_as, url: str):
    accounts.create_user(session=session, email="a@example.com", name="A", role=Role.ADMIN, password=PASSWORD)
    root = signed_in_as(None)
    visit(root, url)
    return root, substate(root, AuthState)


def _addresses(updates: list) -> str:
    """The texts a handler's page actions carry: a redirect's address, a script's code."""
    specs = [spec for update in updates for spec in (update if isinstance(update, list) else [update])]
    values = [getattr(value, "_var_value", None) for spec in specs if spec for _key, value in spec.args]
    return " ".join(value for value in values if isinstance(value, str))


def _sign_in(root, auth, url: str) -> str:
    visit(root, url)
    updates = run_async(run_handler(auth, "sign_in", {"email": "a@example.com", "password": PASSWORD}))
    return _addresses(updates)


def test_signing_in_hands_the_page_a_code_for_its_cookie_never_the_token(session, signed_in_as):
    """The session cookie was an ``rx.Cookie``, written by the page's own scripts: any script on
    the page (a cross-site scripting flaw's) could read it and take the session elsewhere."""
    root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/sign-in")

    visit(root, "http://localhost:3000/sign-in")
    updates = run_async(run_handler(auth, "sign_in", {"email": "a@example.com", "password": PASSWORD}))

    script, code = _addresses(updates), handoff_code(updates)
    assert 'fetch("/api/session"' in script and 'window.location.assign("/")' in script
    token = accounts.claim_handoff(session=session, code=code)
    assert accounts.signed_in_user(session=session, token=token).email == "a@example.com"
    assert token not in script and token not in str(root.dict())
    assert accounts.claim_handoff(session=session, code=code) is None  # once


def test_a_refused_cookie_is_said_on_the_sign_in_form(session, signed_in_as):
    _root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/sign-in")
    auth.signing_in = True

    run_async(run_handler(auth, "cookie_refused", "That sign-in has expired or was used: sign in again."))

    assert (auth.signing_in, auth.sign_in_error) == (
        False,
        "That sign-in has expired or was used: sign in again.",
    )


def test_a_link_opened_signed_out_is_where_signing_in_leads(session, signed_in_as):
    """A bookmarked /integrations (or a queue link sent by a colleague) went to sign-in, then to
    the jobs page: the page asked for was forgotten and had to be found again."""
    root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/queue?bucket=failed")

    assert (
        _addresses(run_async(run_handler(auth, "guard_page")))
        == 'window.location.assign("/sign-in?next=%2Fqueue%3Fbucket%3Dfailed")'
    )

    landed = _sign_in(root, auth, "http://localhost:3000/sign-in?next=%2Fqueue%3Fbucket%3Dfailed")
    assert 'window.location.assign("/queue?bucket=failed")' in landed


def test_the_jobs_page_needs_no_return_address(session, signed_in_as):
    _root, auth = _signed_out_at(session, signed_in_as, "http://localhost:3000/")
    assert _addresses(run_async(run_handler(auth, "guard_page"))) == 'window.location.assign("/sign-in")'


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

    visit(root, "http://localhost:3000/sign-in?next=%2Fqueue")
    assert _addresses(run_async(run_handler(auth, "leave_sign_in"))) == "/queue"
    visit(root, "http://localhost:3000/sign-in")
    assert _addresses(run_async(run_handler(auth, "leave_sign_in"))) == "/"
    visit(root, "http://localhost:3000/sign-in?next=%2F%2Fevil.example")
    assert _addresses(run_async(run_handler(auth, "leave_sign_in"))) == "/"

    _root, signed_out = _signed_out_at(session, signed_in_as, "http://localhost:3000/sign-in?next=%2Fqueue")
    assert _addresses(run_async(run_handler(signed_out, "leave_sign_in"))) == ""  # the form stays


def test_a_connection_another_sites_page_opened_is_signed_out_though_its_cookie_came(session, signed_in_as):
    """helper-147: the browser sends the SameSite=Lax cookie with a websocket a sibling
    subdomain's page opens; read alone, it signed that page in as the person visiting it.
    Reflex's ``cors_allowed_origins`` refuses the connection; this holds where it is "*"."""
    accounts.create_user(session=session, email="a@example.com", name="A", role=Role.ADMIN, password=PASSWORD)
    token = accounts.sign_in(session=session, email="a@example.com", password=PASSWORD)
    root = signed_in_as(None)
    connected_with(root, token, origin="https://evil.example.com")
    auth = substate(root, AuthState)

    assert "/sign-in" in _addresses(run_async(run_handler(auth, "guard_page")))
    assert auth.user_id == 0

    connected_with(root, token)  # the same cookie from Assay's own page
    run_async(run_handler(auth, "guard_page"))
    assert auth.user_name == "A"
