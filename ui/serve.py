"""``python ui/serve.py run ui/streamlit_app.py [streamlit options]``: Streamlit's own command
line, with the matching engine loading in the background from the start (``engine.warm``)
rather than at the first page view. ``matcher serve`` starts the UI this way."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `engine` as the pages import it

import engine
from streamlit.web import cli

from matcher.config import get_settings


def main() -> None:
    threading.Thread(
        target=engine.warm, args=(get_settings(),), name="warm-engine", daemon=True
    ).start()
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
