"""CoderPad Interview: live coding pads, created from question templates, followed by polling.

Every "test" here is a live-interview template: a pad is a shared editor the
candidate and the interviewer join at the same time; it has no score and ends
when the interviewer ends it. Recruiters pick a question from the account's
question bank (``GET /questions``), or a blank pad in one of a few common
languages (``BLANK_PAD_LANGUAGES``: one "Blank pad" entry per language, so the
pad opens in the right editor mode).

Wire protocol (see the reference notes, "CoderPad Interview API (pads), brief",
exported from CoderPad's own Postman collection):
- Base ``https://app.coderpad.io/api``; header ``Authorization: Token token="<key>"``.
  The key is the Interview key from the user's settings, a different key from
  CoderPad Screen's, which is why a 401 says so.
- Success bodies carry ``"status": "OK"``; errors are
  ``{"status": "ERROR", "message": "..."}`` with 400, 401, 403 (a valid key without
  access) and 404. A 429 "Over quota" means the account's monthly pad quota is
  used up, not "slow down": it becomes ``VendorRefused`` and is never retried.
  A 429 without a quota message (a proxy's rate limit) keeps the common handling.
- ``POST /pads/`` is form-encoded (``title, language, contents, notes,
  question_id``) and returns the pad; pad ids are strings such as ``"AFQ2K9A3"``.
- ``GET /pads/`` and ``GET /questions/`` return at most 50 items a page, a
  ``total`` and a ``next_page`` URL. Only the query of ``next_page`` is used, on
  our own base URL: the key never travels to a host the connection was not
  configured with, and the docs' own example ``next_page`` for questions names
  ``/api/question`` (sic). The pad index may lag up to a minute behind
  ``GET /pads/{id}`` (documented): a sync learns of a change that much later, and a
  listed pad is held a minute older than its page (``listing_lag``), so a Refresh's
  fetch asked for in that minute is never taken for older than the index.
- A pad has no status field: it is "created" (``SENT``) until someone joins
  (``participants`` non-empty: ``STARTED``) and "ended" once ``ended_at`` is set
  (``COMPLETED``, no score, the ``playback`` link as the report). The
  ``raw_status`` kept is that derived word.

Where the reference is unsure ([?]), this module is tolerant rather than strict:
- ``participants`` are self-reported names and may include the interviewer [?]:
  a pad the interviewer opens first reads as started (the docs' create example
  already lists one participant). Telling the candidate apart would take
  ``GET /pads/{id}/events`` per pad; not done.
- A question pad is created without ``language``: the question's own language is
  assumed to apply [?] (looking it up first would be a second, retried call in
  front of the create).
- The Assay reference travels in the pad's private ``notes``, as a line
  ``Assay reference: <ref>``; ``find_by_reference`` scans pads created in the
  last ``FIND_WINDOW`` (newest first), as a retried send comes soon after the first.
- A pad deleted in CoderPad (the way to withdraw one) is taken to answer 404 [?]; the
  sync then cancels its attempt (``dashboard/services/deleted_at_vendor.py``). An
  expiry, an undocumented ``state`` field seen once in an example (``"pending"``), and
  draft questions (``is_draft``, skipped) are not relied on [?].
- Timestamps are ISO 8601 (``Z``, milliseconds or an offset); naive ones are UTC.
- The rate limit is not documented [?]; requests are paced under 10 a second.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from providers import parsing
from providers.base import (
    AttemptStatus,
    Capability,
    ConnectionConfig,
    Invitation,
    Invitee,
    Progress,
    ProviderBase,
    ProviderError,
    Region,
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
from providers.parsing import when as _when

VENDOR = "coderpad_interview"
DISPLAY_NAME = "CoderPad Interview"
REGIONS = (Region("global", "Global", "https://app.coderpad.io/api"),)
PAGE_LIMIT = 50  # the documented maximum per page of /pads and /questions
FIND_WINDOW = datetime.timedelta(days=7)
BLANK_PREFIX = "blank:"
# A few of the documented ``language`` values, one blank-pad template each.
BLANK_PAD_LANGUAGES = {
    "python": "Python",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "java": "Java",
    "cpp": "C++",
    "csharp": "C#",
    "ruby": "Ruby",
    "postgresql": "PostgreSQL",
}
REFERENCE_LINE = "Assay reference: "
_REFERENCE = re.compile(re.escape(REFERENCE_LINE) + r"(\S+)")
TITLE_LIMIT = 200  # not documented [?]; a title longer than this helps nobody

CREATED, JOINED, ENDED = "created", "joined", "ended"


def _message(body: Any) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def _over_quota(response: httpx.Response) -> ProviderError | None:
    """A 429 "Over quota" is the monthly pad allowance, not a rate limit: refuse, never retry."""
    if response.status_code != 429:
        return None
    try:
        message = _message(response.json())
    except ValueError:
        message = ""
    if "quota" not in message.lower():
        return None
    return VendorRefused(
        f"{DISPLAY_NAME}'s monthly pad quota is used up (429 Over quota). No pad was created; "
        "send again after the quota resets, or ask CoderPad to raise the plan's pad limit.",
        429,
        "OverQuota",
    )


RULES = WireRules(
    vendor_name=DISPLAY_NAME,
    key_hint=(
        "Check that it is the CoderPad Interview API key (Settings on app.coderpad.io), "
        "not the CoderPad Screen key: the two products use different keys."
    ),
    forbidden_is_bad_key=False,  # 403 is "you don't have permission to access that resource"
    special=_over_quota,
    requests_per_second=10,  # not documented [?]
)


def _text(value: Any) -> str | None:
    """Text as CoderPad sent it (titles and links are not stripped); None for ``""`` or a non-string."""
    return parsing.text(value, strip=False)


def reference_in(notes: Any) -> str | None:
    """The Assay reference written into a pad's notes, if it is still there."""
    match = _REFERENCE.search(notes) if isinstance(notes, str) else None
    return match.group(1) if match else None


def pad_progress(pad: dict) -> tuple[Progress, str]:
    """Where a pad is on the lifecycle, and the word kept as its raw status."""
    if pad.get("ended_at"):
        return Progress.COMPLETED, ENDED
    participants = pad.get("participants")
    if isinstance(participants, list) and any(participants):
        return Progress.STARTED, JOINED
    return Progress.SENT, CREATED


def parse_pad(data: dict) -> AttemptStatus:
    """A pad (``GET /pads/{id}``, a list item or the create reply) as the common status.

    Raises:
        VendorFailure: The pad has no id.
    """
    pad_id = parsing.identifier(data.get("id"), strip=False)
    if pad_id is None:
        raise VendorFailure(f"{DISPLAY_NAME} sent a pad without an id.")
    progress, raw = pad_progress(data)
    url = _text(data.get("url"))
    ended = progress == Progress.COMPLETED
    return AttemptStatus(
        vendor_attempt_id=pad_id,
        progress=progress,
        raw_status=raw,
        reference=reference_in(data.get("notes")),
        test_url=url,
        report_url=(_text(data.get("playback")) or url) if ended else None,
        sent_at=_when(data.get("created_at")),
        completed_at=_when(data.get("ended_at")) if ended else None,
        result=None,  # a live interview has no score; the playback is the record
    )


def next_page_params(next_page: Any) -> dict[str, str] | None:
    """The query of a ``next_page`` URL, to ask our own base URL for; None at the end."""
    if not isinstance(next_page, str) or not next_page:
        return None
    try:
        params = dict(httpx.URL(next_page).params.items())
    except (httpx.InvalidURL, ValueError):
        return None
    return params or None


class CoderPadInterview(ProviderBase):
    """One CoderPad Interview account, reached with its Interview API key."""

    vendor = VENDOR
    display_name = DISPLAY_NAME
    capabilities = frozenset({Capability.POLL})
    limitations = {
        Capability.CANCEL: (
            "Assay cannot withdraw a CoderPad Interview pad: the API notes document no way to cancel "
            "or delete a pad, and ending it would read as a finished interview. Delete it in CoderPad."
        ),
        Capability.RESEND: (
            "CoderPad Interview sends no invitation emails: share the pad link with the candidate yourself."
        ),
        Capability.REATTEMPT: "A CoderPad Interview pad is one interview; send a new pad to interview again.",
        Capability.EXTEND: (
            "CoderPad Interview pads have no deadline to move: a pad stays open until the interviewer ends it."
        ),
        Capability.DEADLINE: (
            "CoderPad Interview pads take no deadline: a pad stays open until the interviewer ends it."
        ),
        Capability.WEBHOOK: (
            "CoderPad Interview has no webhooks for pads; Assay checks pads for changes on its regular sync."
        ),
    }
    page_size = PAGE_LIMIT
    listing_lag = datetime.timedelta(minutes=1)  # the pad index behind GET /pads/{id} (documented)
    invitations_expire = False  # a pad stays open until the interviewer ends it

    def __init__(self, config: ConnectionConfig) -> None:
        super().__init__(config)
        self._http = VendorClient(
            rules=RULES,
            base_url=config.base_url,
            headers={"Authorization": f'Token token="{config.api_key}"'},
            timeout=config.timeout,
            budget=config.budget,
        )

    def _object(self, body: Any, what: str) -> dict:
        if not isinstance(body, dict):
            raise VendorFailure(f"{DISPLAY_NAME} sent an unexpected {what} reply.")
        if body.get("status") == "ERROR":
            raise self._http.told(VendorRefused(f"{DISPLAY_NAME} refused: {_message(body) or 'error'}.", 200))
        return body

    def _pages(self, path: str, items: str, params: dict[str, str]) -> Iterator[list[dict]]:
        """Each page of a ``next_page``-linked list, so that callers can stop early."""
        seen: set[tuple[tuple[str, str], ...]] = set()
        while True:
            body = self._object(self._http.call("GET", path, params=params), f"{items} list")
            found = body.get(items)
            page = [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []
            yield page
            following = next_page_params(body.get("next_page"))
            if not page or following is None:
                return
            key = tuple(sorted(following.items()))
            if key in seen or following == params:
                return  # a vendor that links a page to itself would loop forever
            seen.add(key)
            params = following

    def close(self) -> None:
        self._http.close()

    def validate_key(self) -> None:
        """``GET /quota``: cheap, account-wide, and refused with 401 for a wrong key."""
        self._object(self._http.call("GET", "/quota"), "quota")

    def list_tests(self) -> list[VendorTest]:
        """The question bank across every page (drafts skipped), then the blank pads."""
        tests: dict[str, VendorTest] = {}
        for page in self._pages("/questions/", "questions", {"sort": "created_at,asc"}):
            for question in page:
                question_id = question.get("id")
                if not isinstance(question_id, int | str) or isinstance(question_id, bool):
                    continue
                if question.get("is_draft") is True:
                    continue
                name = _text(question.get("title")) or f"Question {question_id}"
                tests[str(question_id)] = VendorTest(id=str(question_id), name=name, live_interview=True)
        blanks = [
            VendorTest(
                id=f"{BLANK_PREFIX}{lang}", name=f"Blank pad ({label})", live_interview=True, built_in=True
            )
            for lang, label in BLANK_PAD_LANGUAGES.items()
        ]
        return [*tests.values(), *blanks]

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """``POST /pads/`` (form-encoded): a pad titled for the candidate, the reference in its notes."""
        title = f"{invitee.name} - {invitee.job_title}" if invitee.job_title else invitee.name
        form = {
            "title": title[:TITLE_LIMIT],
            "notes": f"Candidate: {invitee.name} <{invitee.email}>\n\n{REFERENCE_LINE}{invitee.reference}\n",
        }
        if test_id.startswith(BLANK_PREFIX):
            form["language"] = test_id.removeprefix(BLANK_PREFIX)
        else:
            form["question_id"] = test_id
        pad = self._object(self._http.call("POST", "/pads/", data=form), "pad")
        status = parse_pad(pad)
        if not status.test_url:
            raise VendorFailure(f"{DISPLAY_NAME} created pad {status.vendor_attempt_id} but sent no link.")
        return Invitation(vendor_attempt_id=status.vendor_attempt_id, test_url=status.test_url)

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """The pad whose notes carry the reference, among those created in the last ``FIND_WINDOW``."""
        oldest = datetime.datetime.now(datetime.UTC) - FIND_WINDOW
        for page in self._pages("/pads/", "pads", {"sort": "created_at,desc"}):
            for pad in page:
                if reference_in(pad.get("notes")) == invitee.reference:
                    return parse_pad(pad)
            created = _when(page[-1].get("created_at")) if page else None
            if created is not None and created < oldest:
                return None
        return None

    def fetch(self, vendor_attempt_id: str, *, test_id: str = "") -> AttemptStatus:
        """``GET /pads/{id}`` (real time, unlike the index)."""
        return parse_pad(self._object(self._http.call("GET", f"/pads/{vendor_attempt_id}"), "pad"))

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str] = ()
    ) -> Iterator[AttemptStatus]:
        """Pads by last change, newest first, until they were last changed before ``since``.

        A pad created after ``since`` was also last updated after it, so it is
        always on the pages read; every template's pads come in the same list.
        """
        # A pad changed while paging shows up again, older, further on: ``once`` keeps the newest.
        return once(self._pads_since(since))

    def _pads_since(self, since: datetime.datetime | None) -> Iterator[AttemptStatus]:
        for page in self._pages("/pads/", "pads", {"sort": "updated_at,desc"}):
            asked = self._http.asked_at()  # the page's: no other request is made while it is read
            seen_as_of = asked - self.listing_lag if asked is not None else None
            for pad in page:
                updated = _when(pad.get("updated_at"))
                if (since is None or updated is None or updated >= since) and (
                    status := listed_item(parse_pad, pad, seen_as_of, DISPLAY_NAME)
                ):
                    yield status
            last = _when(page[-1].get("updated_at")) if page else None
            if since is not None and last is not None and last < since:
                break

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """CoderPad Interview sends no webhooks for pads, so anything posted here is refused.

        Raises:
            WebhookRejected: Always (400).
        """
        raise WebhookRejected(f"{DISPLAY_NAME} sends no webhooks for pads; this delivery is not one.", 400)


SPEC = VendorSpec(
    key=VENDOR,
    display_name=DISPLAY_NAME,
    key_label="Interview API key (app.coderpad.io Settings; not the Screen key)",
    regions=REGIONS,
    sandbox_prefix="/coderpad-interview/api",
    provider=CoderPadInterview,
    webhook_setup="Nothing to set up: CoderPad Interview has no webhooks for pads; Assay polls pads instead.",
)

__all__ = ["RULES", "SPEC", "CoderPadInterview", "next_page_params", "pad_progress", "parse_pad"]
