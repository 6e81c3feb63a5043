"""Counts as a sentence reads them: "1 assessment", "3 assessments", never "assessment(s)".

Messages reach recruiters in toasts, dialogs and logs; a "(s)" reads as a form letter.
"""


def counted(count: int, noun: str, plural: str = "") -> str:
    """``count`` and the noun it takes: ``counted(1, "delivery", "deliveries")`` is "1 delivery"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def is_are(count: int) -> str:
    """The verb agreeing with ``count``: "1 attempt is", "2 attempts are"."""
    return "is" if count == 1 else "are"
