"""Factories: build valid domain objects with sensible Chinese defaults; override any field."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from werkzeug.security import generate_password_hash

from crm.extensions import db
from crm.models import Contact, Department, Enterprise, Interaction, Park, Project, Sector, TaskForce, User
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


def sample_enterprise() -> Enterprise:
    """One fixed enterprise (found or made), for URL samples that must belong together."""
    existing = Enterprise.query.filter_by(name_norm=normalize_name("访问样例企业")).first()
    return existing or enterprise(name="访问样例企业")


def foreign_interaction(**kw) -> Interaction:
    """A contact with a follow-up, about a project led by a department other than the officer's 工信科局."""
    kw.setdefault("project", project(lead_department=department("农业农村局")))
    kw.setdefault("next_follow_up", datetime(2026, 12, 1).date())
    return interaction(sample_enterprise(), **kw)


class PlanRefs:
    """Lookups into the seeded plan: projects by (专栏, 序号), departments by name, sectors by code …"""

    def __init__(self):
        from crm.models import Goal, TaskForce
        self.projects = {(p.column_no, p.column_seq): p for p in Project.query.filter(Project.column_no.isnot(None))}
        self.departments = {d.name: d for d in Department.query}
        self.sectors = {s.code: s for s in Sector.query}
        self.parks = {p.code: p for p in Park.query}
        self.task_forces = {t.name: t for t in TaskForce.query}
        self.enterprises = {e.short_name: e for e in Enterprise.query}
        self.goals = {g.code: g for g in Goal.query}

    def project(self, column: int, seq: int) -> Project:
        return self.projects[(column, seq)]


def plan_seeded() -> PlanRefs:
    """The plan's seeds (25 projects, departments, task forces …), loaded once per test."""
    from seeds import seeding
    if not Project.query.filter(Project.column_no == 5, Project.column_seq == 5).first():
        seeding.load_plan()
        db.session.commit()
    return PlanRefs()


def foreign_project(**kw) -> Project:
    """A project led by and shared with departments other than the officer's 工信科局."""
    kw.setdefault("lead_department", department("农业农村局"))
    kw.setdefault("departments", [department("商务局")])
    return project(**kw)


def goal(**kw):
    """A 2025 goal (manual unless `measure` says computed:<metric>)."""
    from crm.models import Goal
    n = _n()
    kw.setdefault("code", f"goal{n}")
    kw.setdefault("name", f"测试目标{n}")
    kw.setdefault("target", Decimal("10"))
    kw.setdefault("unit", "亿元")
    kw.setdefault("measure", "manual")
    kw.setdefault("sort_order", n)
    return _save(Goal(**kw))


def innovation_platform(**kw):
    from crm.models import InnovationPlatform
    kw.setdefault("name", f"黑龙江省生物工程技术研究中心{_n()}")
    kw.setdefault("level", "省级")
    kw.setdefault("recognized_on", datetime(2024, 6, 1).date())
    return _save(InnovationPlatform(**kw))


def pool_review(**kw):
    """A recorded pool-review batch (no items unless given)."""
    from crm.models import PoolReview
    kw.setdefault("quarter", f"20{10 + _n() % 80:02d}-Q1")
    kw.setdefault("reviewed_on", datetime(2026, 10, 8).date())
    return _save(PoolReview(**kw))


def many_projects(n: int, **kw) -> list[Project]:
    """n projects at once for list/board statement counts: audit off, one flush, one commit."""
    from crm.services.core import audit
    kw.setdefault("sector", sector("biomed"))
    kw.setdefault("total_investment", Decimal("1000"))
    rows = [Project(name=f"批量测试项目{_n()}", **kw) for _ in range(n)]
    with audit.disabled(db.session):
        db.session.add_all(rows)
        db.session.commit()
    return rows


def leader(rank: int = 2, **kw) -> User:
    """A city leader (市级领导); rank 1 = 书记/市长."""
    kw.setdefault("title", "市委书记" if rank == 1 else "副市长")
    return user("leader", leader_rank=rank, **kw)


def liaison_tier(min_investment=None, leader_rank: int = 1):
    """An investment tier (≥ min_investment 万元 → leaders of leader_rank); amounts are unique."""
    from crm.models import LiaisonTier
    amount = Decimal(str(min_investment)) if min_investment is not None else Decimal(10000 + _n())
    return _save(LiaisonTier(min_investment=amount, leader_rank=leader_rank))


def liaison_rules(sector_leaders=None, tiers=(), cap=None, trigger_stages=()):
    """Set the liaison rules: sector_leaders {Sector: [leaders]}, tiers [(min 万元, rank)]."""
    from crm.models import LiaisonConfig
    from crm.models.liaison import liaison_sector_leaders
    config = db.session.get(LiaisonConfig, 1) or LiaisonConfig(id=1)
    config.cap, config.trigger_stages = cap, list(trigger_stages)
    db.session.add(config)
    for sector_obj, leaders in (sector_leaders or {}).items():
        for leader_obj in leaders:
            db.session.execute(liaison_sector_leaders.insert().values(sector_id=sector_obj.id, leader_id=leader_obj.id))
    db.session.commit()
    for min_investment, rank in tiers:
        liaison_tier(min_investment, rank)
    return config


def progress_report(project_obj: Project | None = None, commit: bool = True, **kw):
    """A month's 调度 (default 2026-10, filed on time) for a project led by 农业农村局 unless given."""
    from datetime import date

    from crm.models import ProgressReport
    project_obj = project_obj or foreign_project()
    kw.setdefault("month", date(2026, 10, 1))
    kw.setdefault("department_id", project_obj.lead_department_id)
    kw.setdefault("invest_month", Decimal("100"))
    kw.setdefault("invest_cumulative", Decimal("1000"))
    kw.setdefault("funds_in_place", Decimal("800"))
    kw.setdefault("submitted_at", datetime(kw["month"].year, kw["month"].month, 2, 2, 0))
    return _save(ProgressReport(project_id=project_obj.id, **kw), commit)


def problem(project_obj: Project | None = None, commit: bool = True, **kw):
    """An open 问题台账 entry owned by the project's 牵头部门 (农业农村局 by default)."""
    from datetime import date

    from crm.models import Problem
    project_obj = project_obj or foreign_project()
    kw.setdefault("department_id", project_obj.lead_department_id)
    kw.setdefault("description", "项目用地手续尚未办结")
    kw.setdefault("raised_on", date(2026, 10, 10))
    kw.setdefault("deadline", date(2026, 12, 31))
    kw.setdefault("status", "open")
    kw.setdefault("source", "project")
    return _save(Problem(project_id=project_obj.id, **kw), commit)


def foreign_instruction(**kw):
    """A 批示 by a leader other than users["leader"], on a project led by 农业农村局."""
    from crm.models import Instruction
    kw.setdefault("project", foreign_project())
    kw.setdefault("leader", user("leader", leader_rank=2, title="副市长"))
    kw.setdefault("text", "请农业农村局加快推进项目用地报批。")
    return _save(Instruction(**kw))


def project_refs() -> dict:
    """What a project form refers to: sector, park, 工信科局 (the officer's), 农业农村局, a 专班, an investor."""
    return {"sector": sector("biomed"), "park": park("zbq", name="综合保税区", short_name="综保区"),
            "dept": department("工信科局"), "other": department("农业农村局"),
            "tf": task_force(name="生物医药产业推进专班"), "investor": enterprise(name="黑龙江域外百草药业科技有限公司")}


def project_form(refs: dict, **kw) -> dict:
    """Valid project form values, as strings the way a browser posts them; override any."""
    values = {"name": "对俄中药材进口加工产业园项目", "sector_id": str(refs["sector"].id), "park_id": str(refs["park"].id),
              "description": "集国际贸易、落地加工、集中展示于一体", "total_investment": "50000",
              "fixed_investment": "30000.50", "lead_department_id": str(refs["dept"].id),
              "department_ids": [str(refs["other"].id)], "investor_ids": [str(refs["investor"].id)],
              "task_force_id": str(refs["tf"].id), "in_pool": "y", "priority": "1", "jobs": "300"}
    values.update(kw)
    return values


def catalog_build(*, content: bytes | None = b"%PDF-1.4\n% test catalog\n", **kw):
    """A finished catalog build whose file exists (content=None: no file, e.g. still queued)."""
    from flask import current_app

    from crm.models import CatalogBuild
    from crm.services.brochures import catalog_builds
    kw.setdefault("lang", "zh")
    kw.setdefault("title", "招商项目册")
    kw.setdefault("year", 2026)
    kw.setdefault("filters", {"pool": "1"})
    kw.setdefault("status", "done" if content is not None else "queued")
    kw.setdefault("progress", 100 if kw["status"] == "done" else 0)
    kw.setdefault("finished_at", datetime(2026, 11, 20, 2, 0) if kw["status"] == "done" else None)
    build = _save(CatalogBuild(**kw))
    if content is not None:
        build.file_name = build.file_name or f"catalog-{build.id}-{build.lang}.pdf"
        folder = catalog_builds.catalog_dir(current_app.extensions["settings"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / build.file_name).write_bytes(content)
        db.session.commit()
    return build


def sheet_export(user=None, *, content: bytes | None = b"PK test sheet", **kw):
    """A finished Excel export job of `user`, its file kept for a day from now (content=None: no
    file, still queued)."""
    from flask import current_app

    from crm.models import SheetExport
    from crm.services.core.clock import utcnow
    from crm.services.sheets import exports
    kw.setdefault("kind", "projects")
    kw.setdefault("conditions", {"filters": {}})
    kw.setdefault("status", "done" if content is not None else "queued")
    kw.setdefault("progress", 100 if kw["status"] == "done" else 0)
    if kw["status"] == "done":
        kw.setdefault("finished_at", utcnow())
        kw.setdefault("expires_at", kw["finished_at"] + timedelta(days=1))
        kw.setdefault("row_count", 600)
    export = _save(SheetExport(requested_by_id=user.id if user else None, **kw))
    if content is not None:
        export.file_name = export.file_name or f"{export.kind}-{export.id}.xlsx"
        folder = exports.export_dir(current_app.extensions["settings"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / export.file_name).write_bytes(content)
        db.session.commit()
    return export


def notification(user_obj: User | None = None, commit: bool = True, **kw):
    """An in-app notification (by default to a fresh user, i.e. nobody signed in)."""
    from crm.models import Notification
    kw.setdefault("kind", "reminder.follow_up_due")
    kw.setdefault("title", "跟进到期：绥芬河测试贸易有限公司")
    kw.setdefault("body", "约定的跟进日期：2026-11-28。")
    kw.setdefault("url", "/enterprises/1")
    return _save(Notification(user_id=(user_obj or user("staff")).id, **kw), commit)


def eml_file(to: str = "staff@example.cn", subject: str = "【招商项目管家】测试邮件") -> str:
    """An .eml file in the test instance's mail outbox; returns its file name."""
    from pathlib import Path

    from flask import current_app

    from crm.services.messaging import mail
    settings = current_app.extensions["settings"]
    msg = mail.build_message(to, subject, "正文", "<p>正文</p>", sender=settings.MAIL_FROM)
    return Path(mail.deliver(msg, settings)).name


def digest_delivery(user_obj: User | None = None, commit: bool = True, **kw):
    """A weekly digest whose sending was interrupted ('unknown'), with its rendered message."""
    from crm.models import DigestDelivery
    from crm.services.messaging import mail
    recipient = user_obj or user("staff")
    kw.setdefault("iso_week", "2026-W48")
    kw.setdefault("status", "unknown")
    kw.setdefault("claimed_at", datetime(2026, 11, 23, 0, 0))
    kw.setdefault("sending_at", datetime(2026, 11, 23, 0, 1))
    kw.setdefault("attempts", 1)
    kw.setdefault("message", mail.build_message(recipient.email, "招商周报 2026-W48 · 绥芬河市", "正文",
                                                sender="crm@example.cn").as_bytes())
    return _save(DigestDelivery(user_id=recipient.id, **kw), commit)


def api_token(user_obj: User | None = None, scope: str = "read", name: str | None = None) -> tuple:
    """(ApiToken, secret): a token made through the service (by default for a fresh user, i.e.
    nobody signed in), committed."""
    from crm.services.api import tokens
    token, secret = tokens.create_token(user_obj or user("staff"), name or f"测试令牌{_n()}", scope)
    db.session.commit()
    return token, secret


def channel(kind: str = "wecom", url: str = "http://127.0.0.1:9/robot", **kw):
    """A messaging channel (a robot's webhook; by default one nobody listens on)."""
    from crm.models import Channel
    kw.setdefault("name", f"招商群{_n()}")
    if kind == "dingtalk":
        kw.setdefault("secret", "SECtest-secret")
    return _save(Channel(kind=kind, url=url, **kw))


def calendar_feed_token(user_obj: User | None = None) -> str:
    """The secret of a (new or reset) calendar feed link of the user (staff by default)."""
    from crm.services.calendar import feed
    token = feed.issue(user_obj or user("staff"))
    db.session.commit()
    return token


def png_bytes(size=(64, 48), color="seagreen") -> bytes:
    """A small real PNG."""
    from io import BytesIO

    from PIL import Image
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def evidence_file(project_obj: Project | None = None, *, uploader: User | None = None, data: bytes | None = None,
                  name: str = "现场照片.png", kind: str = "project", **kw):
    """A file stored the way the upload view stores it (bytes on disk under the test instance),
    attached to a project of another department than the officer's by default."""
    from flask import current_app

    from crm.services.files import evidence, store
    settings = current_app.extensions["settings"]
    project_obj = project_obj or foreign_project()
    prepared = store.prepare(data or png_bytes(), name, max_bytes=settings.FILE_MAX_MB * store.MB)
    row, = evidence.save(uploader or user("staff"), settings, [(prepared, kw.pop("caption", "现场照片"))],
                         kind=kind, project_id=project_obj.id, owner_id=kw.pop("owner_id", None))
    db.session.commit()
    return row


def stage_post(**data) -> dict:
    """The stage form as a browser posts it when the user has ticked the confirm box, with a one-page
    PDF as its evidence file (the move into 签约, 开工 and 投产 needs one by default).  Post it with
    content_type="multipart/form-data"."""
    from io import BytesIO
    data.setdefault("confirmed", "y")
    data.setdefault("files", [(BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "合同.pdf")])
    return data


def saved_filter(user_obj: User | None = None, list_key: str = "enterprises", name: str | None = None,
                 query: str = "status=engaged", commit: bool = True):
    """A saved filter set (by default of a fresh user, i.e. nobody signed in)."""
    from crm.models import SavedFilter
    return _save(SavedFilter(user_id=(user_obj or user("staff")).id, list_key=list_key,
                             name=name or f"筛选{_n()}", query_string=query), commit)


def sheet_import(user, rows=(("矩阵测试企业",),), headers=("企业名称",), kind="enterprises"):
    """A previewed (ready) Excel import by `user`, its file stored: an enterprise list by default."""
    from io import BytesIO

    from openpyxl import Workbook

    from crm.services.sheets import imports
    book = Workbook()
    book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    out = BytesIO()
    book.save(out)
    record = imports.check(user, kind, "清单.xlsx", out.getvalue())
    db.session.commit()
    return record
