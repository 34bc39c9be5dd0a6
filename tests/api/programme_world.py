"""The programme added to the API tests' world (for the access matrix): ids are added to
``world.ids`` (round names too, as the paths take them).

- round "2026" (``round_name``) with active pairs ``pair_own`` (e_own × s_own) and
  ``pair_other`` (e_other × s_other); round "2025" (``old_round``) with nothing in it;
- ``prun``: a dry pairing run of 2026 with one proposed pair ``prun_pair`` (e_own × s_other);
  ``prun2``: another dry run (to discard);
- ``act_own``: an activity of s_own for e_own; ``act_other``: of s_other for e_other.
"""

from __future__ import annotations

from datetime import date

from matcher.models import (
    EnterprisePairing,
    PairingRun,
    PairingStatus,
    ProgrammeRound,
    ServiceActivity,
)

from .conftest import World


def add_programme_world(store, world: World) -> None:
    ids = world.ids
    with store.transaction() as s:
        rnd, old = ProgrammeRound(name="2026"), ProgrammeRound(name="2025")
        s.add_all([rnd, old])
        s.flush()
        runs = [PairingRun(round_id=rnd.id, parameters=_PARAMS) for _ in range(2)]
        s.add_all(runs)
        s.flush()
        rows = {
            "pair_own": ("e_own", "s_own", PairingStatus.ACTIVE, None),
            "pair_other": ("e_other", "s_other", PairingStatus.ACTIVE, None),
            "prun_pair": ("e_own", "s_other", PairingStatus.PROPOSED, runs[0].id),
        }
        for name, (ent, soc, status, run_id) in rows.items():
            pair = EnterprisePairing(
                round_id=rnd.id,
                run_id=run_id,
                enterprise_id=ids[ent],
                society_id=ids[soc],
                status=status,
                score=50.0,
            )
            s.add(pair)
            s.flush()
            ids[name] = pair.id
        for name, (ent, soc) in {
            "act_own": ("e_own", "s_own"),
            "act_other": ("e_other", "s_other"),
        }.items():
            act = ServiceActivity(
                round_id=rnd.id,
                society_id=ids[soc],
                enterprise_id=ids[ent],
                service_type="技术指导",
                activity_date=date(2026, 4, 1),
                volunteer_hours=4.0,
            )
            s.add(act)
            s.flush()
            ids[name] = act.id
        ids.update(prun=runs[0].id, prun2=runs[1].id, round_name="2026", old_round="2025")


_PARAMS = {"round": "2026", "per_enterprise": 1, "society_capacity": 10, "min_score": 0.0}
