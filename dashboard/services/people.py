"""A person's name and email address as typed: tidied and checked alike for candidates and users."""

from __future__ import annotations

import re

# One @, something before it, and a domain with a dot inside it: what a vendor will accept
# to send a test to. Not the whole of RFC 5322, which vendors do not take either.
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def tidy_name(name: str) -> str:
    """A name as it reads: one space between words, none around.

    Pasted from a CV or an email, "Ada   Lovelace" (or a tab between) shows as "Ada Lovelace" on
    every page, so that is what is kept: stored as pasted, a search for the name shown found no one.
    """
    return " ".join(name.split())
