"""iMocha (Skills Assessment API v3): tests, invitations, reports and per-invitation callbacks.

Wire protocol (reference notes, section 2; sources tagged [P]/[S]/[?]):
- Base ``https://apiv3.imocha.io/v3``; the legacy host ``apiv3.interviewmocha.com`` still
  appears in older docs, so it is offered as a second region [P]. Header ``X-API-KEY`` [P].
- ``testInvitationId`` is an int64 and ``testId`` an int in requests but a string in
  reports [P]; both are kept as strings here.
- Errors come in three shapes [P]: ``{"result": null, "errors": [...]}``,
  ``{"errors": [...]}`` and ``{"statusCode": 400, "message": ...}``; anything else
  falls back to the raw text. 401 also means an expired subscription [P].
- A 429 means "too many requests" or "quota exhausted" [P]. Which one is told only by
  the message [?]: a message about a quota or credits is read as the quota being used up
  (``VendorRefused``, never retried in a loop), any other 429 as rate limiting.
- Statuses vary in casing and spacing across endpoints (``In Progress``/``Inprogress``,
  ``Complete``/``Completed``, ``Test Left``/``Testleft``, ``cancelled``) [P]: they are
  lower-cased with spaces removed before mapping. ``Terminated`` (a proctoring or
  administrator stop) is a finished attempt with a warning. Anything unknown is ``error``
  with the raw value kept.

Choices where the reference is silent [?]:
- ``GET /tests`` paging is undocumented: ``pageNo``/``pageSize`` are sent and pages are
  read until one comes back short or adds no new test, so an API that ignores them and
  returns everything at once costs one extra request, not a loop.
- What ``GET /reports/{id}`` returns before a test is taken is undocumented: its
  ``Status`` (or ``status``) is read whatever it is, and the scores only once finished.
  ``attemptedOn`` is read as the start of the attempt; the finish is that plus the
  section times taken, when the report gives them.
- The reconciliation listing's date range and limits are undocumented: one request per
  state (``completed``, ``cancelled``, ``expired``) covers ``since`` to now.
- The callback is unsigned [P/?]: the secret token in ``config.webhook_url``
  authenticates it (checked above this module). ``AttemptedOn`` is in the account's
  local time with no zone, so only ``AttemptedOnUtc`` (no ``Z``, read as UTC) is used.
- The report's ``PerformanceCategory`` ("Beginner"...) has no place in the common result
  and is left on iMocha's report; the reattempt takes no name or email, so only the
  deadline, callback URL and ``sendEmail`` are sent with it.

Not offered: resending the email (no endpoint; re-inviting returns the same invitation but
the reference does not say it emails again [?]) and moving a deadline (no endpoint; the
re-invite overwrites the access window of a pending invitation, but needs the candidate's
name and email, which ``extend`` is not given, and would revive a cancelled one).

What iMocha cannot carry: our reference. The invite has no tag or external-id field,
but it is idempotent per email and test [P], so ``find_by_reference`` is the idempotent
invite itself (see its docstring) and ``reuses_invitation_per_email`` is set.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import httpx

from providers import parsing
from providers.base import (
    AssessmentResult,
    AttemptStatus,
    Capability,
    ConnectionConfig,
    Invitation,
    Invitee,
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
    listed_item,
    once,
)
from providers.http import VendorClient, WireRules
from providers.parsing import number as _number  # scores may come as numbers or as text
from providers.parsing import percent as _percent
from providers.parsing import when as _when  # ISO 8601; ``AttemptedOnUtc`` has no zone: UTC

VENDOR = "imocha"
DISPLAY_NAME = "iMocha"
REGIONS = (
    Region("global", "Global", "https://apiv3.imocha.io/v3"),
    Region("legacy", "Legacy (interviewmocha.com)", "https://apiv3.interviewmocha.com/v3"),
)
TEST_PAGE_SIZE = 100  # asked of GET /tests; the real limit is undocumented [?]
REPORT_TYPE = "1"  # sections come with every type; skills (types 2 and 3) are not used
LISTING_STATES = ("completed", "cancelled", "expired")  # the documented reconciliation states
DEFAULT_LOOKBACK = datetime.timedelta(days=30)  # when asked for everything, without a ``since``
WIRE_TIME = "%Y-%m-%dT%H:%M:%SZ"  # iMocha's UTC ISO-8601 for start/end date-times

_PROGRESS = {
    "pending": Progress.SENT,
    "inprogress": Progress.STARTED,
    "complete": Progress.COMPLETED,
    "completed": Progress.COMPLETED,
    "testleft": Progress.COMPLETED,  # a partial attempt, scored on what was answered
    "terminated": Progress.COMPLETED,  # proctoring or an administrator stopped it: flagged
    "cancelled": Progress.CANCELLED,
    "canceled": Progress.CANCELLED,  # the cancel error message spells it so
    "expired": Progress.EXPIRED,
}
_WARNINGS = {
    "terminated": (
        "iMocha terminated this test (a proctoring violation or an administrator stopped it); "
        "check the report before relying on the score."
    ),
    "testleft": "The candidate left the test before finishing; the score covers only what was answered.",
}
_QUOTA_WORDS = re.compile(r"quota|credit|exhaust|subscription|plan limit", re.IGNORECASE)


def normalise_status(raw: Any) -> str:
    """``"In Progress"``, ``"Inprogress"`` and ``"in progress"`` all become ``"inprogress"``."""
    return re.sub(r"[\s_-]+", "", raw).lower() if isinstance(raw, str) else ""


def progress_of(raw: Any) -> Progress:
    """Where an iMocha status sits on the common lifecycle; unknown is ``error``."""
    return _PROGRESS.get(normalise_status(raw), Progress.ERROR)


def _id(value: Any) -> str | None:
    """An int64 id as a string, whether it came as a number (even a whole float) or as text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return parsing.identifier(value)


def _text(value: Any) -> str | None:
    """Text as iMocha sent it (emails and links are not stripped); None for ``""`` or a non-string."""
    return parsing.text(value, strip=False)


def wire_time(moment: datetime.datetime) -> str:
    """``YYYY-MM-ddTHH:mm:ssZ`` in UTC, as the invite and reattempt calls take it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime(WIRE_TIME)


def _field(data: dict, *names: str) -> Any:
    """The first of ``names`` present, for fields whose casing differs between endpoints."""
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return None


def _raw_status(data: dict, *names: str) -> str:
    """The status word as iMocha wrote it (kept as the raw status), or ``"unknown"``."""
    raw = _field(data, *names)
    return raw if isinstance(raw, str) and raw.strip() else "unknown"


def _warnings(normalised: str) -> tuple[str, ...]:
    warning = _WARNINGS.get(normalised)
    return (warning,) if warning else ()


def _sections(sections: Any) -> tuple[tuple[SubScore, ...], int | None, int | None]:
    """Subscores per section, plus total seconds taken and allowed (where every section says)."""
    subscores: list[SubScore] = []
    taken: list[float] = []
    allowed: list[float] = []
    for section in sections if isinstance(sections, list) else ():
        if not isinstance(section, dict):
            continue
        points = _number(section.get("candidateScore"))
        maximum = _number(section.get("sectionScore"))
        name = section.get("sectionName") or f"Section {section.get('sectionId', len(subscores) + 1)}"
        subscores.append(
            SubScore(
                name=str(name), score_percent=_percent(points, maximum), points=points, max_points=maximum
            )
        )
        seconds_taken = _number(section.get("sectionTimeTaken"))  # seconds [P]
        minutes_allowed = _number(section.get("sectionTime"))  # minutes [P]
        if seconds_taken is not None:
            taken.append(seconds_taken)
        if minutes_allowed is not None:
            allowed.append(minutes_allowed * 60)
    duration = int(sum(taken)) if taken and len(taken) == len(subscores) else None
    time_allowed = int(sum(allowed)) if allowed and len(allowed) == len(subscores) else None
    return tuple(subscores), duration, time_allowed


def parse_report(data: dict) -> AttemptStatus:
    """``GET /reports/{testInvitationId}`` as the common status (its result once finished).

    ``scorePercentage`` is the total; ``score`` is deprecated [P] and read only when the
    percentage is missing. iMocha has no comparative score.

    Raises:
        VendorFailure: The report names no invitation.
    """
    invitation_id = _id(data.get("testInvitationId"))
    if invitation_id is None:
        raise VendorFailure("iMocha sent a report without a test invitation id.")
    raw = _raw_status(data, "Status", "status", "testStatus")
    progress = progress_of(raw)
    started = _when(_field(data, "attemptedOn", "AttemptedOnUtc"))
    result = None
    completed = None
    if progress == Progress.COMPLETED:
        subscores, duration, time_allowed = _sections(data.get("sections"))
        points = _number(data.get("candidatePoints"))
        maximum = _number(data.get("totalTestPoints"))
        score = _number(data.get("scorePercentage"))
        if score is None:
            score = _number(data.get("score"))
        if score is None:
            score = _percent(points, maximum)
        result = AssessmentResult(
            score_percent=max(0.0, min(100.0, score)) if score is not None else None,
            points=points,
            max_points=maximum,
            duration_seconds=duration,
            time_allowed_seconds=time_allowed,
            subscores=subscores,
            warnings=_warnings(normalise_status(raw)),
        )
        if started is not None and duration is not None:
            completed = started + datetime.timedelta(seconds=duration)
    return AttemptStatus(
        vendor_attempt_id=invitation_id,
        progress=progress,
        raw_status=raw,
        candidate_email=_text(data.get("candidateEmail")),
        report_url=_text(_field(data, "pdfReportUrl", "ReportPDFUrl")),
        started_at=started if progress in (Progress.STARTED, Progress.COMPLETED) else None,
        completed_at=completed,
        result=result,
    )


def parse_callback(data: dict) -> AttemptStatus:
    """One callback (PascalCase: ``TestInvitationId``, ``Status``, ``CandidateScore``...).

    The score is ``CandidateScore / TotalScore`` [P]; ``ReportPDFUrl`` is null while the
    test is in progress.

    Raises:
        VendorFailure: The callback names no invitation.
    """
    invitation_id = _id(_field(data, "TestInvitationId", "testInvitationId"))
    if invitation_id is None:
        raise VendorFailure("iMocha sent a callback without a test invitation id.")
    raw = _raw_status(data, "Status", "status")
    progress = progress_of(raw)
    result = None
    if progress == Progress.COMPLETED:
        points = _number(data.get("CandidateScore"))
        maximum = _number(data.get("TotalScore"))
        result = AssessmentResult(
            score_percent=_percent(points, maximum),
            points=points,
            max_points=maximum,
            warnings=_warnings(normalise_status(raw)),
        )
    return AttemptStatus(
        vendor_attempt_id=invitation_id,
        progress=progress,
        raw_status=raw,
        candidate_email=_text(_field(data, "CandidateEmailId", "candidateEmail")),
        report_url=_text(_field(data, "ReportPDFUrl", "pdfReportUrl")),
        started_at=_when(data.get("AttemptedOnUtc")),
        result=result,
    )


def parse_listed_attempt(data: dict) -> AttemptStatus:
    """An item of ``result.testAttempts`` from the reconciliation listing.

    Raises:
        VendorFailure: The item names no invitation.
    """
    invitation_id = _id(data.get("testInvitationId"))
    if invitation_id is None:
        raise VendorFailure("iMocha listed a test attempt without a test invitation id.")
    raw = _raw_status(data, "testStatus", "TestStatus", "status")
    return AttemptStatus(
        vendor_attempt_id=invitation_id,
        progress=progress_of(raw),
        raw_status=raw,
        candidate_email=_text(data.get("email")),
    )


def error_message(body: Any) -> str | None:
    """The human part of iMocha's three error shapes (the raw-text fallback is in ``special``)."""
    if isinstance(body, str) and body.strip():
        return body.strip()
    if not isinstance(body, dict):
        return None
    messages: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                item = item.get("message") or item.get("errorMessage")
            if isinstance(item, str) and item.strip():
                messages.append(item.strip().rstrip("."))
    elif isinstance(errors, dict):  # ASP.NET model-state form: {"Email": ["..."]}
        for field, items in errors.items():
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, str) and item.strip():
                    messages.append(f"{field}: {item.strip().rstrip('.')}")
    elif isinstance(errors, str) and errors.strip():
        messages.append(errors.strip().rstrip("."))
    for key in ("message", "Message", "error", "title"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            messages.append(value.strip().rstrip("."))
            break
    return "; ".join(dict.fromkeys(messages)) or None


def _decoded(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def special(response: httpx.Response) -> ProviderError | None:
    """Replies the common mapping reads wrong for iMocha.

    A 429 about a quota is a used-up account, not a pace to slow down to; a 4xx with a
    plain-text body still carries the vendor's words.
    """
    status = response.status_code
    if status == 429:
        message = error_message(_decoded(response)) or response.text.strip()[:200]
        if message and _QUOTA_WORDS.search(message):
            return VendorRefused(
                f"iMocha says the account's quota is used up ({message}); "
                "add invitations to the iMocha plan, then send again.",
                429,
                "quota",
            )
        return None
    plain_refusal = 400 <= status < 500 and status not in (401, 403) and response.content
    if plain_refusal and _decoded(response) is None:
        text = response.text.strip()
        if text and not text.startswith("<"):
            return VendorRefused(f"iMocha refused: {text[:300].rstrip('.')}.", status)
    return None


RULES = WireRules(
    vendor_name=DISPLAY_NAME,
    key_hint=(
        "Copy the API key again from iMocha's Integrations page; "
        "iMocha also answers 401 when the subscription has expired."
    ),
    forbidden_is_bad_key=False,  # 403 is "no permission" [P]
    error_message=error_message,
    special=special,
    requests_per_second=10,  # undocumented [?]; keep a modest pace
)


class IMocha(ProviderBase):
    """One iMocha account, reached with the API key from its Integrations page."""

    vendor = VENDOR
    display_name = DISPLAY_NAME
    capabilities = frozenset(
        {Capability.CANCEL, Capability.REATTEMPT, Capability.DEADLINE, Capability.WEBHOOK, Capability.POLL}
    )
    limitations = {
        Capability.RESEND: (
            "iMocha's API has no call to email the invitation again; copy the test link shown on "
            "the assessment and send it to the candidate yourself."
        ),
        Capability.EXTEND: (
            "iMocha's API has no call to move a sent invitation's deadline; change the access "
            "window in iMocha, or cancel and send again."
        ),
    }
    page_size = TEST_PAGE_SIZE
    reuses_invitation_per_email = True
    finds_by_inviting = True  # see find_by_reference
    listing_tells_all = False  # the listing shows finished invitations only

    def __init__(self, config: ConnectionConfig) -> None:
        super().__init__(config)
        self._http = VendorClient(
            rules=RULES,
            base_url=config.base_url,
            headers={"X-API-KEY": config.api_key, "Content-Type": "application/json"},
            timeout=config.timeout,
            budget=config.budget,
        )

    def _object(self, body: Any, what: str) -> dict:
        if not isinstance(body, dict):
            raise VendorFailure(f"iMocha sent an unexpected {what} reply.")
        return body

    def close(self) -> None:
        self._http.close()

    def validate_key(self) -> None:
        """``GET /tests`` for one test: cheap, and 401 for a wrong key or an expired subscription."""
        self._http.call("GET", "/tests", params={"pageNo": 1, "pageSize": 1})

    def list_tests(self) -> list[VendorTest]:
        """Every test, page by page (see the module docstring on the undocumented paging)."""
        tests: dict[str, VendorTest] = {}
        page = 1
        while True:
            body = self._object(
                self._http.call("GET", "/tests", params={"pageNo": page, "pageSize": TEST_PAGE_SIZE}),
                "test list",
            )
            items = body.get("tests")
            items = [t for t in items if isinstance(t, dict)] if isinstance(items, list) else []
            added = 0
            for item in items:
                test_id = _id(item.get("testId"))
                if test_id is None or test_id in tests:
                    continue
                name = item.get("testName")
                tests[test_id] = VendorTest(id=test_id, name=str(name) if name else f"Test {test_id}")
                added += 1
            if len(items) < TEST_PAGE_SIZE or added == 0:
                return list(tests.values())
            page += 1

    def _invite(self, test_id: str, invitee: Invitee) -> tuple[Invitation, str]:
        """``POST /tests/{testId}/invite``; the invitation and the status iMocha says it is in."""
        payload: dict[str, Any] = {"email": invitee.email, "name": invitee.name, "sendEmail": "yes"}
        if self.config.webhook_url:
            payload["callbackUrl"] = self.config.webhook_url
        if invitee.expires_at is not None:
            payload["endDateTime"] = wire_time(invitee.expires_at)
        body = self._object(self._http.call("POST", f"/tests/{test_id}/invite", json=payload), "invitation")
        invitation_id = _id(body.get("testInvitationId"))
        if invitation_id is None:
            raise VendorFailure("iMocha accepted the invitation but sent no test invitation id.")
        status = body.get("status")
        invitation = Invitation(
            vendor_attempt_id=invitation_id,
            test_url=_text(body.get("testUrl")),
            expires_at=invitee.expires_at,
        )
        return invitation, status if isinstance(status, str) else ""

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """Invite with the test's default link, iMocha emailing the candidate.

        ``sendEmail`` defaults to "no" at iMocha [P], so it is sent explicitly; the
        callback URL travels with every invitation, and the deadline as ``endDateTime``.
        Inviting an email already invited to this test returns that invitation (reviving
        a cancelled or expired one) instead of creating a second [P].
        """
        return self._invite(test_id, invitee)[0]

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """The invitation for this email and test, by iMocha's idempotent invite.

        iMocha has no field to carry our reference, and its only listing
        (``/candidates/testattempts``) covers completed, cancelled and expired
        invitations, never a pending one, which is what a send that timed out leaves.
        Inviting the same email to the same test again returns the first invitation
        instead of a second [P], so that repeated invite is the lookup: it finds the
        pending (or in-progress, or finished) invitation and reports the state iMocha
        gives. It is not a pure read: for someone never invited it sends the invitation,
        which is exactly what the retried send calling it would do next.
        """
        invitation, raw = self._invite(test_id, invitee)
        return AttemptStatus(
            vendor_attempt_id=invitation.vendor_attempt_id,
            progress=progress_of(raw) if raw else Progress.SENT,
            raw_status=raw,
            candidate_email=invitee.email,
            test_url=invitation.test_url,
            expires_at=invitation.expires_at,
        )

    def fetch(self, vendor_attempt_id: str, *, test_id: str = "") -> AttemptStatus:
        """``GET /reports/{testInvitationId}`` (the JSON report, which carries the status)."""
        body = self._http.call("GET", f"/reports/{vendor_attempt_id}", params={"reportType": REPORT_TYPE})
        return parse_report(self._object(body, "report"))

    def _listed(self, state: str, start: datetime.datetime, end: datetime.datetime) -> Iterable[dict]:
        body = self._object(
            self._http.call(
                "POST",
                "/candidates/testattempts",
                params={"state": state},
                json={"StartDateTime": wire_time(start), "EndDateTime": wire_time(end)},
                retry=True,  # a read, though iMocha makes it a POST
            ),
            "test attempt list",
        )
        result = body.get("result") if isinstance(body.get("result"), dict) else {}
        attempts = result.get("testAttempts")
        return [a for a in attempts if isinstance(a, dict)] if isinstance(attempts, list) else []

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str] = ()
    ) -> Iterator[AttemptStatus]:
        """Completed, cancelled and expired invitations since ``since``: one listing per state.

        iMocha never pushes a cancellation or an expiry, so this listing is how Assay
        learns of them. It names no pending or in-progress invitation (hence
        ``listing_tells_all = False``: the sync fetches those it still waits
        on) and carries no score, so a completed invitation comes back without its
        result; the sync fetches the report of those it still waits on, and only those.
        """
        end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
        start = since if since is not None else end - DEFAULT_LOOKBACK
        # An invitation listed in two states (revived, then finished) counts as the first
        # state listed: completed before cancelled before expired.
        return once(self._statuses(start, end, {str(t) for t in test_ids}))

    def _statuses(
        self, start: datetime.datetime, end: datetime.datetime, wanted: set[str]
    ) -> Iterator[AttemptStatus]:
        for state in LISTING_STATES:
            listed = self._listed(state, start, end)
            asked = self._http.asked_at()
            for item in listed:
                if (not wanted or _id(item.get("testId")) in wanted) and (
                    status := listed_item(parse_listed_attempt, item, asked, DISPLAY_NAME)
                ):
                    yield status

    def cancel(self, vendor_attempt_id: str, *, test_id: str = "") -> None:
        """``POST /invitations/{id}/cancel``: only a pending invitation can be cancelled.

        Raises:
            VendorRefused: iMocha's own reason (the candidate has started, finished, or
                the invitation has expired).
        """
        try:
            self._http.call("POST", f"/invitations/{vendor_attempt_id}/cancel")
        except VendorRefused as err:
            reason = str(err).removeprefix("iMocha refused: ").rstrip(".")
            raise VendorRefused(
                f"iMocha cannot cancel this invitation: {reason}. "
                "Only a test the candidate has not started can be cancelled.",
                err.status_code,
                err.code,
            ) from err

    def reattempt(self, vendor_attempt_id: str, *, test_id: str = "", invitee: Invitee) -> Invitation:
        """``POST /invitations/{id}/reattempt``: a finished test gets a new invitation id.

        A pending, cancelled or expired invitation is revived under its own id instead,
        and one in progress is refused with iMocha's reason [P].
        """
        payload: dict[str, Any] = {"sendEmail": "yes"}
        if self.config.webhook_url:
            payload["CallbackUrl"] = self.config.webhook_url
        if invitee.expires_at is not None:
            payload["EndDateTime"] = wire_time(invitee.expires_at)
        try:
            body = self._object(
                self._http.call("POST", f"/invitations/{vendor_attempt_id}/reattempt", json=payload),
                "re-attempt",
            )
        except VendorRefused as err:
            reason = str(err).removeprefix("iMocha refused: ").rstrip(".")
            raise VendorRefused(
                f"iMocha cannot allow a re-attempt now: {reason}.", err.status_code, err.code
            ) from err
        invitation_id = _id(body.get("testInvitationId"))
        if invitation_id is None:
            raise VendorFailure("iMocha accepted the re-attempt but sent no test invitation id.")
        return Invitation(
            vendor_attempt_id=invitation_id,
            test_url=_text(body.get("testUrl")),
            expires_at=invitee.expires_at,
        )

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """Read one callback; iMocha sends two per invitation (In Progress, then finished).

        Raises:
            WebhookRejected: Not JSON, not an object, or no ``TestInvitationId`` (400).
        """
        payload = parsing.webhook_object(body, "The iMocha callback body")
        try:
            status = parse_callback(payload)
        except VendorFailure as err:
            raise WebhookRejected("The iMocha callback names no TestInvitationId.", 400) from err
        digest = hashlib.sha256(body).hexdigest()[:24]
        key = f"{VENDOR}:{status.vendor_attempt_id}:{normalise_status(status.raw_status)}:{digest}"
        return WebhookNotice(
            delivery_key=key, vendor_attempt_ids=(status.vendor_attempt_id,), statuses=(status,)
        )


SPEC = VendorSpec(
    key=VENDOR,
    display_name=DISPLAY_NAME,
    key_label="API key (iMocha > Integrations, top right)",
    regions=REGIONS,
    sandbox_prefix="/imocha/v3",
    provider=IMocha,
    webhook_setup=(
        "Nothing to set up in iMocha: Assay gives iMocha its webhook URL with every invitation, "
        "and iMocha calls it when the candidate starts and when the test ends."
    ),
)

__all__ = [
    "RULES",
    "SPEC",
    "IMocha",
    "error_message",
    "normalise_status",
    "parse_callback",
    "parse_listed_attempt",
    "parse_report",
    "progress_of",
    "special",
    "wire_time",
]
