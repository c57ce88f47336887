"""Leader liaison (领导包联): the assignment rules admins edit, the projects left without a
leader, and what leaders write and mark on their projects (批示, reviewed this week).

The rules are small tables rather than a settings blob so each change is audited row by row
and the assignment job can read them with two queries.
"""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import Money, TimestampMixin, utcnow
from crm.models.choices import Choices

# A 批示's loop: the unit's officer replies (待办 → 办理中), the leader accepts (→ 已办结) or
# sends it back (→ 待办, with a note).
INSTRUCTION_STATE = Choices({"todo": _l("待办"), "doing": _l("办理中"), "done": _l("已办结")})

# 分管领导: which leaders are in charge of which sector.
liaison_sector_leaders = db.Table(
    "liaison_sector_leaders",
    db.Column("sector_id", db.ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
    db.Column("leader_id", db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LiaisonConfig(TimestampMixin, db.Model):
    """The single row of global liaison settings (id = 1)."""
    __tablename__ = "liaison_config"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    # Most active liaison projects one leader may hold; NULL = no cap.
    cap = db.Column(db.Integer)
    # Reaching any of these stages makes a project need a liaison leader.
    trigger_stages = db.Column(db.JSON, nullable=False, default=list)


class LiaisonTier(TimestampMixin, db.Model):
    """Projects with 总投资 ≥ min_investment go to leaders of `leader_rank` (the highest tier wins)."""
    __tablename__ = "liaison_tiers"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    min_investment = db.Column(Money, nullable=False, unique=True)  # 万元
    leader_rank = db.Column(db.Integer, nullable=False)  # 1 = 书记/市长 …


class LiaisonFlag(db.Model):
    """A project that needs a liaison leader but got none: listed for admins, who are told once."""
    __tablename__ = "liaison_flags"
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, unique=True)
    reason = db.Column(db.String(20), nullable=False)  # no_eligible | all_at_cap
    flagged_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    project = db.relationship("Project")


# The 批示's responsible units (承办单位): one or more departments.
instruction_units = db.Table(
    "instruction_units",
    db.Column("instruction_id", db.ForeignKey("instructions.id", ondelete="CASCADE"), primary_key=True),
    db.Column("department_id", db.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Instruction(TimestampMixin, db.Model):
    """领导批示: a leader's written instruction on one of their liaison projects, addressed to
    responsible units with a deadline, and closed only when the leader accepts a reply."""
    __tablename__ = "instructions"
    __audited__ = True
    __table_args__ = (db.Index("ix_instructions_project", "project_id", "id"),
                      db.Index("ix_instructions_state_deadline", "state", "deadline"),
                      INSTRUCTION_STATE.check("state"))
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    leader_id = db.Column(db.ForeignKey("users.id"), nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    follow_up_required = db.Column(db.Boolean, nullable=False, default=False)
    deadline = db.Column(db.Date)  # 办理时限; NULL on 批示 written before units and deadlines existed
    state = db.Column(db.String(8), nullable=False, default="todo", server_default="todo")
    returned_note = db.Column(db.Text)  # the leader's note when last sent back (退回说明)
    leader = db.relationship("User")
    units = db.relationship("Department", secondary=instruction_units, order_by="Department.id")
    replies = db.relationship("InstructionReply", back_populates="instruction", order_by="InstructionReply.id",
                              cascade="all, delete-orphan", passive_deletes=True)
    # The backref lets the project page list them without the project module knowing us.
    project = db.relationship("Project", backref=db.backref(
        "instructions", order_by="Instruction.id.desc()", cascade="all, delete-orphan", passive_deletes=True))

    def __str__(self) -> str:  # how the audit log names it: the start of what the leader wrote
        return self.text if len(self.text) <= 30 else self.text[:30] + "…"


class InstructionReply(db.Model):
    """A responsible unit's reply to a 批示 (办理情况); a row of its own so evidence files can
    point at it."""
    __tablename__ = "instruction_replies"
    __audited__ = True
    __table_args__ = (db.Index("ix_instruction_replies_instruction", "instruction_id", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    instruction_id = db.Column(db.ForeignKey("instructions.id", ondelete="CASCADE"), nullable=False)
    author_id = db.Column(db.ForeignKey("users.id"), nullable=False)
    department_id = db.Column(db.ForeignKey("departments.id"), nullable=False)
    text = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    instruction = db.relationship("Instruction", back_populates="replies")
    author = db.relationship("User")
    department = db.relationship("Department")

    def __str__(self) -> str:
        return self.text if len(self.text) <= 30 else self.text[:30] + "…"


class LiaisonReview(db.Model):
    """A leader marked a project reviewed in an ISO week ('2026-W48'); once per week."""
    __tablename__ = "liaison_reviews"
    __audited__ = True  # 本周已阅 is a leader's statement: who said it, and when
    __table_args__ = (db.UniqueConstraint("project_id", "leader_id", "iso_week"),
                      db.Index("ix_liaison_reviews_leader_week", "leader_id", "iso_week"))
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    leader_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    iso_week = db.Column(db.String(8), nullable=False)
    reviewed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
