"""The session cookie is HttpOnly: the sign-in page trades a one-time code for it at /api/session,
so no script on a page (a cross-site scripting flaw's) can read the token and take the session."""

import datetime

import httpx
import pytest
import sqlalchemy as sa

from dashboard.services import accounts
from dashboard.settings import browser_origins, get_settings, session_cookie
from models import Role, UserSession, utcnow

PASSWORD = "a-long-enough-password"


def _from_assay(assay_api: str) -> dict:
    """The headers a fetch from one of Assay's own pages carries."""
    return {"Origin": assay_api}


def _signed_in(session) -> str:
    accounts.create_user(
        session=session, email="kim@example.com", name="Kim", role=Role.RECRUITER, password=PASSWORD
    )
    return accounts.sign_in(session=session, email="kim@example.com", password=PASSWORD)


def test_the_code_is_traded_once_for_an_http_only_cookie_of_the_session(session, assay_api):
    token = _signed_in(session)
    code = accounts.hand_off(session=session, token=token)

    answer = httpx.post(
        f"{assay_api}/api/session", json={"code": code}, headers=_from_assay(assay_api), timeout=10
    )
    again = httpx.post(
        f"{assay_api}/api/session", json={"code": code}, headers=_from_assay(assay_api), timeout=10
    )

    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"assay_session={token};")
    assert {"httponly", "samesite=lax", "path=/"} <= {part.strip().lower() for part in cookie.split(";")}
    assert (
        "secure" not in cookie.lower()
    )  # served over http on this machine: a Secure cookie would never come back
    assert again.status_code == 401 and "sign in again" in again.json()["message"]
    assert "set-cookie" not in again.headers
    kept = session.exec(sa.select(UserSession.handoff_hash, UserSession.handoff_token_encrypted)).one()
    assert tuple(kept) == (None, None)  # nothing of the token waits once traded


def test_a_code_past_its_minute_or_made_up_gets_no_cookie(session, assay_api):
    code = accounts.hand_off(session=session, token=_signed_in(session))
    session.exec(sa.update(UserSession).values(handoff_expires_at=utcnow() - datetime.timedelta(seconds=1)))
    session.commit()

    late = httpx.post(
        f"{assay_api}/api/session", json={"code": code}, headers=_from_assay(assay_api), timeout=10
    )
    made_up = httpx.post(
        f"{assay_api}/api/session", json={"code": "guessed"}, headers=_from_assay(assay_api), timeout=10
    )
    not_json = httpx.post(
        f"{assay_api}/api/session",
        content=b"code=guessed",
        headers={**_from_assay(assay_api), "Content-Type": "application/json"},
        timeout=10,
    )
    not_text = httpx.post(
        f"{assay_api}/api/session", json={"code": ["a list"]}, headers=_from_assay(assay_api), timeout=10
    )

    assert [a.status_code for a in (late, made_up, not_json, not_text)] == [401, 401, 401, 401]
    assert not any("set-cookie" in a.headers for a in (late, made_up, not_json, not_text))


def test_a_session_ended_before_its_code_is_traded_gets_no_cookie(session, assay_api):
    token = _signed_in(session)
    code = accounts.hand_off(session=session, token=token)
    accounts.sign_out(session=session, token=token)  # signed out in another tab, or deactivated

    answer = httpx.post(
        f"{assay_api}/api/session", json={"code": code}, headers=_from_assay(assay_api), timeout=10
    )

    assert answer.status_code == 401 and "set-cookie" not in answer.headers


def test_signing_out_ends_the_session_and_takes_the_cookie_off(session, assay_api):
    token = _signed_in(session)

    answer = httpx.delete(
        f"{assay_api}/api/session",
        cookies={"assay_session": token},
        headers=_from_assay(assay_api),
        timeout=10,
    )

    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith('assay_session="";') and "max-age=0" in cookie
    assert accounts.signed_in_user(session=session, token=token) is None


def test_the_cookie_is_secure_where_assay_is_served_over_https(session, assay_api):
    settings = get_settings()
    settings.public_url = "https://assay.example.com"
    code = accounts.hand_off(session=session, token=_signed_in(session))

    answer = httpx.post(
        f"{assay_api}/api/session", json={"code": code}, headers={"Origin": settings.public_url}, timeout=10
    )

    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 204 and "secure" in cookie.lower()
    # Kept by the browser only as set by this host, with Secure and Path=/: no sibling subdomain's
    # cookie of the same name can stand beside it and be read in its stead.
    assert cookie.startswith("__Host-assay_session=")


def test_another_sites_page_can_neither_sign_the_visitor_in_nor_out(session, assay_api):
    """helper-147: a page elsewhere (a sibling subdomain's, to which a SameSite=Lax cookie still
    goes; or another site's form, plain text shaped as JSON) could trade a code of the attacker's
    own sign-in, signing the visitor in as the attacker, or sign them out."""
    token = _signed_in(session)
    code = accounts.hand_off(session=session, token=token)
    elsewhere = {"Origin": "https://evil.example"}

    foreign = httpx.post(f"{assay_api}/api/session", json={"code": code}, headers=elsewhere, timeout=10)
    no_origin = httpx.post(f"{assay_api}/api/session", json={"code": code}, timeout=10)
    plain_text = httpx.post(
        f"{assay_api}/api/session",
        content=f'{{"code": "{code}", "x": "="}}'.encode(),
        headers={**_from_assay(assay_api), "Content-Type": "text/plain"},
        timeout=10,
    )
    signed_out = httpx.delete(
        f"{assay_api}/api/session", cookies={"assay_session": token}, headers=elsewhere, timeout=10
    )

    assert [a.status_code for a in (foreign, no_origin, plain_text, signed_out)] == [403, 403, 415, 403]
    assert not any("set-cookie" in a.headers for a in (foreign, no_origin, plain_text, signed_out))
    assert accounts.signed_in_user(session=session, token=token)  # not signed out
    assert accounts.claim_handoff(session=session, code=code) == token  # the code was never used


def test_a_code_never_traded_takes_its_waiting_token_away_with_it(session):
    """helper-147: a tab closed before its page traded the code left the session's token (if
    encrypted) in the database for the session's twelve hours."""
    first = accounts.hand_off(session=session, token=_signed_in(session))
    session.exec(sa.update(UserSession).values(handoff_expires_at=utcnow() - datetime.timedelta(seconds=1)))
    session.commit()

    accounts.hand_off(
        session=session, token=accounts.sign_in(session=session, email="kim@example.com", password=PASSWORD)
    )

    waiting = session.exec(
        sa.select(UserSession.handoff_token_encrypted).where(UserSession.handoff_hash.is_not(None))
    ).all()
    assert len(waiting) == 1  # the second's, not the first's
    assert accounts.claim_handoff(session=session, code=first) is None


@pytest.mark.parametrize(
    ("public_url", "origins"),
    [
        ("https://assay.example.com", ["https://assay.example.com"]),
        # As a browser sends it: host in lower case, no default port, no user, no path.
        ("HTTPS://Assay.Example.com:443/jobs", ["https://assay.example.com"]),
        ("https://assay.example.com:8443", ["https://assay.example.com:8443"]),
        ("http://localhost:3000", ["http://127.0.0.1:3000", "http://[::1]:3000", "http://localhost:3000"]),
        ("http://[::1]:3000", ["http://127.0.0.1:3000", "http://[::1]:3000", "http://localhost:3000"]),
    ],
)
def test_assays_pages_are_those_at_the_public_address_as_a_browser_writes_it(public_url, origins):
    """helper-148: "https://Assay.example.com" or an explicit ":443" in ASSAY_PUBLIC_URL, fine for
    webhook addresses, would have refused every page's websocket (the browser's Origin is
    lower-case, without a default port), and an "HTTPS://" one lost the Secure cookie."""
    assert browser_origins(public_url) == origins
    assert session_cookie(public_url) == (
        "__Host-assay_session" if public_url.lower().startswith("https") else "assay_session"
    )
