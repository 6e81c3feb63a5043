"""Single-key shortcuts (j/k/a/r/o/n/?, Escape) as a small local React component.

Keys typed into a field are left alone, so a note can contain the letter "a"; so are keys
pressed while a dialog or a menu is open, since the page's keys act on what is behind it.
"""

from __future__ import annotations

import reflex as rx


class KeyboardShortcuts(rx.Component):
    """Calls ``on_key(key)`` when one of ``keys`` (a string of characters, or a list of key
    names such as ``["Escape"]``) is pressed outside a text field, with no dialog open."""

    library = "$/public/" + rx.asset("keys.jsx", shared=True)
    tag = "KeyboardShortcuts"

    keys: rx.Var[str | list[str]]
    on_key: rx.EventHandler[lambda key: [key]]


keyboard_shortcuts = KeyboardShortcuts.create
