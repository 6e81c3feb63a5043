"""Pages: layout only; they read states and call their events.

Each page module marks its page with ``page(...)``, and ``dashboard.dashboard`` adds them
to the app once. Not ``@rx.page``: Reflex 0.10 adds decorated pages again on each
compile in a process and warns "Page … is being redefined" for every one, at every start.
"""

import functools
from collections.abc import Callable
from typing import Any

import reflex as rx

from dashboard import routes

PAGES: list[tuple[Callable[[], rx.Component], dict[str, Any]]] = []


def page(**options: Any) -> Callable:
    """Mark a page to be added with ``rx.App.add_page(render, **options)``; while it is drawn,
    ``routes.DRAWING`` holds its route (the navigation marks the section it is in)."""

    def mark(render: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        @functools.wraps(render)
        def drawn() -> rx.Component:
            token = routes.DRAWING.set(options["route"])
            try:
                return render()
            finally:
                routes.DRAWING.reset(token)

        PAGES.append((drawn, options))
        return render

    return mark
