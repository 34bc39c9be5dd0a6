"""Assignments, bulk runs and standing rules added to the API tests' world (for the access
matrix): ids are added to ``world.ids``.

- ``a_prop``: need_own × s_own, proposed (the society confirms, starts; the enterprise
  completes); ``a_decline``: need_close × s_own, proposed (the society declines);
  ``a_cancel``: e_own × s_own, no need, confirmed (the enterprise cancels);
  ``a_other``: need_other × s_other, proposed (nobody but staff sees it);
- ``need_run``: a need of e_other matched to s_other; ``run`` a dry run whose one kept pair
  ``run_pair`` is need_run × s_other; ``run2`` another dry run;
- ``pin``, ``forbid``, ``conflict``: one standing rule of each kind.
"""

from __future__ import annotations

from matcher.assignments.conflicts import create_conflict
from matcher.assignments.constraints import create_rule
from matcher.assignments.rule_schemas import ExpertConflict, NeedPair
from matcher.assignments.run_schemas import PairEdit, RunCreate
from matcher.assignments.runs import create_run, edit_pair
from matcher.auth.actors import SYSTEM_CLI
from matcher.models import (
    Assignment,
    AssignmentRunPair,
    AssignmentStatus,
    ConstraintKind,
    Enterprise,
    Society,
)

from .conftest import World, make_match, make_need


def add_assignment_world(store, world: World) -> None:
    ids = world.ids
    with store.transaction() as s:
        e_other, s_other = s.get(Enterprise, ids["e_other"]), s.get(Society, ids["s_other"])
        need_run = make_need(s, "N-RUN", e_other, "高分子材料老化", "户外高分子材料老化", ["老化"])
        s.flush()
        make_match(s, need_run, s_other, 60.0)
        rows = {
            "a_prop": ("need_own", "s_own", "e_own", AssignmentStatus.PROPOSED),
            "a_decline": ("need_close", "s_own", "e_own", AssignmentStatus.PROPOSED),
            "a_cancel": (None, "s_own", "e_own", AssignmentStatus.CONFIRMED),
            "a_other": ("need_other", "s_other", "e_other", AssignmentStatus.PROPOSED),
        }
        for name, (need, society, enterprise, status) in rows.items():
            a = Assignment(
                need_id=ids[need] if need else None,
                society_id=ids[society],
                enterprise_id=ids[enterprise],
                status=status,
            )
            s.add(a)
            s.flush()
            ids[name] = a.id
        ids["need_run"] = need_run.id
    with store.transaction() as s:
        params = RunCreate(per_need=1, min_score=0)
        run = create_run(session=s, actor=SYSTEM_CLI, params=params)
        ids["run"] = run.id
        for pair in s.query(AssignmentRunPair).filter_by(run_id=run.id):
            if pair.need_id == ids["need_run"]:
                ids["run_pair"] = pair.id
            else:  # keep the run to need_run: the other needs change in the matrix
                edit = PairEdit(action="remove")
                edit_pair(session=s, actor=SYSTEM_CLI, run_id=run.id, pair_id=pair.id, edit=edit)
        ids["run2"] = create_run(session=s, actor=SYSTEM_CLI, params=params).id
        pin = NeedPair(need_id=ids["need_other_close"], society_id=ids["s_own"], reason="指定")
        ids["pin"] = create_rule(session=s, actor=SYSTEM_CLI, kind=ConstraintKind.PIN, data=pin).id
        forbid = NeedPair(need_id=ids["need_own"], society_id=ids["s_own"], reason="企业要求")
        ids["forbid"] = create_rule(
            session=s, actor=SYSTEM_CLI, kind=ConstraintKind.FORBID, data=forbid
        ).id
        conflict = ExpertConflict(
            enterprise_id=ids["e_own"], expert_id=ids["x_other"], reason="曾任企业顾问"
        )
        ids["conflict"] = create_conflict(session=s, actor=SYSTEM_CLI, data=conflict).id
