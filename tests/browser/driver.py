"""A small driver for the Streamlit UI in headless chromium: log in, open a sidebar page,
wait for the script run to end, check the page, save a screenshot.

Elements are found by their labels and texts, as a user finds them; the only attributes
read are Streamlit's run state (``data-test-script-state``) and the sidebar's test id.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

TIMEOUT_MS = 120_000  # a first ranking on a loaded 2-core machine
PASSWORD = "demo-2026-henan"
MAIN_HEIGHT = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return null;
  main.scrollTo(0, 0);
  return main.scrollHeight;
}"""
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'


@dataclass
class Visit:
    """One user's browser tab, with everything that went wrong in it."""

    page: Page
    role: str
    shots: Path
    errors: list[str] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} at {message.location}")

    def settle(self) -> None:
        """Wait until the script run an action started has ended."""
        with contextlib.suppress(PlaywrightTimeout):  # it may have ended before we looked
            self.page.wait_for_selector(RUNNING, timeout=1_500)
        self.page.wait_for_selector(IDLE)

    def log_in(self, url: str, username: str) -> None:
        self.page.goto(url)
        self.page.get_by_role("textbox", name=re.compile("Username")).fill(username)
        self.page.get_by_role("textbox", name=re.compile("Password")).fill(PASSWORD)
        self.page.get_by_role("button", name=re.compile("Log in")).click()
        self.page.get_by_role("button", name=re.compile("Log out")).wait_for()
        self.settle()

    def field(self, label: str):
        """The text field whose label contains ``label``."""
        return self.page.get_by_role("textbox", name=re.compile(label)).first

    def sidebar(self):
        return self.page.get_by_test_id("stSidebar")

    def page_labels(self) -> list[str]:
        """The pages this user's sidebar offers."""
        return (
            self.sidebar()
            .get_by_role("radio")
            .evaluate_all("els => els.map(e => e.closest('label').innerText.trim())")
        )

    def open(self, label: str) -> None:
        self.sidebar().get_by_text(label, exact=True).click()
        self.settle()

    def click(self, name: str | re.Pattern[str]) -> None:
        self.page.get_by_role("button", name=name).first.click()
        self.settle()

    def expect_text(self, text: str | re.Pattern[str], *, in_table: bool = False) -> None:
        """Wait for ``text``; a table's cells (a canvas grid) are present, not visible."""
        self.page.get_by_text(text).first.wait_for(state="attached" if in_table else "visible")

    def check(self, name: str) -> Path:
        """A traceback on the page is noted as an error; a full-page screenshot."""
        self.settle()
        body = self.page.inner_text("body")
        if "Traceback" in body:  # noted, so that one run lists every broken page
            self.errors.append(
                f"{name}: a traceback on the page\n{body[body.find('Traceback') - 300 :]}"
            )
        path = self.shots / f"{len(list(self.shots.iterdir())):02d}-{self.role}-{slug(name)}.png"
        # the main area scrolls inside the page: a viewport as tall as it shows all of it
        viewport = self.page.viewport_size
        tall = self.page.evaluate(MAIN_HEIGHT) or viewport["height"]
        self.page.set_viewport_size({"width": viewport["width"], "height": min(tall, 8000)})
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(viewport)
        self.taken.append(path)
        return path


def slug(label: str) -> str:
    """The ASCII words of a bilingual label: '数据看板 Dashboard' → 'dashboard'."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    return "-".join(words).lower() or "page"
