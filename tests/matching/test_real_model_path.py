"""The production path with a real sentence-transformers model (the tiny one the tests build,
named like bge so its query prefix applies): import → index (fusion fitted with that encoder)
→ match → API read, on both databases."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from matcher.app import create_app
from matcher.auth.service import issue_token
from matcher.cli import app as cli
from matcher.config import get_settings
from matcher.db import open_store
from matcher.models import Enterprise, Expert, Role, Society, TechNeed, User
from tests.support.tiny_model import build_tiny_model

TOPICS = {
    "S-MECH": ("机械学会", "数控机床主轴精度齿轮轴承热变形"),
    "S-CHEM": ("化工学会", "催化剂加氢反应器分离寿命"),
    "S-WATER": ("水利学会", "水库大坝渗流灌溉节水监测"),
}


def _seed(session) -> int:
    rng = random.Random(0)
    for ext, (name, chars) in TOPICS.items():
        soc = Society(external_id=ext, name=name, disciplines=[name], description=chars)
        session.add(soc)
        for i in range(25):  # 75 labelled experts: enough to fit the fusion
            text = "".join(rng.choice(chars) for _ in range(24))
            expert = Expert(external_id=f"{ext}-{i}", name=f"{name}{i}", profile=text)
            expert.societies.append(soc)
            session.add(expert)
    ent = Enterprise(external_id="E1", name="郑州重工有限公司")
    need = TechNeed(external_id="N1", enterprise=ent, title="大坝渗流监测", description="水库")
    session.add_all([ent, need])
    session.flush()
    session.add(User(username="ent", password_hash="-", role=Role.ENTERPRISE, enterprise_id=ent.id))
    session.flush()
    return need.id


def test_index_match_and_read_with_a_sentence_transformers_model(
    database_url, tmp_path, monkeypatch
):
    model = build_tiny_model(tmp_path / "tiny-bge-small-zh")
    monkeypatch.setenv("MATCHER_DATABASE_URL", database_url)
    monkeypatch.setenv("MATCHER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MATCHER_EMBEDDING_MODEL", str(model))
    get_settings.cache_clear()
    settings = get_settings()
    store = open_store(settings.sqlalchemy_url)
    try:
        with store.transaction() as s:
            need_id = _seed(s)
            user = s.query(User).filter_by(username="ent").one()
            token = issue_token(settings=settings, user=user)[0]
        res = CliRunner().invoke(cli, ["index", "--explain-weights"])
        assert res.exit_code == 0, res.output
        assert f"st:{model}" in res.output and "fitted on" in res.output
        web = create_app(settings, store=store, load_runtime=False)
        with TestClient(web) as client:
            got = client.get(
                f"/api/v1/needs/{need_id}/matches",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert got.status_code == 200, got.text
        matches = got.json()
        assert [m["rank"] for m in matches] == [1, 2, 3]
        scores = [m["score"] for m in matches]
        assert all(0 <= x <= 100 for x in scores) and scores == sorted(scores, reverse=True)
        assert {"char12_doc", "dense_doc", "fused", "probability"} <= set(matches[0]["components"])
    finally:
        store.dispose()
        get_settings.cache_clear()
