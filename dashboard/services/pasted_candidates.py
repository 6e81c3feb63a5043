"""Adding many candidates to a job at once, pasted as a list: one per line.

Recruiters bring candidates in from a sourcing sheet, a careers fair's list or an agency's
email; typed into the board's two boxes one by one, fifty of them took most of an hour. A line
is a name and an email in the forms people paste: "Ada Lovelace <ada@example.com>", "Ada
Lovelace, ada@example.com", spreadsheet columns (tabs between; a first and a last name column
are joined), the email first or last, quoted as CSV, or an email's To line of several people. A
header row ("Name, Email, Phone") says which columns make the name; without one, a line of more
than a name and an email is refused rather than a phone number or a company kept as the name (two
one-word columns side by side, before or after the address, are a first and a last name).

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
# A longer line is not one person (a blob pasted without its line breaks): refused, not read.
MAX_LINE = 500

_ANGLED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>$")  # Ada Lovelace <ada@example.com>
# Between two people on a line copied from an email's To field: "...<ada@x>; Turing, Alan <...".
_BETWEEN_ADDRESSEES = re.compile(r"(?<=>)\s*[;,]\s*")
_EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}
_NAME_HEADERS = {"name", "full name", "candidate", "candidate name"}
_NAME_PART_HEADERS = {"first name", "given name", "first", "last name", "surname", "family name", "last"}


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
    # Tests a first stage sends on entry that the vendor failed or refused (the attempts wait under Failed).
    not_sent: int = 0

    @property
    def message(self) -> str:
        """The toast's words: how many were added, how many lines wait to be mended, and how many
        of the tests a first stage sends on entry did not go."""
        added = f"{counted(len(self.added), 'candidate')} added"
        said = (
            f"{added}."
            if not self.refused
            else (f"{added}; {counted(len(self.refused), 'line')} not added: mend them below and add again.")
        )
        if self.not_sent:
            waits = "it waits" if self.not_sent == 1 else "they wait"
            said += f" {counted(self.not_sent, 'test')} not sent: {waits} under Failed in the queue."
        return said


def _addressees(line: PastedLine) -> list[PastedLine]:
    """A line of several people copied from an email's To field, one entry each (same number).

    Read as one candidate, "Ada <ada@x>; Alan <alan@y>" was named "Ada <ada@x>; Alan" and sent
    Alan's tests; Outlook writes the names unquoted, "Lovelace, Ada <ada@x>; Turing, Alan <...>"."""
    if line.text.count("<") < 2 or len(line.text) > MAX_LINES * MAX_LINE:
        return [line]
    parts = [p.strip() for p in _BETWEEN_ADDRESSEES.split(line.text) if p.strip()]
    if not all(p.endswith(">") for p in parts):
        return [line]
    return [PastedLine(line.number, p) for p in parts]


def lines_of(text: str) -> list[PastedLine]:
    """The pasted list's candidates, a line each (several for a line of addressees), numbered
    as the recruiter sees them, from one (blank lines count).

    Raises:
        UserError: Nothing pasted.
    """
    lines = [
        one
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip()
        for one in _addressees(PastedLine(n, line.strip()))
    ]
    if not lines:
        raise UserError("Paste the candidates, one per line: a name and an email.")
    return lines


def _delimiter(text: str) -> str:
    return "\t" if "\t" in text else ";" if ";" in text and "," not in text else ","


def _fields(text: str) -> list[str]:
    return [f.strip() for f in next(csv.reader([text], delimiter=_delimiter(text), skipinitialspace=True))]


def name_columns(header: PastedLine) -> tuple[int, ...] | None:
    """A spreadsheet's header row ("Name, Email", "First name, Last name, Email, Phone"): the
    columns whose words make the name; None if the line is not a header row.

    With the header, a sheet's other columns (a phone, a company) stay out of the name."""
    if "@" in header.text or len(header.text) > MAX_LINE:
        return None
    headings = [f.casefold() for f in _fields(header.text)]
    if not _EMAIL_HEADERS & set(headings):
        return None
    whole = [i for i, h in enumerate(headings) if h in _NAME_HEADERS]
    return tuple(whole or [i for i, h in enumerate(headings) if h in _NAME_PART_HEADERS])


def name_and_email(text: str, columns: tuple[int, ...] | None = None) -> tuple[str, str]:
    """The name and the email a line gives ("" for one it lacks); ``columns``: those of the name,
    as the sheet's header row says (``name_columns``).

    Raises:
        UserError: Too long a line, two email addresses on it, more columns than a name and an
            email with no header row to tell them apart, or a name holding an address.
    """
    if len(text) > MAX_LINE:
        raise UserError(f"A line of more than {MAX_LINE} characters is not one candidate.")
    angled = _ANGLED.match(text)
    if angled:
        name, email = angled["name"].strip().strip("\"'").strip(), angled["email"].strip()
    else:
        fields = _fields(text)
        emails = [f for f in fields if "@" in f]
        if len(emails) > 1:
            raise UserError(f"{len(emails)} email addresses on one line; give one candidate per line.")
        chosen = fields if columns is None else [fields[i] for i in columns if i < len(fields)]
        words = [f for f in chosen if f and "@" not in f]
        if columns is None and (len(words) > 2 or (len(words) == 2 and not _first_and_last(fields))):
            raise UserError(
                f"More columns than a name and an email ({len(words)} besides the address): paste "
                "the sheet's header row (Name, Email) with them, or only those columns."
            )
        name, email = " ".join(words), _bare(emails[0]) if emails else ""
    if any(c in name for c in "<>@"):
        raise UserError("A name cannot hold “<”, “>” or “@”: is an address pasted into it?")
    return name, email


def _bare(address: str) -> str:
    """An address as a mail program copies it ("<ada@example.com>", "mailto:ada@example.com",
    a list's "ada@example.com;"), without what is around it (helper-143)."""
    address = address.strip().rstrip(";,").strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    return address.removeprefix("mailto:")


def _first_and_last(fields: list[str]) -> bool:
    """Whether a line's two columns besides the address are a first and a last name: one word each,
    side by side, both before or both after it. "Bob Smith, bob@x, Initech" is a name and a company
    (helper-130: it was added as "Bob Smith Initech", and its tests sent under that name)."""
    at = [i for i, f in enumerate(fields) if "@" in f]
    named = [i for i, f in enumerate(fields) if f and "@" not in f]
    return (
        named[1] == named[0] + 1
        and all(len(fields[i].split()) == 1 for i in named)
        and (not at or at[0] < named[0] or at[0] > named[1])
    )


def add_pasted(*, session: Session, job_id: int, text: str, actor: Actor) -> PastedOutcome:
    """Add each pasted line's candidate to the job's first stage; the lines refused, with why.

    Raises:
        UserError: Nothing pasted (or a header row alone), or more than ``MAX_LINES`` candidates
            (nothing is added).
    """
    lines = lines_of(text)
    header = lines[0]
    columns = name_columns(header)
    if columns is not None:
        lines = lines[1:]
        if not lines:  # "0 candidates added.", in green, said nothing was wrong
            raise UserError("Only the header row was pasted: paste the candidates under it, one per line.")
    if len(lines) > MAX_LINES:
        raise UserError(f"Paste at most {MAX_LINES} candidates at a time; this list has {len(lines)}.")
    outcome = PastedOutcome()
    for line in lines:
        try:
            name, email = name_and_email(line.text, columns)
            application = pipeline.add_application(
                session=session, job_id=job_id, name=name, email=email, actor=actor
            )
        except UserError as err:
            session.rollback()
            outcome.refused.append(f"Line {line.number} ({line.text[:80]}): {err}")
            if columns is not None and not outcome.refused_lines:
                # Mended and added again, the lines need their header: without it a company
                # column was read into the name (helper-130).
                outcome.refused_lines.append(header.text)
            outcome.refused_lines.append(line.text)
            continue
        kept = session.get(Candidate, application.candidate_id).name
        outcome.added.append(kept)
        outcome.not_sent += pipeline.tests_not_sent(session, application)
        if kept.casefold() != tidy_name(name).casefold():
            said = pipeline.added_message(session, application, typed_name=name)
            outcome.renamed.append(f"Line {line.number}: {said}")
    return outcome
