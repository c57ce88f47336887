"""Evidence files (佐证材料) and the administrator's rule of which stage moves need one.

A file row names what it belongs to by `kind` and one nullable foreign key per owner table.  Every
file of a project's records (stage move, monthly report, problem, 批示 reply) also carries the
project's id, so the access rule and "the files of this project" are one condition on one column.
The bytes live on disk under FILES_DIR, named by their SHA-256 (services/files/store.py), never
by anything a user typed.  A removed file keeps its row and its bytes (removed_at) until the
backup command has copied it and purges it.
"""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import utcnow
from crm.models.choices import Choices
from crm.models.project import STAGE

# What a file is attached to.  problem_close: the evidence of a problem's 销号; reply: a 批示 reply
# (its table comes with the instructions' replies: reply_id has no foreign key until then);
# picture: a brochure picture of the project (position 0 the cover), captioned in zh/en/ru.
FILE_KIND = Choices({
    "project": _l("项目"), "enterprise": _l("企业"), "stage": _l("阶段变更"), "report": _l("月度调度"),
    "problem": _l("问题"), "problem_close": _l("问题销号"), "reply": _l("批示回复"),
    "picture": _l("项目册图片"),
})
PICTURE_SLOTS = 5  # a brochure picture's position: 0 the cover, 1–4 the pictures beside the text
FILE_KINDS = FILE_KIND.codes


class EvidenceFile(db.Model):
    __tablename__ = "evidence_files"
    __audited__ = True
    __table_args__ = (
        db.Index("ix_evidence_files_project", "project_id", "id"),
        db.Index("ix_evidence_files_enterprise", "enterprise_id", "id"),
        db.Index("ix_evidence_files_stage_event", "stage_event_id"),
        db.Index("ix_evidence_files_report", "report_id"),
        db.Index("ix_evidence_files_problem", "problem_id"),
        db.Index("ix_evidence_files_removed", "removed_at"),
        FILE_KIND.check("kind"),
    )
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"))
    enterprise_id = db.Column(db.ForeignKey("enterprises.id", ondelete="CASCADE"))
    stage_event_id = db.Column(db.ForeignKey("stage_events.id", ondelete="CASCADE"))
    report_id = db.Column(db.ForeignKey("progress_reports.id", ondelete="CASCADE"))
    problem_id = db.Column(db.ForeignKey("problems.id", ondelete="CASCADE"))
    reply_id = db.Column(db.Integer)
    sha256 = db.Column(db.String(64), nullable=False)  # the stored name (and the thumbnail's)
    mime = db.Column(db.String(100), nullable=False)  # as sniffed from the content
    size = db.Column(db.Integer, nullable=False)  # bytes as stored (images after re-encoding)
    display_name = db.Column(db.String(120), nullable=False)  # the sanitised upload name
    caption = db.Column(db.String(200))
    caption_en = db.Column(db.String(200))  # brochure pictures only
    caption_ru = db.Column(db.String(200))
    position = db.Column(db.Integer)  # brochure pictures only: 0 the cover, 1–4
    has_thumbnail = db.Column(db.Boolean, nullable=False, default=False)
    uploaded_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    removed_at = db.Column(db.DateTime)
    removed_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_by = db.relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    def __str__(self) -> str:
        return self.display_name


class StageEvidenceRule(db.Model):
    """Whether a move INTO `stage` needs at least one file, and what the office asks for (shown in
    the refusal).  A stage without a row follows services/files/rules.DEFAULTS."""
    __tablename__ = "stage_evidence_rules"
    __audited__ = True
    __table_args__ = (db.UniqueConstraint("stage"), STAGE.check("stage"))
    id = db.Column(db.Integer, primary_key=True)
    stage = db.Column(db.String(10), nullable=False)
    required = db.Column(db.Boolean, nullable=False, default=False)
    what = db.Column(db.String(200))  # e.g. 合同或投资协议; empty: the default wording

    def __str__(self) -> str:
        return str(STAGE[self.stage])
