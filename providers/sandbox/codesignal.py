"""CodeSignal imitation: ``POST /codesignal/graphql`` plus the candidate's and the admin's pages.

The same wire protocol as CodeSignal: one GraphQL endpoint behind
``Authorization: Bearer``, string ids, epoch-ms ``Timestamp`` s, ``first``/``offset``
paging, the ``errors`` envelope with HTTP 200 ("Access Denied" for a missing
permission), and webhooks in CodeSignal's envelope signed with
``X-CodeSignal-Signature``. A small GraphQL interpreter reads the documents: it
parses operations, aliases, arguments and variables (no fragments), validates every
selected field against the part of CodeSignal's schema imitated here (an unknown
field is a 400, as a real GraphQL server answers), runs the root fields and returns
exactly the fields asked for.

Keys: ``DEMO_KEY`` (and ``world.extra_keys``) hold every permission;
``LIVE_ONLY_KEY`` holds only the live-interview ones, like the key the ModernLoop
guide has admins create. Webhooks are configured as in CodeSignal's UI: through
``Controls.set_webhook`` (tests) or the "Manage Webhooks" page, which, like
CodeSignal, POSTs an empty payload to the URL when it is saved (the control does
not, so that tests see only attempt events). ``archive_test`` deletes a live-interview
template (CodeSignal's id, without Assay's ``live:``), as an admin does in CodeSignal's UI:
it leaves ``interviewTemplates`` and an interview from it is refused ("Interview template not
found"); restoring brings it back under its id.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import html
import json
import re
import secrets
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from providers.sandbox.world import Controls, World

VENDOR = "codesignal"
PREFIX = "/codesignal"
DEMO_KEY = "demo-codesignal-key"
LIVE_ONLY_KEY = "demo-codesignal-live-only-key"
COMPANY_ID = "acmeRoboticsX7kQ2"
DEMO_OPTIONS: dict[str, str] = {"company_id": COMPANY_ID}
MAX_COST = 10000  # documented maximum query cost
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

ALL_ACCESS = frozenset(
    {
        "company_read",
        "company_test_read",
        "company_test_session_create",
        "company_test_session_read",
        "interview_template_read",
        "interview_create",
        "interview_read",
        "live_interview_write",
    }
)
LIVE_ONLY_ACCESS = frozenset(
    {"company_read", "interview_template_read", "interview_read", "live_interview_write"}
)
KNOWN_ACCESS_TYPES = ALL_ACCESS | {
    "company_test_create",
    "company_test_any_read",
    "company_test_session_archive",
    "company_test_session_unarchive",
    "company_test_session_read_own_only",
    "company_write",
    "interview_any_read",
    "interview_template_write",
    "live_interview_conduct",
    "live_interview_feedback_read_all",
    "live_interview_feedback_write",
}

# Company tests, sorted by title as ``companyTests`` does by default. The first one is
# plain; "Certified" tests are proctored (verification after submission).
TESTS = [
    {"id": "gcaBackendQ3x9", "title": "Backend Engineer: General Coding Assessment", "tasks": 4, "max": 600},
    {"id": "pyCertK2m8Lw", "title": "Certified Python (proctored)", "tasks": 3, "max": 900, "proctored": 1},
    {"id": "sqlDataZ5n1Vb", "title": "Data Engineer: SQL and Python", "tasks": 3, "max": 450},
    {"id": "feReactP7t4Hc", "title": "Frontend Engineer: React", "tasks": 2, "max": 400},
    {"id": "icfMobileR3y6", "title": "Industry Coding Framework", "tasks": 4, "max": 600},
]
TEMPLATES = [
    {"id": "tplSysDesA1b2", "name": "System design (live)", "defaultExpirationTime": 72 * HOUR_MS},
    {"id": "tplPairProC3d4", "name": "Pair programming: Python", "defaultExpirationTime": 72 * HOUR_MS},
]
TASK_TITLES = ["Array manipulation", "String processing", "Graph traversal", "System implementation"]
TEST_DURATION_MS = 70 * 60 * 1000
REJECTION_REASONS = [
    {"name": "Unauthorized resource", "description": "An unauthorized resource was used during the test."},
    {"name": "Presence of others", "description": "Another person was present during the test."},
]


def _now_ms(world: World) -> int:
    """The vendor's time in epoch milliseconds, on the sandbox's clock."""
    return int(world.now().timestamp() * 1000)


def _meteor_id() -> str:
    """An id shaped like CodeSignal's (17 unmistakable characters)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(17))


def _seed(email: str) -> int:
    return int(hashlib.sha256(email.lower().encode()).hexdigest(), 16)


def sign(secret: str, url: str, event: str = "", triggered_on: str = "") -> str:
    """CodeSignal's ``getSignature(secretKey, endpointUrl, {eventType, triggeredOn})``."""
    return hmac.new(secret.encode(), f"{url}{event}{triggered_on}".encode(), hashlib.sha256).hexdigest()


class GraphQLFailure(Exception):
    """An error for the ``errors`` envelope; ``request`` errors are answered with HTTP 400."""

    def __init__(self, message: str, *, request: bool = False) -> None:
        super().__init__(message)
        self.request = request


@dataclasses.dataclass
class Field:
    """One selected field: ``alias: name(args) { selections }``."""

    alias: str
    name: str
    args: dict[str, Any]
    selections: list[Field] | None


@dataclasses.dataclass
class Variable:
    name: str


@dataclasses.dataclass
class Enum:
    name: str


_TOKEN = re.compile(
    r"""(?P<skip>[\s,\ufeff]+|\#[^\n]*)
    |(?P<punct>\.\.\.|[!$():=@\[\]{}|])
    |(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<string>"(?:[^"\\\n]|\\.)*")
    |(?P<name>[_A-Za-z][_0-9A-Za-z]*)""",
    re.VERBOSE,
)


class Parser:
    """Recursive descent over the part of GraphQL a client like Assay sends."""

    def __init__(self, source: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(source):
            match = _TOKEN.match(source, position)
            if match is None:
                raise GraphQLFailure(
                    f'Syntax Error: Unexpected character "{source[position]}".', request=True
                )
            position = match.end()
            if match.lastgroup != "skip":
                self.tokens.append((match.lastgroup or "", match.group()))
        self.at = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("eof", "<EOF>")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        token_kind, token = self.peek()
        if (value is not None and token != value) or (kind is not None and token_kind != kind):
            raise GraphQLFailure(f"Syntax Error: Expected {value or kind}, found {token}.", request=True)
        self.at += 1
        return token

    def document(self) -> list[tuple[str, str | None, dict[str, tuple[bool, Any]], list[Field]]]:
        operations = []
        while self.peek()[0] != "eof":
            operations.append(self.operation())
        if not operations:
            raise GraphQLFailure("Syntax Error: Unexpected <EOF>.", request=True)
        return operations

    def operation(self) -> tuple[str, str | None, dict[str, tuple[bool, Any]], list[Field]]:
        kind, name, variables = "query", None, {}
        if self.peek()[1] in ("query", "mutation", "subscription"):
            kind = self.take()
            if self.peek()[0] == "name":
                name = self.take()
            if self.peek()[1] == "(":
                variables = self.variable_definitions()
        elif self.peek()[1] == "fragment":
            raise GraphQLFailure("The sandbox does not support fragments.", request=True)
        return kind, name, variables, self.selection_set()

    def variable_definitions(self) -> dict[str, tuple[bool, Any]]:
        definitions = {}
        self.take("(")
        while self.peek()[1] != ")":
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            required = self.type_reference()
            default = self.value() if self.peek()[1] == "=" and self.take("=") else None
            definitions[name] = (required, default)
        self.take(")")
        return definitions

    def type_reference(self) -> bool:
        if self.peek()[1] == "[":
            self.take("[")
            self.type_reference()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek()[1] == "!":
            self.take("!")
            return True
        return False

    def selection_set(self) -> list[Field]:
        self.take("{")
        fields = []
        while self.peek()[1] != "}":
            if self.peek()[1] == "...":
                raise GraphQLFailure("The sandbox does not support fragments.", request=True)
            alias = name = self.take(kind="name")
            if self.peek()[1] == ":":
                self.take(":")
                name = self.take(kind="name")
            args = self.arguments() if self.peek()[1] == "(" else {}
            selections = self.selection_set() if self.peek()[1] == "{" else None
            fields.append(Field(alias, name, args, selections))
        self.take("}")
        return fields

    def arguments(self) -> dict[str, Any]:
        args = {}
        self.take("(")
        while self.peek()[1] != ")":
            name = self.take(kind="name")
            self.take(":")
            args[name] = self.value()
        self.take(")")
        return args

    def value(self) -> Any:
        kind, token = self.peek()
        if token == "$":
            self.take("$")
            return Variable(self.take(kind="name"))
        if token == "[":
            self.take("[")
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
            self.take("]")
            return items
        if token == "{":
            self.take("{")
            fields = {}
            while self.peek()[1] != "}":
                name = self.take(kind="name")
                self.take(":")
                fields[name] = self.value()
            self.take("}")
            return fields
        self.take()
        if kind == "number":
            return float(token) if any(c in token for c in ".eE") else int(token)
        if kind == "string":
            return json.loads(token)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(token, Enum(token))
        raise GraphQLFailure(f"Syntax Error: Unexpected {token}.", request=True)


def _resolve_value(value: Any, variables: dict[str, Any]) -> Any:
    """Arguments with variables substituted; an unset variable leaves the argument out."""
    if isinstance(value, Variable):
        return variables.get(value.name, _UNSET)
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, list):
        return [_resolve_value(v, variables) for v in value]
    if isinstance(value, dict):
        resolved = {k: _resolve_value(v, variables) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _UNSET}
    return value


_UNSET = object()


def _fields(scalars: str, **objects: str) -> dict[str, str | None]:
    return {**dict.fromkeys(scalars.split()), **objects}


# The part of CodeSignal's schema imitated here: field -> object type (None: a scalar).
SCHEMA: dict[str, dict[str, str | None]] = {
    "Query": _fields(
        "hasAccess",
        company="Company",
        companyTests="CompanyTests",
        companyTest="CompanyTest",
        companyTestSession="CompanyTestSession",
        companyTestSessions="CompanyTestSession",
        interviewTemplates="InterviewTemplates",
        liveInterview="LiveInterview",
        liveInterviews="LiveInterview",
    ),
    "Mutation": _fields(
        "deleteCompanyTestSession deleteLiveInterview",
        createCompanyTestSession="CompanyTestSession",
        resendCompanyTestSession="CompanyTestSession",
        reactivateCompanyTestSession="CompanyTestSession",
        editCompanyTestSessionExpiration="CompanyTestSession",
        createLiveInterview="LiveInterview",
    ),
    "Company": _fields("id name"),
    "PageInfo": _fields("hasNextPage"),
    "CompanyTests": _fields("totalCount", tests="CompanyTest", pageInfo="PageInfo"),
    "CompanyTest": _fields("id title externalTitle internalDescription duration labels createDate"),
    "InterviewTemplates": _fields("totalCount", interviewTemplates="InterviewTemplate", pageInfo="PageInfo"),
    "InterviewTemplate": _fields("id name defaultExpirationTime isCompanyDefault canEdit"),
    "CompanyTestSession": _fields(
        "id status maxScore createDate startDate expirationDate finishDate invitationUrl labels "
        "customDuration taskCount verificationStatus integrityReviewFinalized integrityReviewSuggested "
        "postSessionRedirectUrl",
        test="CompanyTest",
        testTaker="TestTaker",
        result="CompanyTestSessionResult",
        reactivatedSession="ReactivatedSession",
        verificationRejectionReasons="VerificationRejectionReason",
        retakeSession="CompanyTestSession",
    ),
    "TestTaker": _fields("email firstName lastName"),
    "CompanyTestSessionResult": _fields(
        "score solvedTaskCount url totalTimeClosed",
        versionedCodingScore="VersionedCodingScore",
        coreSkillScores="CoreSkillScores",
        taskResults="TestSessionTaskResult",
    ),
    "VersionedCodingScore": _fields("version value"),
    "CoreSkillScores": _fields("implementation problemSolving speed"),
    "TestSessionTaskResult": _fields(
        "score solveTime timeSpent timeOpen replayUrl",
        sessionTask="TestSessionTask",
        integrityReport="IntegrityReport",
    ),
    "TestSessionTask": _fields("maxScore", task="CommonTask"),
    "CommonTask": _fields("id title maxScore"),
    "IntegrityReport": _fields("status suspicionScore", solutionSimilarity="SolutionSimilarity"),
    "SolutionSimilarity": _fields("score"),
    "ReactivatedSession": _fields("newSessionId reactivationDate"),
    "VerificationRejectionReason": _fields("name description"),
    "LiveInterview": _fields(
        "id candidateEmail candidateName status proctoringStatus startDate finishDate url shortenedUrl "
        "trackCandidateLocation disableDescriptionCopy"
    ),
}
LISTINGS = {"companyTests", "companyTestSessions", "interviewTemplates", "liveInterviews"}


def validate(fields: list[Field], type_name: str) -> None:
    """Every selected field exists on its type, objects have selections and scalars none."""
    known = SCHEMA[type_name]
    for field in fields:
        if field.name == "__typename":
            continue
        if field.name not in known:
            raise GraphQLFailure(f'Cannot query field "{field.name}" on type "{type_name}".', request=True)
        child = known[field.name]
        if child is None and field.selections is not None:
            raise GraphQLFailure(
                f'Field "{field.name}" must not have a selection since it is a scalar.', request=True
            )
        if child is not None and field.selections is None:
            raise GraphQLFailure(
                f'Field "{field.name}" of type "{child}" must have a selection of subfields.', request=True
            )
        if child is not None and field.selections is not None:
            validate(field.selections, child)


def project(value: Any, fields: list[Field] | None, type_name: str | None) -> Any:
    """Only the fields asked for, under their aliases."""
    if fields is None or value is None or type_name is None:
        return value
    if isinstance(value, list):
        return [project(v, fields, type_name) for v in value]
    known = SCHEMA[type_name]
    shown = {}
    for field in fields:
        if field.name == "__typename":
            shown[field.alias] = type_name
        else:
            shown[field.alias] = project(value.get(field.name), field.selections, known[field.name])
    return shown


def _result(session: dict, test: dict, *, proctored: bool) -> dict:
    """A deterministic result from the candidate's email, so demos and tests repeat."""
    seed = _seed(session["testTaker"]["email"] or "anonymous")
    max_score = test["max"]
    share = (40 + seed % 59) / 100
    per_task = max_score // test["tasks"]
    task_results = []
    for i in range(test["tasks"]):
        task_share = max(0.0, min(1.0, share + (0.12 if i % 2 == 0 else -0.1)))
        suspicion = "high" if (seed >> i) % 11 == 0 else "none"
        task_results.append(
            {
                "score": round(per_task * task_share),
                "solveTime": 600_000 + (seed >> (i + 3)) % 900_000,
                "timeSpent": 500_000 + (seed >> (i + 5)) % 800_000,
                "replayUrl": None,
                "sessionTask": {
                    "maxScore": per_task,
                    "task": {
                        "id": f"task{i + 1}",
                        "title": TASK_TITLES[i % len(TASK_TITLES)],
                        "maxScore": per_task,
                    },
                },
                "integrityReport": {
                    "status": "ready",
                    "suspicionScore": suspicion,
                    "solutionSimilarity": {"score": suspicion},
                },
            }
        )
    return {
        "score": sum(t["score"] for t in task_results),
        "solvedTaskCount": sum(1 for t in task_results if t["score"] >= per_task * 0.8),
        "url": f"{{public}}{PREFIX}/test-result/{session['id']}?accessToken={session['accessToken']}",
        "totalTimeClosed": 0,
        "versionedCodingScore": {"version": "codingScore2023", "value": 200 + round(400 * share)},
        "coreSkillScores": None if proctored else {"implementation": 3, "problemSolving": 3, "speed": 2},
        "taskResults": task_results,
    }


def build(world: World) -> tuple[APIRouter, Controls]:
    """The imitation's routes and controls, sharing ``world``."""
    router = APIRouter()
    keys = {
        DEMO_KEY: ALL_ACCESS,
        LIVE_ONLY_KEY: LIVE_ONLY_ACCESS,
        **dict.fromkeys(world.extra_keys, ALL_ACCESS),
    }

    def records() -> dict:
        return world.vendor(
            VENDOR,
            {"sessions": {}, "interviews": {}, "extra_tests": [], "webhook": {"url": "", "secret": ""}},
        )

    records()

    def tests() -> list[dict]:
        return sorted(TESTS + records().setdefault("extra_tests", []), key=lambda t: t["title"].lower())

    def templates() -> list[dict]:
        """The live-interview templates, less those deleted in CodeSignal's UI (``archive_test``)."""
        deleted = set(records().setdefault("deleted_templates", []))
        return [t for t in TEMPLATES if t["id"] not in deleted]

    def test_by_id(test_id: str) -> dict | None:
        return next((t for t in tests() if t["id"] == test_id), None)

    def public_test(test: dict) -> dict:
        return {
            "id": test["id"],
            "title": test["title"],
            "externalTitle": test["title"],
            "internalDescription": "",
            "duration": TEST_DURATION_MS,
            "labels": ["proctored"] if test.get("proctored") else [],
            "createDate": 1_700_000_000_000,
        }

    def shown_session(session: dict) -> dict:
        """The session as the API shows it (links point at this sandbox)."""
        shown = dict(session)
        shown["test"] = public_test(test_by_id(session["testId"]) or {"id": session["testId"], "title": "?"})
        if shown.get("result"):
            shown["result"] = {
                **shown["result"],
                "url": shown["result"]["url"].format(public=world.public_url),
            }
        return shown

    def deliver(event: str, payload: dict) -> None:
        hook = records()["webhook"]
        triggered_on = _now_ms(world)
        headers = {}
        if hook.get("secret"):
            headers["X-CodeSignal-Signature"] = sign(hook["secret"], hook["url"], event, str(triggered_on))
        world.deliver(
            VENDOR,
            hook.get("url"),
            {"event": event, "triggeredOn": triggered_on, "payload": payload},
            headers,
        )

    def session_event(event: str, session: dict, **extra: Any) -> None:
        taker = session["testTaker"]
        payload = {
            "testSessionId": session["id"],
            "testId": session["testId"],
            "testTitle": (test_by_id(session["testId"]) or {}).get("title", ""),
            "candidateEmail": taker["email"],
            "candidateName": f"{taker['firstName']} {taker['lastName']}".strip(),
            **extra,
        }
        if session.get("externalId"):
            payload["externalId"] = session["externalId"]
        deliver(event, payload)

    def score_fields(session: dict, *, with_url: bool) -> dict:
        result = shown_session(session)["result"]
        fields = {
            "duration": (session["finishDate"] or 0) - (session["startDate"] or 0),
            "score": result["score"],
            "maxScore": session["maxScore"],
            "codingScore": None,
            "versionedCodingScore": {k: result["versionedCodingScore"][k] for k in ("version", "value")},
        }
        if with_url:
            high = any(
                t["integrityReport"]["solutionSimilarity"]["score"] == "high" for t in result["taskResults"]
            )
            fields.update(
                plagiarismLevel=1 if high else 0, plagiarismLabel="high" if high else "-", url=result["url"]
            )
        return fields

    def new_session(test: dict, fields: dict) -> dict:
        now = _now_ms(world)
        token = secrets.token_urlsafe(12)
        session_id = _meteor_id()
        expire = fields.get("expireDuration")
        session = {
            "id": session_id,
            "testId": test["id"],
            "status": "pending",
            "testTaker": {
                "email": str(fields.get("candidateEmail") or ""),
                "firstName": str(fields.get("candidateFirstName") or ""),
                "lastName": str(fields.get("candidateLastName") or ""),
            },
            "maxScore": test["max"],
            "createDate": now,
            "startDate": None,
            "expirationDate": now + int(expire if expire else 7 * DAY_MS),
            "finishDate": None,
            "result": None,
            "invitationUrl": f"{world.public_url}{PREFIX}/take/{token}",
            "labels": [],
            "customDuration": fields.get("customDuration"),
            "taskCount": test["tasks"],
            "reactivatedSession": None,
            "retakeSession": None,
            "verificationStatus": None,
            "verificationRejectionReasons": None,
            "integrityReviewFinalized": False,
            "integrityReviewSuggested": None,
            "postSessionRedirectUrl": fields.get("postSessionRedirectUrl"),
            "externalId": fields.get("externalId"),
            "token": token,
            "accessToken": secrets.token_urlsafe(18),
        }
        records()["sessions"][session_id] = session
        world.counters[VENDOR].invitations_created += 1
        world.save()
        session_event("companyTestSessionCreated", session)
        return session

    class Context:
        """Who is asking, for permission checks."""

        def __init__(self, access: frozenset[str]) -> None:
            self.access = access

        def need(self, access: str, company_id: Any = None) -> None:
            if access not in self.access or (company_id not in (None, _UNSET) and company_id != COMPANY_ID):
                raise GraphQLFailure("Access Denied")

    def required(args: dict, name: str, field: str, type_name: str) -> Any:
        value = args.get(name, _UNSET)
        if value in (_UNSET, None):
            raise GraphQLFailure(
                f'Field "{field}" argument "{name}" of type "{type_name}" is required, but it was not provided.',
                request=True,
            )
        return value

    def page_args(args: dict, field: str, cost_per_item: int, *, first_required: bool) -> tuple[int, int]:
        first = required(args, "first", field, "Int!") if first_required else args.get("first", 20)
        offset = args.get("offset", 0)
        first = 20 if first in (None, _UNSET) else first
        offset = 0 if offset in (None, _UNSET) else offset
        if not isinstance(first, int) or not isinstance(offset, int) or first < 0 or offset < 0:
            raise GraphQLFailure(f'"{field}": first and offset must be non-negative integers.', request=True)
        if first * cost_per_item > MAX_COST:
            raise GraphQLFailure(f"Query cost {first * cost_per_item} exceeds the maximum of {MAX_COST}.")
        return first, offset

    def session_or_fail(args: dict, field: str) -> dict:
        session = records()["sessions"].get(str(required(args, "id", field, "ID!")))
        if session is None:
            raise GraphQLFailure("Test session not found")
        return session

    def q_company(ctx: Context, args: dict) -> dict:
        ctx.need("company_read", args.get("id"))
        return {"id": COMPANY_ID, "name": "Acme Robotics (sandbox)"}

    def q_company_tests(ctx: Context, args: dict) -> dict:
        ctx.need("company_test_read", args.get("companyId"))
        first, offset = page_args(args, "companyTests", 1, first_required=True)
        listed = tests()
        return {
            "totalCount": len(listed),
            "tests": [public_test(t) for t in listed[offset : offset + first]],
            "pageInfo": {"hasNextPage": offset + first < len(listed)},
        }

    def q_company_test(ctx: Context, args: dict) -> dict | None:
        ctx.need("company_test_read")
        test = test_by_id(str(required(args, "id", "companyTest", "ID!")))
        return public_test(test) if test else None

    def q_templates(ctx: Context, args: dict) -> dict:
        ctx.need("interview_template_read", args.get("companyId"))
        required(args, "offset", "interviewTemplates", "Int!")
        first, offset = page_args(args, "interviewTemplates", 1, first_required=True)
        search = str(args.get("globalFilter") or "").lower()
        listed = [
            {**t, "isCompanyDefault": i == 0, "canEdit": True}
            for i, t in enumerate(templates())
            if search in t["name"].lower()
        ]
        return {
            "totalCount": len(listed),
            "interviewTemplates": listed[offset : offset + first],
            "pageInfo": {"hasNextPage": offset + first < len(listed)},
        }

    def q_session(ctx: Context, args: dict) -> dict | None:
        ctx.need("company_test_session_read")
        session = records()["sessions"].get(str(required(args, "id", "companyTestSession", "ID!")))
        return shown_session(session) if session else None

    def q_sessions(ctx: Context, args: dict) -> list[dict]:
        ctx.need("company_test_session_read")
        test_id = str(required(args, "companyTestId", "companyTestSessions", "ID!"))
        first, offset = page_args(args, "companyTestSessions", 2, first_required=False)
        ids = args.get("ids")
        listed = [
            s
            for s in records()["sessions"].values()
            if s["testId"] == test_id and (not isinstance(ids, list) or s["id"] in ids)
        ]
        # Ordered by finish date, descending; unfinished sessions (no date) come last.
        listed.sort(
            key=lambda s: (s["finishDate"] is not None, s["finishDate"] or 0, s["createDate"]), reverse=True
        )
        return [shown_session(s) for s in listed[offset : offset + first]]

    def q_interview(ctx: Context, args: dict) -> dict | None:
        ctx.need("interview_read")
        return records()["interviews"].get(str(required(args, "liveInterviewId", "liveInterview", "ID!")))

    def q_interviews(ctx: Context, args: dict) -> list[dict]:
        ctx.need("interview_read")
        first, offset = page_args(args, "liveInterviews", 1, first_required=False)
        email = args.get("candidateEmail")
        listed = [
            i
            for i in records()["interviews"].values()
            if not isinstance(email, str) or i["candidateEmail"].lower() == email.lower()
        ]
        return listed[offset : offset + first]

    def q_has_access(ctx: Context, args: dict) -> bool:
        access = required(args, "type", "hasAccess", "AccessType!")
        if access not in KNOWN_ACCESS_TYPES:
            raise GraphQLFailure(f'Value "{access}" does not exist in "AccessType" enum.', request=True)
        resource = args.get("resourceId")
        return access in ctx.access and resource in (None, _UNSET, COMPANY_ID)

    def m_create_session(ctx: Context, args: dict) -> dict:
        ctx.need("company_test_session_create")
        fields = required(args, "sessionFields", "createCompanyTestSession", "TestSessionInput!")
        if not isinstance(fields, dict) or not fields.get("testId"):
            raise GraphQLFailure("sessionFields.testId is required", request=True)
        test = test_by_id(str(fields["testId"]))
        if test is None:
            raise GraphQLFailure("Company test not found")
        email = str(fields.get("candidateEmail") or "")
        if "@" not in email:
            raise GraphQLFailure("candidateEmail must be a valid email address")
        expire = fields.get("expireDuration")
        if expire is not None and (not isinstance(expire, int | float) or expire <= 0):
            raise GraphQLFailure("expireDuration must be a positive number of milliseconds")
        if fields.get("preferExisting"):
            existing = next(
                (
                    s
                    for s in records()["sessions"].values()
                    if s["testId"] == test["id"]
                    and s["testTaker"]["email"].lower() == email.lower()
                    and s["status"] in ("pending", "active", "gracePeriod")
                ),
                None,
            )
            if existing:
                return shown_session(existing)
        return shown_session(new_session(test, fields))

    def m_delete_session(ctx: Context, args: dict) -> str:
        ctx.need("company_test_session_create")
        session = session_or_fail(args, "deleteCompanyTestSession")
        if session["status"] in ("deleted", "deletedForPii"):
            raise GraphQLFailure("Test session has already been deleted")
        session["status"] = "deleted"
        world.save()
        return session["id"]

    def m_resend(ctx: Context, args: dict) -> dict:
        ctx.need("company_test_session_create")
        session = session_or_fail(args, "resendCompanyTestSession")
        if session["status"] != "pending":
            raise GraphQLFailure(f"Cannot resend a test session with status {session['status']}")
        return shown_session(session)

    def m_reactivate(ctx: Context, args: dict) -> dict:
        ctx.need("company_test_session_create")
        session = session_or_fail(args, "reactivateCompanyTestSession")
        if session["status"] not in ("over", "expired"):
            raise GraphQLFailure(f"Cannot reactivate a test session with status {session['status']}")
        test = test_by_id(session["testId"])
        if test is None:
            raise GraphQLFailure("Company test not found")
        taker = session["testTaker"]
        fresh = new_session(
            test,
            {
                "candidateEmail": taker["email"],
                "candidateFirstName": taker["firstName"],
                "candidateLastName": taker["lastName"],
                "externalId": session.get("externalId"),
            },
        )
        session["reactivatedSession"] = {"newSessionId": fresh["id"], "reactivationDate": _now_ms(world)}
        world.save()
        return shown_session(session)

    def m_extend(ctx: Context, args: dict) -> dict:
        ctx.need("company_test_session_create")
        session = session_or_fail(args, "editCompanyTestSessionExpiration")
        new_date = required(args, "expirationDate", "editCompanyTestSessionExpiration", "Timestamp!")
        if not isinstance(new_date, int | float):
            raise GraphQLFailure("expirationDate must be a timestamp in milliseconds", request=True)
        if session["status"] != "pending":
            raise GraphQLFailure(
                f"Cannot change the expiration of a test session with status {session['status']}"
            )
        if new_date <= session["expirationDate"]:
            raise GraphQLFailure("Expiration date cannot be shortened, only extended")
        session["expirationDate"] = int(new_date)
        world.save()
        return shown_session(session)

    def m_create_interview(ctx: Context, args: dict) -> dict:
        ctx.need("live_interview_write")
        fields = args.get("interviewFields")
        fields = fields if isinstance(fields, dict) else {}
        template_id = fields.get("templateId")
        if template_id and not any(t["id"] == template_id for t in templates()):
            raise GraphQLFailure("Interview template not found")
        expiration = fields.get("expirationTime", 72 * HOUR_MS)
        if not isinstance(expiration, int) or not HOUR_MS <= expiration <= 336 * HOUR_MS:
            raise GraphQLFailure("expirationTime must be between 1 and 336 hours")
        interview_id, token = _meteor_id(), secrets.token_urlsafe(12)
        interview = {
            "id": interview_id,
            "candidateEmail": str(fields.get("candidateEmail") or ""),
            "candidateName": str(fields.get("candidateName") or ""),
            "status": "pending",
            "proctoringStatus": None,
            "startDate": None,
            "finishDate": None,
            "url": f"{world.public_url}{PREFIX}/take/{token}",
            "shortenedUrl": f"{world.public_url}{PREFIX}/take/{token}",
            "trackCandidateLocation": bool(fields.get("trackCandidateLocation")),
            "disableDescriptionCopy": bool(fields.get("disableDescriptionCopy")),
            "templateId": template_id,
            "expiresAt": _now_ms(world) + expiration,
            "token": token,
        }
        records()["interviews"][interview_id] = interview
        world.counters[VENDOR].invitations_created += 1
        world.save()
        return interview

    def m_delete_interview(ctx: Context, args: dict) -> str:
        ctx.need("live_interview_write")
        interview = records()["interviews"].get(str(required(args, "id", "deleteLiveInterview", "ID!")))
        if interview is None or interview["status"] == "deleted":
            raise GraphQLFailure("Live interview not found")
        interview["status"] = "deleted"
        world.save()
        return interview["id"]

    resolvers: dict[str, dict[str, Callable[[Context, dict], Any]]] = {
        "query": {
            "company": q_company,
            "companyTests": q_company_tests,
            "companyTest": q_company_test,
            "interviewTemplates": q_templates,
            "companyTestSession": q_session,
            "companyTestSessions": q_sessions,
            "liveInterview": q_interview,
            "liveInterviews": q_interviews,
            "hasAccess": q_has_access,
        },
        "mutation": {
            "createCompanyTestSession": m_create_session,
            "deleteCompanyTestSession": m_delete_session,
            "resendCompanyTestSession": m_resend,
            "reactivateCompanyTestSession": m_reactivate,
            "editCompanyTestSessionExpiration": m_extend,
            "createLiveInterview": m_create_interview,
            "deleteLiveInterview": m_delete_interview,
        },
    }

    def request_error(message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"errors": [{"message": message}]}, status_code=status)

    @router.post(PREFIX + "/graphql")
    async def graphql(request: Request):
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
        if token not in keys:
            return JSONResponse(
                {
                    "data": None,
                    "errors": [
                        {
                            "message": "Unauthorized: invalid API key",
                            "extensions": {"code": "UNAUTHENTICATED"},
                        }
                    ],
                },
                status_code=401,
            )
        try:
            body = await request.json()
        except ValueError:
            body = None
        operations, problem = [], None
        try:
            if not isinstance(body, dict) or not isinstance(body.get("query"), str):
                raise GraphQLFailure("Must provide query string.", request=True)
            operations = Parser(body["query"]).document()
        except GraphQLFailure as err:
            problem = str(err)
        listing = any(f.name in LISTINGS for _kind, _name, _vars, fields in operations for f in fields)
        if failure := await world.before_api_call(VENDOR, listing=listing):
            return failure
        if problem:
            return request_error(problem)
        wanted = body.get("operationName")
        chosen = [op for op in operations if wanted is None or op[1] == wanted]
        if len(chosen) != 1:
            return request_error("Must provide operation name if query contains multiple operations.")
        kind, _name, definitions, fields = chosen[0]
        if kind not in resolvers:
            return request_error(f"The sandbox does not support {kind} operations.")
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return request_error("Variables must be an object.")
        for name, (is_required, default) in definitions.items():
            if name not in variables and default is not None:
                variables[name] = _resolve_value(default, {})
            if is_required and variables.get(name) is None:
                return request_error(f'Variable "${name}" of required type was not provided.')
        undefined = {v.name for f in fields for v in _variables_in(f.args)} - set(definitions)
        if undefined:
            return request_error(f'Variable "${sorted(undefined)[0]}" is not defined.')
        try:
            validate(fields, "Query" if kind == "query" else "Mutation")
        except GraphQLFailure as err:
            return request_error(str(err))
        ctx = Context(keys[token])
        data: dict[str, Any] = {}
        errors = []
        created = False
        for field in fields:
            args = {k: v for k, v in _resolve_value(field.args, variables).items() if v is not _UNSET}
            try:
                with world.lock:
                    before = world.counters[VENDOR].invitations_created
                    value = resolvers[kind][field.name](ctx, args)
                    created |= world.counters[VENDOR].invitations_created > before
                type_name = SCHEMA["Query" if kind == "query" else "Mutation"][field.name]
                data[field.alias] = project(value, field.selections, type_name)
            except GraphQLFailure as err:
                if err.request:
                    return request_error(str(err))
                data[field.alias] = None
                errors.append(
                    {"message": str(err), "path": [field.alias], "locations": [{"line": 1, "column": 1}]}
                )
        if created:
            await world.before_reply(VENDOR)
        return {"data": data, **({"errors": errors} if errors else {})}

    def session_by_token(token: str) -> dict | None:
        return next((s for s in records()["sessions"].values() if s["token"] == token), None)

    def interview_by_token(token: str) -> dict | None:
        return next((i for i in records()["interviews"].values() if i["token"] == token), None)

    def start(session: dict) -> None:
        if session["status"] == "pending":
            session["status"], session["startDate"] = "active", _now_ms(world)
            world.save()
            session_event("companyTestSessionStarted", session)

    def submit(session: dict) -> None:
        if session["status"] not in ("active", "gracePeriod"):
            return
        test = test_by_id(session["testId"]) or TESTS[0]
        proctored = bool(test.get("proctored"))
        session["status"], session["finishDate"] = "over", _now_ms(world)
        session["result"] = _result(session, test, proctored=proctored)
        session["integrityReviewFinalized"] = True
        if proctored:
            session["verificationStatus"] = "pending"
        else:
            session["integrityReviewSuggested"] = _seed(session["testTaker"]["email"]) % 4 == 0
        world.save()
        if proctored:
            session_event(
                "preScreenResultVerificationPending", session, **score_fields(session, with_url=False)
            )
        else:
            session_event("companyTestSessionFinished", session, **score_fields(session, with_url=True))

    def expire(session: dict) -> None:
        if session["status"] == "pending":
            session["status"] = "expired"
            session["expirationDate"] = min(session["expirationDate"], _now_ms(world))
            world.save()
            session_event("preScreenExpired", session, expiredReason="testNotTaken")

    def decline(session: dict) -> None:
        if session["status"] == "pending":
            session["status"] = "declined"
            world.save()
            session_event("preScreenCandidateDeclined", session)

    def verify(session: dict) -> None:
        if session["status"] == "over" and session["verificationStatus"] == "pending":
            session["verificationStatus"] = "verified"
            world.save()
            session_event("preScreenResultVerified", session, **score_fields(session, with_url=True))

    def reject(session: dict) -> None:
        if session["status"] == "over" and session["verificationStatus"] == "pending":
            session["verificationStatus"] = "notVerified"
            session["verificationRejectionReasons"] = REJECTION_REASONS
            world.save()
            session_event(
                "preScreenResultNotVerified", session, rejectedReasons=[r["name"] for r in REJECTION_REASONS]
            )

    def interview_finished(interview: dict) -> None:
        deliver(
            "liveInterviewFinished",
            {
                "interviewId": interview["id"],
                "candidateName": interview["candidateName"],
                "candidateEmail": interview["candidateEmail"],
                "startDate": interview["startDate"],
                "endDate": interview["finishDate"],
                "questionsSolved": 1 if interview["startDate"] else 0,
                "questionsAttempted": 2 if interview["startDate"] else 0,
                "url": f"{world.public_url}{PREFIX}/client-dashboard/interviews?status=over"
                f"&liveInterviewId={interview['id']}",
            },
        )

    def join(interview: dict) -> None:
        if interview["status"] == "pending":
            interview["status"], interview["startDate"] = "active", _now_ms(world)
            world.save()

    def end(interview: dict) -> None:
        if interview["status"] == "active":
            interview["status"], interview["finishDate"] = "over", _now_ms(world)
            world.save()
            interview_finished(interview)

    def time_out(interview: dict) -> None:
        # "Fired when an interviewer finishes a live interview or when a live interview times out."
        if interview["status"] == "pending":
            interview["status"], interview["finishDate"] = "over", _now_ms(world)
            world.save()
            interview_finished(interview)

    session_steps = {
        "start": start,
        "submit": submit,
        "expire": expire,
        "decline": decline,
        "verify": verify,
        "reject": reject,
    }
    interview_steps = {"start": join, "submit": end, "expire": time_out}

    @router.get(PREFIX + "/take/{token}", response_class=HTMLResponse)
    async def take(token: str):
        if interview := interview_by_token(token):
            return _page("Live interview", _interview_body(interview, token))
        session = session_by_token(token)
        if session is None:
            return HTMLResponse(_page("Not found", "<p>This link is not valid.</p>"), status_code=404)
        title = (test_by_id(session["testId"]) or {}).get("title", "Test")
        status = session["status"]
        if status == "pending":
            action = (
                f'<form method="post" action="{PREFIX}/take/{token}/start"><button>Start test</button></form>'
                f'<form method="post" action="{PREFIX}/take/{token}/decline">'
                '<button class="secondary">Decline invitation</button></form>'
            )
        elif status in ("active", "gracePeriod"):
            action = (
                "<p>Your test is running. Solve the tasks, then submit.</p>"
                f'<form method="post" action="{PREFIX}/take/{token}/submit"><button>Submit test</button></form>'
            )
        elif status == "over":
            action = "<p class=done>Test submitted. Thank you! The hiring team will be in touch.</p>"
        else:
            action = f"<p>This test is {html.escape(status)}.</p>"
        taker = session["testTaker"]
        body = (
            f"<p class=muted>CodeSignal · sandbox</p><h1>{html.escape(title)}</h1>"
            f"<p>Candidate: <b>{html.escape(taker['firstName'])} {html.escape(taker['lastName'])}</b> "
            f"({html.escape(taker['email'])})</p>"
            f"<p>Time allowed: {TEST_DURATION_MS // 60000} minutes · status: <code>{html.escape(status)}</code></p>"
            f"{action}"
        )
        return _page(title, body)

    @router.post(PREFIX + "/take/{token}/{step}")
    async def take_step(token: str, step: str):
        with world.lock:
            if interview := interview_by_token(token):
                action = {"join": join, "end": end}.get(step)
                if action:
                    action(interview)
            elif session := session_by_token(token):
                action = {"start": start, "submit": submit, "decline": decline}.get(step)
                if action:
                    action(session)
            else:
                return HTMLResponse(_page("Not found", "<p>This link is not valid.</p>"), status_code=404)
        return RedirectResponse(f"{PREFIX}/take/{token}", status_code=303)

    @router.get(PREFIX + "/test-result/{session_id}", response_class=HTMLResponse)
    async def result_page(session_id: str, accessToken: str = ""):
        session = records()["sessions"].get(session_id)
        if session is None or not session["result"] or accessToken != session["accessToken"]:
            return HTMLResponse(_page("No result", "<p>No result to show.</p>"), status_code=404)
        result = session["result"]
        rows = "".join(
            f"<tr><td>{html.escape(t['sessionTask']['task']['title'])}</td>"
            f"<td>{t['score']} / {t['sessionTask']['maxScore']}</td>"
            f"<td>{html.escape(t['integrityReport']['suspicionScore'])}</td></tr>"
            for t in result["taskResults"]
        )
        taker = session["testTaker"]
        verification = session["verificationStatus"] or "not proctored"
        body = (
            f"<p class=muted>CodeSignal · test result</p>"
            f"<h1>{html.escape(taker['firstName'])} {html.escape(taker['lastName'])}</h1>"
            f"<p>Score <b>{result['score']} / {session['maxScore']}</b> · Coding Score "
            f"{result['versionedCodingScore']['value']} · verification: {html.escape(verification)}</p>"
            f"<table><tr><th>Task</th><th>Score</th><th>Suspicion</th></tr>{rows}</table>"
        )
        return _page("Test result", body)

    @router.get(PREFIX + "/client-dashboard/interviews", response_class=HTMLResponse)
    async def interview_record(liveInterviewId: str = ""):
        interview = records()["interviews"].get(liveInterviewId)
        if interview is None:
            return HTMLResponse(_page("No interview", "<p>No such interview.</p>"), status_code=404)
        body = (
            f"<p class=muted>CodeSignal · live interview</p><h1>{html.escape(interview['candidateName'])}</h1>"
            f"<p>Status <code>{html.escape(interview['status'])}</code> · "
            f"{'interview held' if interview['startDate'] else 'the candidate never joined'}</p>"
        )
        return _page("Live interview", body)

    @router.get(PREFIX + "/client-dashboard/webhooks", response_class=HTMLResponse)
    async def manage_webhooks():
        hook = records()["webhook"]
        body = (
            "<p class=muted>CodeSignal · Integrations · Manage Webhooks</p><h1>Webhook</h1>"
            f'<form method="post" action="{PREFIX}/client-dashboard/webhooks">'
            f'<p><label>Endpoint URL<br><input name="url" size="70" value="{html.escape(hook["url"])}"></label></p>'
            f'<p><label>Secret key<br><input name="secret" size="70" value="{html.escape(hook["secret"])}">'
            "</label></p><button>Save</button></form>"
        )
        return _page("Manage Webhooks", body)

    @router.post(PREFIX + "/client-dashboard/webhooks", response_class=HTMLResponse)
    async def save_webhook(request: Request):
        form = dict(await request.form())
        url, secret = str(form.get("url") or "").strip(), str(form.get("secret") or "").strip()
        # Like CodeSignal: the URL gets an empty payload and must answer 200 within 10 s.
        headers = {"X-CodeSignal-Signature": sign(secret, url)} if secret else {}
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                reply = await client.post(url, json={}, headers=headers)
            healthy = reply.status_code == 200
            problem = f"the endpoint answered {reply.status_code}"
        except httpx.HTTPError as err:
            healthy, problem = False, f"the endpoint could not be reached ({err.__class__.__name__})"
        if not healthy:
            return HTMLResponse(_page("Webhook not saved", f"<p>Not saved: {html.escape(problem)}.</p>"), 400)
        with world.lock:
            records()["webhook"] = {"url": url, "secret": secret}
            world.save()
        return _page("Webhook saved", "<p class=done>Webhook saved and tested.</p>")

    class CodeSignalControls:
        def act(self, vendor_attempt_id: str, step: str) -> dict | None:
            kind, _, vendor_id = vendor_attempt_id.rpartition(":")
            if kind == "interview":
                interview = records()["interviews"].get(vendor_id)
                if interview is None or step not in interview_steps:
                    return None
                interview_steps[step](interview)
                return {k: v for k, v in interview.items() if k in SCHEMA["LiveInterview"]}
            session = records()["sessions"].get(vendor_id)
            if session is None or step not in session_steps:
                return None
            session_steps[step](session)
            shown = shown_session(session)
            return {k: v for k, v in shown.items() if k in SCHEMA["CompanyTestSession"]}

        def add_tests(self, count: int) -> int:
            extra = records().setdefault("extra_tests", [])
            for _ in range(count):
                number = 1000 + len(extra)
                extra.append(
                    {"id": f"gen{number}Tq9Lm", "title": f"Generated test {number}", "tasks": 2, "max": 300}
                )
            world.save()
            return len(tests())

        def archive_test(self, test_id: str, archived: bool = True) -> bool:
            """Delete the live-interview template ``test_id`` names (or bring it back); CodeSignal's
            company tests are not archived here."""
            if not any(t["id"] == test_id for t in TEMPLATES):
                return False
            kept = [i for i in records().setdefault("deleted_templates", []) if i != test_id]
            records()["deleted_templates"] = [*kept, test_id] if archived else kept
            world.save()
            return True

        def set_webhook(self, url: str, secret: str) -> None:
            records()["webhook"] = {"url": url, "secret": secret}
            world.save()

    return router, CodeSignalControls()


def _variables_in(value: Any) -> list[Variable]:
    if isinstance(value, Variable):
        return [value]
    if isinstance(value, dict):
        return [v for item in value.values() for v in _variables_in(item)]
    if isinstance(value, list):
        return [v for item in value for v in _variables_in(item)]
    return []


def _interview_body(interview: dict, token: str) -> str:
    status = interview["status"]
    if status == "pending":
        action = (
            f'<form method="post" action="{PREFIX}/take/{token}/join"><button>Join interview</button></form>'
        )
    elif status == "active":
        action = (
            "<p>The interview is live: code together in the shared editor.</p>"
            f'<form method="post" action="{PREFIX}/take/{token}/end"><button>End interview</button></form>'
        )
    elif status == "over":
        action = "<p class=done>Interview ended. Thank you!</p>"
    else:
        action = f"<p>This interview is {html.escape(status)}.</p>"
    return (
        f"<p class=muted>CodeSignal · live interview · sandbox</p><h1>{html.escape(interview['candidateName'])}</h1>"
        f"<p>({html.escape(interview['candidateEmail'])}) · status: <code>{html.escape(status)}</code></p>{action}"
    )


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#1f2430}}
button{{background:#1062fe;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer;margin:4px 0}}
button.secondary{{background:#e5e7eb;color:#1f2430}}
.muted{{color:#6b7280;font-size:13px}} .done{{color:#0a7a3d;font-weight:600}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #e5e7eb;padding:6px 12px;text-align:left}}</style>
</head><body>{body}</body></html>"""
