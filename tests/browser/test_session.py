"""In headless chromium: the log-in survives a refresh (a SameSite=Strict cookie holding the
signed token, for the token's lifetime), log-out ends it, a forged cookie logs no one in and
is deleted; the sidebar names the organisation; Streamlit's "Deploy" button is not shown."""

from __future__ import annotations

import re
import time

import pytest

from matcher.config import Settings

from .driver import Visit

pytestmark = pytest.mark.browser
COOKIE = "matcher_session"
LOG_OUT = re.compile("Log out")
DEFAULTS = Settings.model_fields  # the server runs without MATCHER_* variables
TTL = DEFAULTS["token_ttl_minutes"].default * 60
ORG = DEFAULTS["org_name"].default


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def _shows_log_in_form(visit: Visit) -> None:
    visit.page.get_by_role("textbox", name=re.compile("Username")).wait_for()
    visit.settle()
    assert visit.page.get_by_role("button", name=LOG_OUT).count() == 0


def test_session_survives_a_refresh_until_log_out(served, browser, screenshots) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    visit = Visit(context.new_page(), "enterprise", screenshots)
    visit.log_in(served.ui, "enterprise_demo")
    cookie = _session_cookie(context)
    assert cookie is not None and cookie["sameSite"] == "Strict"
    assert TTL - 600 < cookie["expires"] - time.time() <= TTL  # the token's lifetime
    assert visit.page.get_by_text(ORG).count() == 1
    assert visit.page.get_by_text("Deploy", exact=True).count() == 0

    visit.page.reload()  # a new Streamlit session: logged in again from the cookie
    visit.page.get_by_role("button", name=LOG_OUT).wait_for()
    visit.check("after refresh")

    visit.click(LOG_OUT)
    _shows_log_in_form(visit)
    visit.page.reload()
    _shows_log_in_form(visit)
    assert _session_cookie(context) is None

    forged = "eyJhbGciOiJIUzI1NiJ9.e30.forged"
    context.add_cookies([{"name": COOKIE, "value": forged, "url": served.ui}])
    visit.page.reload()
    _shows_log_in_form(visit)
    visit.page.wait_for_function(f"() => !document.cookie.includes('{COOKIE}=')")
    assert not visit.errors, visit.errors
    context.close()
