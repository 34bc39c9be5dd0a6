"""The demo generator: determinism, coverage, consistency and the importer's contract."""

from __future__ import annotations

import csv
import re
import runpy
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher.demo.generator import write_demo_files
from matcher.errors import InvalidInputError
from matcher.imports.service import import_file
from matcher.models import Enterprise, Expert, Society, TechNeed

SMALL = {"societies": 40, "experts": 300, "enterprises": 80, "needs": 160}
HENAN_CITIES = [
    "郑州市",
    "开封市",
    "洛阳市",
    "平顶山市",
    "安阳市",
    "鹤壁市",
    "新乡市",
    "焦作市",
    "濮阳市",
    "许昌市",
    "漯河市",
    "三门峡市",
    "南阳市",
    "商丘市",
    "信阳市",
    "周口市",
    "驻马店市",
    "济源示范区",
]
REQUIRED_INDUSTRIES = (
    "盾构装备制造", "轴承制造", "尼龙化工", "超硬材料及制品", "冷链物流", "新能源汽车及零部件",
    "智能传感器", "LED显示", "环保工程", "生物质能", "食品加工", "粮食种植", "发制品", "铝加工",
    "钨钼冶炼及深加工", "电力装备制造", "纺织服装", "中药材种植与加工", "煤化工", "种业",
    "矿山机械", "起重机械", "生物医药", "电池及电池材料", "耐火材料", "信息技术服务", "光电信息",
    "文化旅游",
)  # fmt: skip
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def run_script(argv: list[str]) -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "generate_demo_data.py"
    runpy.run_path(str(script))["main"](argv)


def split(value: str) -> list[str]:
    return [v for v in value.split("；") if v]


# Independent implementation of GB 32100-2015 / GB 11714-1997, written from the standards.
USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code_is_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC for c in code) or code[:2] != "91":
        return False
    weights = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, …
    total = sum(USCC.index(c) * w for c, w in zip(code[:17], weights, strict=True))
    if USCC[(31 - total % 31) % 31] != code[17]:
        return False
    org, check = code[8:16], code[16]
    org_total = sum(int(c, 36) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    expected = 11 - org_total % 11
    return check == {10: "X", 11: "0"}.get(expected, str(expected))


def test_credit_code_checker_accepts_the_standard_example_and_rejects_typos() -> None:
    example = "91350100M000100Y43"  # the worked example used with GB 32100-2015
    assert credit_code_is_valid(example)
    for i in range(18):
        typo = example[:i] + ("1" if example[i] != "1" else "2") + example[i + 1 :]
        assert not credit_code_is_valid(typo), typo


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[dict[str, Path], float]:
    started = time.perf_counter()
    paths = write_demo_files(tmp_path_factory.mktemp("demo"))
    return paths, time.perf_counter() - started


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path) -> None:
    a = write_demo_files(tmp_path / "a", seed=7, **SMALL)
    b = write_demo_files(tmp_path / "b", seed=7, **SMALL)
    c = write_demo_files(tmp_path / "c", seed=8, **SMALL)
    assert set(a) == {"societies", "experts", "enterprises", "needs", "needs_truth", "services"}
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name
        assert a[name].read_bytes() != c[name].read_bytes(), name


def test_default_sizes_are_fast_and_large_enough(full) -> None:
    paths, seconds = full
    assert seconds < 10
    counts = {name: len(read(path)) for name, path in paths.items()}
    assert counts == {
        "societies": 120, "experts": 3600, "enterprises": 1200, "needs": 2400, "needs_truth": 2400,
        "services": 106,
    }  # fmt: skip


def test_societies_look_real(full) -> None:
    societies = read(full[0]["societies"])
    names = [s["name"] for s in societies]
    assert len(set(names)) == len(names)
    for required in ("河南省机械工程学会", "河南省农学会", "河南省医学会", "河南省化工学会",
                     "河南省超硬材料学会"):  # fmt: skip
        assert required in names
    for s in societies:
        assert s["name"].endswith(("学会", "研究会"))
        assert 1 <= len(split(s["disciplines"])) <= 3
        assert 2 <= s["description"].count("。") <= 4
        assert 3 <= int(s["capacity"]) <= 30
        assert MOBILE.match(s["contact_phone"]) and "@" in s["email"]
    assert Counter(s["city"] for s in societies).most_common(1)[0][0] == "郑州市"


def test_experts_belong_to_existing_societies_and_every_society_has_members(full) -> None:
    society_ids = {s["external_id"] for s in read(full[0]["societies"])}
    experts = read(full[0]["experts"])
    memberships = [split(e["society_external_id"]) for e in experts]
    assert all(1 <= len(m) <= 2 and set(m) <= society_ids for m in memberships)
    assert {s for m in memberships for s in m} == society_ids
    assert 0.05 < sum(len(m) == 2 for m in memberships) / len(experts) < 0.25
    for e in experts:
        assert 2 <= len(split(e["research_areas"])) <= 4
        assert 2 <= e["profile"].count("。") <= 4 and e["name"] in e["profile"]
        assert e["title"] and e["affiliation"] and MOBILE.match(e["phone"])


def test_enterprises_cover_every_city_with_valid_unique_credit_codes(full) -> None:
    enterprises = read(full[0]["enterprises"])
    assert {e["city"] for e in enterprises} == set(HENAN_CITIES)
    codes = [e["credit_code"] for e in enterprises]
    assert len(set(codes)) == len(codes)
    assert all(credit_code_is_valid(code) for code in codes)
    assert len({e["name"] for e in enterprises}) == len(enterprises)
    leaders = sum(e["is_chain_leader"] == "是" for e in enterprises) / len(enterprises)
    assert 0.02 < leaders < 0.08
    assert {e["size"] for e in enterprises} == {"大型", "中型", "小型", "微型"}
    assert set(REQUIRED_INDUSTRIES) <= {e["industry"] for e in enterprises}


def test_needs_fit_their_enterprise_and_carry_some_noise(full) -> None:
    enterprises = {e["external_id"]: e for e in read(full[0]["enterprises"])}
    needs = read(full[0]["needs"])
    for n in needs:
        ent = enterprises[n["enterprise_external_id"]]
        assert n["industry"] == ent["industry"]
        assert n["city"] in ("", ent["city"])
        assert n["title"].strip() and re.fullmatch(r"20\d\d-\d\d-\d\d", n["deadline"])
        keywords = split(n["keywords"])
        assert not keywords or 2 <= len(keywords) <= 5
    no_city = sum(not n["city"] for n in needs) / len(needs)
    assert 0.02 < no_city < 0.08
    assert any(not n["keywords"] for n in needs)
    assert any(n["description"].startswith(" ") for n in needs)
    descriptions = [n["description"] for n in needs]
    assert len(set(descriptions)) > 0.7 * len(descriptions)


def test_truth_points_to_societies_whose_experts_know_the_topic(full) -> None:
    paths = full[0]
    needs = {n["external_id"]: n for n in read(paths["needs"])}
    society_ids = {s["external_id"] for s in read(paths["societies"])}
    areas_by_society: dict[str, str] = {}
    for e in read(paths["experts"]):
        for sid in split(e["society_external_id"]):
            areas_by_society[sid] = areas_by_society.get(sid, "") + e["research_areas"]
    truth = read(paths["needs_truth"])
    assert [t["need_external_id"] for t in truth] == list(needs)
    for t in truth:
        relevant = split(t["relevant_society_external_ids"])
        assert relevant and set(relevant) <= society_ids
    shield = [t for t in truth if t["topic"] == "shield"]
    assert shield
    for t in shield:
        assert any("盾构" in areas_by_society[s] for s in split(t["relevant_society_external_ids"]))


def test_services_are_completed_rated_and_some_pairs_qualify(full) -> None:
    paths = full[0]
    needs = {n["external_id"]: n for n in read(paths["needs"])}
    truth = {
        t["need_external_id"]: split(t["relevant_society_external_ids"])
        for t in read(paths["needs_truth"])
    }
    leaders = {e["external_id"] for e in read(paths["enterprises"]) if e["is_chain_leader"] == "是"}
    members = {e["external_id"]: split(e["society_external_id"]) for e in read(paths["experts"])}
    services = read(paths["services"])
    pairs: dict[tuple[str, str], list[int]] = {}
    for row in services:
        need = needs[row["need_external_id"]]
        assert row["society_external_id"] in truth[need["external_id"]]  # a society of its topic
        assert row["society_external_id"] in members[row["expert_external_id"]]
        assert 1 <= int(row["rating"]) <= 5 and row["outcome"].endswith("。")
        assert "2024-10-01" < row["started"] < row["completed"] < "2026-09-01"
        key = (row["society_external_id"], need["enterprise_external_id"])
        pairs.setdefault(key, []).append(int(row["rating"]))
    assert len({r["need_external_id"] for r in services}) == len(services)
    well = [k for k, r in pairs.items() if len(r) >= 2 and sum(r) / len(r) >= 4]
    poorly = [k for k, r in pairs.items() if len(r) >= 2 and sum(r) / len(r) < 4]
    leader = [k for k, r in pairs.items() if len(r) == 1 and k[1] in leaders and r[0] >= 4]
    assert len(well) >= 10 and len(poorly) >= 5 and len(leader) >= 5
    assert {int(r["rating"]) for r in services} == {1, 2, 3, 4, 5}


def test_generated_files_pass_the_importer(store, tmp_path) -> None:
    paths = write_demo_files(tmp_path, seed=11, **SMALL)
    with store.transaction() as s:
        for kind in ("societies", "experts", "enterprises", "needs"):
            report = import_file(session=s, actor=None, kind=kind, filename=f"{kind}.csv",
                                 path=paths[kind])  # fmt: skip
            assert report.created == SMALL[kind]
    with store.transaction() as s:
        for model, kind in ((Society, "societies"), (Expert, "experts"),
                            (Enterprise, "enterprises"), (TechNeed, "needs")):  # fmt: skip
            assert s.scalar(select(func.count()).select_from(model)) == SMALL[kind]


def test_services_load_as_completed_assignments_once(store, settings) -> None:
    from matcher.launch.demo import load_demo_services
    from matcher.models import Assignment, AssignmentStatus, AuditEvent, NeedStatus

    paths = write_demo_files(settings.data_dir / "demo", seed=11, **SMALL)
    with store.transaction() as s:
        for kind in ("societies", "experts", "enterprises", "needs"):
            import_file(session=s, actor=None, kind=kind, filename=f"{kind}.csv",
                        path=paths[kind])  # fmt: skip
    rows = read(paths["services"])
    assert load_demo_services(store, settings) == len(rows) > 0
    assert load_demo_services(store, settings) == 0  # once
    with store.transaction() as s:
        done = list(s.scalars(select(Assignment)))
        assert len(done) == len(rows)
        assert {a.status for a in done} == {AssignmentStatus.COMPLETED}
        assert all(a.rating and a.rating_comment and a.expert_id for a in done)
        assert all(a.started_at < a.completed_at for a in done)
        assert {a.need.status for a in done} == {NeedStatus.RESOLVED}
        assert s.scalar(select(AuditEvent.count).where(
            AuditEvent.action == "demo_services_loaded")) == len(rows)  # fmt: skip


def test_script_writes_the_files(tmp_path, capsys) -> None:
    sizes = [f"--{k}={v}" for k, v in SMALL.items()]
    run_script(["--seed", "3", "--out", str(tmp_path), *sizes])
    assert "done in" in capsys.readouterr().out
    assert len(read(tmp_path / "needs.csv")) == SMALL["needs"]


def test_many_societies_become_city_branches_and_impossible_sizes_are_refused(tmp_path) -> None:
    paths = write_demo_files(tmp_path, seed=5, societies=400, experts=400, enterprises=20, needs=20)
    names = [s["name"] for s in read(paths["societies"])]
    assert len(set(names)) == len(names) == 400
    assert any(n.startswith("济源示范区") for n in names)
    with pytest.raises(InvalidInputError, match="societies"):
        write_demo_files(tmp_path, societies=100_000)
    with pytest.raises(InvalidInputError, match="needs"):
        write_demo_files(tmp_path, needs=0)


def test_script_reports_a_bad_size_without_traceback(tmp_path) -> None:
    with pytest.raises(SystemExit, match="experts must be at least 1"):
        run_script(["--out", str(tmp_path), "--experts", "0"])


MISSPELT = ("按装", "温渡", "悍接", "轴乘", "摸损", "设被", "才料", "专价", "和作", "工义", "稳订")


def test_need_texts_vary_as_real_ones_do(full) -> None:
    needs = read(full[0]["needs"])
    texts = [n["title"] + n["description"] for n in needs]
    lengths = [len(n["description"].strip()) for n in needs]

    def share(hits) -> float:
        return sum(hits) / len(needs)

    assert share(n < 25 for n in lengths) > 0.03  # partial: a phrase typed in a hurry
    assert share(n > 150 for n in lengths) > 0.05  # long, formal ones
    assert share("我们厂" in t for t in texts) > 0.03 and share("老是" in t for t in texts) > 0.03
    assert share(bool(re.search(r"[A-Za-z]{2,}[- ]?[A-Za-z]*\d", t)) for t in texts) > 0.03
    assert share(any(w in t for w in MISSPELT) for t in texts) > 0.02
    assert len({n["description"] for n in needs}) > 0.9 * len(needs)


def test_some_needs_are_best_answered_outside_their_own_field(full) -> None:
    """A food factory's wastewater, told in its own words: the truth is the environmental
    societies although the text names none of their terms."""
    from matcher.demo.topics import all_topics

    paths = full[0]
    needs = {n["external_id"]: n for n in read(paths["needs"])}
    env = next(
        s["external_id"] for s in read(paths["societies"]) if s["name"] == "河南省环境科学学会"
    )
    terms = next(t for t in all_topics() if t.key == "wastewater").terms
    hidden = [
        needs[t["need_external_id"]]
        for t in read(paths["needs_truth"])
        if t["topic"] == "wastewater" and env in split(t["relevant_society_external_ids"])
    ]
    lay = [
        n
        for n in hidden
        if n["industry"] != "环保工程"
        and not any(term in n["title"] + n["description"] for term in (*terms, "废水"))
    ]
    assert len(lay) >= 10
    assert {n["industry"] for n in lay} >= {"食品加工"}


def test_societies_sit_where_their_host_institutions_are(full) -> None:
    cities = Counter(s["city"] for s in read(full[0]["societies"]))
    total = sum(cities.values())
    assert 0.6 < cities["郑州市"] / total < 0.85
    assert min(cities["洛阳市"], cities["新乡市"], cities["开封市"]) >= 2
    assert len(cities) >= 6
