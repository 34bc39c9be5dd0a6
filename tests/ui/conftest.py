"""The UI's modules import each other by name (``streamlit run`` puts ``ui/`` on the path):
the tests of this folder import them the same way."""

from __future__ import annotations

import sys
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
if str(UI) not in sys.path:
    sys.path.insert(0, str(UI))
