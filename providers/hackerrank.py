"""HackerRank for Work: tests, test candidates (one per invitation), per-invitation result webhooks.

Wire protocol (see the reference notes, sources tagged [P]/[S]/[T]/[?]):
- ``https://www.hackerrank.com/x/api/v3`` [P]; ``Authorization: Bearer <key>`` [P] (HTTP Basic
  with the key as username is also accepted by HackerRank, and by the sandbox).
- Lists page with ``limit`` (at most 100) and ``offset`` and answer ``{data, page_total, offset,
  previous, next, first, last, total}`` [P]. We follow ``next`` instead of building URLs, as the
  spec asks, but only to the same origin (the key travels with every request). ``total`` is typed
  as a string in the spec: it is read as a number whichever way it comes.
- Test ids and candidate ids are strings [P]; the invite reply's ``id`` is an int in the spec's
  example, so every id is read with ``str()``.
- Candidates can only be invited to published (``draft: false``), active tests [P].
- ``status`` is an int: -1 invited, 7 completed with a report; everything between is "internal"
  and read as started [P]. Numeric strings are tolerated; anything else is an error, raw kept.
- A 422 "already invited" [P] never becomes a second invitation: ``send`` raises VendorRefused
  (code ``already_invited``) and ``find_by_reference`` adopts the existing candidate.
- 429 means "exceeded rate limit" [P]; ``Retry-After`` is honoured by the shared HTTP layer.
  Requests are paced under 10 per second [T].

Unknowns [?], read tolerantly rather than hard-coded:
- Error bodies are JSON of an uncaptured shape: ``message``, ``error`` (text or object),
  ``errors`` (list or field map) and ``detail`` are all read; "already invited" is recognised in
  any of them.
- What ``DELETE .../invite`` leaves behind is not documented. We read an invitation that is no
  longer valid (``invite_valid: false``) before its deadline as cancelled, and one whose
  ``invite_valid_to`` has passed without an attempt as expired; the sandbox does the same.
- ``force: true`` re-sends an invitation and ``force_reattempt: true`` opens a new attempt [P];
  whether the candidate id changes on a re-attempt is not documented, so the id the vendor
  returns is used (it may be the same one; Assay keeps the first result on its own row).
- ``scores_skills_split`` / ``scores_tags_split`` are "score split per skill / tag" objects of
  name to number; a number within 0..100 is read as a percentage, anything else as points.
- The result webhook's body is "report data", most likely the TestCandidate object: any JSON
  object naming a candidate id (``id``, ``candidate_id``, ``test_candidate_id``, or nested under
  ``candidate``, ``test_candidate``, ``data`` or ``report``) is accepted, and the candidate is
  always re-fetched. HackerRank sends back the bearer token we gave it in
  ``webhook_authentication``; that is what ``authenticate_webhook`` checks.
- HackerRank has no percentile, so there is no comparative score; the maximum points are derived
  from ``score`` and ``percentage_score``; the time allowed is the test's ``duration`` (minutes)
  plus the candidate's ``added_time``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from providers import parsing
from providers.base import (
    AssessmentResult,
    AttemptStatus,
    Capability,
    ConnectionConfig,
    Invitation,
    Invitee,
    PermissionMissing,
    Progress,
    ProviderBase,
    ProviderError,
    Region,
    SubScore,
    VendorFailure,
    VendorRefused,
    VendorSpec,
    VendorTest,
    WebhookNotice,
    WebhookRejected,
    each_test_listed,
    listed_item,
    once,
)
from providers.http import VendorClient, WireRules
from providers.parsing import identifier as _identifier
from providers.parsing import number as _number  # HackerRank types some numbers as strings
from providers.parsing import text as _text

VENDOR = "hackerrank"
DISPLAY_NAME = "HackerRank"
REGIONS = (Region("global", "Global", "https://www.hackerrank.com/x/api/v3"),)
PAGE_LIMIT = 100  # the documented maximum of every list
MAX_PAGES = 1000  # a vendor whose ``next`` never ends must not hold a worker forever
REFERENCE_KEY = "assay_reference"
APPLICATION_KEY = "ats_application_id"
ALREADY_INVITED = "already_invited"
INVITED, COMPLETED = -1, 7
NO_INTEGRITY_ISSUES = "no issues detected"


def _integer(value: Any) -> int | None:
    """A whole number, from a number or a numeric string (HackerRank types some numbers as strings)."""
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _when(value: Any) -> datetime.datetime | None:
    """An aware UTC time from ISO text (``+0000``, ``Z`` or ``+00:00``) or epoch seconds.

    Epoch milliseconds are read too, should they come.
    """
    return parsing.when(value, epoch="auto")


def _iso(moment: datetime.datetime) -> str:
    """The ISO form HackerRank takes for ``invite_valid_to`` and date filters (UTC, seconds)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _segment(value: str) -> str:
    """An id as one path segment, so an odd id can never reach another endpoint."""
    return quote(str(value), safe="")


_MESSAGE_KEYS = ("message", "error", "errors", "detail", "details", "description")


def _texts(body: Any) -> Iterator[str]:
    """Every piece of text in an error envelope, whatever its shape."""
    if isinstance(body, str):
        yield body
    elif isinstance(body, list):
        for item in body:
            yield from _texts(item)
    elif isinstance(body, dict):
        for key, value in body.items():
            if key in _MESSAGE_KEYS:
                yield from _texts(value)
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                yield from (f"{key} {v}" for v in value)  # a field map: {"email": ["is invalid"]}


def error_message(body: Any) -> str | None:
    """The human part of a HackerRank error body; its shape was not captured [?]."""
    parts = list(dict.fromkeys(t.strip() for t in _texts(body) if t.strip()))
    return "; ".join(parts)[:300] or None


def _special(response: httpx.Response) -> ProviderError | None:
    """Replies that deserve a clearer reading than the common mapping gives them."""
    status = response.status_code
    if status not in (403, 404, 422):
        return None
    try:
        body = response.json()
    except ValueError:
        body = response.text
    detail = error_message(body)
    if status == 403:
        return PermissionMissing(
            f"HackerRank refused this key ({detail or '403'}): its user lacks access to this test "
            "or action, or the HackerRank account is locked.",
            # Often one test the key's user cannot see: it must not hold up the other tests' updates.
            whole_connection=False,
        )
    if status == 404:
        return VendorRefused(
            f"HackerRank has no such test or candidate for this key ({detail or '404'}). It may have "
            "been deleted, or it belongs to another HackerRank account.",
            404,
            "not_found",
        )
    lowered = (detail or "").lower()
    if "already" in lowered and "invit" in lowered:
        return VendorRefused(
            f"HackerRank says the candidate is already invited to this test ({detail}).",
            422,
            ALREADY_INVITED,
        )
    return None


def _metadata(data: dict) -> dict:
    """``invite_metadata``: a JSON object, or (tolerated) a string holding one."""
    metadata = data.get("invite_metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    return metadata if isinstance(metadata, dict) else {}


def _subscores(split: Any, *, suffix: str = "") -> list[SubScore]:
    if not isinstance(split, dict):
        return []
    found = []
    for name, value in split.items():
        number = _number(value.get("score") if isinstance(value, dict) else value)
        if number is None:
            continue
        percent = number if 0 <= number <= 100 else None
        found.append(
            SubScore(
                name=f"{name}{suffix}",
                score_percent=percent,
                points=None if percent is not None else number,
            )
        )
    return found


def integrity_warnings(data: dict) -> tuple[str, ...]:
    """Integrity signals as lines a recruiter reads next to the score."""
    warnings = []
    status = _text(data.get("integrity_status"))
    summary = _text(data.get("integrity_summary"))
    if status and status.lower() != NO_INTEGRITY_ISSUES:
        risk = {"high": "high", "medium": "medium"}.get(status.lower())
        line = f"HackerRank integrity: {risk} risk" if risk else f"HackerRank integrity: {status}"
        warnings.append(f"{line} ({summary})" if summary else line)
    if data.get("plagiarism_status") is True and not status:  # deprecated, read only without the new one
        warnings.append("HackerRank flagged the attempt for plagiarism")
    left = _integer(data.get("out_of_window_events"))
    if left:
        warnings.append(f"Left the test window {left} time{'s' if left != 1 else ''}")
    pasted = _integer(data.get("editor_paste_count"))
    if pasted:
        warnings.append(f"Pasted into the code editor {pasted} time{'s' if pasted != 1 else ''}")
    return tuple(warnings)


def parse_result(data: dict, *, time_allowed_seconds: int | None = None) -> AssessmentResult:
    """A test candidate's report fields in the common result shape."""
    percent = _number(data.get("percentage_score"))
    if percent is not None:
        percent = min(100.0, max(0.0, percent))
    points = _number(data.get("score"))
    max_points = round(points * 100 / percent, 2) if points and percent else None
    started, ended = _when(data.get("attempt_starttime")), _when(data.get("attempt_endtime"))
    duration = int((ended - started).total_seconds()) if started and ended and ended >= started else None
    return AssessmentResult(
        score_percent=percent,
        points=points,
        max_points=max_points,
        duration_seconds=duration,
        time_allowed_seconds=time_allowed_seconds,
        subscores=tuple(
            _subscores(data.get("scores_skills_split"))
            + _subscores(data.get("scores_tags_split"), suffix=" (tag)")
        ),
        warnings=integrity_warnings(data),
    )


def progress_of(data: dict, *, now: datetime.datetime | None = None) -> tuple[Progress, str]:
    """Where a test candidate is on the lifecycle, and the raw status behind it."""
    raw = data.get("status")
    status = _integer(raw)
    if status is None:
        return Progress.ERROR, str(raw) if raw not in (None, "") else "unknown"
    if status == COMPLETED:
        return Progress.COMPLETED, str(status)
    if 0 <= status < COMPLETED:
        return Progress.STARTED, str(status)
    if status != INVITED:
        return Progress.ERROR, str(status)
    if _when(data.get("attempt_starttime")) is not None:
        return Progress.SENT, str(status)  # an attempt is under way: no longer cancellable or expirable
    deadline = _when(data.get("invite_valid_to"))
    passed = deadline is not None and deadline <= (now or datetime.datetime.now(datetime.UTC))
    if passed:
        return Progress.EXPIRED, f"{status}, invite_valid_to passed"
    if data.get("invite_valid") is False:
        return Progress.CANCELLED, f"{status}, invite_valid false"
    return Progress.SENT, str(status)


def parse_candidate(data: dict, *, time_allowed_seconds: int | None = None) -> AttemptStatus:
    """A test candidate (``GET /tests/{t}/candidates/{c}``, a list item or a webhook body).

    Raises:
        VendorFailure: The object has no id.
    """
    candidate_id = _identifier(data.get("id"))
    if candidate_id is None:
        raise VendorFailure("HackerRank sent a test candidate without an id.")
    progress, raw = progress_of(data)
    metadata = _metadata(data)
    completed = progress == Progress.COMPLETED
    return AttemptStatus(
        vendor_attempt_id=candidate_id,
        progress=progress,
        raw_status=raw,
        reference=_text(metadata.get(REFERENCE_KEY)),
        candidate_email=_text(data.get("email")),
        test_url=_text(data.get("invite_link")),
        report_url=(
            _text(data.get("authenticated_report_url"))
            or _text(data.get("report_url"))
            or _text(data.get("pdf_url"))
        ),
        sent_at=_when(data.get("invited_on")),
        started_at=_when(data.get("attempt_starttime")),
        completed_at=_when(data.get("attempt_endtime")) if completed else None,
        expires_at=_when(data.get("invite_valid_to")),
        result=parse_result(data, time_allowed_seconds=time_allowed_seconds) if completed else None,
    )


def webhook_candidate_id(payload: dict) -> str | None:
    """The candidate a result webhook is about, from the TestCandidate body or a wrapper [?]."""
    for key in ("candidate_id", "test_candidate_id"):
        if found := _identifier(payload.get(key)):
            return found
    for key in ("candidate", "test_candidate", "data", "report"):
        nested = payload.get(key)
        if isinstance(nested, dict):
            for inner in ("id", "candidate_id", "test_candidate_id"):
                if found := _identifier(nested.get(inner)):
                    return found
    return _identifier(payload.get("id"))


RULES = WireRules(
    vendor_name=DISPLAY_NAME,
    key_hint="Paste an API key from HackerRank for Work > Settings > API (hackerrank.com/work/settings/token).",
    error_message=error_message,
    special=_special,
    requests_per_second=10,  # no published limit; a third party suggests staying at or under 10/s [T]
)


class HackerRank(ProviderBase):
    """One HackerRank for Work account, reached with one user's API key."""

    vendor = VENDOR
    display_name = DISPLAY_NAME
    capabilities = frozenset(
        {
            Capability.CANCEL,
            Capability.RESEND,
            Capability.REATTEMPT,
            Capability.EXTEND,
            Capability.DEADLINE,
            Capability.WEBHOOK,
            Capability.POLL,
        }
    )
    limitations: dict[Capability, str] = {}
    page_size = PAGE_LIMIT
    expired_blocks_inviting = True  # 422 "already invited" beside an expired invitation

    def __init__(self, config: ConnectionConfig) -> None:
        super().__init__(config)
        self._http = VendorClient(
            rules=RULES,
            base_url=config.base_url,
            headers={"Authorization": f"Bearer {config.api_key}"},
            timeout=config.timeout,
            budget=config.budget,
        )
        self._minutes: dict[str, int | None] = {}

    def _object(self, body: Any, what: str) -> dict:
        if not isinstance(body, dict):
            raise VendorFailure(f"HackerRank sent an unexpected {what} reply.")
        return body

    def _pages(self, path: str, params: dict[str, Any], what: str) -> Iterator[list[dict]]:
        """Each page of a list (its items), following the ``next`` link of each page.

        Raises:
            VendorFailure: A page that is not a list page, or a ``next`` on another site.
        """
        root = urlsplit(self._http.root)
        url = path
        seen: set[str] = set()
        for page_number in range(MAX_PAGES):
            body = self._object(
                self._http.call("GET", url, params=params if page_number == 0 else None), what
            )
            data = body.get("data")
            if not isinstance(data, list):
                raise VendorFailure(f"HackerRank sent a {what} without its data list.")
            yield [item for item in data if isinstance(item, dict)]
            link = _text(body.get("next"))
            if not data or not link:
                return
            absolute = urljoin(self._http.root + "/", link)
            target = urlsplit(absolute)
            if (target.scheme, target.netloc) != (root.scheme, root.netloc):
                raise VendorFailure(f"HackerRank's {what} pointed its next page at another site.")
            if absolute in seen:
                return
            seen.add(absolute)
            url = absolute
        raise VendorFailure(f"HackerRank's {what} did not end after {MAX_PAGES} pages.")

    def close(self) -> None:
        self._http.close()

    def validate_key(self) -> None:
        """``GET /tests?limit=1``: cheap, and refused with 401 for a wrong key."""
        self._http.call("GET", "/tests", params={"limit": 1})

    def list_tests(self) -> list[VendorTest]:
        """Published, active tests across every page; drafts and archived tests cannot be sent."""
        tests = []
        for test in itertools.chain.from_iterable(
            self._pages("/tests", {"limit": PAGE_LIMIT, "offset": 0}, "test list")
        ):
            test_id = _identifier(test.get("id"))
            state = test.get("state")
            if test_id is None or test.get("draft") not in (False, None, "false"):
                continue
            if state is not None and str(state).lower() != "active":
                continue
            tests.append(VendorTest(id=test_id, name=_text(test.get("name")) or f"Test {test_id}"))
        return tests

    def _invite_body(self, invitee: Invitee) -> dict[str, Any]:
        """What every invite carries: who, the deadline, our references and the result webhook."""
        metadata = {REFERENCE_KEY: invitee.reference}
        if invitee.application_ref:
            metadata[APPLICATION_KEY] = invitee.application_ref
        body: dict[str, Any] = {
            "email": invitee.email,
            "full_name": invitee.name,
            # The spec contradicts itself about the default, so it is always said.
            "send_email": True,
            "invite_metadata": metadata,
        }
        if invitee.expires_at is not None:
            body["invite_valid_to"] = _iso(invitee.expires_at)
        if self.config.webhook_url and self.config.webhook_secret:
            body["test_result_url"] = self.config.webhook_url
            body["webhook_authentication"] = {
                "type": "bearer_token",
                "data": {"token": self.config.webhook_secret},
            }
            body["accept_result_updates"] = True
        return body

    def _invite(
        self, test_id: str, body: dict[str, Any], *, expires_at: datetime.datetime | None
    ) -> Invitation:
        reply = self._object(
            self._http.call("POST", f"/tests/{_segment(test_id)}/candidates", json=body), "invitation"
        )
        candidate_id = _identifier(reply.get("id"))
        if candidate_id is None:
            raise VendorFailure("HackerRank accepted the invitation but sent no candidate id.")
        return Invitation(
            vendor_attempt_id=candidate_id,
            test_url=_text(reply.get("test_link")) or _text(reply.get("invite_link")),
            expires_at=expires_at,
        )

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """``POST /tests/{id}/candidates``; the reference travels in ``invite_metadata``.

        Raises:
            VendorRefused: With code ``already_invited`` when HackerRank already has this
                candidate on the test: ``find_by_reference`` adopts that invitation.
        """
        try:
            return self._invite(test_id, self._invite_body(invitee), expires_at=invitee.expires_at)
        except VendorRefused as err:
            if err.code != ALREADY_INVITED:
                raise
            raise VendorRefused(
                f"HackerRank already has an invitation for {invitee.email} on this test, so no second "
                "one was sent. Retrying the send adopts the existing invitation.",
                err.status_code,
                ALREADY_INVITED,
            ) from err

    def _candidates(self, test_id: str, params: dict[str, Any]) -> Iterator[list[dict]]:
        return self._pages(
            f"/tests/{_segment(test_id)}/candidates",
            {"limit": PAGE_LIMIT, "offset": 0, **params},
            "candidate list",
        )

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """The candidate this invitation created, else one HackerRank has for the same email.

        A candidate invited outside Assay (no reference) is adopted by email, since HackerRank
        refuses a second invitation for it; one carrying another Assay reference is not.
        """
        by_email = None
        email = invitee.email.strip().lower()
        for data in itertools.chain.from_iterable(self._candidates(test_id, {"email": invitee.email})):
            reference = _text(_metadata(data).get(REFERENCE_KEY))
            if reference == invitee.reference:
                return parse_candidate(data, time_allowed_seconds=self._time_allowed(test_id, data))
            same_email = str(data.get("email") or "").strip().lower() == email
            if by_email is None and same_email and reference is None:
                by_email = data
        if by_email is None:
            return None
        return parse_candidate(by_email, time_allowed_seconds=self._time_allowed(test_id, by_email))

    def _time_allowed(self, test_id: str, data: dict) -> int | None:
        """The test's duration plus the candidate's added time, in seconds, for finished attempts."""
        if _integer(data.get("status")) != COMPLETED or not test_id:
            return None
        if test_id not in self._minutes:
            try:
                test = self._object(self._http.call("GET", f"/tests/{_segment(test_id)}"), "test")
            except ProviderError:
                return None  # the result stands without it; the next read tries again
            self._minutes[test_id] = _integer(test.get("duration"))
        minutes = self._minutes[test_id]
        if minutes is None:
            return None
        return int((minutes + (_number(data.get("added_time")) or 0)) * 60)

    def _candidate(self, vendor_attempt_id: str, test_id: str) -> dict:
        if not test_id:
            raise VendorRefused(
                f"HackerRank needs the test of candidate {vendor_attempt_id} to look it up, and Assay "
                "has no assessment with that candidate id.",
                400,
                "test_unknown",
            )
        return self._object(
            self._http.call("GET", f"/tests/{_segment(test_id)}/candidates/{_segment(vendor_attempt_id)}"),
            "candidate",
        )

    def fetch(self, vendor_attempt_id: str, *, test_id: str) -> AttemptStatus:
        """``GET /tests/{test_id}/candidates/{candidate_id}``."""
        data = self._candidate(vendor_attempt_id, test_id)
        return parse_candidate(data, time_allowed_seconds=self._time_allowed(test_id, data))

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str]
    ) -> Iterator[AttemptStatus]:
        """Each test's candidates, 100 a page, invited since ``since`` (``invited_on`` range filter)."""
        return once(self._statuses(since, test_ids))

    def _statuses(self, since: datetime.datetime | None, test_ids: Sequence[str]) -> Iterator[AttemptStatus]:
        params: dict[str, Any] = {}
        if since is not None:
            until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
            params["invited_on"] = f"{_iso(since)}..{_iso(until)}"
        with each_test_listed() as refused:
            for test_id in dict.fromkeys(test_ids):
                with refused(test_id):
                    for page in self._candidates(test_id, params):
                        asked = self._http.asked_at()  # the page's, before a test's duration is asked for
                        for data in page:
                            time_allowed = self._time_allowed(test_id, data)
                            status = listed_item(
                                parse_candidate, data, asked, DISPLAY_NAME, time_allowed_seconds=time_allowed
                            )
                            if status:
                                yield status

    def cancel(self, vendor_attempt_id: str, *, test_id: str) -> None:
        """``DELETE /tests/{test_id}/candidates/{candidate_id}/invite``."""
        self._http.call(
            "DELETE", f"/tests/{_segment(test_id)}/candidates/{_segment(vendor_attempt_id)}/invite"
        )

    def resend(self, vendor_attempt_id: str, *, test_id: str) -> None:
        """The invite again with ``force: true``, keeping the candidate's deadline and references.

        Raises:
            VendorRefused: The invitation is not waiting for the candidate any more.
        """
        data = self._candidate(vendor_attempt_id, test_id)
        progress, raw = progress_of(data)
        if progress != Progress.SENT:
            raise VendorRefused(
                f"HackerRank can only re-send an invitation the candidate has not used; this one is "
                f"{progress.value} (status {raw}).",
                409,
                "not_waiting",
            )
        email = _text(data.get("email"))
        if email is None:
            raise VendorFailure(f"HackerRank sent candidate {vendor_attempt_id} without an email.")
        metadata = _metadata(data)
        invitee = Invitee(
            name=_text(data.get("full_name")) or email,
            email=email,
            reference=_text(metadata.get(REFERENCE_KEY)) or "",
            application_ref=str(metadata.get(APPLICATION_KEY) or ""),
            expires_at=_when(data.get("invite_valid_to")),
        )
        body = {**self._invite_body(invitee), "force": True}
        body["invite_metadata"] = metadata  # as it was: an invitation made outside Assay has no reference
        self._invite(test_id, body, expires_at=invitee.expires_at)

    def reattempt(self, vendor_attempt_id: str, *, test_id: str, invitee: Invitee) -> Invitation:
        """The invite again with ``force_reattempt: true``; the candidate id may stay the same."""
        body = {**self._invite_body(invitee), "force_reattempt": True}
        return self._invite(test_id, body, expires_at=invitee.expires_at)

    def extend(self, vendor_attempt_id: str, *, test_id: str, expires_at: datetime.datetime) -> None:
        """``PUT /tests/{test_id}/candidates/{candidate_id}`` with a new ``invite_valid_to``."""
        self._http.call(
            "PUT",
            f"/tests/{_segment(test_id)}/candidates/{_segment(vendor_attempt_id)}",
            json={"invite_valid_to": _iso(expires_at)},
        )

    def authenticate_webhook(self, *, headers: dict[str, str], body: bytes) -> None:
        """HackerRank sends back the bearer token each invitation gave it.

        Raises:
            WebhookRejected: No token, another scheme, or the wrong token (401).
        """
        secret = self.config.webhook_secret
        if not secret:
            raise WebhookRejected("This HackerRank connection has no webhook secret to check.", 401)
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = given.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise WebhookRejected("The HackerRank webhook carries no bearer token.", 401)
        if not hmac.compare_digest(token.strip().encode(), secret.encode()):
            raise WebhookRejected("The HackerRank webhook's bearer token does not match.", 401)

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """Read a result delivery: any JSON object naming a test candidate.

        Raises:
            WebhookRejected: Not JSON, not an object, or no candidate id (400).
        """
        payload = parsing.webhook_object(body, "The HackerRank webhook body")
        candidate_id = webhook_candidate_id(payload)
        if candidate_id is None:
            raise WebhookRejected("The HackerRank webhook does not name a test candidate.", 400)
        status = _identifier(payload.get("status")) or "report"
        digest = hashlib.sha256(body).hexdigest()[:24]
        return WebhookNotice(
            delivery_key=f"{VENDOR}:{candidate_id}:{status}:{digest}",
            vendor_attempt_ids=(candidate_id,),
        )


SPEC = VendorSpec(
    key=VENDOR,
    display_name=DISPLAY_NAME,
    key_label="API key (HackerRank for Work > Settings > API)",
    regions=REGIONS,
    sandbox_prefix="/hackerrank/x/api/v3",
    provider=HackerRank,
    webhook_setup=(
        "Nothing to set up at HackerRank: every invitation carries Assay's result URL and a bearer "
        "token, and HackerRank posts the report there."
    ),
)

__all__ = [
    "RULES",
    "SPEC",
    "HackerRank",
    "error_message",
    "integrity_warnings",
    "parse_candidate",
    "parse_result",
    "progress_of",
    "webhook_candidate_id",
]
