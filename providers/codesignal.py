"""CodeSignal: company tests (pre-screens) and live interviews, over one GraphQL endpoint.

Wire protocol (reference notes, "3. CodeSignal (GraphQL)", and CodeSignal's own
schema docs in ``CodeSignal/developer-docs``; sources tagged [P]/[T]/[?]):
- Everything is ``POST {base}/graphql`` with ``{"query", "variables"}`` and
  ``Authorization: Bearer <key>``; one region, ``https://app.codesignal.com`` [P].
- Errors arrive in the GraphQL ``errors`` envelope, usually with HTTP 200 [P]. A
  missing permission reads "Access Denied" [P]; it becomes ``PermissionMissing``
  naming the permission the failed field needs. Any other error becomes
  ``VendorRefused`` with CodeSignal's message. Error codes/extensions are not
  documented [?], so errors are classified by their text: a message about an
  invalid or missing key reads as ``KeyRejected`` and one about a rate limit as
  ``RateLimited`` (retried like a 429).
- Queries are reads and are retried (``retry=True``); mutations never are.
  Requests are paced at the documented 10 requests/second [P].
- ``companyTests`` pages with ``first``/``offset`` and ``pageInfo.hasNextPage`` [P].
  Live-interview templates come from ``interviewTemplates(companyId, first, offset)``
  (same paging) [P in the schema docs, not in the reference notes].
  ``companyTestSessions`` and ``liveInterviews`` return bare lists: they are paged
  until a short page [P]. No maximum ``first`` is documented beyond the query cost
  limit of 10000 [P]; 100 keeps every page well under it.
- The company id is optional on every query (it defaults to the key's company) [P],
  so the "Company ID" setting is optional too; when set it is sent as ``companyId``.
- Test and attempt ids say which of the two products they belong to, so every
  later call knows which query to use: tests are ``test:<companyTestId>`` or
  ``live:<interviewTemplateId>``, attempts ``session:<testSessionId>`` or
  ``interview:<liveInterviewId>``. A bare id is read as a test session.
- Sending a test is ``createCompanyTestSession`` with ``preferExisting: true`` (an
  incomplete session for the same test and email is returned instead of a second
  one) [P]. ``externalId`` carries ``invitee.reference`` (our attempt's reference),
  not the application id: it is the one value unique per attempt, and CodeSignal
  echoes it in its webhooks [P]. It cannot be read back through the API [P], so a
  retried send finds its first invitation by the candidate's email among the test's
  incomplete sessions, which is exactly the set ``preferExisting`` would reuse.
- The deadline travels as ``expireDuration`` (milliseconds from now) [P];
  ``editCompanyTestSessionExpiration`` only extends [P], so a shorter date is refused
  here with the current deadline named, before CodeSignal is asked.
- Live interviews are ``createLiveInterview``; ``expirationTime`` must lie between 1
  and 336 hours [P], so a deadline is clamped into that range. An interview has no
  external id and no template field to read back [P]: a retried send adopts a
  pending interview for the same email only when there is exactly one [?].
- Statuses [P]: ``pending`` sent; ``active``/``gracePeriod``/``finalizing`` started;
  ``over`` completed; ``expired``; ``declined`` and ``deleted``/``deletedForPii``/
  ``archived`` cancelled (raw value kept). Live interviews: ``pending``/``active``/
  ``over``/``deleted``/``archived``; an interview that is ``over`` without ever having
  started timed out ("finished ... or when a live interview times out" [P]), which
  reads as expired [?].
- Score = ``result.score / maxScore``; ``versionedCodingScore`` is another scale
  and is kept as a subscore, never as the percentage [P]. Proctoring
  (``verificationStatus``), ``integrityReviewSuggested`` and per-question integrity
  reports become warnings.
- Webhooks are configured in CodeSignal's UI, not through the API [P]. They are
  signed when a secret is set: ``X-CodeSignal-Signature`` =
  hex(HMAC-SHA256(secret, endpointUrl + event + triggeredOn)) [P]. The body is not
  signed, so a delivery only names attempts, which are re-fetched before anything
  is applied (``Capability.POLL``). ``triggeredOn`` is not checked for freshness:
  CodeSignal retries a failed delivery for up to ~17 days [P].
- Any non-200 answer marks CodeSignal's webhook unhealthy and holds every later
  event behind it [P]. So only bodies that are not a CodeSignal envelope at all are
  refused (400); an event we do not follow, or one naming no attempt, is accepted
  and names nothing. The test POST sent when the webhook is saved carries an empty
  payload [P]: ``{}`` (or an envelope with no event) is accepted as that ping. Its
  exact bytes are not documented [?]; a literally empty body is refused, as the
  provider contract requires.
- ``hasAccess`` is marked "internal use only" in the schema [P]: if CodeSignal does
  not answer it for API keys, ``validate_key`` checks the key and company only.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from providers import parsing
from providers.base import (
    AssessmentResult,
    AttemptStatus,
    Capability,
    ConnectionConfig,
    ExtraField,
    Invitation,
    Invitee,
    KeyRejected,
    PermissionMissing,
    Progress,
    ProviderBase,
    ProviderError,
    RateLimited,
    Region,
    SubScore,
    Unsupported,
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
from providers.http import VendorClient, WireRules, retry_after_seconds, try_again
from providers.parsing import percent as _percent
from providers.parsing import text as _text

VENDOR = "codesignal"
log = logging.getLogger(__name__)

DISPLAY_NAME = "CodeSignal"
REGIONS = (Region("global", "Global", "https://app.codesignal.com"),)
GRAPHQL_PATH = "/graphql"
PAGE_SIZE = 100  # no documented maximum for ``first``; 100 keeps a page's cost far under 10000
SIGNATURE_HEADER = "x-codesignal-signature"

TEST_PREFIX = "test:"
LIVE_PREFIX = "live:"
SESSION_PREFIX = "session:"
INTERVIEW_PREFIX = "interview:"

HOUR_MS = 3_600_000
LIVE_EXPIRY_MS = (1 * HOUR_MS, 336 * HOUR_MS)  # "select between 1 and 336 hours inclusive" [P]

_SESSION_PROGRESS = {
    "pending": Progress.SENT,
    "active": Progress.STARTED,
    "gracePeriod": Progress.STARTED,
    "finalizing": Progress.STARTED,  # submitted, results not final yet
    "over": Progress.COMPLETED,
    "expired": Progress.EXPIRED,
    "declined": Progress.CANCELLED,
    "deleted": Progress.CANCELLED,
    "deletedForPii": Progress.CANCELLED,
    "archived": Progress.CANCELLED,
}
_INTERVIEW_PROGRESS = {
    "pending": Progress.SENT,
    "active": Progress.STARTED,
    "over": Progress.COMPLETED,
    "deleted": Progress.CANCELLED,
    "archived": Progress.CANCELLED,
}
_INCOMPLETE = ("pending", "active", "gracePeriod")  # what ``preferExisting`` would reuse [P]

# The permission (schema ``AccessType``) each field needs, for naming it when CodeSignal
# says "Access Denied". The mapping is inferred from the enum's names [?].
FIELD_PERMISSIONS = {
    "company": ("company_read", "read the company"),
    "companyTests": ("company_test_read", "list the company's tests"),
    "interviewTemplates": ("interview_template_read", "list live-interview templates"),
    "companyTestSession": ("company_test_session_read", "read test results"),
    "companyTestSessions": ("company_test_session_read", "read test results"),
    "createCompanyTestSession": ("company_test_session_create", "send tests"),
    "deleteCompanyTestSession": ("company_test_session_create", "cancel tests"),
    "resendCompanyTestSession": ("company_test_session_create", "resend tests"),
    "reactivateCompanyTestSession": ("company_test_session_create", "let a candidate retake a test"),
    "editCompanyTestSessionExpiration": ("company_test_session_create", "extend deadlines"),
    "liveInterview": ("interview_read", "read live interviews"),
    "liveInterviews": ("interview_read", "read live interviews"),
    "createLiveInterview": ("live_interview_write", "create live interviews"),
    "deleteLiveInterview": ("live_interview_write", "cancel live interviews"),
}
# What ``validate_key`` asks ``hasAccess`` about: the permissions the ModernLoop guide
# has admins tick for live interviews [T], plus creating and reading test sessions.
REQUIRED_ACCESS = (
    ("company_test_session_create", "send tests"),
    ("company_test_session_read", "read test results"),
    ("live_interview_write", "create live interviews"),
    ("interview_read", "read live interviews"),
)
# How the key screen names the live-interview permissions (ModernLoop's guide) [T].
LIVE_PERMISSION_LABELS = (
    "liveInterview, liveInterview.company, liveInterview.company.read, liveInterview.company.write"
)
KEY_SCREEN = "Integrations > API Keys"

LIVE_INTERVIEW_LIMITS = {
    Capability.RESEND: "CodeSignal sends no email for a live interview; share its link with the candidate.",
    Capability.REATTEMPT: "A CodeSignal live interview cannot be re-opened; schedule a new one instead.",
    Capability.EXTEND: "Assay cannot move a CodeSignal live interview's expiry; schedule a new one instead.",
}

SESSION_FIELDS = """
    id status createDate startDate expirationDate finishDate maxScore invitationUrl customDuration
    testTaker { email firstName lastName }
    test { id title duration }
    result {
      score url solvedTaskCount
      versionedCodingScore { version value }
      taskResults {
        score
        sessionTask { maxScore task { title } }
        integrityReport { status suspicionScore solutionSimilarity { score } }
      }
    }
    verificationStatus verificationRejectionReasons { name description }
    integrityReviewFinalized integrityReviewSuggested
    reactivatedSession { newSessionId }
"""
INTERVIEW_FIELDS = "id candidateEmail candidateName status startDate finishDate url shortenedUrl"

Q_COMPANY = """query AssayCompany($companyId: ID) { company(id: $companyId) { id name } }"""
Q_ACCESS = (
    "query AssayAccess($companyId: ID) {\n"
    + "\n".join(
        f"  {access}: hasAccess(type: {access}, resourceId: $companyId)" for access, _ in REQUIRED_ACCESS
    )
    + "\n}"
)
Q_TESTS = """
query AssayCompanyTests($companyId: ID, $first: Int!, $offset: Int) {
  companyTests(companyId: $companyId, first: $first, offset: $offset) {
    totalCount tests { id title externalTitle } pageInfo { hasNextPage }
  }
}"""
Q_TEMPLATES = """
query AssayInterviewTemplates($companyId: ID, $first: Int!, $offset: Int!) {
  interviewTemplates(companyId: $companyId, first: $first, offset: $offset) {
    totalCount interviewTemplates { id name } pageInfo { hasNextPage }
  }
}"""
Q_SESSION = f"query AssaySession($id: ID!) {{ companyTestSession(id: $id) {{ {SESSION_FIELDS} }} }}"
Q_SESSIONS = f"""
query AssaySessions($companyTestId: ID!, $first: Int, $offset: Int) {{
  companyTestSessions(companyTestId: $companyTestId, first: $first, offset: $offset) {{ {SESSION_FIELDS} }}
}}"""
Q_INTERVIEW = (
    f"query AssayInterview($id: ID!) {{ liveInterview(liveInterviewId: $id) {{ {INTERVIEW_FIELDS} }} }}"
)
Q_INTERVIEWS = f"""
query AssayInterviews($candidateEmail: String, $first: Int, $offset: Int) {{
  liveInterviews(candidateEmail: $candidateEmail, first: $first, offset: $offset) {{ {INTERVIEW_FIELDS} }}
}}"""
M_SEND_TEST = """
mutation AssaySendTest($sessionFields: TestSessionInput!) {
  createCompanyTestSession(sessionFields: $sessionFields) { id status invitationUrl expirationDate }
}"""
M_SCHEDULE_INTERVIEW = """
mutation AssayScheduleInterview($interviewFields: LiveInterviewInput) {
  createLiveInterview(interviewFields: $interviewFields) { id status url shortenedUrl }
}"""
M_CANCEL_TEST = """
mutation AssayCancelTest($id: ID!) { deleteCompanyTestSession(id: $id, sendNotificationEmail: false) }"""
M_CANCEL_INTERVIEW = """mutation AssayCancelInterview($id: ID!) { deleteLiveInterview(id: $id) }"""
M_RESEND = """mutation AssayResend($id: ID!) { resendCompanyTestSession(id: $id) { id status } }"""
M_REACTIVATE = """
mutation AssayReattempt($id: ID!) {
  reactivateCompanyTestSession(id: $id, sendNotificationEmail: true) {
    id status invitationUrl expirationDate reactivatedSession { newSessionId }
  }
}"""
M_EXTEND = """
mutation AssayExtend($id: ID!, $expirationDate: Timestamp!) {
  editCompanyTestSessionExpiration(id: $id, expirationDate: $expirationDate) { id expirationDate }
}"""

_KEY_TROUBLE = re.compile(
    r"unauthori[sz]ed|unauthenticated|not authenticated|invalid (api )?(key|token)", re.I
)
_RATE_TROUBLE = re.compile(r"rate.?limit|too many requests", re.I)


def _when(value: Any) -> datetime.datetime | None:
    """A CodeSignal ``Timestamp`` (epoch milliseconds [P]); numeric and ISO strings are tolerated."""
    if isinstance(value, str) and value.strip().isdecimal():
        with contextlib.suppress(ValueError):  # more digits than Python converts: not a time
            value = int(value)  # milliseconds written as digits
    return parsing.when(value, epoch="ms")


def _ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _number(value: Any) -> float | None:
    """Numbers are typed in CodeSignal's schema: text is not read as one."""
    return parsing.number(value, text=False)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _id(value: Any) -> str | None:
    """An ``ID`` (text or number) exactly as CodeSignal wrote it."""
    return parsing.identifier(value, strip=False)


def split_test_id(test_id: str) -> tuple[bool, str]:
    """``(is_live_interview, CodeSignal id)`` of one of our test ids."""
    if test_id.startswith(LIVE_PREFIX):
        return True, test_id[len(LIVE_PREFIX) :]
    return False, test_id.removeprefix(TEST_PREFIX)


def split_attempt_id(vendor_attempt_id: str) -> tuple[bool, str]:
    """``(is_live_interview, CodeSignal id)`` of one of our attempt ids."""
    if vendor_attempt_id.startswith(INTERVIEW_PREFIX):
        return True, vendor_attempt_id[len(INTERVIEW_PREFIX) :]
    return False, vendor_attempt_id.removeprefix(SESSION_PREFIX)


def session_progress(raw: str) -> Progress:
    """Where a ``TestSessionStatus`` sits on the common lifecycle; unknown values are errors."""
    return _SESSION_PROGRESS.get(raw, Progress.ERROR)


def _integrity_warnings(session: dict, result: dict) -> list[str]:
    warnings = []
    verification = session.get("verificationStatus")
    if verification == "pending":
        warnings.append("Awaiting verification: CodeSignal has not yet verified this proctored result.")
    elif verification == "notVerified":
        reasons = [
            _text(r.get("name")) or _text(r.get("description"))
            for r in _list(session.get("verificationRejectionReasons"))
            if isinstance(r, dict)
        ]
        named = "; ".join(r for r in reasons if r) or "no reason given"
        warnings.append(f"Not verified by CodeSignal's proctoring review: {named}.")
    if session.get("integrityReviewSuggested") is True:
        warnings.append("CodeSignal suggests an integrity review: it detected possibly suspicious activity.")
    for n, task in enumerate(_list(result.get("taskResults")), start=1):
        task = _dict(task)
        title = _text(_dict(_dict(task.get("sessionTask")).get("task")).get("title")) or f"Question {n}"
        report = _dict(task.get("integrityReport"))
        suspicion = report.get("suspicionScore")
        if suspicion in ("medium", "high"):
            warnings.append(f"{title}: {suspicion} suspicion of outside help (CodeSignal integrity report).")
        similarity = _dict(report.get("solutionSimilarity")).get("score")
        if similarity in ("medium", "high"):
            warnings.append(f"{title}: {similarity} similarity to other solutions (possible plagiarism).")
    return warnings


def parse_result(session: dict) -> AssessmentResult | None:
    """A session's score, time, per-question breakdown and integrity signals, or None before any."""
    result = _dict(session.get("result"))
    warnings = _integrity_warnings(session, result)
    if left_out := [str(part) for part in _list(session.get(LEFT_OUT))]:
        # A score read without its integrity report is not a clean one (helper-155).
        warnings.append(
            f"CodeSignal would not give Assay part of this result ({', '.join(left_out)}): see it there"
        )
    if not result and not warnings:
        return None
    points = _number(result.get("score"))
    max_points = _number(session.get("maxScore"))
    subscores = []
    for n, task in enumerate(_list(result.get("taskResults")), start=1):
        task = _dict(task)
        session_task = _dict(task.get("sessionTask"))
        task_points, task_max = _number(task.get("score")), _number(session_task.get("maxScore"))
        subscores.append(
            SubScore(
                name=_text(_dict(session_task.get("task")).get("title")) or f"Question {n}",
                score_percent=_percent(task_points, task_max),
                points=task_points,
                max_points=task_max,
            )
        )
    coding = _dict(result.get("versionedCodingScore"))
    if _number(coding.get("value")) is not None:
        subscores.append(SubScore(name="Coding Score", score_percent=None, points=_number(coding["value"])))
    started, finished = _when(session.get("startDate")), _when(session.get("finishDate"))
    allowed_ms = _number(session.get("customDuration")) or _number(_dict(session.get("test")).get("duration"))
    return AssessmentResult(
        score_percent=_percent(points, max_points),
        points=points,
        max_points=max_points,
        duration_seconds=int((finished - started).total_seconds()) if started and finished else None,
        time_allowed_seconds=int(allowed_ms / 1000) if allowed_ms else None,
        subscores=tuple(subscores),
        warnings=tuple(warnings),
    )


def parse_session(data: dict) -> AttemptStatus:
    """A ``CompanyTestSession`` as the common status.

    Raises:
        VendorFailure: The session has no id.
    """
    session_id = _id(data.get("id"))
    if session_id is None:
        raise VendorFailure("CodeSignal sent a test session without an id.")
    raw = _text(data.get("status")) or "unknown"
    progress = session_progress(raw)
    result = _dict(data.get("result"))
    return AttemptStatus(
        vendor_attempt_id=SESSION_PREFIX + session_id,
        progress=progress,
        raw_status=raw,
        candidate_email=_text(_dict(data.get("testTaker")).get("email")),
        test_url=_text(data.get("invitationUrl")),
        report_url=_text(result.get("url")),
        sent_at=_when(data.get("createDate")),
        started_at=_when(data.get("startDate")),
        completed_at=_when(data.get("finishDate")) if progress == Progress.COMPLETED else None,
        expires_at=_when(data.get("expirationDate")),
        result=parse_result(data),
    )


def interview_report_url(base_url: str, interview_id: str) -> str:
    """Where the company sees a finished interview (the link in ``liveInterviewFinished`` [P])."""
    return f"{base_url.rstrip('/')}/client-dashboard/interviews?status=over&liveInterviewId={interview_id}"


def parse_interview(data: dict, *, base_url: str) -> AttemptStatus:
    """A ``LiveInterview`` as the common status: no score, the interview record as the report.

    Raises:
        VendorFailure: The interview has no id.
    """
    interview_id = _id(data.get("id"))
    if interview_id is None:
        raise VendorFailure("CodeSignal sent a live interview without an id.")
    raw = _text(data.get("status")) or "unknown"
    progress = _INTERVIEW_PROGRESS.get(raw, Progress.ERROR)
    started = _when(data.get("startDate"))
    if progress == Progress.COMPLETED and started is None:
        progress = Progress.EXPIRED  # over without ever starting: the interview timed out [?]
    return AttemptStatus(
        vendor_attempt_id=INTERVIEW_PREFIX + interview_id,
        progress=progress,
        raw_status=raw,
        candidate_email=_text(data.get("candidateEmail")),
        test_url=_text(data.get("url")) or _text(data.get("shortenedUrl")),
        report_url=interview_report_url(base_url, interview_id) if progress == Progress.COMPLETED else None,
        started_at=started,
        completed_at=_when(data.get("finishDate")) if progress == Progress.COMPLETED else None,
    )


def _first_error(body: Any) -> dict | None:
    return next(iter(_errors(body)), None)


def _errors(body: Any) -> list[dict]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return (
        [e if isinstance(e, dict) else {"message": str(e)} for e in errors]
        if isinstance(errors, list)
        else []
    )


# Where a session (or interview) read in part notes the parts CodeSignal left out (``_left_out``).
LEFT_OUT = "_assay_left_out"


def _left_out(data: dict, path: list) -> None:
    """Note on the session (a listed one: the item at the path's index) the part CodeSignal would
    not give, for its result to say so (``parse_result``)."""
    node, rest = data.get(path[0]), path[1:]
    if isinstance(node, list) and rest and isinstance(rest[0], int) and 0 <= rest[0] < len(node):
        node, rest = node[rest[0]], rest[1:]
    if isinstance(node, dict):
        node.setdefault(LEFT_OUT, []).append(".".join(str(p) for p in rest) or "part")


def _error_text(error: dict) -> str:
    return _text(error.get("message")) or "no message"


def _error_code(error: dict) -> str | None:
    code = _dict(error.get("extensions")).get("code")
    return code if isinstance(code, str) else None


def _rate_limited(response: httpx.Response) -> ProviderError | None:
    """A rate-limit error inside a 200 GraphQL envelope [?], read like a 429 so reads retry it."""
    if response.status_code != 200 or b"errors" not in response.content:
        return None
    try:
        error = _first_error(response.json())
    except ValueError:
        return None
    if error and (_RATE_TROUBLE.search(_error_text(error)) or _error_code(error) == "RATE_LIMITED"):
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        return RateLimited(f"CodeSignal is rate-limiting Assay; {try_again(wait)}", wait)
    return None


def _graphql_message(body: Any) -> str | None:
    error = _first_error(body)
    return _error_text(error) if error else None


RULES = WireRules(
    vendor_name=DISPLAY_NAME,
    key_hint=f"Create or copy an API key in CodeSignal under {KEY_SCREEN}.",
    forbidden_is_bad_key=False,  # a 403 is a valid key without a permission ("Access Denied")
    error_message=_graphql_message,
    special=_rate_limited,
    requests_per_second=10,  # the common per-field limit [P]
)


def _denied(field: str) -> PermissionMissing:
    access, purpose = FIELD_PERMISSIONS.get(field, ("", ""))
    if not access:
        return PermissionMissing(
            f"The CodeSignal key lacks a permission Assay needs (Access Denied on {field}). "
            f"Edit the key under {KEY_SCREEN}."
        )
    hint = f" (on the key screen: {LIVE_PERMISSION_LABELS})" if "interview" in access else ""
    return PermissionMissing(
        f"The CodeSignal key lacks the permission {access}, needed to {purpose}. "
        f"Edit the key under {KEY_SCREEN}{hint}."
    )


def graphql_error(error: dict, field: str, status_code: int = 200) -> ProviderError:
    """One GraphQL error as our error: a missing permission, a bad key, or a refusal with its text."""
    message = _error_text(error)
    if "access denied" in message.lower() or _error_code(error) == "FORBIDDEN":
        return _denied(field)
    if _KEY_TROUBLE.search(message) or _error_code(error) == "UNAUTHENTICATED":
        return KeyRejected(f"The CodeSignal key was rejected ({message}). {RULES.key_hint}")
    return VendorRefused(f"CodeSignal refused: {message.rstrip('.')}.", status_code, _error_code(error))


def _triggered_on(value: Any) -> str:
    """``triggeredOn`` as CodeSignal puts it in the signed text (a JS number, or '' when absent)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float | str) else ""


def webhook_signature(secret: str, endpoint_url: str, event: str, triggered_on: str) -> str:
    """CodeSignal's ``X-CodeSignal-Signature``: hex HMAC-SHA256 of URL + event + triggeredOn [P]."""
    plain = f"{endpoint_url}{event}{triggered_on}".encode()
    return hmac.new(secret.encode(), plain, hashlib.sha256).hexdigest()


class CodeSignal(ProviderBase):
    """One CodeSignal company, reached with an API key and (optionally) its company id."""

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
    limitations: dict[Capability, str] = {}  # everything is supported for tests; see LIVE_INTERVIEW_LIMITS
    page_size = PAGE_SIZE
    reuses_invitation_per_email = True  # preferExisting: an open session for the same test and email

    def __init__(self, config: ConnectionConfig) -> None:
        super().__init__(config)
        self._http = VendorClient(
            rules=RULES,
            base_url=config.base_url,
            headers={"Authorization": f"Bearer {config.api_key}", "Content-Type": "application/json"},
            timeout=config.timeout,
            budget=config.budget,
        )
        self._company_id = (config.options.get("company_id") or "").strip()

    def _send(self, query: str, variables: dict[str, Any], *, read: bool, field: str) -> dict:
        """One GraphQL request; the body as a dict (errors not yet read)."""
        try:
            body = self._http.call(
                "POST", GRAPHQL_PATH, json={"query": query, "variables": variables}, retry=read
            )
        except PermissionMissing as err:  # an HTTP 403: name the permission the field needs
            raise _denied(field) from err
        if not isinstance(body, dict):
            raise VendorFailure("CodeSignal sent a reply Assay could not read (not a GraphQL response).")
        return body

    def _graphql(self, query: str, variables: dict[str, Any], *, field: str, read: bool) -> Any:
        """The value of ``field`` in the reply, or the first GraphQL error as our error.

        An error about a part within a ``field`` that came (GraphQL's partial data: a key that may
        not read a session's integrity report) costs that part only, logged: raised, it failed
        every fetch and listing, and blamed the key's permission to read sessions (helper-153).
        """
        body = self._send(query, variables, read=read, field=field)
        data = body.get("data")
        for error in _errors(body):
            path = _list(error.get("path"))
            if not (len(path) > 1 and isinstance(data, dict) and data.get(field) is not None):
                raise self._http.told(graphql_error(error, str(path[0]) if path else field))
            _left_out(data, path)  # said beside the score (``parse_result``)
            log.warning(
                "CodeSignal left out %s: %s",
                ".".join(str(p) for p in path),
                self._http.told(graphql_error(error, field)),
            )
        if not isinstance(data, dict) or field not in data:
            raise VendorFailure(f"CodeSignal's reply has no {field}.")
        return data[field]

    def _company(self) -> dict[str, Any]:
        return {"companyId": self._company_id} if self._company_id else {}

    def close(self) -> None:
        self._http.close()

    def validate_key(self) -> None:
        """Check the key, the company id, and every permission Assay uses (by ``hasAccess``).

        Raises:
            KeyRejected: CodeSignal refused the key.
            VendorRefused: The Company ID setting names no company the key can see.
            PermissionMissing: The key lacks permissions; the message lists each.
        """
        try:
            company = self._graphql(Q_COMPANY, self._company(), field="company", read=True)
        except PermissionMissing as err:
            if self._company_id:
                raise PermissionMissing(
                    f"The CodeSignal key cannot see company {self._company_id}: check the Company ID setting "
                    f"(leave it empty to use the key's own company) or the key's permissions under "
                    f"{KEY_SCREEN}."
                ) from err
            company = None  # a valid key (not a 401) without company_read; the checks below still run
        if self._company_id and not (isinstance(company, dict) and _id(company.get("id"))):
            raise VendorRefused(
                f"CodeSignal shows no company {self._company_id} to this key; check the Company ID setting.",
                200,
            )
        self._check_access()

    def _check_access(self) -> None:
        """``hasAccess`` for each permission in ``REQUIRED_ACCESS``, all in one request (aliases).

        ``hasAccess`` is "internal use only" in the schema [P]: when CodeSignal refuses
        the field itself (a validation error, or every alias denied and none answered),
        that says nothing about the key, and only the key and company are checked.
        """
        try:
            body = self._send(Q_ACCESS, self._company(), read=True, field="hasAccess")
        except VendorRefused:
            return
        data = _dict(body.get("data"))
        if not any(isinstance(data.get(access), bool) for access, _ in REQUIRED_ACCESS):
            return
        purposes = dict(REQUIRED_ACCESS)
        missing = [
            f"{access} ({purpose})" for access, purpose in REQUIRED_ACCESS if data.get(access) is False
        ]
        for error in _list(body.get("errors")):
            path = _list(_dict(error).get("path"))
            if path and "access denied" in _error_text(_dict(error)).lower():
                missing.append(f"{path[0]} ({purposes.get(str(path[0]), 'used by Assay')})")
        if missing:
            raise PermissionMissing(
                f"The CodeSignal key lacks permissions Assay needs: {', '.join(dict.fromkeys(missing))}. "
                f"Edit the key under {KEY_SCREEN} (for live interviews: {LIVE_PERMISSION_LABELS})."
            )

    def _connection_pages(self, query: str, field: str, items: str) -> Iterator[list[dict]]:
        """Pages of a ``{totalCount, <items>, pageInfo{hasNextPage}}`` connection."""
        offset = 0
        while True:
            page = _dict(
                self._graphql(
                    query, {**self._company(), "first": PAGE_SIZE, "offset": offset}, field=field, read=True
                )
            )
            rows = [r for r in _list(page.get(items)) if isinstance(r, dict)]
            yield rows
            if not rows or not _dict(page.get("pageInfo")).get("hasNextPage"):
                return
            offset += len(rows)

    def _list_pages(
        self, query: str, field: str, variables: dict[str, Any]
    ) -> Iterator[tuple[datetime.datetime | None, list[dict]]]:
        """Each page of a bare-list query, its new items with the moment it was asked for (its
        statuses are held no newer), paged until a short page (or one with nothing new)."""
        offset, seen = 0, set()
        while True:
            rows = self._graphql(
                query, {**variables, "first": PAGE_SIZE, "offset": offset}, field=field, read=True
            )
            asked = self._http.asked_at()
            rows = [r for r in _list(rows) if isinstance(r, dict)]
            fresh = [r for r in rows if _id(r.get("id")) not in seen]
            seen.update(_id(r.get("id")) for r in rows)
            yield asked, fresh
            if len(rows) < PAGE_SIZE or not fresh:
                return
            offset += len(rows)

    def list_tests(self) -> list[VendorTest]:
        """Company tests, then live-interview templates, every page of each."""
        tests: dict[str, VendorTest] = {}
        for page in self._connection_pages(Q_TESTS, "companyTests", "tests"):
            for test in page:
                if test_id := _id(test.get("id")):
                    name = _text(test.get("title")) or _text(test.get("externalTitle")) or f"Test {test_id}"
                    tests[TEST_PREFIX + test_id] = VendorTest(id=TEST_PREFIX + test_id, name=name)
        for page in self._connection_pages(Q_TEMPLATES, "interviewTemplates", "interviewTemplates"):
            for template in page:
                if template_id := _id(template.get("id")):
                    name = _text(template.get("name")) or f"Interview template {template_id}"
                    tests[LIVE_PREFIX + template_id] = VendorTest(
                        id=LIVE_PREFIX + template_id, name=name, live_interview=True
                    )
        return list(tests.values())

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """Invite to a test (``createCompanyTestSession``) or create a live interview."""
        live, vendor_test_id = split_test_id(test_id)
        if live:
            return self._schedule_interview(vendor_test_id, invitee)
        first, _, last = invitee.name.strip().partition(" ")
        fields: dict[str, Any] = {
            "testId": vendor_test_id,
            "candidateFirstName": first,
            "candidateLastName": last.strip(),
            "candidateEmail": invitee.email,
            "externalId": invitee.reference,
            "preferExisting": True,
        }
        if invitee.expires_at is not None:
            fields["expireDuration"] = self._ms_until(invitee.expires_at)
        session = _dict(
            self._graphql(
                M_SEND_TEST, {"sessionFields": fields}, field="createCompanyTestSession", read=False
            )
        )
        session_id = _id(session.get("id"))
        if session_id is None:
            raise VendorFailure("CodeSignal accepted the invitation but sent no test session id.")
        return Invitation(
            vendor_attempt_id=SESSION_PREFIX + session_id,
            test_url=_text(session.get("invitationUrl")),
            expires_at=_when(session.get("expirationDate")),
        )

    @staticmethod
    def _ms_until(deadline: datetime.datetime) -> int:
        if deadline.tzinfo is None:
            deadline = deadline.replace(tzinfo=datetime.UTC)
        remaining = _ms(deadline) - _ms(datetime.datetime.now(datetime.UTC))
        if remaining <= 0:
            raise VendorRefused("The deadline is in the past; pick a later date before sending.", 422)
        return remaining

    def _schedule_interview(self, template_id: str, invitee: Invitee) -> Invitation:
        fields: dict[str, Any] = {
            "candidateEmail": invitee.email,
            "candidateName": invitee.name,
            "templateId": template_id,
        }
        expires_at = None
        if invitee.expires_at is not None:
            low, high = LIVE_EXPIRY_MS
            fields["expirationTime"] = max(low, min(high, self._ms_until(invitee.expires_at)))
            expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
                milliseconds=fields["expirationTime"]
            )
        interview = _dict(
            self._graphql(
                M_SCHEDULE_INTERVIEW, {"interviewFields": fields}, field="createLiveInterview", read=False
            )
        )
        interview_id = _id(interview.get("id"))
        if interview_id is None:
            raise VendorFailure("CodeSignal created the live interview but sent no id.")
        return Invitation(
            vendor_attempt_id=INTERVIEW_PREFIX + interview_id,
            test_url=_text(interview.get("url")) or _text(interview.get("shortenedUrl")),
            expires_at=expires_at,
        )

    def _sessions(self, company_test_id: str) -> Iterator[tuple[datetime.datetime | None, list[dict]]]:
        return self._list_pages(Q_SESSIONS, "companyTestSessions", {"companyTestId": company_test_id})

    def _interviews(
        self, candidate_email: str | None = None
    ) -> Iterator[tuple[datetime.datetime | None, list[dict]]]:
        variables = {"candidateEmail": candidate_email} if candidate_email else {}
        return self._list_pages(Q_INTERVIEWS, "liveInterviews", variables)

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """The open invitation of this candidate for this test, since ``externalId`` cannot be read back.

        For a test: the newest incomplete session with the candidate's email (what
        ``preferExisting`` would return). For a live interview: the candidate's one
        pending interview, if there is exactly one [?].
        """
        live, vendor_test_id = split_test_id(test_id)
        email = invitee.email.strip().lower()
        if live:
            pending = [
                i
                for _, page in self._interviews(invitee.email)
                for i in page
                if (_text(i.get("candidateEmail")) or "").lower() == email and i.get("status") == "pending"
            ]
            return parse_interview(pending[0], base_url=self.config.base_url) if len(pending) == 1 else None
        open_sessions = [
            s
            for _, page in self._sessions(vendor_test_id)
            for s in page
            if (_text(_dict(s.get("testTaker")).get("email")) or "").lower() == email
            and s.get("status") in _INCOMPLETE
        ]
        if not open_sessions:
            return None
        epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        newest = max(open_sessions, key=lambda s: _when(s.get("createDate")) or epoch)
        return parse_session(newest)

    def fetch(self, vendor_attempt_id: str, *, test_id: str = "") -> AttemptStatus:
        """``companyTestSession(id)`` or ``liveInterview(liveInterviewId)``.

        Raises:
            VendorRefused: CodeSignal has no such session or interview (404).
        """
        live, vendor_id = split_attempt_id(vendor_attempt_id)
        if live:
            data = self._graphql(Q_INTERVIEW, {"id": vendor_id}, field="liveInterview", read=True)
        else:
            data = self._graphql(Q_SESSION, {"id": vendor_id}, field="companyTestSession", read=True)
        if not isinstance(data, dict):
            what = "live interview" if live else "test session"
            raise VendorRefused(
                f"CodeSignal has no {what} {vendor_id}; it may have been deleted.", 404, "notFound"
            )
        return parse_interview(data, base_url=self.config.base_url) if live else parse_session(data)

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str] = ()
    ) -> Iterator[AttemptStatus]:
        """Every session of each test (``companyTestSessions``), and the company's live interviews.

        CodeSignal orders sessions by finish date and filters neither by date nor by
        status [P], so each test is read to the end and ``since`` is applied here.
        """
        return once(self._statuses(since, test_ids))

    def _statuses(self, since: datetime.datetime | None, test_ids: Sequence[str]) -> Iterator[AttemptStatus]:
        live_wanted = False
        with each_test_listed() as refused:
            for test_id in dict.fromkeys(test_ids):
                live, vendor_test_id = split_test_id(test_id)
                if live:
                    live_wanted = True
                    continue
                with refused(test_id):
                    for asked, page in self._sessions(vendor_test_id):
                        for session in page:
                            status = listed_item(parse_session, session, asked, DISPLAY_NAME)
                            if status and (
                                since is None or status.sent_at is None or status.sent_at >= since
                            ):
                                yield status
            if live_wanted:  # inside: a test refused is said after the interviews too (helper-131)
                for asked, page in self._interviews():
                    for interview in page:
                        status = listed_item(
                            parse_interview, interview, asked, DISPLAY_NAME, base_url=self.config.base_url
                        )
                        if status and (
                            since is None or status.completed_at is None or status.completed_at >= since
                        ):
                            yield status

    def cancel(self, vendor_attempt_id: str, *, test_id: str = "") -> None:
        """``deleteCompanyTestSession`` (no email to the candidate) or ``deleteLiveInterview``."""
        live, vendor_id = split_attempt_id(vendor_attempt_id)
        if live:
            self._graphql(M_CANCEL_INTERVIEW, {"id": vendor_id}, field="deleteLiveInterview", read=False)
        else:
            self._graphql(M_CANCEL_TEST, {"id": vendor_id}, field="deleteCompanyTestSession", read=False)

    def _session_only(self, vendor_attempt_id: str, capability: Capability) -> str:
        live, vendor_id = split_attempt_id(vendor_attempt_id)
        if live:
            raise Unsupported(LIVE_INTERVIEW_LIMITS[capability])
        return vendor_id

    def resend(self, vendor_attempt_id: str, *, test_id: str = "") -> None:
        """``resendCompanyTestSession``: the invitation email again."""
        session_id = self._session_only(vendor_attempt_id, Capability.RESEND)
        self._graphql(M_RESEND, {"id": session_id}, field="resendCompanyTestSession", read=False)

    def reattempt(self, vendor_attempt_id: str, *, test_id: str = "", invitee: Invitee) -> Invitation:
        """``reactivateCompanyTestSession``; the new session it points to is the new attempt.

        The reply is the reactivated session; whether it carries the new session in
        ``reactivatedSession`` or is itself the new one is not documented [?], so both
        are read (and a session reopened in place keeps its id).
        """
        session_id = self._session_only(vendor_attempt_id, Capability.REATTEMPT)
        reply = _dict(
            self._graphql(M_REACTIVATE, {"id": session_id}, field="reactivateCompanyTestSession", read=False)
        )
        new_id = _id(_dict(reply.get("reactivatedSession")).get("newSessionId"))
        if new_id and new_id != session_id:
            fresh = self.fetch(SESSION_PREFIX + new_id)
            return Invitation(fresh.vendor_attempt_id, fresh.test_url, expires_at=fresh.expires_at)
        reply_id = _id(reply.get("id")) or session_id
        return Invitation(
            vendor_attempt_id=SESSION_PREFIX + reply_id,
            test_url=_text(reply.get("invitationUrl")),
            expires_at=_when(reply.get("expirationDate")),
        )

    def extend(self, vendor_attempt_id: str, *, test_id: str = "", expires_at: datetime.datetime) -> None:
        """``editCompanyTestSessionExpiration``, which only extends [P].

        Raises:
            VendorRefused: The new date is not later than the current deadline (named).
        """
        session_id = self._session_only(vendor_attempt_id, Capability.EXTEND)
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=datetime.UTC)
        current = self.fetch(SESSION_PREFIX + session_id).expires_at
        if current is not None and expires_at <= current:
            raise VendorRefused(
                f"CodeSignal can only extend a deadline, and this invitation already expires on "
                f"{current:%Y-%m-%d %H:%M} UTC; pick a later date.",
                422,
                "extendOnly",
            )
        self._graphql(
            M_EXTEND,
            {"id": session_id, "expirationDate": _ms(expires_at)},
            field="editCompanyTestSessionExpiration",
            read=False,
        )

    def register_webhook(self) -> None:
        """Nothing to call: CodeSignal's webhooks are set up in its UI (``SPEC.webhook_setup``)."""

    def authenticate_webhook(self, *, headers: dict[str, str], body: bytes) -> None:
        """Check ``X-CodeSignal-Signature`` over our URL, the event name and ``triggeredOn``.

        The body itself is not signed [P]: the attempts a delivery names are re-fetched
        before anything is applied.

        Raises:
            WebhookRejected: Unsigned, or the signature does not match (401); a signed
                body that is not JSON (400).
        """
        secret = self.config.webhook_secret
        if not secret:
            return  # no secret on the connection: the token in the URL is the only check
        signature = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), "").strip()
        if not signature:
            raise WebhookRejected(
                "The CodeSignal webhook is not signed: paste Assay's webhook secret as the webhook's "
                "Secret key in CodeSignal (Integrations > Manage Webhooks).",
                401,
            )
        try:
            payload = json.loads(_ping_as_object(body))
        except ValueError:
            # The signature covers fields of the body: what cannot be read cannot be checked.
            raise WebhookRejected("The CodeSignal webhook body is not JSON.", 400) from None
        payload = _dict(payload)
        event = payload.get("event") if isinstance(payload.get("event"), str) else ""
        expected = webhook_signature(
            secret, self.config.webhook_url, event, _triggered_on(payload.get("triggeredOn"))
        )
        if not hmac.compare_digest(expected.encode(), signature.lower().encode(errors="replace")):
            raise WebhookRejected(
                "The CodeSignal webhook signature does not match: the webhook's Endpoint URL and Secret "
                "key in CodeSignal must be exactly the ones Assay shows.",
                401,
            )

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """Read a delivery: the test session or live interview it is about, if any.

        Raises:
            WebhookRejected: Not a CodeSignal envelope: not JSON, not an object, or
                ``event``/``payload`` of the wrong type (400).
        """
        envelope = parsing.webhook_object(_ping_as_object(body), "The CodeSignal webhook body")
        event, payload = envelope.get("event"), envelope.get("payload")
        if event is not None and not isinstance(event, str):
            raise WebhookRejected("The CodeSignal webhook's event is not a string.", 400)
        if payload is not None and not isinstance(payload, dict):
            raise WebhookRejected("The CodeSignal webhook's payload is not an object.", 400)
        payload = payload or {}
        digest = hashlib.sha256(body).hexdigest()[:24]
        attempt_id = None
        if session_id := _id(payload.get("testSessionId")):
            attempt_id = SESSION_PREFIX + session_id
        elif interview_id := _id(payload.get("interviewId")):
            attempt_id = INTERVIEW_PREFIX + interview_id
        # The ping on saving the webhook, catalog events (assessmentCreated/Updated) and
        # events we do not know name no attempt; they are accepted so CodeSignal's queue flows.
        return WebhookNotice(
            delivery_key=f"{VENDOR}:{attempt_id or '-'}:{event or 'ping'}:{digest}",
            vendor_attempt_ids=(attempt_id,) if attempt_id else (),
        )


def _ping_as_object(body: bytes) -> bytes:
    """The body, an empty one read as ``{}``: CodeSignal pings a webhook being saved with "an empty
    payload" and the save fails unless it is answered 200 (helper-153: no body at all was a 400)."""
    return body if body.strip() else b"{}"


SPEC = VendorSpec(
    key=VENDOR,
    display_name=DISPLAY_NAME,
    key_label=f"API key ({KEY_SCREEN})",
    regions=REGIONS,
    sandbox_prefix="/codesignal",
    provider=CodeSignal,
    extra_fields=(
        ExtraField(
            key="company_id",
            label="Company ID",
            help="Your CodeSignal company's id. Leave it empty to use the company the API key belongs to.",
            required=False,
        ),
    ),
    webhook_setup=(
        "CodeSignal has no API for webhooks: in CodeSignal open Integrations > Manage Webhooks, add a "
        "webhook, paste the Webhook URL below as the Endpoint URL and the Webhook secret below as the "
        "Secret key, and select the test session, pre-screen and live interview events. CodeSignal "
        "tests the URL when you save."
    ),
    webhook_secret_label="Secret key",
    webhook_can_go_stale=True,
)

__all__ = [
    "RULES",
    "SPEC",
    "CodeSignal",
    "graphql_error",
    "parse_interview",
    "parse_result",
    "parse_session",
    "session_progress",
    "split_attempt_id",
    "split_test_id",
    "webhook_signature",
]
