"""``python ui/serve.py run ui/streamlit_app.py [streamlit options]``: Streamlit's own command
line, with the matching engine loading in the background from the start (``engine.warm``)
rather than at the first page view. ``matcher serve`` starts the UI this way."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `engine` as the pages import it

import engine
import navigation
from streamlit.web import cli

from matcher.config import get_settings


def warm() -> None:
    """The engine, then every page's module (imported once per process)."""
    engine.warm(get_settings())
    lists = (navigation.ENTERPRISE_PAGES, navigation.SOCIETY_PAGES, navigation.STAFF_PAGES)
    pages = {m for pages in (*lists, navigation.ADMIN_PAGES) for _, m in pages}
    for module in sorted(pages):
        try:
            navigation.load(module)
        except Exception:  # the page shows its own error when opened
            engine.log.exception("pre-loading page %s failed", module)


def main() -> None:
    threading.Thread(target=warm, name="warm-engine", daemon=True).start()
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
