"""Factories: build valid domain objects with sensible Chinese defaults; override any field."""
from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from werkzeug.security import generate_password_hash

from crm.extensions import db
from crm.models import (Contact, Department, Enterprise, Interaction, Park, Project, Sector, TaskForce,
                        User)
from crm.services import creditcode
from crm.services.enterprises import normalize_name

PASSWORD = "pass-1234"
_seq = itertools.count(1)
_password_hash: str | None = None


def _hash() -> str:
    """Hash the shared test password once: a real scrypt hash, but not one per user."""
    global _password_hash
    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD)
    return _password_hash


def _n() -> int:
    return next(_seq)


def _save(obj, commit: bool = True):
    db.session.add(obj)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return obj


def department(name: str | None = None, **kw) -> Department:
    name = name or f"测试局{_n()}"
    existing = Department.query.filter_by(name=name).first()
    return existing or _save(Department(name=name, full_name=f"绥芬河市{name}", **kw))


def sector(code: str | None = None, **kw) -> Sector:
    code = code or f"sector{_n()}"
    existing = Sector.query.filter_by(code=code).first()
    if existing:
        return existing
    kw.setdefault("name", {"biomed": "生物医药", "bioenergy": "生物能源"}.get(code, f"生物产业{code}"))
    kw.setdefault("name_en", f"Bio {code}")
    return _save(Sector(code=code, **kw))


def park(code: str | None = None, **kw) -> Park:
    code = code or f"park{_n()}"
    kw.setdefault("name", f"测试园区{code}")
    return _save(Park(code=code, **kw))


def task_force(**kw) -> TaskForce:
    kw.setdefault("name", f"测试推进专班{_n()}")
    return _save(TaskForce(**kw))


def user(role: str = "staff", *, department_obj: Department | None = None, commit: bool = True, **kw) -> User:
    n = _n()
    kw.setdefault("username", f"{role}{n}")
    kw.setdefault("display_name", f"{role}用户{n}")
    kw.setdefault("email", f"{kw['username']}@example.cn")
    u = User(role=role, department=department_obj, password_hash=_hash(), **kw)
    return _save(u, commit)


def role_users() -> dict[str, User]:
    dept = department("工信科局")
    return {
        "admin": user("admin", username="admin"),
        "staff": user("staff", username="staff"),
        "officer": user("officer", username="officer", department_obj=dept),
        "leader": user("leader", username="leader", leader_rank=2, title="副市长"),
    }


def valid_credit_code() -> str:
    """A fresh code with a correct GB 32100-2015 check character."""
    return creditcode.complete(f"91231081MA{_n():07d}")


def enterprise(commit: bool = True, **kw) -> Enterprise:
    kw.setdefault("name", f"绥芬河测试贸易有限公司{_n()}")
    kw["name_norm"] = normalize_name(kw["name"])
    tags = kw.pop("tags", [])
    e = Enterprise(**kw)
    e.tags = tags
    return _save(e, commit)


def contact(enterprise_obj: Enterprise | None = None, **kw) -> Contact:
    kw.setdefault("name", f"张经理{_n()}")
    return _save(Contact(enterprise=enterprise_obj or enterprise(), **kw))


def project(commit: bool = True, **kw) -> Project:
    kw.setdefault("name", f"测试生物项目{_n()}")
    if "sector" not in kw and "sector_id" not in kw:
        kw["sector"] = sector("biomed")
    kw.setdefault("total_investment", Decimal("5000"))
    return _save(Project(**kw), commit)


def interaction(enterprise_obj: Enterprise | None = None, commit: bool = True, **kw) -> Interaction:
    kw.setdefault("kind", "phone")
    kw.setdefault("summary", "电话沟通投资意向")
    kw.setdefault("occurred_at", datetime(2026, 11, 20, 2, 0))
    return _save(Interaction(enterprise=enterprise_obj or enterprise(), **kw), commit)
