"""Coodesh: a workspace's assessments, attempts created for an ATS candidate, results pushed by webhook.

Wire protocol (reference notes, section 4; facts tagged [P] primary, [?] unknown):

- Every call sends ``X-API-KEY: <key>`` and ``Content-Type: application/json``; a key
  belongs to one workspace and is handed out by Coodesh (help@coodesh.com) [P].
- Hosts were not captured [?]. The regions ``production`` (``https://api.coodesh.com``)
  and ``homologation`` (``https://api-homologation.coodesh.com``) are our guesses;
  an admin picks "custom" and pastes the URL Coodesh gives at onboarding if they differ.
- ``GET /assessments/ats`` answers an *array wrapping one page object*,
  ``[{"offset", "total", "limit": 150, "payload": [...]}]`` [P]. The query parameter
  names ``offset``/``limit`` are taken from that page object [?]. We advance by the
  items received and stop at ``total``, at an empty page, or at a page that brought
  nothing new (a server ignoring ``offset`` cannot make us loop). A bare page object,
  without the array, is read too.
- ``POST /assessments/ats/attempts`` requires every field [P]: ``email``, ``name``,
  ``user_id`` (our candidate id), ``assessment_id``, ``company_id`` (the connection's
  "Company ID" setting; what Coodesh means by it is [?]), ``job_id`` (our job id),
  ``callback_url`` (the ATS page to return to) and ``webhook_url`` (the doc's schema
  misspells it ``webhook_ul``; its example, which we follow, says ``webhook_url``).
  The reply is ``{"attempt_id", "attempt_url"}`` [P]; ``attempt_url`` is the candidate's link.
- ``callback_url`` is the application's page in Assay (the origin of our webhook URL
  plus ``/applications/<id>``) with our reference in its query (``?assay_reference=``):
  it is the only free-text field Coodesh takes, so it carries the reference. Whether
  the results webhook echoes it is [?]; when it does, the reference is read back from it.
- Nothing can be asked: no status, list, cancel, resend or expiry endpoint is
  documented, so progress comes only by webhook, and the webhook's own body is applied
  (authenticated by the token in our URL; whether Coodesh signs deliveries is [?]).
- The results webhook is undocumented [?], so ``read_webhook`` is tolerant: the
  attempt id is ``attempt_id`` (or ``attempt.id``, or ``id``); the grade is a number or
  a numeric string (``"82"``, ``"82,5"``, ``"82%"``, ``"41/50"``), a percent unless a
  maximum is given; the time taken is seconds, minutes, ``"HH:MM:SS"``, ``"41 min"`` or
  ``{"value", "unit"}``, and a bare number is read in the connection's "time unit"
  setting (minutes by default, the unit Coodesh's question durations use); the status
  word is read from ``status`` or the event name, and a body without one that carries a
  grade counts as completed. A single object or an array of objects (Coodesh wraps its
  list reply in an array) is accepted. Each delivery also yields a history comment
  ("Coodesh result: total grade 82/100, time taken 41 min"), as Coodesh's help article
  says results land in the application's history.
- The error envelope is undocumented [?]: ``message`` is read as a string or a list
  (the ``{"statusCode", "message": [...], "error"}`` shape), ``errors`` as a list or a
  field map. Rate limits are undocumented [?]; calls are paced at 5 per second.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

from providers import parsing
from providers.base import (
    AssessmentResult,
    AttemptStatus,
    Capability,
    ConnectionConfig,
    ExtraField,
    Invitation,
    Invitee,
    Progress,
    ProviderBase,
    ProviderError,
    Region,
    SubScore,
    VendorFailure,
    VendorSpec,
    VendorTest,
    WebhookNotice,
    WebhookRejected,
)
from providers.http import VendorClient, WireRules

VENDOR = "coodesh"
DISPLAY_NAME = "Coodesh"
REGIONS = (
    Region("production", "Production", "https://api.coodesh.com"),  # host not documented [?]
    Region(
        "homologation", "Homologation (Coodesh's test environment)", "https://api-homologation.coodesh.com"
    ),
)
PAGE_LIMIT = 150  # the page size Coodesh's assessment list reports
REFERENCE_PARAM = "assay_reference"
DEFAULT_TIME_UNIT = "minute"

_PROGRESS = {
    **dict.fromkeys(("created", "pending", "invited", "sent", "not_started", "waiting"), Progress.SENT),
    **dict.fromkeys(
        ("started", "in_progress", "ongoing", "running", "iniciado", "em_andamento"), Progress.STARTED
    ),
    **dict.fromkeys(
        (
            "finished",
            "completed",
            "complete",
            "done",
            "submitted",
            "evaluated",
            "corrected",
            "graded",
            "approved",
            "reproved",
            "passed",
            "finalizado",
            "concluido",
        ),
        Progress.COMPLETED,
    ),
    **dict.fromkeys(("expired", "timeout", "timed_out", "expirado"), Progress.EXPIRED),
    **dict.fromkeys(("cancelled", "canceled", "cancelado"), Progress.CANCELLED),
}

_UNIT_SECONDS = {
    **dict.fromkeys(("ms", "millisecond", "milliseconds"), 0.001),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "segundo", "segundos"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuto", "minutos"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), 3600),
    **dict.fromkeys(("d", "day", "days", "dia", "dias"), 86400),
}

# Objects a results body may nest its fields in; their fields are read as if top-level.
_CONTAINERS = ("data", "attempt", "candidate", "result", "results")
_GRADE_KEYS = ("total_grade", "grade", "final_grade", "score", "total_score", "nota", "nota_final")
_PERCENT_KEYS = ("percentage", "score_percent", "grade_percent", "percent")
_MAX_KEYS = ("max_grade", "max_score", "maximum_grade", "total_points", "max_points", "maximum", "out_of")
_TIME_KEYS = ("time_taken", "time_spent", "elapsed_time", "duration_taken", "total_time", "tempo")
_WARNING_KEYS = ("warnings", "alerts", "flags", "integrity_warnings")


def _number(value: Any) -> float | None:
    """A number from a number or a numeric string (``"82"``, ``"82.5"``, ``"82,5"``, ``"82%"``)."""
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip().replace(",", ".")  # "82,5" (a decimal comma), "82%"
    return parsing.number(value)


def _text(value: Any) -> str | None:
    """Stripped text, or a whole number as text: ids and words may come as either [?]."""
    return parsing.identifier(value)


def _first(fields: dict, keys: Iterable[str]) -> Any:
    for key in keys:
        value = fields.get(key)
        if value is not None and value != "":
            return value
    return None


def _unit_seconds(unit: Any, default: float) -> float:
    if isinstance(unit, str):
        return _UNIT_SECONDS.get(unit.strip().lower(), default)
    return default


_ISO_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)")


def duration_seconds(value: Any, unit: Any = None, *, default_unit: str = DEFAULT_TIME_UNIT) -> int | None:
    """Seconds from a duration whose unit Coodesh has not documented.

    Args:
        value: A number, a numeric string, ``"HH:MM:SS"``/``"MM:SS"``, ``"41 min"``,
            ``"1h 5m"``, an ISO 8601 ``"PT41M"``, or ``{"value", "unit"}``.
        unit: The unit given next to the value (``time_taken_unit``), if any.
        default_unit: The unit of a bare number when none is given.

    Returns:
        Whole seconds, or None for anything unreadable or negative.
    """
    fallback = _UNIT_SECONDS.get(default_unit, 60)
    if isinstance(value, dict):
        inner = _first(value, ("value", "amount", "time", "duration", "total"))
        return duration_seconds(
            inner, _first(value, ("unit", "duration_unit", "time_unit")) or unit, default_unit=default_unit
        )
    seconds: float | None = None
    if isinstance(value, str) and _number(value) is None:
        text = value.strip()
        if match := _ISO_DURATION.match(text.upper()):
            if any(match.groups()):
                days, hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
                seconds = days * 86400 + hours * 3600 + minutes * 60 + secs
        elif re.fullmatch(r"\d+(?::\d{1,2}){1,2}(?:\.\d+)?", text):
            parts = [float(p) for p in text.split(":")]
            while len(parts) < 3:
                parts.insert(0, 0.0)
            seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
        else:
            amounts = _AMOUNT.findall(text)
            rest = _AMOUNT.sub("", text).strip()
            if amounts and not rest and all(u.lower() in _UNIT_SECONDS for _n, u in amounts if u):
                seconds = sum(
                    float(n.replace(",", ".")) * _unit_seconds(u or unit, fallback) for n, u in amounts
                )
    else:
        number = _number(value)
        if number is not None:
            seconds = number * _unit_seconds(unit, fallback)
    if seconds is None or not math.isfinite(seconds) or seconds < 0:  # 1e307 minutes is inf seconds
        return None
    return round(seconds)


def read_grade(value: Any, maximum: Any = None) -> tuple[float | None, float | None, float | None]:
    """``(percent, points, max_points)`` from a grade of undocumented shape.

    A grade with a maximum (given alongside, as ``"41/50"`` or as ``{"value", "max"}``)
    is points; a bare grade from 0 to 100, or one written with ``%``, is a percent; a
    bare grade above 100 is points with no percent.
    """
    if isinstance(value, dict):
        maximum = _first(value, ("max", "maximum", *_MAX_KEYS)) if maximum is None else maximum
        value = _first(value, ("value", "grade", "score", "total"))
    if isinstance(value, str) and "/" in value:
        points_text, _slash, max_text = value.partition("/")
        value, maximum = points_text, max_text
    points = _number(value)
    if points is None:
        return None, None, None
    top = _number(maximum)
    if isinstance(value, str) and value.strip().endswith("%"):
        return _clamp(points), None, None
    if top is not None and top > 0:
        return _clamp(points / top * 100), points, top
    if 0 <= points <= 100:
        return points, None, None
    return None, points, None


def _clamp(percent: float) -> float:
    return round(max(0.0, min(100.0, percent)), 2)


def _when(value: Any) -> datetime.datetime | None:
    """An aware UTC time from ISO 8601 text or epoch seconds/milliseconds; 0 or less is no time."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
        return None
    return parsing.when(value, epoch="auto")


def _fields(payload: dict, depth: int = 0) -> dict:
    """The body's fields with nested containers (two levels) flattened in; outer values win.

    ``id`` keys are left out: a nested candidate's id must never pass for the attempt's.
    """
    merged: dict = {}
    for key in _CONTAINERS:
        nested = payload.get(key)
        if isinstance(nested, dict) and depth < 2:
            merged.update(_fields(nested, depth + 1))
    merged.update(
        {k: v for k, v in payload.items() if k != "id" and not (k in _CONTAINERS and isinstance(v, dict))}
    )
    return merged


def _attempt_id(payload: dict) -> str | None:
    attempt = payload.get("attempt") if isinstance(payload.get("attempt"), dict) else {}
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    for value in (
        payload.get("attempt_id"),
        attempt.get("attempt_id"),
        attempt.get("id"),
        data.get("attempt_id"),
        data.get("id"),
        payload.get("id"),
    ):
        if (text := _text(value)) is not None:
            return text
    return None


def _status_word(text: str) -> Progress | None:
    """The lifecycle step a status or event name means: ``attempt.finished`` -> completed."""
    parts = [p for p in re.split(r"[\s\-.:/_]+", text.strip().lower()) if p]
    for i in range(len(parts)):
        if i and parts[i - 1] in ("not", "no", "nao", "never"):
            return None  # "not_finished" must not read as "finished"
        if (progress := _PROGRESS.get("_".join(parts[i:]))) is not None:
            return progress
    return None


def _time_taken(fields: dict, default_unit: str) -> int | None:
    for base in _TIME_KEYS:
        for suffix, unit in (
            ("", None),
            ("_seconds", "second"),
            ("_in_seconds", "second"),
            ("_minutes", "minute"),
            ("_in_minutes", "minute"),
        ):
            value = fields.get(base + suffix)
            if value is None or value == "":
                continue
            given_unit = unit or fields.get(base + "_unit") or fields.get("time_unit")
            seconds = duration_seconds(value, given_unit, default_unit=default_unit)
            if seconds is not None:
                return seconds
    return None


def _warnings(fields: dict) -> tuple[str, ...]:
    found: list[str] = []
    for key in _WARNING_KEYS:
        items = fields.get(key)
        if isinstance(items, str):
            items = [items]
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                item = _first(item, ("message", "description", "name", "type"))
            if (text := _text(item)) is not None:
                found.append(text)
    return tuple(found)


def _subscores(fields: dict) -> tuple[SubScore, ...]:
    subscores = []
    for key in ("questions", "skills", "sections"):
        items = fields.get(key)
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            grade = _first(item, _GRADE_KEYS)
            if grade is None:
                continue
            percent, points, top = read_grade(grade, _first(item, _MAX_KEYS))
            name = _text(_first(item, ("name", "title", "skill"))) or f"Question {len(subscores) + 1}"
            subscores.append(SubScore(name=name, score_percent=percent, points=points, max_points=top))
    return tuple(subscores)


def parse_result(fields: dict, *, default_unit: str = DEFAULT_TIME_UNIT) -> AssessmentResult | None:
    """The grade, time taken and breakdown a results body carries, or None if it carries none."""
    percent, points, top = read_grade(_first(fields, _GRADE_KEYS), _first(fields, _MAX_KEYS))
    if percent is None and (explicit := _number(_first(fields, _PERCENT_KEYS))) is not None:
        percent = _clamp(explicit)
    taken = _time_taken(fields, default_unit)
    if percent is None and points is None and taken is None:
        return None
    allowed = duration_seconds(fields.get("duration"), fields.get("duration_unit"), default_unit="minute")
    return AssessmentResult(
        score_percent=percent,
        points=points,
        max_points=top,
        duration_seconds=taken,
        time_allowed_seconds=allowed,
        subscores=_subscores(fields),
        warnings=_warnings(fields),
    )


def _reference(fields: dict) -> str | None:
    metadata = fields.get("metadata") if isinstance(fields.get("metadata"), dict) else {}
    direct = _text(_first(fields, ("reference", "external_id", "external_reference", REFERENCE_PARAM)))
    if direct is None:
        direct = _text(metadata.get("reference"))
    if direct is not None:
        return direct
    callback = fields.get("callback_url")
    if isinstance(callback, str):
        try:
            query = urllib.parse.urlsplit(callback).query
        except ValueError:  # "http://[": no URL, so no reference in it
            return None
        values = urllib.parse.parse_qs(query).get(REFERENCE_PARAM)
        if values and values[0]:
            return values[0]
    return None


def _email(fields: dict) -> str | None:
    email = _text(_first(fields, ("email", "candidate_email", "user_email")))
    return email if email and "@" in email else None


def parse_attempt(payload: dict, *, default_unit: str = DEFAULT_TIME_UNIT) -> AttemptStatus:
    """One attempt as a results webhook describes it, as the common status.

    Raises:
        VendorFailure: The object names no attempt id.
    """
    attempt_id = _attempt_id(payload)
    if attempt_id is None:
        raise VendorFailure("Coodesh sent an update that names no attempt (no attempt_id).")
    fields = _fields(payload)
    result = parse_result(fields, default_unit=default_unit)
    raw = _text(_first(fields, ("status", "state", "attempt_status")))
    event = _text(_first(fields, ("event", "event_type", "type", "action")))
    if raw is not None:
        progress = _status_word(raw) or Progress.ERROR
    elif event is not None and (from_event := _status_word(event)) is not None:
        raw, progress = event, from_event
    elif result is not None and result.score_percent is not None:
        raw, progress = "result", Progress.COMPLETED  # a grade without a status word: it is done
    else:
        raw, progress = event or "unknown", Progress.ERROR
    return AttemptStatus(
        vendor_attempt_id=attempt_id,
        progress=progress,
        raw_status=raw,
        reference=_reference(fields),
        candidate_email=_email(fields),
        test_url=_text(fields.get("attempt_url")),
        report_url=_text(_first(fields, ("report_url", "result_url", "results_url"))),
        sent_at=_when(_first(fields, ("created_at", "sent_at", "invited_at"))),
        started_at=_when(_first(fields, ("started_at", "start_date", "start_time"))),
        completed_at=(
            _when(_first(fields, ("finished_at", "completed_at", "ended_at", "submitted_at", "finish_date")))
            if progress == Progress.COMPLETED
            else None
        ),
        expires_at=_when(_first(fields, ("expires_at", "expired_at", "expiration_date"))),
        result=result,
    )


def _figure(number: float) -> str:
    return f"{number:.0f}" if float(number).is_integer() else f"{number:.1f}"


def _spoken_duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def result_comment(status: AttemptStatus) -> str | None:
    """The history line for a result: ``Coodesh result: total grade 82/100, time taken 41 min``."""
    result = status.result
    if result is None:
        return None
    if result.points is not None and result.max_points is not None:
        grade = f"total grade {_figure(result.points)}/{_figure(result.max_points)}"
        if result.max_points != 100 and result.score_percent is not None:
            grade += f" ({_figure(result.score_percent)}%)"
    elif result.score_percent is not None:
        grade = f"total grade {_figure(result.score_percent)}/100"
    elif result.points is not None:
        grade = f"total grade {_figure(result.points)} points"
    else:
        grade = "no grade given"
    parts = [grade]
    if result.duration_seconds is not None:
        parts.append(f"time taken {_spoken_duration(result.duration_seconds)}")
    if result.warnings:
        parts.append("warnings: " + "; ".join(result.warnings))
    return "Coodesh result: " + ", ".join(parts)


def _error_message(body: Any) -> str | None:
    """Coodesh's error text: ``message`` as a string or list, ``errors`` as a list or field map [?]."""
    if isinstance(body, list) and body:
        body = body[0]
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, list) and message:
            return "; ".join(str(m) for m in message)
        errors = body.get("errors")
        if isinstance(errors, dict) and errors and not isinstance(message, str):
            return "; ".join(
                f"{field}: {', '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                for field, msgs in errors.items()
            )
        for key in ("message", "error", "detail"):
            if (text := _text(body.get(key))) is not None:
                return text
        if isinstance(errors, list) and errors:
            first = errors[0].get("message") if isinstance(errors[0], dict) else errors[0]
            return _text(first) or str(first)
    return None


KEY_HINT = (
    "Coodesh issues one key per workspace (ask help@coodesh.com); check that it belongs to the "
    "environment chosen here ({environment})."
)


def key_hint(config: ConnectionConfig) -> str:
    """The wrong-key hint naming the environment this connection uses, not every one Coodesh has.

    A key for homologation is refused in production and in the sandbox alike; naming
    the one chosen tells the admin which key to look for.
    """
    if config.region == "custom":
        environment = f"custom: {config.base_url}"
    elif config.region:
        environment = config.region
    else:
        known = [r.key for r in REGIONS if r.base_url == config.base_url.rstrip("/")]
        environment = known[0] if known else f"the one at {config.base_url}"
    return KEY_HINT.format(environment=environment)


RULES = WireRules(
    vendor_name=DISPLAY_NAME,
    key_hint=KEY_HINT.format(environment="homologation or production"),
    # Assay only lists and creates; a 403 on either means the key is not good for the workspace [?].
    forbidden_is_bad_key=True,
    error_message=_error_message,
    requests_per_second=5,  # undocumented [?]
)


def _page(body: Any) -> tuple[list[dict], int | None]:
    """The items and total of one assessment page: ``[{"offset","total","limit","payload"}]``."""
    pages = body if isinstance(body, list) else [body]
    if not all(isinstance(p, dict) for p in pages):
        raise VendorFailure("Coodesh sent an assessment list Assay could not read.")
    items: list[dict] = []
    total: int | None = None
    for page in pages:
        payload = page.get("payload")
        if isinstance(payload, list):
            items.extend(a for a in payload if isinstance(a, dict))
        count = _number(page.get("total"))
        if total is None and count is not None:
            total = int(count)
    return items, total


class Coodesh(ProviderBase):
    """One Coodesh workspace, reached with its API key; results arrive only by webhook."""

    vendor = VENDOR
    display_name = DISPLAY_NAME
    capabilities = frozenset({Capability.WEBHOOK})
    limitations = {
        Capability.POLL: (
            "Coodesh documents no way to look up or list attempts: Assay learns progress only from "
            "Coodesh's webhook, and cannot check whether a send that timed out reached Coodesh."
        ),
        Capability.CANCEL: "Coodesh's API has no call to withdraw an attempt; withdraw it in Coodesh itself.",
        Capability.RESEND: (
            "Coodesh's API has no call to send the invitation again; share the attempt link with the candidate."
        ),
        Capability.REATTEMPT: (
            "Coodesh's API has no re-attempt call; send the assessment again to create a new attempt."
        ),
        Capability.EXTEND: "Coodesh's API cannot change an attempt's deadline; the assessment's duration applies.",
        Capability.DEADLINE: (
            "Coodesh's invitation takes no deadline (its fields are email, name, user_id, assessment_id, "
            "company_id, job_id, callback_url and webhook_url); the assessment's own settings apply."
        ),
    }
    page_size = PAGE_LIMIT

    def __init__(self, config: ConnectionConfig) -> None:
        super().__init__(config)
        self._http = VendorClient(
            rules=dataclasses.replace(RULES, key_hint=key_hint(config)),
            base_url=config.base_url,
            headers={"X-API-KEY": config.api_key, "Content-Type": "application/json"},
            timeout=config.timeout,
            budget=config.budget,
        )
        unit = (config.options.get("time_unit") or "").strip().lower()
        self._time_unit = unit if unit in _UNIT_SECONDS else DEFAULT_TIME_UNIT

    def _list_page(self, offset: int) -> tuple[list[dict], int | None]:
        return _page(
            self._http.call("GET", "/assessments/ats", params={"offset": offset, "limit": PAGE_LIMIT})
        )

    def close(self) -> None:
        self._http.close()

    def validate_key(self) -> None:
        """The first page of the assessment list: cheap, and refused for a wrong key."""
        self._list_page(0)

    def list_tests(self) -> list[VendorTest]:
        """Every assessment of the workspace, page by page until ``total``."""
        found: dict[str, VendorTest] = {}
        offset = 0
        while True:
            items, total = self._list_page(offset)
            new = 0
            for item in items:
                assessment_id = _text(item.get("assessment_id", item.get("id")))
                if assessment_id is None or assessment_id in found:
                    continue
                name = _text(item.get("name")) or f"Assessment {assessment_id}"
                found[assessment_id] = VendorTest(id=assessment_id, name=name)
                new += 1
            offset += len(items)
            if not new or (total is not None and offset >= total):
                return list(found.values())

    def _callback_url(self, invitee: Invitee) -> str:
        parts = urllib.parse.urlsplit(self.config.webhook_url)
        path = (
            f"/applications/{urllib.parse.quote(invitee.application_ref)}" if invitee.application_ref else "/"
        )
        query = urllib.parse.urlencode({REFERENCE_PARAM: invitee.reference})
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """``POST /assessments/ats/attempts`` with every required field.

        Raises:
            ProviderError: A required value is missing on Assay's side (named), or
                Coodesh refused or failed.
        """
        company_id = (self.config.options.get("company_id") or "").strip()
        if not company_id:
            raise ProviderError("Coodesh needs the connection's Company ID; add it on the Integrations page.")
        if not self.config.webhook_url.startswith(("http://", "https://")):
            raise ProviderError(
                "Coodesh sends results only to a webhook URL given with each invitation, and this "
                "connection has none; save the connection again."
            )
        missing = [
            label
            for label, value in (
                ("the candidate's email", invitee.email),
                ("the candidate's name", invitee.name),
                ("the candidate id (user_id)", invitee.candidate_ref),
                ("the job id (job_id)", invitee.job_ref),
            )
            if not value.strip()
        ]
        if missing:
            raise ProviderError(f"Coodesh requires {' and '.join(missing)} on every invitation.")
        body = self._http.call(
            "POST",
            "/assessments/ats/attempts",
            json={
                "email": invitee.email,
                "name": invitee.name,
                "user_id": invitee.candidate_ref,
                "assessment_id": test_id,
                "company_id": company_id,
                "job_id": invitee.job_ref,
                "callback_url": self._callback_url(invitee),
                "webhook_url": self.config.webhook_url,
            },
        )
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if not isinstance(body, dict):
            raise VendorFailure("Coodesh sent an unexpected reply to the invitation.")
        attempt_id = _text(body.get("attempt_id", body.get("id")))
        if attempt_id is None:
            raise VendorFailure("Coodesh accepted the invitation but sent no attempt id.")
        return Invitation(vendor_attempt_id=attempt_id, test_url=_text(body.get("attempt_url")))

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """Read a results delivery: one object, or an array of objects, each naming an attempt.

        Coodesh cannot be asked afterwards, so the parsed statuses travel in the
        notice, with a history comment when the delivery is about one attempt with a result.

        Raises:
            WebhookRejected: Not JSON, not an object (or array of objects), or no attempt id (400).
        """
        try:
            payload = json.loads(body)
        except ValueError as err:
            raise WebhookRejected("The Coodesh webhook body is not JSON.", 400) from err
        items = payload if isinstance(payload, list) else [payload]
        if not items or not all(isinstance(item, dict) for item in items):
            raise WebhookRejected("The Coodesh webhook body is not a JSON object.", 400)
        try:
            statuses = tuple(parse_attempt(item, default_unit=self._time_unit) for item in items)
        except VendorFailure as err:
            raise WebhookRejected(
                "The Coodesh webhook names no attempt (attempt_id); nothing to apply.", 400
            ) from err
        ids = tuple(dict.fromkeys(s.vendor_attempt_id for s in statuses))
        digest = hashlib.sha256(body).hexdigest()[:24]
        about = ids[0] if len(ids) == 1 else f"{ids[0]}+{len(ids) - 1}"
        return WebhookNotice(
            delivery_key=f"{VENDOR}:{about}:{statuses[0].raw_status}:{digest}",
            vendor_attempt_ids=ids,
            statuses=statuses,
            comment=result_comment(statuses[0]) if len(statuses) == 1 else None,
        )


SPEC = VendorSpec(
    key=VENDOR,
    display_name=DISPLAY_NAME,
    key_label="API key (X-API-KEY, issued per workspace by help@coodesh.com)",
    regions=REGIONS,
    sandbox_prefix="/coodesh",
    provider=Coodesh,
    extra_fields=(
        ExtraField(
            "company_id",
            "Company ID",
            "The company id Coodesh expects with every invitation (company_id); Coodesh gives it at onboarding.",
        ),
        ExtraField(  # Coodesh documents no unit for its times: the admin fixes one if results look wrong
            "time_unit",
            "Unit of time taken",
            "Coodesh sometimes reports a candidate's time taken as a plain number, such as 45, with no unit. "
            "Choose how Assay reads it on results: minutes (the default) or seconds. "
            "If the times taken look 60 times too long, choose seconds.",
            required=False,
            choices=("minutes", "seconds"),
            default="minutes",  # DEFAULT_TIME_UNIT, as the choice names it
        ),
    ),
    webhook_setup=(
        "Nothing to set up at Coodesh: Assay gives its webhook URL with every invitation, and "
        "results arrive there."
    ),
)

__all__ = [
    "RULES",
    "SPEC",
    "Coodesh",
    "duration_seconds",
    "key_hint",
    "parse_attempt",
    "parse_result",
    "read_grade",
    "result_comment",
]
