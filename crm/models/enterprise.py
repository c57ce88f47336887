"""Target enterprises (目标企业), their contacts (联系人) and contact logs (对接记录)."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import (
    NamedInLanguages,
    TimestampMixin,
    Versioned,
    derived_column,
    keep_derived,
    keep_pinyin,
    pinyin_columns,
    utcnow,
)
from crm.models.choices import Choices
from crm.services.core import namekeys

LOOSE_CODE = sa.text("credit_key <> credit_code")
ENTERPRISE_TAGS = ("龙头企业", "高新技术企业", "专精特新", "上市公司", "世界500强")
SOURCE_CHANNELS = ("以商招商", "东莞对口合作", "展会", "对俄合作", "日韩", "本地企业", "其他")
ENTERPRISE_STATUS = Choices({"prospect": _l("潜在"), "engaged": _l("洽谈中"), "invested": _l("已落地"),
                             "dormant": _l("暂停联系")})
ENTERPRISE_STATUSES = ENTERPRISE_STATUS.codes
ENTERPRISE_ROLE = Choices({"target": _l("目标企业"), "investor": _l("投资方"), "partner": _l("合作方")})
INTERACTION_KIND = Choices({
    "visit_in": _l("来访"), "visit_out": _l("外出拜访"), "phone": _l("电话"), "video": _l("视频会议"),
    "expo": _l("展会/推介会"), "email": _l("邮件"), "wechat": _l("微信"),
})
INTERACTION_KINDS = INTERACTION_KIND.codes


class EnterpriseTag(db.Model):
    """One tag of an enterprise; a table (not a string) so the tag filter uses an index."""
    __tablename__ = "enterprise_tags"
    enterprise_id = db.Column(db.ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True)
    tag = db.Column(db.String(20), primary_key=True, index=True)

    def __str__(self) -> str:
        return self.tag


LIST_SORT_COLUMNS = ("owner_id", "sector_id", "status", "region", "last_interaction_at")


class Enterprise(NamedInLanguages, TimestampMixin, Versioned, db.Model):
    __tablename__ = "enterprises"
    __audited__ = True
    __audit_collections__ = ("tag_rows",)  # tags are child rows; audit them as a list
    __audit_exclude__ = ("name_pinyin", "name_initials", "name_key", "short_key", "credit_key")  # derived
    __table_args__ = (
        db.Index("ix_enterprises_sector_name", "sector_id", "name_norm"),
        db.Index("ix_enterprises_pinyin", "name_pinyin", "id"),
        db.Index("ix_enterprises_initials", "name_initials"),
        # With the id, a user's firms are read from the index alone (their contacts on the home page).
        db.Index("ix_enterprises_owner_name", "owner_id", "name_norm", "id"),
        db.Index("ix_enterprises_region_name", "region", "name_norm"),
        # The duplicates page groups on each key (GROUP BY over the index alone).
        db.Index("ix_enterprises_name_key", "name_key", "id"),
        db.Index("ix_enterprises_short_key", "short_key", "id"),
        db.Index("ix_enterprises_credit_key", "credit_key", "id"),
        # The list's sorts walk these in order, id breaking ties (services/core/index_order.py).
        *(db.Index(f"ix_enterprises_{column}_id", column, "id") for column in LIST_SORT_COLUMNS),
        # Codes stored as typed (before forms normalised them): every credit-code duplicate has one,
        # since two normalised codes cannot be equal (credit_code is unique).  Nearly empty.
        db.Index("ix_enterprises_credit_loose", "credit_key", sqlite_where=LOOSE_CODE, postgresql_where=LOOSE_CODE),
        ENTERPRISE_STATUS.check("status"),
        ENTERPRISE_ROLE.check("role"),
    )
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    # Normalised name (see services/enterprises.normalize_name): duplicates are refused on it.
    name_norm = db.Column(db.String(120), nullable=False, unique=True)
    # Pinyin keys of the name: lists sort by them, search matches `dongbei` and `dbn` on them.
    name_pinyin, name_initials = pinyin_columns("name", 120)
    # Likely-duplicate keys (services/core/namekeys.py): the name without 有限公司/集团…, the short
    # name and the credit code, each normalised; firms sharing one are shown as likely duplicates.
    name_key = derived_column("name_key", "name", namekeys.name_key, sa.String(120), nullable=False,
                              server_default="")
    short_key = derived_column("short_key", "short_name", namekeys.short_key, sa.String(40))
    credit_key = derived_column("credit_key", "credit_code", namekeys.credit_key, sa.String(18))
    # The firm's name for English and Russian readers (a Russian partner's own name, an English
    # trade name): the English UI and the en/ru brochures show it.  Duplicates, search and
    # ordering stay on the Chinese name.
    name_en = db.Column(db.String(200))
    name_ru = db.Column(db.String(200))
    short_name = db.Column(db.String(40))
    credit_code = db.Column(db.String(18), unique=True)  # 统一社会信用代码; NULL for foreign firms
    country = db.Column(db.String(40), nullable=False, default="中国")
    region = db.Column(db.String(60))  # province/city, e.g. 广东省东莞市
    sector_id = db.Column(db.ForeignKey("sectors.id"))
    source_channel = db.Column(db.String(20))
    owner_id = db.Column(db.ForeignKey("users.id"))
    status = db.Column(db.String(12), nullable=False, default="prospect")
    role = db.Column(db.String(12), nullable=False, default="target")  # target | investor | partner
    website = db.Column(db.String(200))
    address = db.Column(db.String(200))
    description = db.Column(db.Text)
    # Kept up to date when an interaction is logged, so lists and reminders need no aggregate.
    last_interaction_at = db.Column(db.DateTime)
    sector = db.relationship("Sector")
    owner = db.relationship("User")
    tag_rows = db.relationship("EnterpriseTag", cascade="all, delete-orphan", order_by="EnterpriseTag.tag")
    contacts = db.relationship("Contact", back_populates="enterprise", cascade="all, delete-orphan",
                               order_by="Contact.id")

    @property
    def tags(self) -> list[str]:
        return [t.tag for t in self.tag_rows]

    @tags.setter
    def tags(self, values) -> None:
        wanted = list(dict.fromkeys(v for v in values if v))
        self.tag_rows = [t for t in self.tag_rows if t.tag in wanted] + [
            EnterpriseTag(tag=v) for v in wanted if v not in self.tags]

    def __str__(self) -> str:
        return self.name


class Contact(TimestampMixin, Versioned, db.Model):
    __tablename__ = "contacts"
    __audited__ = True
    # The top bar's search finds a contact by the start of the name or of the phone number.
    __table_args__ = (db.Index("ix_contacts_name", "name", "id"), db.Index("ix_contacts_phone", "phone", "id"))
    id = db.Column(db.Integer, primary_key=True)
    enterprise_id = db.Column(db.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(40), nullable=False)
    title = db.Column(db.String(60))
    phone = db.Column(db.String(30))
    email = db.Column(db.String(120))
    wechat = db.Column(db.String(60))
    notes = db.Column(db.Text)
    enterprise = db.relationship("Enterprise", back_populates="contacts")

    def __str__(self) -> str:
        return self.name


# The partial indexes' condition as each database renders `follow_up_done.is_(False)`: SQLite
# and PostgreSQL use a partial index only for a query whose WHERE repeats its condition.
_OPEN_SQLITE, _OPEN_POSTGRESQL = sa.text("follow_up_done IS 0"), sa.text("follow_up_done IS false")


class Interaction(TimestampMixin, db.Model):
    """对接记录: one contact made with an enterprise, optionally about a project."""
    __tablename__ = "interactions"
    __audited__ = True
    __table_args__ = (
        # With the id, a firm's newest contacts are read from the index alone.
        db.Index("ix_interactions_enterprise_at", "enterprise_id", "occurred_at", "id"),
        db.Index("ix_interactions_project_at", "project_id", "occurred_at"),
        db.Index("ix_interactions_followup", "next_follow_up", "follow_up_done"),
        db.Index("ix_interactions_author_at", "created_by_id", "occurred_at"),
        # The home page's "recent contacts" for leaders and admins: newest first over all of them.
        db.Index("ix_interactions_at", "occurred_at", "id"),
        # A staff member's due follow-ups: the few still open (about 1 %), by author and by firm.
        db.Index("ix_interactions_open_author", "created_by_id", "next_follow_up",
                 sqlite_where=_OPEN_SQLITE, postgresql_where=_OPEN_POSTGRESQL),
        db.Index("ix_interactions_open_enterprise", "enterprise_id", "next_follow_up",
                 sqlite_where=_OPEN_SQLITE, postgresql_where=_OPEN_POSTGRESQL),
        # Everyone's open follow-ups by day in id order: a calendar day's first few, walked and stopped.
        db.Index("ix_interactions_open_due", "next_follow_up", "id",
                 sqlite_where=_OPEN_SQLITE, postgresql_where=_OPEN_POSTGRESQL),
        INTERACTION_KIND.check("kind"),
    )
    id = db.Column(db.Integer, primary_key=True)
    occurred_at = db.Column(db.DateTime, nullable=False, default=utcnow)  # UTC
    kind = db.Column(db.String(12), nullable=False)
    enterprise_id = db.Column(db.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="SET NULL"))
    our_participants = db.Column(db.String(200))
    their_participants = db.Column(db.String(200))
    summary = db.Column(db.Text, nullable=False)
    outcome = db.Column(db.Text)
    next_step = db.Column(db.Text)
    next_follow_up = db.Column(db.Date)  # local date
    follow_up_done = db.Column(db.Boolean, nullable=False, default=False)
    created_by_id = db.Column(db.ForeignKey("users.id"))
    enterprise = db.relationship("Enterprise")
    project = db.relationship("Project")
    created_by = db.relationship("User")


keep_pinyin(Enterprise, "name")
keep_derived(Enterprise, "name", "name_key", namekeys.name_key)
keep_derived(Enterprise, "short_name", "short_key", namekeys.short_key)
keep_derived(Enterprise, "credit_code", "credit_key", namekeys.credit_key)
