"""An index build killed with SIGKILL — its embedded model written but not yet renamed, or its
index file written but not yet renamed — leaves the store and the saved index and model as
they were; the next ``matcher index`` removes the temp files and succeeds, and never trusts a
half-saved model or index.

The killed runs are subprocesses (one that fits the embedded model pays for importing torch,
~10 s); the next run is the same command in-process (``CliRunner``).
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from matcher import cli_support
from matcher.cli import app
from matcher.embeddings.encoders import current_embedded_path
from matcher.models import Expert
from tests.faults.crash import files_fingerprint, killed, run_cli, store_fingerprint, temp_files
from tests.matching.factories import seed

pytestmark = pytest.mark.slow


def _index(settings) -> str:
    """The next run: ``matcher index`` succeeds and leaves no temp file."""
    cli_support.close_cli_stores()  # as in a new process: opening the store cleans up
    r = CliRunner().invoke(app, ["index"])
    assert r.exit_code == 0, r.output
    assert not temp_files(settings.data_dir), "the next run left temp files behind"
    return r.output


def _kill(fault: str) -> None:
    proc = run_cli("index", fault=fault)
    assert killed(proc), (fault, proc.returncode, proc.stderr[-2000:])


def _seeded(store):
    with store.transaction() as session:
        seed(session)
    return store_fingerprint(store)


def test_first_index_build_killed_before_its_rename(store, settings):
    """No index saved yet (the embedded model is: fitted in-process, which spares the killed
    run a torch import): killed before its rename, nothing is saved; the next run builds."""
    before = _seeded(store)
    _index(settings)
    shutil.rmtree(settings.index_dir)
    _kill("index:before_rename")
    assert not files_fingerprint(settings.index_dir)  # no index saved
    assert temp_files(settings.index_dir)
    assert store_fingerprint(store) == before
    assert "index built" in _index(settings)
    assert store_fingerprint(store) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_model_and_refresh_killed_before_their_renames(store, settings):
    """A first build killed with its model saved but not renamed: the model is not trusted
    and the next run builds. Then profiles change and the refresh is killed before renaming
    its index file: index and model are byte for byte the old ones; the next run refreshes."""
    before = _seeded(store)
    _kill("index:model_saved")
    assert temp_files(settings.models_dir), "the model was not left in its temp directory"
    assert current_embedded_path(settings.models_dir) is None
    assert not files_fingerprint(settings.index_dir)  # no index saved
    assert store_fingerprint(store) == before
    assert "index built" in _index(settings)

    with store.transaction() as session:
        session.execute(
            update(Expert)
            .where(Expert.external_id == "S-MECH-E0")
            .values(profile="研究数控机床主轴热变形、误差建模与在线补偿")
        )
    before = store_fingerprint(store)
    saved = files_fingerprint(settings.index_dir, settings.models_dir)
    _kill("index:before_rename")
    assert files_fingerprint(settings.index_dir, settings.models_dir) == saved
    assert temp_files(settings.index_dir)
    assert store_fingerprint(store) == before
    assert "index refreshed" in _index(settings)
    assert files_fingerprint(settings.index_dir, settings.models_dir) != saved
