"""``matcher assign --level enterprise`` (dry run, commit) and ``matcher import activities``
on the small bulk-assignment store, on both databases: fits from the stored matches, the
chain-leader rule, pins and forbids kept, all-or-nothing imports naming row and field."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_CLI
from matcher.models import (
    ConfirmationStatus,
    Enterprise,
    EnterprisePairing,
    PairingStatus,
    ServiceActivity,
    Society,
)
from matcher.programme import activities

from .test_cli import matcher

# fit = mean over the enterprise's needs of the stored score (0 when not a candidate):
# E1: SA (90+80)/2 = 85, SB 20, SC 35; E2: SC (85+50)/2 = 67.5, SA 30, SB 37.5;
# E3: SB 44, SC 15, SA 5. One society each, capacity one: E1–SA, E2–SC, E3–SB = 196.5.
PAIRING = ("assign", "--level", "enterprise", "--round", "2026", "--no-industry-fit")


def _active(store) -> set[tuple[str, str]]:
    with store.transaction() as s:
        rows = s.execute(
            select(Enterprise.external_id, Society.external_id)
            .join(EnterprisePairing, EnterprisePairing.enterprise_id == Enterprise.id)
            .join(Society, Society.id == EnterprisePairing.society_id)
            .where(EnterprisePairing.status == PairingStatus.ACTIVE)
        ).all()
    return {tuple(r) for r in rows}


def test_pairing_dry_run_then_commit(store, ids, tmp_path):
    out = tmp_path / "pairing.xlsx"
    res = matcher(*PAIRING, "--society-capacity", 1, "--dry-run", "--out", out)
    assert res.exit_code == 0, res.output
    assert "最优总分 optimal total 196.5" in res.output
    assert "matcher assign commit 1 --level enterprise" in res.output
    rows = list(load_workbook(out, read_only=True)["pairs"].iter_rows(values_only=True))
    assert {(r[0], r[4], r[5]) for r in rows[1:]} == {
        ("郑州重工机械有限公司", "河南省机械工程学会", 85.0),
        ("洛阳新材料科技有限公司", "河南省材料学会", 67.5),
        ("开封化工股份有限公司", "河南省化学会", 44.0),
    }
    assert _active(store) == set()
    res = matcher("assign", "commit", 1, "--level", "enterprise")
    assert res.exit_code == 0 and "3 pairs active" in res.output, res.output
    assert _active(store) == {("E1", "SA"), ("E2", "SC"), ("E3", "SB")}
    again = matcher("assign", "commit", 1, "--level", "enterprise")
    assert again.exit_code == 1 and "run_not_dry_run" in again.output
    # a second run of the round keeps the active pairs and adds nothing beyond capacity
    res = matcher(*PAIRING, "--society-capacity", 1, "--dry-run")
    assert res.exit_code == 0 and "新 new 0, 已生效 fixed 3" in res.output, res.output


def test_pairs_already_active_beyond_k_are_kept_and_the_rest_commits(store, ids):
    """A chain leader paired with two societies before (as the demo's) and a run at K = 1:
    its pairs stay, the others are paired, and the commit is not taken for stale."""
    from matcher.models import ProgrammeRound

    with store.transaction() as s:
        rnd = ProgrammeRound(name="2026")
        s.add(rnd)
        s.flush()
        for soc in ("SA", "SB"):
            s.add(
                EnterprisePairing(
                    round_id=rnd.id,
                    enterprise_id=ids.enterprise["E1"],
                    society_id=ids.society[soc],
                    status=PairingStatus.ACTIVE,
                )
            )
    res = matcher(*PAIRING, "--society-capacity", 2)
    assert res.exit_code == 0, res.output
    active = _active(store)
    assert {("E1", "SA"), ("E1", "SB")} <= active and len(active) == 4
    assert {e for e, _s in active} == {"E1", "E2", "E3"}


def test_a_chain_leader_is_paired_first_and_pins_and_forbids_hold(store, ids):
    with store.transaction() as s:
        s.get(Enterprise, ids.enterprise["E3"]).is_chain_leader = True
    # one society, room for one enterprise: E1 fits SA best (85) but E3 leads its chain
    from matcher.assignments.constraints import add_rule
    from matcher.assignments.rule_schemas import EnterprisePair
    from matcher.models import ConstraintKind

    with store.transaction() as s:
        for soc in ("SB", "SC"):
            for ent in ("E1", "E2", "E3"):
                add_rule(
                    session=s,
                    actor=SYSTEM_CLI,
                    kind=ConstraintKind.FORBID,
                    data=EnterprisePair(
                        enterprise_id=ids.enterprise[ent], society_id=ids.society[soc]
                    ),
                )
    res = matcher(*PAIRING, "--society-capacity", 1)
    assert res.exit_code == 0, res.output
    assert "链主 chain leaders 1/1" in res.output
    assert _active(store) == {("E3", "SA")}


def test_bad_pairing_parameters_change_nothing(store, ids):
    res = matcher("assign", "--level", "enterprise", "--per-enterprise", 2)
    assert res.exit_code == 1 and "--round" in res.output
    res = matcher(*PAIRING, "--per-enterprise", 0)
    assert res.exit_code == 1 and "per_enterprise" in res.output
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(EnterprisePairing)) == 0


HEADER = (
    "记录编号,学会编号,企业编号,服务类型,平台类型,日期,志愿服务时长,参与人数,服务成效,"
    "专家编号,需求编号\n"
)


def test_import_activities_all_or_nothing_gbk_and_hours(store, ids, tmp_path):
    bad = tmp_path / "活动.csv"
    bad.write_text(
        HEADER
        + "A1,SA,E1,技术指导,,2026-03-01,6,20,现场指导,XA1;XA2,N1\n"
        + "A2,SA,E1,平台建设,,2026-04-01,4,10,建站,,\n"  # 平台建设 without its kind
        + "A3,SA,E9,技术指导,,2026-04-02,4,10,未知企业,,\n"
        + "A4,SA,E1,技术指导,,2026-04-03,4,10,外会专家,XB1,\n"
        + "A5,SA,E1,喝茶,,2026-13-01,-1,10,坏类型,,N3\n",
        encoding="gbk",
    )
    res = matcher("import", "activities", bad)
    assert res.exit_code == 1
    lines = [line for line in res.output.splitlines() if line.startswith("活动.csv:")]
    assert [tuple(line.split(":")[1:3]) for line in lines] == [
        ("3", "platform_kind"),
        ("4", "enterprise_external_id"),
        ("5", "expert_external_ids"),
        ("6", "service_type"),
        ("6", "activity_date"),
        ("6", "volunteer_hours"),
    ]
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ServiceActivity)) == 0

    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + "A1,SA,E1,技术指导,,2026-03-01,6,20,现场指导,XA1;XA2,N1\n"
        + "A2,SA,E1,平台建设,学会专家工作站,2026-04-01,4,10,建站,XA1,\n"
        + "A3,SB,E3,政策宣讲,,2026/05/01,3小时,40,宣讲,XB1,N5\n",
        encoding="gbk",
    )
    res = matcher("import", "activities", good)
    assert res.exit_code == 0 and "3 created" in res.output, res.output
    with store.transaction() as s:
        rows, total = activities.list_activities(session=s, actor=SYSTEM_CLI)
        by_society = activities.hours_by_society(session=s, actor=SYSTEM_CLI)
        by_expert = activities.hours_by_expert(session=s, actor=SYSTEM_CLI)
    assert total == 3 and {a.service_type for a in rows} == {
        "技术指导",
        "平台建设",
        "宣讲科技创新政策",
    }
    want_society: dict[str, float] = {}
    want_expert: dict[str, float] = {}
    for a in rows:  # recomputed here from the records
        want_society[a.society_name] = want_society.get(a.society_name, 0) + a.volunteer_hours
        for e in a.experts:
            want_expert[e.expert_name] = want_expert.get(e.expert_name, 0) + e.hours
    assert {r["name"]: r["hours"] for r in by_society} == want_society
    assert {r["name"]: r["hours"] for r in by_expert} == want_expert
    assert want_expert == {"专家XA1": 3 + 4, "专家XA2": 3, "专家XB1": 3}
    res = matcher("import", "activities", good)  # the same file again changes nothing
    assert res.exit_code == 0 and "3 unchanged" in res.output, res.output
    with store.transaction() as s:
        assert {a.confirmation for a in s.scalars(select(ServiceActivity))} == {
            ConfirmationStatus.PENDING
        }
