"""A small demo store served by ``matcher serve`` on free ports, and headless chromium
(Debian's package, driven by playwright's Python client: playwright's own browser download
is never used). Without chromium or playwright the browser test is skipped, saying why."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from matcher.launch.health import wait_until_answering
from tests.support.processes import free_ports

CHROMIUM = os.environ.get("MATCHER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCALE = "0.05"  # 6 societies, 180 experts, 60 enterprises, 120 needs: a quick store
MATCHER = Path(sys.executable).parent / "matcher"


@dataclass(frozen=True)
class Served:
    ui: str
    api: str
    log: Path


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"chromium not found ({CHROMIUM}): apt-get install chromium "
            "(.ci/run installs it) to run the browser test"
        )
    pytest.importorskip("playwright", reason="playwright not installed: pip install -e '.[dev]'")
    return CHROMIUM


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Served]:
    """``matcher demo --scale 0.05`` into a fresh SQLite store, then ``matcher serve``."""
    root = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    env["MATCHER_DATA_DIR"] = str(root / "data")
    log = root / "serve.log"
    with log.open("w") as out:
        subprocess.run(
            [str(MATCHER), "demo", "--scale", SCALE], env=env, stdout=out, stderr=out, check=True
        )
    api, ui = free_ports(2)
    command = [str(MATCHER), "serve", "--api-port", str(api), "--ui-port", str(ui)]
    with log.open("a") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
    served = Served(f"http://127.0.0.1:{ui}", f"http://127.0.0.1:{api}", log)
    try:
        urls = [f"{served.api}/api/v1/health", f"{served.ui}/_stcore/health"]
        assert wait_until_answering(urls, [proc], timeout=300), log.read_text()[-3000:]
        yield served
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A folder removed afterwards, unless MATCHER_KEEP_SCREENSHOTS names one to keep (then
    each test's screenshots go to its own sub-folder there, replacing its previous ones)."""
    keep = os.environ.get("MATCHER_KEEP_SCREENSHOTS")
    if keep:
        folder = Path(keep) / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="matcher-screens-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
