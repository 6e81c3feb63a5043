"""Words as a sentence reads them: "1 assessment", "3 assessments", never "assessment(s)"; "an iMocha".

Messages reach recruiters in toasts, dialogs and logs; a "(s)" reads as a form letter.
"""


def counted(count: int, noun: str, plural: str = "") -> str:
    """``count`` and the noun it takes: ``counted(1, "delivery", "deliveries")`` is "1 delivery"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def a_or_an(word: str) -> str:
    """The article before ``word`` by its first letter: "a CoderPad Screen", "an iMocha".

    Enough for the vendors' and Assay's own names; an "h" not sounded or a "u" said "you" would need more.
    """
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def is_are(count: int) -> str:
    """The verb agreeing with ``count``: "1 attempt is", "2 attempts are"."""
    return "is" if count == 1 else "are"
