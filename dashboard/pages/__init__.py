"""Pages: layout only; they read states and call their events.

Each page module marks its page with ``page(...)``, and ``dashboard.dashboard`` adds them
to the app once. Not ``@rx.page``: Reflex 0.10 adds decorated pages again on each
compile in a process and warns "Page … is being redefined" for every one, at every start.
"""

from collections.abc import Callable
from typing import Any

import reflex as rx

PAGES: list[tuple[Callable[[], rx.Component], dict[str, Any]]] = []


def page(**options: Any) -> Callable:
    """Mark a page to be added with ``rx.App.add_page(render, **options)``."""

    def mark(render: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        PAGES.append((render, options))
        return render

    return mark
