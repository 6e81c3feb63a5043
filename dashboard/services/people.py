"""A person's name and email address as typed: tidied and checked alike for candidates and users."""

from __future__ import annotations

import re

from dashboard.services.errors import UserError

# One @, something before it, and a domain with a dot inside it: what a vendor will accept
# to send a test to. Not the whole of RFC 5322, which vendors do not take either: no brackets,
# quotes, commas or semicolons (helper-143: "<ada@example.com>" and "ada@example.com;" were
# taken as addresses, a second candidate beside Ada, sent her tests), and a domain of letters,
# digits and hyphens (any script's letters: an internationalised domain).
EMAIL = re.compile(r"[^@\s<>()\[\]\\,;:\"]+@[^\W_]([\w-]*[^\W_])?(\.[^\W_]([\w-]*[^\W_])?)+")


def tidy_name(name: str) -> str:
    """A name as it reads: one space between words, none around.

    Pasted from a CV or an email, "Ada   Lovelace" (or a tab between) shows as "Ada Lovelace" on
    every page, so that is what is kept: stored as pasted, a search for the name shown found no one.
    """
    return " ".join(name.split())


def candidate_name_and_email(name: str, email: str) -> tuple[str, str]:
    """A candidate's name and email as typed, tidied and checked: when they are added, and when
    a typo in them is corrected later, alike.

    Raises:
        UserError: No name or one too long, no email, or one that is not an address.
    """
    name = tidy_name(name)
    if not name:
        raise UserError("Give the candidate's name.")
    if len(name) > 120:
        raise UserError("A candidate's name is at most 120 characters.")
    address = email.strip().lower()
    if not address:
        raise UserError("Give the candidate's email: their tests are sent to it.")
    if len(address) > 254:
        raise UserError("An email address is at most 254 characters.")
    if not EMAIL.fullmatch(address):
        raise UserError(f"{email.strip()!r} is not an email address (name@example.com).")
    return name, address
