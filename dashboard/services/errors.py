"""Errors a user can act on; their text is shown as it is."""


class UserError(Exception):
    """Bad input or a refused action; ``str(err)`` says what to do about it."""


class NotFound(UserError):
    """The thing asked for does not exist (any more)."""
