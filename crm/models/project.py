"""Projects of the rolling reserve pool (重点项目滚动储备库) and their stage history."""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import current_lang
from crm.i18n import lazy_gettext as _l
from crm.models.base import Money, NamedInLanguages, TimestampMixin, Versioned, keep_pinyin, pinyin_columns, utcnow
from crm.models.choices import Choices

# The main line, in order, and the two side states.
# 谋划 → 洽谈 → 签约 → 开工 → 投产, then the side states 暂缓 and 终止.
STAGE = Choices({
    "planned": _l("谋划"), "contact": _l("洽谈"), "signed": _l("签约"), "started": _l("开工"),
    "operating": _l("投产"), "paused": _l("暂缓"), "dropped": _l("终止"),
})
STAGES = STAGE.codes
MAIN_STAGES, SIDE_STAGES = STAGES[:5], STAGES[5:]

project_investors = db.Table(
    "project_investors",
    db.Column("project_id", db.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    db.Column("enterprise_id", db.ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)

# 责任部门: the departments that share a project besides its 牵头部门.
project_departments = db.Table(
    "project_departments",
    db.Column("project_id", db.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    db.Column("department_id", db.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class Project(NamedInLanguages, TimestampMixin, Versioned, db.Model):
    __tablename__ = "projects"
    __audited__ = True
    __audit_exclude__ = ("name_pinyin", "name_initials")  # derived from the name
    __table_args__ = (
        db.Index("ix_projects_stage_sector", "stage", "sector_id"),
        db.Index("ix_projects_pinyin", "name_pinyin", "id"),
        db.Index("ix_projects_initials", "name_initials"),
        db.Index("ix_projects_sector_stage", "sector_id", "stage"),
        db.Index("ix_projects_park", "park_id"),
        db.Index("ix_projects_lead", "lead_department_id"),
        # A department's projects with what its 调度 rows and the stale rule read: decided from
        # the index alone (the officer's workbench, the 久未联系 filter by department).
        db.Index("ix_projects_lead_state", "lead_department_id", "in_pool", "stage", "last_interaction_at",
                 "created_at", "stage_on", "column_no", "column_seq"),
        db.Index("ix_projects_task_force", "task_force_id"),
        db.Index("ix_projects_liaison", "liaison_leader_id"),
        # A staff member's projects (the workbench's stale ones, the list's owner filter and bulk moves).
        db.Index("ix_projects_owner", "owner_id"),
        db.Index("ix_projects_pool_key", "in_pool", "is_key"),
        STAGE.check("stage"),
    )
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(160), nullable=False)
    name_pinyin, name_initials = pinyin_columns("name", 160)  # list order and pinyin search
    name_en = db.Column(db.String(300))
    name_ru = db.Column(db.String(300))
    description = db.Column(db.Text)  # 建设主要内容
    description_en = db.Column(db.Text)
    description_ru = db.Column(db.Text)
    site = db.Column(db.String(200))  # 拟建地点
    site_en = db.Column(db.String(300))
    site_ru = db.Column(db.String(300))
    sector_id = db.Column(db.ForeignKey("sectors.id"), nullable=False)
    park_id = db.Column(db.ForeignKey("parks.id"))
    total_investment = db.Column(Money)  # 总投资, 万元
    fixed_investment = db.Column(Money)  # 固定资产投资, 万元
    funding_sources = db.Column(db.Text)
    capacity = db.Column(db.String(200))  # 年产…
    capacity_en = db.Column(db.String(300))
    capacity_ru = db.Column(db.String(300))
    land_mu = db.Column(db.Numeric(12, 2))
    land_m2 = db.Column(db.Numeric(14, 2))
    land_text = db.Column(db.String(200))
    jobs = db.Column(db.Integer)
    lead_department_id = db.Column(db.ForeignKey("departments.id"))
    task_force_id = db.Column(db.ForeignKey("task_forces.id"))
    liaison_leader_id = db.Column(db.ForeignKey("users.id"))
    owner_id = db.Column(db.ForeignKey("users.id"))  # 经合中心 staff in charge
    is_key = db.Column(db.Boolean, nullable=False, default=False)
    key_level = db.Column(db.String(10))  # province | city
    in_pool = db.Column(db.Boolean, nullable=False, default=True)
    stage = db.Column(db.String(10), nullable=False, default="planned")
    stage_on = db.Column(db.Date)  # date the current stage was reached
    priority = db.Column(db.Integer, nullable=False, default=2)  # 1 high … 3 low
    column_no = db.Column(db.Integer)  # 专栏 in the plan
    column_seq = db.Column(db.Integer)
    notes = db.Column(db.Text)
    # First date of each milestone: a project counts once toward the totals, at its first event.
    contacted_on = db.Column(db.Date)
    signed_on = db.Column(db.Date)
    signed_amount = db.Column(Money)
    started_on = db.Column(db.Date)
    operating_on = db.Column(db.Date)
    last_interaction_at = db.Column(db.DateTime)
    sector = db.relationship("Sector")
    park = db.relationship("Park")
    lead_department = db.relationship("Department", foreign_keys=[lead_department_id])
    task_force = db.relationship("TaskForce")
    liaison_leader = db.relationship("User", foreign_keys=[liaison_leader_id])
    owner = db.relationship("User", foreign_keys=[owner_id])
    investors = db.relationship("Enterprise", secondary=project_investors, order_by="Enterprise.id")
    departments = db.relationship("Department", secondary=project_departments, order_by="Department.id")
    stage_events = db.relationship("StageEvent", back_populates="project", cascade="all, delete-orphan",
                                   order_by="StageEvent.id")

    def translated(self, field: str, lang: str) -> str | None:
        """The en/ru value of a translatable field, or None when it is missing."""
        if lang == "zh":
            return getattr(self, field)
        return getattr(self, f"{field}_{lang}", None) or None

    def localized(self, field: str, lang: str | None = None) -> str | None:
        """description, site or capacity as the UI language shows it: the translation when the project
        has one, else the Chinese.  (Without a request the language is Chinese.)"""
        return self.translated(field, lang or current_lang()) or getattr(self, field)


class StageEvent(db.Model):
    """One stage move with its dated evidence (阶段记录)."""
    __tablename__ = "stage_events"
    __audited__ = True
    __table_args__ = (
        db.Index("ix_stage_events_project", "project_id", "id"),
        db.Index("ix_stage_events_on", "occurred_on"),
        STAGE.check("from_stage"),
        STAGE.check("to_stage"),
    )
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    from_stage = db.Column(db.String(10))
    to_stage = db.Column(db.String(10), nullable=False)
    occurred_on = db.Column(db.Date, nullable=False)  # when it happened (local date)
    contract_amount = db.Column(Money)  # 签约: contracted amount, 万元
    evidence = db.Column(db.Text)  # contract no., permit, news item …
    reason = db.Column(db.Text)  # required for skips, moves back, pause and drop
    is_override = db.Column(db.Boolean, nullable=False, default=False)  # admin skip/back
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    recorded_by_id = db.Column(db.ForeignKey("users.id"))
    project = db.relationship("Project", back_populates="stage_events")
    recorded_by = db.relationship("User")


keep_pinyin(Project, "name")
