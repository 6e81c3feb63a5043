"""Tolerant readers for the values vendors send, shared by every provider.

Vendors are loose with types, and not in the same way: HackerRank types some numbers
as strings, iMocha sends an id as a number from one endpoint and as text from another,
and times come as ISO 8601 text (with ``Z``, an offset, or no zone at all), as epoch
seconds or as epoch milliseconds, depending on the vendor and sometimes the field.
Each reader here takes whatever the JSON held and returns the value, or None when it
cannot be read. Parsers never raise on vendor data: one odd field costs that field,
never the whole status, and a sync never stops on a vendor's typo.

What really differs between vendors stays visible where it is used, as a parameter
(``text=False`` for APIs that type their numbers, the ``epoch`` unit, ``strip=False``
to keep text as sent) or as a thin wrapper in that vendor's module (Coodesh's "82,5"
decimals, CodeSignal's epoch milliseconds written as digits).

The one reader that refuses is ``webhook_object``: a delivery that is not a JSON
object cannot name an attempt, and the provider contract has it refused with a 400.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any, Literal

from providers.base import WebhookRejected


def number(value: Any, *, text: bool = True) -> float | None:
    """A finite float from a JSON number or, unless ``text`` is False, numeric text.

    Booleans are not numbers here, though Python counts them as ints. NaN and the
    infinities (which Python's JSON reader lets through) are not scores or times, so
    they read as None too.

    Args:
        value: Whatever the vendor sent.
        text: Also read text such as ``" 82.5 "``, for vendors that send numbers as strings.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and text:
        value = value.strip()
    elif not isinstance(value, int | float):
        return None
    try:
        found = float(value)
    except (ValueError, OverflowError):  # not a number, or an int too large for a float
        return None
    return found if math.isfinite(found) else None


def text(value: Any, *, strip: bool = True) -> str | None:
    """Text that is not blank, stripped; None for anything else.

    Args:
        value: Whatever the vendor sent.
        strip: False keeps the text exactly as sent, refusing only ``""``.
    """
    if not isinstance(value, str):
        return None
    if strip:
        return value.strip() or None
    return value or None


def identifier(value: Any, *, strip: bool = True) -> str | None:
    """An id as text, whether the vendor sent it as a number or a string (see ``text``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return text(str(value), strip=strip)


def percent(points: float | None, maximum: float | None) -> float | None:
    """``points`` as a percentage of ``maximum``, within 0..100 and to two decimals.

    None when either is missing or the maximum is zero: no percentage is invented.
    """
    if points is None or not maximum:
        return None
    return round(max(0.0, min(100.0, points / maximum * 100)), 2)


def when(
    value: Any, *, epoch: Literal["ms", "auto"] | None = None, iso: bool = True
) -> datetime.datetime | None:
    """A moment as an aware UTC datetime, from ISO 8601 text or an epoch number.

    ISO text may end in ``Z`` (or ``z``) or carry an offset. A time without a zone is
    read as UTC, as iMocha's ``AttemptedOnUtc`` means it; a field holding a vendor's
    local time without a zone is for that vendor's module to leave unread (as iMocha's
    does with ``AttemptedOn``).

    Args:
        value: Whatever the vendor sent.
        epoch: How to read a JSON number: ``"ms"``, milliseconds since 1970; ``"auto"``,
            seconds, or milliseconds when it is too large to be seconds (over 1e11, the
            year 5138); None, numbers are not times.
        iso: Read ISO 8601 text (False for a vendor whose times are only numbers).
    """
    if isinstance(value, str):
        return _iso_time(value) if iso else None
    if epoch is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = value / 1000 if epoch == "ms" or value > 1e11 else value
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):  # NaN, infinities, beyond the calendar
        return None


def _iso_time(value: str) -> datetime.datetime | None:
    found = value.strip()
    if found.endswith(("Z", "z")):
        found = found[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(found)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):  # not ISO 8601, or an offset past year 1 or 9999
        return None


def webhook_object(body: bytes, what: str) -> dict:
    """A webhook delivery's body as a JSON object.

    Args:
        body: The delivery's raw body.
        what: How the refusal names the body, e.g. ``"The HackerRank webhook body"``.

    Raises:
        WebhookRejected: The body is not JSON, or not a JSON object (400).
    """
    try:
        payload = json.loads(body)
    except ValueError as err:  # UnicodeDecodeError included
        raise WebhookRejected(f"{what} is not JSON.", 400) from err
    if not isinstance(payload, dict):
        raise WebhookRejected(f"{what} is not a JSON object.", 400)
    return payload


__all__ = ["identifier", "number", "percent", "text", "webhook_object", "when"]
