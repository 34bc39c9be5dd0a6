"""Spreadsheet formula injection: exported text that a spreadsheet would run as a formula
is prefixed with a single quote, and imports take that quote off again.

A cell is neutralised when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (what Excel, LibreOffice and Google Sheets treat as the start of a formula), or when
it already starts with quotes followed by one of those (so that a value that really begins
with ``'=`` survives the round trip: it is exported as ``''=`` and imported as ``'=``).

Only text is neutralised: numbers (scores, ranks, capacities, ratings — including negative
ones) are written as numbers, which no spreadsheet runs. Our phone numbers never start with
``+`` or ``-`` (they are stored normalised: 13800000000, 0371-12345678), so they are
exported unchanged; a free-text cell that is just ``-`` is exported as ``'-`` and imported
back as ``-``.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """``text`` safe to put in a spreadsheet cell."""
    if text.startswith(TRIGGERS) or _QUOTED.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of ``neutralise`` for an imported cell."""
    return text[1:] if _QUOTED.match(text) else text
