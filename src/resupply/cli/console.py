"""Consoles that print untrusted strings as plain text.

Names in a ledger or an import (donors, items, sources) come from files resupply did not
write. Printed through Rich as they are, ``[/]`` raises a MarkupError, ``:100:`` becomes an
emoji (and an error location loses its line number), and an escape sequence reaches the
terminal raw (it can recolour, retitle or clear it). `PlainConsole` renders every string it
is given, in a print or in a table cell, without markup or emoji codes and with control
characters shown escaped (``\\x1b``), so what is printed is exactly what the data says.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from resupply.untrusted import escape_controls


class PlainConsole(Console):
    """A Rich console with markup and emoji codes off and control characters escaped in
    every string it renders (prints, table cells, titles)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Every string becomes plain `Text`: no markup, no emoji, controls escaped."""
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(escape_controls(text), **kwargs)
