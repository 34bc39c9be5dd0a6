"""``/docs`` and ``/redoc`` load nothing from another host (they work on an offline
intranet): their scripts, styles and icon are served by the API itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

SRC = re.compile(r"""(?:src|href)=["']([^"']+)["']|_url:\s*["']([^"']+)["']|url:\s*["']([^"']+)""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_uses_only_local_assets(api: TestClient, page: str) -> None:
    r = api.get(page)
    assert r.status_code == 200
    html = r.text
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html), html
    assets = {u for m in SRC.finditer(html) for u in m.groups() if u}
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        got = api.get(asset)
        assert got.status_code == 200, asset
        assert len(got.content) > 100, asset
    csp = r.headers["Content-Security-Policy"]
    assert "http" not in csp and "script-src 'self'" in csp


def test_swagger_oauth2_redirect_and_validator_off(api: TestClient) -> None:
    assert api.get("/docs/oauth2-redirect").status_code == 200
    assert '"validatorUrl": null' in api.get("/docs").text
