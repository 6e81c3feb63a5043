"""Adding many candidates to a job at once, pasted as a list: one per line.

Recruiters bring candidates in from a sourcing sheet, a careers fair's list or an agency's
email; typed into the board's two boxes one by one, fifty of them took most of an hour. A line
is a name and an email in the forms people paste: "Ada Lovelace <ada@example.com>", "Ada
Lovelace, ada@example.com", spreadsheet columns (tabs between; a first and a last name column
are joined), the email first or last, quoted as CSV. A header row ("Name, Email") is passed over.

Each line is added on its own, through the board's own ``pipeline.add_application``: a line it
refuses (no name, not an address, already in the job) is given back with why, for the recruiter
to mend and add again, and the others are added. Nothing typed is lost.
"""

from __future__ import annotations

import csv
import dataclasses
import re

from sqlmodel import Session

from dashboard.services import pipeline
from dashboard.services.actors import Actor
from dashboard.services.errors import UserError
from dashboard.services.people import tidy_name
from dashboard.services.wording import counted
from models import Candidate

# More at once is an export of a whole database, not a list a recruiter has read: each line is a
# person who will be sent tests. It also bounds how long the page waits (one commit a line).
MAX_LINES = 500

_ANGLED = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>$")  # Ada Lovelace <ada@example.com>
# One of several people on a line copied from an email's To field: "Ada <ada@x>; "King, B" <b@y>,"
_ADDRESSEE = re.compile(r'\s*(?:"[^"]*"|[^<>";,]*?)\s*<[^<>]*>\s*[;,]?')
_HEADER_WORDS = {"email", "e-mail", "email address", "mail"}


@dataclasses.dataclass(frozen=True)
class PastedLine:
    """One non-blank line of the list, numbered as the recruiter sees it (blank lines count)."""

    number: int
    text: str


@dataclasses.dataclass
class PastedOutcome:
    """What adding a pasted list did."""

    added: list[str] = dataclasses.field(default_factory=list)  # the candidates' names, in order
    # Each line not added: "Line 3 (bob@): 'bob@' is not an email address (name@example.com)."
    refused: list[str] = dataclasses.field(default_factory=list)
    refused_lines: list[str] = dataclasses.field(default_factory=list)  # as pasted, to mend
    # An email known under another name, whose card keeps that name (as the board's form says).
    renamed: list[str] = dataclasses.field(default_factory=list)

    @property
    def message(self) -> str:
        """The toast's words: how many were added, and how many lines wait to be mended."""
        added = f"{counted(len(self.added), 'candidate')} added"
        if not self.refused:
            return f"{added}."
        return f"{added}; {counted(len(self.refused), 'line')} not added: mend them below and add again."


def _addressees(line: PastedLine) -> list[PastedLine]:
    """A line of several people copied from an email's To field, one entry each (same number).

    Read as one candidate, "Ada <ada@x>; Alan <alan@y>" was named "Ada <ada@x>; Alan" and sent
    Alan's tests."""
    found, at = [], 0
    for match in _ADDRESSEE.finditer(line.text):
        if match.start() != at:
            return [line]
        found.append(match.group(0).strip().rstrip(";,").strip())
        at = match.end()
    if at != len(line.text) or len(found) < 2:
        return [line]
    return [PastedLine(line.number, one) for one in found]


def lines_of(text: str) -> list[PastedLine]:
    """The pasted list's candidates, a line each (several for a line of addressees), numbered
    as the recruiter sees them, from one (blank lines count).

    Raises:
        UserError: Nothing pasted, or more than ``MAX_LINES`` candidates.
    """
    lines = [
        one
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip()
        for one in _addressees(PastedLine(n, line.strip()))
    ]
    if not lines:
        raise UserError("Paste the candidates, one per line: a name and an email.")
    if len(lines) > MAX_LINES:
        raise UserError(f"Paste at most {MAX_LINES} candidates at a time; this list has {len(lines)} lines.")
    return lines


def name_and_email(text: str) -> tuple[str, str]:
    """The name and the email a line gives ("" for one it lacks).

    Raises:
        UserError: Two or more email addresses on the line (which one is the candidate's?).
    """
    angled = _ANGLED.match(text)
    if angled:
        return angled["name"].strip().strip("\"'").strip(), angled["email"].strip()
    delimiter = "\t" if "\t" in text else ";" if ";" in text and "," not in text else ","
    fields = [f.strip() for f in next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))]
    emails = [f for f in fields if "@" in f]
    if len(emails) > 1:
        raise UserError(f"{len(emails)} email addresses on one line; give one candidate per line.")
    name = " ".join(f for f in fields if f and "@" not in f)
    return name, emails[0] if emails else ""


def _is_header(line: PastedLine) -> bool:
    """A spreadsheet's header row, copied with its columns: "Name, Email"."""
    fields = re.split(r"[\t,;]", line.text.casefold())
    return "@" not in line.text and any(f.strip() in _HEADER_WORDS for f in fields)


def add_pasted(*, session: Session, job_id: int, text: str, actor: Actor) -> PastedOutcome:
    """Add each pasted line's candidate to the job's first stage; the lines refused, with why.

    Raises:
        UserError: Nothing pasted, or too long a list (nothing is added).
    """
    lines = lines_of(text)
    if _is_header(lines[0]):
        lines = lines[1:]
    outcome = PastedOutcome()
    for line in lines:
        try:
            name, email = name_and_email(line.text)
            application = pipeline.add_application(
                session=session, job_id=job_id, name=name, email=email, actor=actor
            )
        except UserError as err:
            session.rollback()
            outcome.refused.append(f"Line {line.number} ({line.text[:80]}): {err}")
            outcome.refused_lines.append(line.text)
            continue
        kept = session.get(Candidate, application.candidate_id).name
        outcome.added.append(kept)
        if kept.casefold() != tidy_name(name).casefold():
            said = pipeline.added_message(session, application, typed_name=name)
            outcome.renamed.append(f"Line {line.number}: {said}")
    return outcome
