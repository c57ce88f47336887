"""People and organisation: users, departments and task forces (专班, named in zh/en), login attempts."""
from __future__ import annotations

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import NamedInLanguages, TimestampMixin, Versioned, keep_pinyin, pinyin_columns, utcnow
from crm.models.choices import Choices

ROLE = Choices({"admin": _l("管理员"), "staff": _l("经合中心工作人员"), "officer": _l("部门联络员"),
                "leader": _l("市级领导")})
ROLES = ROLE.codes

task_force_members = db.Table(
    "task_force_members",
    db.Column("task_force_id", db.ForeignKey("task_forces.id", ondelete="CASCADE"), primary_key=True),
    db.Column("department_id", db.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Department(NamedInLanguages, TimestampMixin, db.Model):
    __tablename__ = "departments"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(60), nullable=False, unique=True)  # short name used in the plan, e.g. 工信科局
    name_en = db.Column(db.String(120))
    name_ru = db.Column(db.String(120))  # for Russian brochures (牵头部门); the UI has no Russian
    full_name = db.Column(db.String(120))
    kind = db.Column(db.String(20), nullable=False, default="bureau")


class TaskForce(NamedInLanguages, TimestampMixin, db.Model):
    __tablename__ = "task_forces"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False, unique=True)
    name_en = db.Column(db.String(120))
    is_leading_group = db.Column(db.Boolean, nullable=False, default=False)
    lead_department_id = db.Column(db.ForeignKey("departments.id"))
    sector_id = db.Column(db.ForeignKey("sectors.id"))
    lead_department = db.relationship("Department", foreign_keys=[lead_department_id])
    members = db.relationship("Department", secondary=task_force_members, order_by="Department.id")


class User(UserMixin, TimestampMixin, Versioned, db.Model):
    __tablename__ = "users"
    __audited__ = True
    __audit_exclude__ = ("password_hash", "name_pinyin", "name_initials")
    __audit_secret__ = {"password_hash": "password"}  # audited as changed, never with the hash
    # name_pinyin, id: lists sorted by a person walk the people in this order (index_order.py).
    __table_args__ = (ROLE.check("role"), db.Index("ix_users_pinyin", "name_pinyin", "id"))
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(40), nullable=False, unique=True)
    display_name = db.Column(db.String(40), nullable=False)
    name_pinyin, name_initials = pinyin_columns("display_name", 40)  # list order and pinyin search
    email = db.Column(db.String(120))
    phone = db.Column(db.String(30))
    title = db.Column(db.String(60))  # 职务, e.g. 副市长
    role = db.Column(db.String(10), nullable=False, index=True)
    # Leaders only: 1 = 市委书记/市长 (top leaders for the largest projects), 2 = 副市长 …
    leader_rank = db.Column(db.Integer)
    department_id = db.Column(db.ForeignKey("departments.id"), index=True)
    password_hash = db.Column(db.String(255), nullable=False)
    is_enabled = db.Column(db.Boolean, nullable=False, default=True)
    locale = db.Column(db.String(10))
    # Part of the login id (get_id) kept in the session and the remember cookie: bumping it ends
    # every session and remember token of this user at once (logout, password change, reset).
    session_generation = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    department = db.relationship("Department")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation or 0}"

    def end_sessions(self) -> None:
        """Revoke every session and remember cookie issued to this user so far."""
        self.session_generation = (self.session_generation or 0) + 1

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginAttempt(db.Model):
    """Every login try, kept to refuse an account after repeated failures."""
    __tablename__ = "login_attempts"
    # Failures are counted per (username, address) and per address (crm/services/accounts/auth.py).
    __table_args__ = (db.Index("ix_login_attempts_user_at", "username", "at"),
                      db.Index("ix_login_attempts_addr_at", "remote_addr", "at"))
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    success = db.Column(db.Boolean, nullable=False)
    remote_addr = db.Column(db.String(64))


keep_pinyin(User, "display_name")
