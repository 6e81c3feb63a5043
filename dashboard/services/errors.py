"""Errors a user can act on; their text is shown as it is."""


class UserError(Exception):
    """Bad input or a refused action; ``str(err)`` says what to do about it."""


class NotFound(UserError):
    """The thing asked for does not exist (any more)."""


class SameTitle(UserError):
    """A new job would have the title of a job the team already has (``job_id``, ``title``).

    Not a refusal: the page asks whether another job of that title is meant.
    """

    def __init__(self, job_id: int, title: str) -> None:
        super().__init__(f"There is already a job called {title}.")
        self.job_id, self.title = job_id, title


class BadValue(UserError):
    """What one box of a form holds is refused; ``box`` is the input's name, which the page marks
    (``aria-invalid``) and focuses, so a keyboard or screen reader user lands on what to fix."""

    def __init__(self, message: str, box: str) -> None:
        super().__init__(message)
        self.box = box
