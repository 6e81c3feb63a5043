"""CoderPad Screen (formerly CodinGame for Work): campaigns, test sessions, reports.

Wire protocol (see the reference notes, sources tagged [P]/[S]/[?]):
- ``{base}/assessment/api/v1.1``; US ``https://www.codingame.com``, EU
  ``https://www.codingame.eu`` [P]; header ``API-Key: <key>``, 401 on a bad key [P].
- Campaign and test-session ids are ints on the wire [S]; we keep them as strings.
- ``GET /tests`` pages with ``start``/``limit`` (1..50) and ``pagination.next_start`` [S].
- Times are epoch milliseconds [S]. Errors are ``{"code", "message"}`` [S].
- Status values (``waiting``, ``in_progress``, ``completed``, ``cancelled``,
  ``aborted``) are not an official enumeration [S/?]: anything unknown maps to
  ``error`` with the raw value kept; ``expired`` is read as expiry should it come [?].
- The webhook payload is undocumented [?]: any JSON object carrying a test id
  (``id``, ``test_id`` or ``test.id``) is accepted, and the session is always
  re-fetched before anything is applied. CoderPad does not sign webhooks, so the
  per-connection token in the URL authenticates them (checked above this module).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

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
    Region,
    SubScore,
    VendorFailure,
    VendorSpec,
    VendorTest,
    WebhookNotice,
    WebhookRejected,
    listed_item,
    once,
)
from providers.http import VendorClient, WireRules

VENDOR = "coderpad_screen"
DISPLAY_NAME = "CoderPad Screen"
REGIONS = (
    Region("us", "US", "https://www.codingame.com"),
    Region("eu", "EU", "https://www.codingame.eu"),
)
API_PATH = "/assessment/api/v1.1"
PAGE_LIMIT = 50  # the documented maximum of GET /tests
NAME_LIMIT = 100  # longer names fail with CandidateNameTooLong
REFERENCE_PREFIX = "assay-"

_PROGRESS = {
    "waiting": Progress.SENT,
    "in_progress": Progress.STARTED,
    "completed": Progress.COMPLETED,
    "cancelled": Progress.CANCELLED,
    "expired": Progress.EXPIRED,  # no expiry status is documented [?]; read it if it comes
}


def _when(value: Any) -> datetime.datetime | None:
    """Times are epoch milliseconds [S]; text is not read as a time."""
    return parsing.when(value, epoch="ms", iso=False)


def _number(value: Any) -> float | None:
    """Numbers are JSON numbers [S]; text (``"not a number"``) is not read as one."""
    return parsing.number(value, text=False)


def _seconds(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _subscore(name: Any, numbers: Any, parent: str | None = None) -> SubScore:
    """One technology or skill of the report: ``{"score", "points", "total_points"}``."""
    numbers = numbers if isinstance(numbers, dict) else {}
    return SubScore(
        name=str(name),
        score_percent=_number(numbers.get("score")),
        points=_number(numbers.get("points")),
        max_points=_number(numbers.get("total_points")),
        parent=parent,
    )


def parse_report(report: dict) -> AssessmentResult:
    """The report object of a finished session, in the common result shape."""
    subscores: list[SubScore] = []
    technologies = report.get("technologies") or {}
    if isinstance(technologies, dict):
        for tech, detail in technologies.items():
            subscores.append(_subscore(tech, detail))
            skills = (detail if isinstance(detail, dict) else {}).get("skills") or {}
            for skill, numbers in skills.items() if isinstance(skills, dict) else ():
                subscores.append(_subscore(skill, numbers, parent=str(tech)))
    warnings = report.get("warnings") or []
    return AssessmentResult(
        score_percent=_number(report.get("score")),
        points=_number(report.get("points")),
        max_points=_number(report.get("total_points")),
        comparative_score=_number(report.get("comparative_score")),
        duration_seconds=_seconds(report.get("duration")),
        time_allowed_seconds=_seconds(report.get("total_duration")),
        subscores=tuple(subscores),
        warnings=(
            *(str(w) for w in (warnings if isinstance(warnings, list) else ())),
            *_integrity_warnings(report),
        ),
    )


def _integrity_warnings(report: dict) -> list[str]:
    """The report's newer integrity fields, as lines a recruiter reads by the score."""
    warnings = []
    if report.get("marked_as_cheated_by_recruiter") is True:
        warnings.append("CoderPad Screen: a recruiter marked the attempt as cheating")
    exits = _seconds(report.get("environment_exit_count"))
    if exits:
        outside = _seconds(report.get("time_spent_outside_environment_seconds"))
        spent = f", {outside // 60} min {outside % 60} s outside it" if outside else ""
        warnings.append(f"Left the test environment {exits} time{'s' if exits != 1 else ''}{spent}")
    return warnings


def parse_session(data: dict) -> AttemptStatus:
    """A test session (``GET /tests/{id}`` or a list item) as the common status.

    Raises:
        VendorFailure: The object has no id.
    """
    session_id = data.get("id", data.get("id_test"))
    if session_id is None:
        raise VendorFailure("CoderPad Screen sent a test session without an id.")
    raw = str(data.get("status") or "unknown")
    report = data.get("report")
    progress = _PROGRESS.get(raw, Progress.ERROR)
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        tags = [tags]
    reference = next((t for t in tags if isinstance(t, str) and t.startswith(REFERENCE_PREFIX)), None)
    return AttemptStatus(
        vendor_attempt_id=str(session_id),
        progress=progress,
        raw_status=raw,
        reference=reference,
        test_url=parsing.text(data.get("test_url")),
        report_url=parsing.text(data.get("url")),
        sent_at=_when(data.get("send_time")),
        started_at=_when(data.get("start_time")),
        completed_at=_when(data.get("end_time")) if progress == Progress.COMPLETED else None,
        result=_awaiting_approval(parse_report(report), data) if isinstance(report, dict) else None,
    )


def _awaiting_approval(result: AssessmentResult, session: dict) -> AssessmentResult:
    """The result, said to wait for a reviewer where the session's ``approval_status`` is TO_REVIEW
    (its human review workflow): a score a hiring manager should not take as final yet."""
    if parsing.text(session.get("approval_status")) != "TO_REVIEW":
        return result
    waiting = "CoderPad Screen: the result waits for a reviewer's approval there"
    return dataclasses.replace(result, warnings=(*result.warnings, waiting))


RULES = WireRules(
    vendor_name=DISPLAY_NAME,
    key_hint="Check that it is the Screen API key, not the CoderPad Interview key.",
    forbidden_is_bad_key=True,  # the C# client reads 403 as "invalid or expired key"
    # Rate limits are not documented [?]; stay well under what the SDKs assume.
    requests_per_second=10,
)


class CoderPadScreen(ProviderBase):
    """One CoderPad Screen account, reached with its Screen API key."""

    vendor = VENDOR
    display_name = DISPLAY_NAME
    capabilities = frozenset({Capability.CANCEL, Capability.RESEND, Capability.WEBHOOK, Capability.POLL})
    limitations = {
        Capability.REATTEMPT: "CoderPad Screen has no re-attempt call; send the campaign again instead.",
        Capability.EXTEND: "CoderPad Screen's API cannot change a test's deadline.",
        Capability.DEADLINE: "CoderPad Screen's invite takes no deadline; the campaign's settings apply.",
    }
    page_size = PAGE_LIMIT
    has_report_pdf = True

    def __init__(self, config: ConnectionConfig) -> None:
        super().__init__(config)
        self._http = VendorClient(
            rules=RULES,
            base_url=config.base_url.rstrip("/") + API_PATH,
            headers={"API-Key": config.api_key},
            timeout=config.timeout,
            budget=config.budget,
        )

    def _object(self, body: Any, what: str) -> dict:
        if not isinstance(body, dict):
            raise VendorFailure(f"CoderPad Screen sent an unexpected {what} reply.")
        return body

    def close(self) -> None:
        self._http.close()

    def validate_key(self) -> None:
        """``GET /campaigns``: cheap, and refused with 401 for a wrong key."""
        self._http.call("GET", "/campaigns")

    def list_tests(self) -> list[VendorTest]:
        """Campaigns (a bare array), skipping archived ones."""
        body = self._http.call("GET", "/campaigns")
        if not isinstance(body, list):
            raise VendorFailure("CoderPad Screen sent an unexpected campaign list.")
        return [
            VendorTest(id=str(c["id"]), name=str(c.get("name") or f"Campaign {c['id']}"))
            for c in body
            if isinstance(c, dict) and "id" in c and not c.get("archived")
        ]

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """``POST /campaigns/{id}/actions/send``; the reference travels as the tag."""
        body = self._object(
            self._http.call(
                "POST",
                f"/campaigns/{test_id}/actions/send",
                json={
                    "candidate_email": invitee.email,
                    "candidate_name": invitee.name[:NAME_LIMIT],
                    "tags": invitee.reference,
                    "send_invitation_email": True,
                },
            ),
            "invitation",
        )
        if body.get("id") is None:
            raise VendorFailure("CoderPad Screen accepted the invitation but sent no test id.")
        return Invitation(vendor_attempt_id=str(body["id"]), test_url=body.get("test_url") or None)

    def _pages(self, params: dict[str, Any]) -> Iterator[AttemptStatus]:
        start = 0
        while True:
            body = self._object(
                self._http.call("GET", "/tests", params={**params, "start": start, "limit": PAGE_LIMIT}),
                "test list",
            )
            asked = self._http.asked_at()
            tests = body.get("tests")
            for item in tests if isinstance(tests, list) else ():
                if isinstance(item, dict) and (
                    status := listed_item(parse_session, item, asked, DISPLAY_NAME)
                ):
                    yield status
            page = body.get("pagination")
            page = page if isinstance(page, dict) else {}  # no paging data: this was the last page
            next_start = page.get("next_start")
            if not page.get("has_more_items") or not isinstance(next_start, int) or next_start <= start:
                return
            start = next_start

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """The session tagged with the reference in this campaign, if the vendor has one."""
        found = self._pages({"campaignId": test_id, "tag": invitee.reference})
        return next((s for s in found if s.reference == invitee.reference), None)

    def fetch(self, vendor_attempt_id: str, *, test_id: str = "") -> AttemptStatus:
        """``GET /tests/{id}``."""
        return parse_session(self._object(self._http.call("GET", f"/tests/{vendor_attempt_id}"), "test"))

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str] = ()
    ) -> Iterator[AttemptStatus]:
        """Every session sent since ``since`` (``from`` filters on send time, in ms), all campaigns at once."""
        params: dict[str, Any] = {}
        if since is not None:
            params["from"] = int(since.timestamp() * 1000)
        return once(self._pages(params))

    def cancel(self, vendor_attempt_id: str, *, test_id: str = "") -> None:
        """``POST /tests/{id}/actions/cancel`` (only while the candidate has not started)."""
        self._http.call("POST", f"/tests/{vendor_attempt_id}/actions/cancel")

    def resend(self, vendor_attempt_id: str, *, test_id: str = "") -> None:
        """``POST /tests/{id}/actions/resend``."""
        self._http.call("POST", f"/tests/{vendor_attempt_id}/actions/resend")

    def report_pdf(self, vendor_attempt_id: str, *, test_id: str = "") -> bytes:
        """``GET /tests/{id}/report``: the full report as ``application/pdf`` [S]."""
        pdf = self._http.call(
            "GET",
            f"/tests/{vendor_attempt_id}/report",
            params={"report_type": "full", "include_comparative_score": "true"},
            headers={"Accept": "application/pdf"},
            binary=True,
        )
        if not pdf.startswith(b"%PDF"):
            raise VendorFailure("CoderPad Screen's report was not a PDF.")
        return pdf

    def register_webhook(self) -> None:
        """``POST /webhook`` with the URL as a bare JSON string (one webhook per organisation)."""
        self._http.call(
            "POST",
            "/webhook",
            content=json.dumps(self.config.webhook_url),
            headers={"Content-Type": "application/json"},
        )

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """Read a delivery: any JSON object naming a test id.

        Raises:
            WebhookRejected: Not JSON, not an object, or no test id (400).
        """
        payload = parsing.webhook_object(body, "The webhook body")
        nested = payload.get("test") if isinstance(payload.get("test"), dict) else {}
        test_id = parsing.identifier(payload.get("id", payload.get("test_id", nested.get("id"))), strip=False)
        if test_id is None:
            raise WebhookRejected("The webhook does not name a test session id.", 400)
        digest = hashlib.sha256(body).hexdigest()[:24]
        return WebhookNotice(delivery_key=f"{VENDOR}:{test_id}:{digest}", vendor_attempt_ids=(test_id,))


SPEC = VendorSpec(
    key=VENDOR,
    display_name=DISPLAY_NAME,
    key_label="Screen API key (Settings > Integrations)",
    regions=REGIONS,
    sandbox_prefix="/coderpad-screen",
    provider=CoderPadScreen,
    webhook_can_go_stale=True,  # one per organisation: another app registering its own replaces it
)

__all__ = ["RULES", "SPEC", "CoderPadScreen", "parse_report", "parse_session"]
