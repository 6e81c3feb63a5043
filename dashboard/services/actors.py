"""Who or what is acting, recorded on every change."""

from __future__ import annotations

import dataclasses

from models import ActorKind


@dataclasses.dataclass(frozen=True)
class Actor:
    """A user, a webhook, a scheduled poll or the system itself."""

    kind: ActorKind
    label: str
    user_id: int | None = None


WEBHOOK = Actor(ActorKind.WEBHOOK, "vendor webhook")
POLL = Actor(ActorKind.POLL, "scheduled sync")
SYSTEM = Actor(ActorKind.SYSTEM, "Assay")


def user(user_id: int, name: str) -> Actor:
    """A person acting through the dashboard."""
    return Actor(ActorKind.USER, name, user_id)
