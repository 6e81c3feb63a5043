"""A person's name and email address as typed: tidied and checked alike for candidates and users."""

from __future__ import annotations

import re
import unicodedata

from dashboard.services.errors import UserError

# One @, something before it, and a domain with a dot inside it: what a vendor will accept
# to send a test to. Not the whole of RFC 5322, which vendors do not take either: no brackets,
# quotes, commas or semicolons (helper-143: "<ada@example.com>" and "ada@example.com;" were
# taken as addresses, a second candidate beside Ada, sent her tests), and no label of the domain
# beginning or ending with a hyphen. Any script's letters, marks and digits stand in a domain.
_NEVER_IN_A_DOMAIN = r"\s@<>()\[\]\\,;:\"'/"
_LABEL = rf"[^{_NEVER_IN_A_DOMAIN}._-](?:[^{_NEVER_IN_A_DOMAIN}.]*[^{_NEVER_IN_A_DOMAIN}._-])?"
EMAIL = re.compile(rf"[^\s@<>()\[\]\\,;:\"]+@{_LABEL}(?:\.{_LABEL})+")


def _unseen(character: str) -> bool:
    """A format character (Unicode's Cf): a zero-width space, a direction mark, a byte-order mark.
    Copied from a chat, a web page or a spreadsheet with the text, it shows as nothing."""
    return unicodedata.category(character) == "Cf"


def tidy_name(name: str) -> str:
    """A name as it reads: one space between words, none around, nothing unseen at either end.

    Pasted from a CV or an email, "Ada   Lovelace" (or a tab between) shows as "Ada Lovelace" on
    every page, so that is what is kept: stored as pasted, a search for the name shown found no one.
    Unseen characters inside a name stay (a zero-width non-joiner is spelling in Persian).
    """
    start, end = 0, len(name)
    while start < end and (name[start].isspace() or _unseen(name[start])):
        start += 1
    while end > start and (name[end - 1].isspace() or _unseen(name[end - 1])):
        end -= 1
    return " ".join(name[start:end].split())


def normal_email(email: str) -> str:
    """An address as it is kept and looked up, a candidate's and a user's alike: lower case, one
    form of each accented letter (an "é" typed as an "e" and an accent made a second account), and
    none of the unseen characters a copied list carries (helper-164: "grace@example.com" with a
    zero-width space after it was another address, a second card for Grace, sent her tests again)."""
    return unicodedata.normalize("NFC", "".join(c for c in email if not _unseen(c)).strip().lower())


def candidate_name_and_email(name: str, email: str, *, saved_email: str | None = None) -> tuple[str, str]:
    """A candidate's name and email as typed, tidied and checked: when they are added, and when
    a typo in them is corrected later, alike. ``saved_email``: the address saved already, taken as
    it is if typed again (one saved before today's checks does not stop their name's correction).

    Raises:
        UserError: No name or one too long, no email, or one that is not an address.
    """
    name = tidy_name(name)
    if not name:
        raise UserError("Give the candidate's name.")
    if len(name) > 120:
        raise UserError("A candidate's name is at most 120 characters.")
    address = normal_email(email)
    if saved_email is not None and address == saved_email:
        return name, address
    if not address:
        raise UserError("Give the candidate's email: their tests are sent to it.")
    if len(address) > 254:
        raise UserError("An email address is at most 254 characters.")
    if not EMAIL.fullmatch(address):
        raise UserError(f"{email.strip()!r} is not an email address (name@example.com).")
    return name, address
