"""Normalisation: full-width → half-width (NFKC), lower case, collapsed whitespace."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """``text`` in NFKC form, lower-cased, with runs of whitespace collapsed to one space."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()
