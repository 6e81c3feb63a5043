"""Who may do what. Checked on the server for every handler and route, never by hiding buttons."""

from __future__ import annotations

import dataclasses
import enum

from dashboard.services.errors import UserError
from models import Role


class Permission(enum.StrEnum):
    """A capability a role grants."""

    VIEW_PIPELINE = "view_pipeline"  # jobs, boards, applications, the queue
    MANAGE_PIPELINE = "manage_pipeline"  # plans, moving candidates, sending assessments
    REVIEW = "review"  # review results and decide (advance, reject, notes)
    MANAGE_RULES = "manage_rules"  # threshold rules, counting policy, candidate feedback
    MANAGE_INTEGRATIONS = "manage_integrations"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"  # workspace settings: the status chips' clocks
    OWN_ACCOUNT = "own_account"  # one's own password: every role


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.RECRUITER: frozenset(
        {Permission.VIEW_PIPELINE, Permission.MANAGE_PIPELINE, Permission.REVIEW, Permission.OWN_ACCOUNT}
    ),
    Role.HIRING_MANAGER: frozenset({Permission.VIEW_PIPELINE, Permission.REVIEW, Permission.OWN_ACCOUNT}),
}


class PermissionDenied(UserError):
    """The signed-in user's role does not allow this."""


@dataclasses.dataclass(frozen=True)
class SignedInUser:
    """The person behind a session. ``job_ids`` limits a hiring manager to their jobs."""

    id: int
    name: str
    email: str
    role: Role
    job_ids: frozenset[int] = frozenset()

    def may(self, permission: Permission) -> bool:
        """Whether the role grants ``permission`` at all."""
        return permission in GRANTS[self.role]

    @property
    def visible_job_ids(self) -> frozenset[int] | None:
        """The jobs this user may see; None means every job."""
        return self.job_ids if self.role == Role.HIRING_MANAGER else None


def require(user: SignedInUser | None, permission: Permission, *, job_id: int | None = None) -> SignedInUser:
    """The user, if they may do ``permission`` (on ``job_id`` when given).

    Raises:
        PermissionDenied: Signed out, a role without the permission, or a job not theirs.
    """
    if user is None:
        raise PermissionDenied("Sign in to continue.")
    if not user.may(permission):
        raise PermissionDenied(f"Your role ({user.role.value.replace('_', ' ')}) cannot do this.")
    visible = user.visible_job_ids
    if job_id is not None and visible is not None and job_id not in visible:
        raise PermissionDenied("You are not on the hiring team of this job.")
    return user
