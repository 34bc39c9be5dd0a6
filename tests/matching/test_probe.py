"""A serving runtime (API and UI) ranks a made-up need against each new version before it
makes it current, so the first request after a load or a refresh finds what a ranking sets
up once per version ready; a command-line runtime reads only what it uses."""

from __future__ import annotations

from sqlalchemy import func, select

from matcher.matching.results import _queries, rank_queries
from matcher.matching.service import MatchingRuntime, ensure_indexes
from matcher.models import TargetKind, TechNeed

from .factories import edit_profile, seed


def _set_up(state) -> bool:
    """Whether the once-per-version set-up of a ranking is done (the member layouts and the
    column matrices the society channels read, the names every answer shows)."""
    evidence = state.evidence
    return (
        "char_members" in evidence._by_column
        and evidence._member_vectors is not None
        and evidence._member_vectors[0] is state.experts.vectors  # still the array it serves
        and "external_ids" in state.__dict__
    )


def _ranked(runtime: MatchingRuntime, need: TechNeed) -> dict:
    queries = _queries(runtime, [need])
    return {t: rank_queries(runtime, queries, t, 5)[0] for t in TargetKind}


def test_a_serving_runtime_sets_each_version_up_before_serving_it(settings, store):
    with store.transaction() as s:
        seed(s)
        needs = s.scalar(select(func.count()).select_from(TechNeed))
    builder = MatchingRuntime.load(settings)
    builder.serving = True
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=builder)
    assert _set_up(builder.state)  # built here, set up before it became current

    lazy = MatchingRuntime.load(settings, eager=False)  # as `matcher match` loads
    lazy.follow(force=True)
    assert lazy.state.name == builder.state.name and not _set_up(lazy.state)
    follower = MatchingRuntime.load(settings)
    follower.serving = True
    follower.follow(force=True)  # loaded from disk: set up too
    assert _set_up(follower.state)

    edit_profile(store, "加氢催化剂失活机理 固定床加氢反应器 催化剂寿命")  # the next version too
    with store.transaction() as s:
        status = ensure_indexes(session=s, runtime=builder)
        assert status.action == "refreshed" and _set_up(builder.state)
        assert s.scalar(select(func.count()).select_from(TechNeed)) == needs  # never stored
        need = s.scalar(select(TechNeed).where(TechNeed.external_id == "N-2"))
        plain = MatchingRuntime.load(settings)  # the same version, never probed
        plain.follow(force=True)
        assert plain.state.name == builder.state.name and not _set_up(plain.state)
        probed = _ranked(builder, need)
        assert all(probed.values()) and probed == _ranked(plain, need)  # the same answers


def test_a_failed_probe_never_keeps_a_version_from_serving(settings, store, monkeypatch, caplog):
    import matcher.matching.results as results

    with store.transaction() as s:
        seed(s)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=MatchingRuntime.load(settings))

    def broken(*args, **kwargs):
        raise RuntimeError("probe broke")

    monkeypatch.setattr(results, "rank_queries", broken)
    runtime = MatchingRuntime.load(settings)
    runtime.serving = True
    assert runtime.follow(force=True) and runtime.state is not None
    assert "probing index version" in caplog.text and "probe broke" in caplog.text


def test_a_reader_never_waits_for_a_version_being_prepared(settings, store, monkeypatch):
    """While a builder holds the runtime (probing the version it just saved), a request's
    look at the saved pointer returns at once with the current version; a forced look (the
    refresher's) loads it once the builder is done."""
    import threading

    import matcher.matching.runtime as runtime_module

    monkeypatch.setattr(runtime_module, "FOLLOW_EVERY", 0.0)  # every look looks
    with store.transaction() as s:
        seed(s)
    builder = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=builder)
    reader = MatchingRuntime.load(settings)
    reader.follow(force=True)
    current = reader.state
    edit_profile(store, "加氢催化剂失活机理 固定床加氢反应器")  # another process saves the next
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=builder)
    held, release = threading.Event(), threading.Event()

    def build_in_progress() -> None:
        with reader.lock:
            held.set()
            release.wait(10)

    worker = threading.Thread(target=build_in_progress)
    worker.start()
    held.wait(10)
    try:
        assert reader.follow() is False and reader.state is current
    finally:
        release.set()
        worker.join()
    assert reader.follow(force=True) and reader.state.name == builder.state.name
