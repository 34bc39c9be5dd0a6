"""The soak's clients (``scripts/soak.py``): log-ins, a weighted mix of operations, and
what each request took. Every successful write is counted under the audit action it must
leave, for the store check afterwards."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

PASSWORD = "soak-2026-henan-Q7"
OPS = {  # operation → weight
    "read_matches": 22,
    "read_leads": 16,
    "list_needs": 10,
    "read_need": 6,
    "post_need": 10,
    "edit_need": 8,
    "answer_lead": 10,
    "close_need": 1,
    "import": 2,
    "assignment_run": 2,
}
READS = ("read_matches", "read_leads", "list_needs", "read_need")
IMPORT_EVERY = 15.0  # seconds between imports (one at a time)
RUN_EVERY = 20.0  # seconds between assignment runs (one at a time)


@dataclass
class Party:
    username: str
    headers: dict[str, str]
    entity_id: int | None = None  # the enterprise's or the society's id
    needs: list[int] = field(default_factory=list)  # own open needs, or leads


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: Counter = field(default_factory=Counter)  # connection errors, timeouts
    writes: Counter = field(default_factory=Counter)  # audit action → successful writes

    def add(self, route: str, status: int, seconds: float) -> None:
        self.latencies[route].append(seconds)
        self.statuses[route][status] += 1


class Traffic:
    def __init__(self, base: str, store, *, clients: int, seconds: float, max_requests: int):
        self.base, self.store = base, store
        self.clients, self.seconds, self.max_requests = clients, seconds, max_requests
        self.stats = Stats()
        self.staff: Party
        self.enterprises: list[Party] = []
        self.societies: list[Party] = []
        self.texts: list[tuple[str, str]] = []
        self.experts: list[tuple[str, str, str]] = []
        self.enterprise_ext: list[str] = []
        self.runs_api = False
        self.serial = Counter()
        self.locks = {"import": asyncio.Lock(), "assignment_run": asyncio.Lock()}
        self.last = {"import": 0.0, "assignment_run": 0.0}

    async def call(self, client, route: str, method: str, url: str, **kw) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            r = await client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.stats.failures[f"{route}: {type(exc).__name__}"] += 1
            return None
        self.stats.add(route, r.status_code, time.perf_counter() - t0)
        return r

    # -- set-up: log-ins and what each party may act on

    def prepare(self) -> None:
        from sqlalchemy import select

        from matcher.models import Enterprise, Expert, TechNeed, User

        with httpx.Client(base_url=self.base, timeout=60) as c:
            openapi = c.get("/openapi.json").json()
            self.runs_api = "/api/v1/assignment-runs" in openapi["paths"]
            with self.store.transaction() as s:
                users = s.execute(
                    select(User.username, User.role, User.enterprise_id, User.society_id).where(
                        User.username.like("soak_%")
                    )
                ).all()
                self.texts = s.execute(select(TechNeed.title, TechNeed.description)).all()
                self.experts = s.execute(
                    select(Expert.external_id, Expert.name, Expert.profile).limit(200)
                ).all()
                self.enterprise_ext = s.scalars(select(Enterprise.external_id)).all()
                own = s.execute(select(TechNeed.enterprise_id, TechNeed.id)).all()
            for username, role, enterprise_id, society_id in users:
                r = c.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
                r.raise_for_status()
                party = Party(username, {"Authorization": f"Bearer {r.json()['access_token']}"})
                if str(role.value) == "enterprise":
                    party.entity_id = enterprise_id
                    party.needs = [n for e, n in own if e == enterprise_id]
                    self.enterprises.append(party)
                elif str(role.value) == "society":
                    party.entity_id = society_id
                    self.societies.append(party)
                else:
                    self.staff = party

    # -- operations

    async def read_matches(self, c, rng) -> None:
        party = rng.choice(self.enterprises)
        if not party.needs:
            return await self.list_needs(c, rng)
        target = "experts" if rng.random() < 0.3 else "societies"
        who = party if rng.random() < 0.7 else self.staff
        url = f"/api/v1/needs/{rng.choice(party.needs)}/matches?target={target}"
        await self.call(c, "GET /needs/{id}/matches", "GET", url, headers=who.headers)

    async def read_leads(self, c, rng) -> None:
        party = rng.choice(self.societies)
        sort = rng.choice(["score", "date"])
        url = f"/api/v1/societies/{party.entity_id}/leads?limit=20&sort={sort}"
        r = await self.call(c, "GET /societies/{id}/leads", "GET", url, headers=party.headers)
        if r is not None and r.status_code == 200:
            party.needs = [lead["need"]["id"] for lead in r.json()["items"]]

    async def list_needs(self, c, rng) -> None:
        who = rng.choice([*self.enterprises, self.staff])
        url = f"/api/v1/needs?limit=20&offset={rng.randrange(0, 100)}"
        await self.call(c, "GET /needs", "GET", url, headers=who.headers)

    async def read_need(self, c, rng) -> None:
        party = rng.choice(self.enterprises)
        if party.needs:
            url = f"/api/v1/needs/{rng.choice(party.needs)}"
            await self.call(c, "GET /needs/{id}", "GET", url, headers=party.headers)

    async def post_need(self, c, rng) -> None:
        party = rng.choice(self.enterprises)
        title, description = rng.choice(self.texts)
        self.serial["need"] += 1
        body = {
            "title": f"{title[:150]}（第{self.serial['need']}批）",
            "description": description,
        }
        r = await self.call(
            c, "POST /needs", "POST", "/api/v1/needs", json=body, headers=party.headers
        )
        if r is not None and r.status_code == 201:
            party.needs.append(r.json()["id"])
            self.stats.writes["need_created"] += 1

    async def edit_need(self, c, rng) -> None:
        party = rng.choice(self.enterprises)
        if not party.needs:
            return
        _, description = rng.choice(self.texts)
        body = {"description": f"{description} 补充说明：现场工况{rng.randrange(1000)}。"}
        url = f"/api/v1/needs/{rng.choice(party.needs)}"
        r = await self.call(c, "PATCH /needs/{id}", "PATCH", url, json=body, headers=party.headers)
        if r is not None and r.status_code == 200:
            self.stats.writes["need_updated"] += 1

    async def close_need(self, c, rng) -> None:
        party = rng.choice(self.enterprises)
        if len(party.needs) < 3:
            return
        need = party.needs.pop(rng.randrange(len(party.needs)))
        url = f"/api/v1/needs/{need}/close"
        body = {"reason": "已自行解决"}
        r = await self.call(
            c, "POST /needs/{id}/close", "POST", url, json=body, headers=party.headers
        )
        if r is not None and r.status_code == 200:
            self.stats.writes["need_closed"] += 1

    async def answer_lead(self, c, rng) -> None:
        party = rng.choice(self.societies)
        if not party.needs:
            return await self.read_leads(c, rng)
        need = rng.choice(party.needs)
        body = (
            {"status": "interested"}
            if rng.random() < 0.7
            else {"status": "not_suitable", "reason": "方向不符"}
        )
        url = f"/api/v1/societies/{party.entity_id}/leads/{need}/response"
        r = await self.call(
            c, "PUT /societies/{id}/leads/{id}/response", "PUT", url, json=body,
            headers=party.headers,
        )  # fmt: skip
        if r is not None and r.status_code == 200:
            self.stats.writes["lead_response"] += 1

    async def upload(self, c, rng) -> None:
        """Alternately 5 new needs of random enterprises, and 3 experts' changed profiles."""
        self.serial["import"] += 1
        k = self.serial["import"]
        if k % 2:
            rows = ["external_id,enterprise_external_id,title,description"]
            for i in range(5):
                title, description = rng.choice(self.texts)
                ent = rng.choice(self.enterprise_ext)
                rows.append(f"SOAK-{k}-{i},{ent},{_csv(title[:150])},{_csv(description)}")
            kind, name = "needs", f"soak-needs-{k}.csv"
        else:
            rows = ["external_id,name,profile"]
            for ext, expert, profile in rng.sample(self.experts, 3):
                rows.append(f"{ext},{_csv(expert)},{_csv(f'{profile} 近期方向{k}')}")
            kind, name = "experts", f"soak-experts-{k}.csv"
        data = ("\n".join(rows) + "\n").encode("utf-8")
        r = await self.call(
            c, "POST /imports/{kind}", "POST", f"/api/v1/imports/{kind}",
            files={"file": (name, data, "text/csv")}, headers=self.staff.headers,
        )  # fmt: skip
        if r is not None and r.status_code == 200:
            self.stats.writes["import"] += 1

    async def assignment_run(self, c, rng) -> None:
        """Solve a dry run of every need still to serve, then commit it (409 when stale)."""
        h = self.staff.headers
        body = {"per_need": 1, "top_k": 10}
        r = await self.call(
            c, "POST /assignment-runs", "POST", "/api/v1/assignment-runs", json=body, headers=h
        )
        if r is None or r.status_code != 201:
            return
        self.stats.writes["assignment_run_created"] += 1
        url = f"/api/v1/assignment-runs/{r.json()['id']}/commit"
        r = await self.call(c, "POST /assignment-runs/{id}/commit", "POST", url, headers=h)
        if r is not None and r.status_code == 200:
            self.stats.writes["assignment_run_committed"] += 1

    async def occasional(self, name: str, every: float, c, rng) -> bool:
        """Run ``name`` if none is running and the last began ``every`` seconds ago."""
        lock = self.locks[name]
        if lock.locked() or time.monotonic() - self.last[name] < every:
            return False
        async with lock:
            self.last[name] = time.monotonic()
            await getattr(self, "upload" if name == "import" else name)(c, rng)
        return True

    async def client(self, seed: int, stop_at: float, budget) -> None:
        rng = random.Random(seed)
        names, weights = list(OPS), list(OPS.values())
        limits = httpx.Limits(max_connections=2)
        async with httpx.AsyncClient(base_url=self.base, timeout=120, limits=limits) as c:
            for _ in budget:
                if time.monotonic() > stop_at:
                    return
                op = rng.choices(names, weights)[0]
                if op == "assignment_run" and not self.runs_api:
                    op = "read_matches"
                if op in self.locks:
                    every = IMPORT_EVERY if op == "import" else RUN_EVERY
                    if not await self.occasional(op, every, c, rng):
                        await getattr(self, rng.choice(READS))(c, rng)
                    continue
                await getattr(self, op)(c, rng)

    async def run(self) -> float:
        budget = iter(range(self.max_requests))
        stop_at = time.monotonic() + self.seconds
        t0 = time.monotonic()
        await asyncio.gather(*(self.client(i, stop_at, budget) for i in range(self.clients)))
        return time.monotonic() - t0


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""').replace("\n", " ") + '"'
