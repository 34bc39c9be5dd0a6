"""Workstation proposals added to the API tests' world (for the access matrix): ids are added
to ``world.ids``.

- ``prop_own``: s_own × e_own, a draft naming x_own (seen by that enterprise and society;
  staff submit and approve it);
- ``prop_other``: s_other × e_other, a draft (nobody but staff sees it; staff reject it).

No snapshot or document is stored: reads build both from the store.
"""

from __future__ import annotations

from matcher.models import WorkstationProposal

from .conftest import World


def add_proposal_world(store, world: World) -> None:
    ids = world.ids
    with store.transaction() as s:
        for name, society, enterprise, experts in (
            ("prop_own", "s_own", "e_own", [ids["x_own"]]),
            ("prop_other", "s_other", "e_other", []),
        ):
            proposal = WorkstationProposal(
                society_id=ids[society],
                enterprise_id=ids[enterprise],
                title="专家工作站建站建议",
                expert_ids=experts,
                created_by="staff",
            )
            s.add(proposal)
            s.flush()
            ids[name] = proposal.id
