"""Seeds: the plan's data (seeds/plan.json), and the entry points that put the demo on top of it.

load_plan() upserts the plan by natural keys (department name, task force name, sector code,
park code, enterprise name_norm, project (专栏, 序号), goal code; the chains of seeds/chains.json by
name, their links by (chain, name)).  Running it again changes
nothing: values are compared and only assigned when different, and many-to-many links are
only ever added (never removed), so links users made in the app survive a re-seed.  First
inserts are a bulk load and skip the per-row audit; later corrections are audited as "seed".

load_demo() adds the invented demo (seeds/demo.py) once: the demo users are its marker.
It is deterministic (random.Random(seed)).  first_run() loads the plan into an empty database,
and the demo only when asked (a local `make run`): an installation never gets a known password
or invented records by default.  create_first_admin() makes the one administrator of a new
installation, with a password that passes the rule.  demo_logins() lists the demo logins that
still work.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Department, Enterprise, Goal, Park, Project, Sector, TaskForce, User
from crm.services.accounts import auth
from crm.services.core import audit
from crm.services.core.clock import local_today
from crm.services.enterprises import normalize_name
from seeds import demo

PLAN_PATH = Path(__file__).resolve().parent / "plan.json"


# --- the plan ------------------------------------------------------------------------------------

def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _differs(old, new) -> bool:
    if isinstance(new, Decimal) or isinstance(old, Decimal):
        return _decimal(old) != _decimal(new)
    if hasattr(new, "__table__") or hasattr(old, "__table__"):
        return old is not new
    return old != new


@dataclass
class _Upsert:
    """Creates or corrects the rows of one model, keyed by a natural key, and counts what it did."""
    model: type
    key: Callable  # the natural key of a row, e.g. attrgetter("code")
    options: tuple = ()
    created: int = 0
    updated: int = 0
    rows: dict = field(init=False)  # natural key -> row, existing and new
    new: list = field(init=False, default_factory=list)

    def __post_init__(self):
        query = sa.select(self.model).options(*self.options)
        self.rows = {self.key(obj): obj for obj in db.session.scalars(query)}

    def put(self, key_value, values: dict, links: dict | None = None, tags: list | None = None):
        """Stage one row: scalars and to-one links replace, collections and tags only grow."""
        links = links or {}
        obj = self.rows.get(key_value)
        if obj is None:
            obj = self.model(**values, **links)
            if tags is not None:
                obj.tags = tags
            self.rows[key_value] = obj
            self.new.append(obj)
            return obj
        changed = False
        for name, value in values.items():
            if _differs(getattr(obj, name), value):
                setattr(obj, name, value)
                changed = True
        for name, wanted in links.items():
            current = getattr(obj, name)
            missing = [item for item in wanted if item not in current]
            if missing:
                current.extend(missing)
                changed = True
        if tags and set(tags) - set(obj.tags):
            obj.tags = obj.tags + [t for t in tags if t not in obj.tags]
            changed = True
        self.updated += changed
        return obj

    def flush(self) -> dict:
        """Flush corrections (audited), then the new rows as a bulk load (not audited)."""
        db.session.flush()
        with audit.disabled(db.session):
            db.session.add_all(self.new)
            db.session.flush()
        self.created += len(self.new)
        self.new = []
        return self.rows


def load_plan(path: Path | str = PLAN_PATH) -> dict[str, dict[str, int]]:
    """Upsert the plan's reference data and projects; returns {model: {created, updated}}."""
    plan = json.loads(Path(path).read_text(encoding="utf-8"))
    summary: dict[str, dict[str, int]] = {}

    def done(upsert: _Upsert) -> dict:
        rows = upsert.flush()
        summary[upsert.model.__name__] = {"created": upsert.created, "updated": upsert.updated}
        return rows

    with audit.acting_as(label="seed"), db.session.no_autoflush:
        up = _Upsert(Department, attrgetter("name"))
        for d in plan["departments"]:
            up.put(d["name"], {"name": d["name"], "name_en": d.get("name_en"), "name_ru": d.get("name_ru"),
                               "full_name": d["full_name"], "kind": d["kind"]})
        departments = done(up)

        up = _Upsert(Sector, attrgetter("code"))
        for s in plan["sectors"]:
            up.put(s["code"], {"code": s["code"], "name": s["name"], "name_en": s["name_en"],
                               "name_ru": s["name_ru"], "column_no": s["column"],
                               "column_title": s["column_title"]})
        sectors = done(up)

        up = _Upsert(Park, attrgetter("code"))
        for p in plan["parks"]:
            up.put(p["code"], {k: p.get(k) for k in ("code", "name", "name_en", "name_ru", "short_name",
                                                     "description", "description_en", "description_ru")})
        parks = done(up)

        up = _Upsert(TaskForce, attrgetter("name"), (selectinload(TaskForce.members),))
        for t in plan["task_forces"]:
            leads = [departments[n] for n in t["lead_departments"]]
            members = leads[1:] + [departments[n] for n in t["member_departments"]]
            up.put(t["name"], {"name": t["name"], "name_en": t.get("name_en"),
                               "is_leading_group": t["is_leading_group"], "lead_department": leads[0],
                               "sector_id": sectors[t["sector"]].id if t["sector"] else None},
                   {"members": members})
        task_forces = done(up)

        up = _Upsert(Enterprise, attrgetter("name_norm"), (selectinload(Enterprise.tag_rows),))
        by_name = {}
        for e in plan["enterprises"]:
            by_name[e["name"]] = up.put(normalize_name(e["name"]), {
                "name": e["name"], "name_norm": normalize_name(e["name"]), "short_name": e["short_name"],
                "role": e["role"], "country": e["country"], "region": e["region"],
                "sector": sectors.get(e["sector"]), "source_channel": e["source_channel"],
                "description": f"《实施方案》原文：{e['plan_quote']}"}, tags=e["tags"])
        done(up)

        up = _Upsert(Project, attrgetter("column_no", "column_seq"),
                     (selectinload(Project.investors), selectinload(Project.departments)))
        for p in plan["projects"]:
            leads = [departments[n] for n in p["lead_departments"]]
            values = {
                # Translations are optional: a plan file without them leaves them empty.
                "name": p["name"], "name_en": p.get("name_en"), "name_ru": p.get("name_ru"),
                "description": p["description"], "description_en": p.get("description_en"),
                "description_ru": p.get("description_ru"),
                "site": p["site"], "site_en": p.get("site_en"), "site_ru": p.get("site_ru"),
                "sector": sectors[p["sector"]], "park": parks.get(p["park"]),
                "total_investment": _decimal(p["total_investment_wan"]),
                "fixed_investment": _decimal(p["fixed_investment_wan"]),
                "funding_sources": p["funding_sources"], "capacity": p["capacity"],
                "capacity_en": p.get("capacity_en"), "capacity_ru": p.get("capacity_ru"),
                "land_mu": _decimal(p["land_mu"]), "land_m2": _decimal(p["land_m2"]),
                "land_text": p["land_text"], "jobs": p["jobs"], "lead_department": leads[0],
                "task_force": task_forces.get(p["task_force"]), "column_no": p["column"],
                "column_seq": p["seq"], "notes": p["notes"],
            }
            links = {"investors": [by_name[n] for n in p["investors"]],
                     "departments": leads[1:] + [departments[n] for n in p["responsible_departments"]]}
            if (p["column"], p["seq"]) not in up.rows:
                # Only a new project takes the plan's stage: later moves belong to the pipeline.
                values.update(stage=p.get("stage", "planned"), in_pool=True, is_key=bool(p.get("is_key")))
            up.put((p["column"], p["seq"]), values, links)
        done(up)

        up = _Upsert(Goal, attrgetter("code"))
        for order, g in enumerate(plan["goals"], start=1):
            up.put(g["code"], {
                "code": g["code"], "name": g["name"], "name_en": g.get("name_en"), "target": _decimal(g["target"]),
                "unit": g["unit"],
                "comparator": g["comparator"], "year": g["year"], "baseline_year": g["baseline_year"],
                "measure": g["measure"], "plan_quote": g["plan_quote"], "sort_order": order})
        done(up)

        from crm.services.chains import seeds as chain_seeds  # it reuses _Upsert from here
        chain_seeds.load(_Upsert, done)
    return summary


# --- the demo and the first run ------------------------------------------------------------------

def load_demo(today: date | None = None, seed: int = 42) -> dict:
    """Add the demo users and a few months of activity; does nothing if the demo users exist."""
    names = [u[0] for u in demo.DEMO_USERS]
    if db.session.scalar(sa.select(User.id).where(User.username.in_(names)).limit(1)):
        return {"skipped": True}
    if db.session.scalar(sa.select(Project.id).limit(1)) is None:
        load_plan()
    return demo.load(today or local_today(), random.Random(seed))


def has_users() -> bool:
    return db.session.scalar(sa.select(User.id).limit(1)) is not None


def first_run(today: date | None = None, *, demo: bool = False) -> list[str]:
    """On an empty database load the plan, and with `demo` and no users the demo; returns what it did."""
    done = []
    if db.session.scalar(sa.select(Sector.id).limit(1)) is None:
        load_plan()
        done.append("plan")
    if demo and not has_users():
        load_demo(today)
        done.append("demo")
    return done


def create_first_admin(username: str, password: str) -> User:
    """The first administrator of an installation; raises auth.PasswordRefused for a weak password."""
    user = User(username=username, display_name="系统管理员", role="admin", is_enabled=True)
    auth.check_new_password(user, password)
    user.set_password(password)
    with audit.acting_as(label="seed"):
        db.session.add(user)
        db.session.flush()
    return user


def demo_logins() -> list[User]:
    """The shown demo logins that still exist and still accept the demo password."""
    users = db.session.scalars(sa.select(User).where(User.username.in_(demo.DEMO_LOGINS))).all()
    order = {name: i for i, name in enumerate(demo.DEMO_LOGINS)}
    verdicts: dict[str, bool] = {}  # the demo users share one hash: check it once, not per user

    def still_demo(user: User) -> bool:
        if user.password_hash not in verdicts:
            verdicts[user.password_hash] = user.check_password(demo.DEMO_PASSWORD)
        return user.is_enabled and verdicts[user.password_hash]
    return sorted(filter(still_demo, users), key=lambda u: order[u.username])
