"""``/docs`` (Swagger UI) and ``/redoc`` with their scripts and styles served by the API
itself (vendored by the ``fastapi-offline`` package), so they work on an offline intranet."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
SWAGGER_JS = f"{ASSETS_URL}/swagger-ui-bundle.js"
SWAGGER_CSS = f"{ASSETS_URL}/swagger-ui.css"
REDOC_JS = f"{ASSETS_URL}/redoc.standalone.js"
FAVICON = f"{ASSETS_URL}/favicon.png"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets (create the app with ``docs_url=None`` and
    ``redoc_url=None``). Swagger UI's online validator badge is turned off."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    title, openapi_url = app.title, app.openapi_url or "/openapi.json"

    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} – Swagger UI",
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url=FAVICON,
            oauth2_redirect_url=OAUTH2_REDIRECT,
            swagger_ui_parameters={**swagger_ui_default_parameters, "validatorUrl": None},
        )

    def redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} – ReDoc",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )

    for path, page in (("/docs", swagger), (OAUTH2_REDIRECT, redirect), ("/redoc", redoc)):
        app.add_api_route(path, page, include_in_schema=False, response_class=HTMLResponse)
