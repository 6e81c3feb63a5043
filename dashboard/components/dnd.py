"""Drag and drop on the pipeline board: @dnd-kit/core wrapped as Reflex components.

The JSX beside this module (``dnd.jsx``) holds the three small React pieces;
dropping a card calls ``on_move(application_id, stage_id, from_stage_id)``, the same handler as
the keyboard-accessible "Move to" menu.
"""

from __future__ import annotations

import reflex as rx

_LIBRARY = "$/public/" + rx.asset("dnd.jsx", shared=True)
_DND_KIT = "@dnd-kit/core@6.3.1"


class DndBoard(rx.Component):
    """The drag context around the board's columns."""

    library = _LIBRARY
    tag = "DndBoard"
    lib_dependencies: list[str] = [_DND_KIT]

    # The stage the card was dragged from, too: a colleague's move since is not undone.
    on_move: rx.EventHandler[
        lambda application_id, stage_id, from_stage_id: [application_id, stage_id, from_stage_id]
    ]
    # A card's "Move to" menu was open as the card left its column (``seen_in``): it closed with it.
    on_menu_closed_with_card: rx.EventHandler[lambda application_id, seen_in: [application_id, seen_in]]


class DropColumn(rx.Component):
    """A stage's column, where cards can be dropped."""

    library = _LIBRARY
    tag = "DropColumn"
    lib_dependencies: list[str] = [_DND_KIT]

    stage_id: rx.Var[int]
    stage_name: rx.Var[str]


class DragCard(rx.Component):
    """An application's card, draggable by pointer or keyboard."""

    library = _LIBRARY
    tag = "DragCard"
    lib_dependencies: list[str] = [_DND_KIT]

    application_id: rx.Var[int]
    stage_id: rx.Var[int]
    label: rx.Var[str]
    disabled: rx.Var[bool]  # a role that cannot move candidates


dnd_board = DndBoard.create
drop_column = DropColumn.create
drag_card = DragCard.create
