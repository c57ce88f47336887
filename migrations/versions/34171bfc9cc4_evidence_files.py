"""evidence files and the stage evidence rule

佐证材料: files attached to projects, enterprises, stage moves, monthly reports, problems (raising
and 销号) and 批示 replies (reply_id gets its foreign key with the replies' table), stored on disk by
their SHA-256, and the projects' brochure pictures (a cover and up to four, captioned in
zh/en/ru).  stage_evidence_rules: which stage moves need a file (no row: the built-in default).

Revision ID: 34171bfc9cc4
Revises: 5e573d837746
Create Date: 2026-12-07 20:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '34171bfc9cc4'
down_revision = '5e573d837746'
branch_labels = None
depends_on = None

KINDS = "'project', 'enterprise', 'stage', 'report', 'problem', 'problem_close', 'reply', 'picture'"
STAGES = "'planned', 'contact', 'signed', 'started', 'operating', 'paused', 'dropped'"


def _fk(column, table, ondelete):
    return sa.ForeignKeyConstraint([column], [f'{table}.id'], name=op.f(f'fk_evidence_files_{column}_{table}'),
                                   ondelete=ondelete)


def upgrade():
    op.create_table(
        'evidence_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('enterprise_id', sa.Integer(), nullable=True),
        sa.Column('stage_event_id', sa.Integer(), nullable=True),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('problem_id', sa.Integer(), nullable=True),
        sa.Column('reply_id', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('mime', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('display_name', sa.String(length=120), nullable=False),
        sa.Column('caption', sa.String(length=200), nullable=True),
        sa.Column('caption_en', sa.String(length=200), nullable=True),
        sa.Column('caption_ru', sa.String(length=200), nullable=True),
        sa.Column('position', sa.Integer(), nullable=True),
        sa.Column('has_thumbnail', sa.Boolean(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(f'kind IN ({KINDS})', name=op.f('ck_evidence_files_kind')),
        _fk('project_id', 'projects', 'CASCADE'),
        _fk('enterprise_id', 'enterprises', 'CASCADE'),
        _fk('stage_event_id', 'stage_events', 'CASCADE'),
        _fk('report_id', 'progress_reports', 'CASCADE'),
        _fk('problem_id', 'problems', 'CASCADE'),
        _fk('uploaded_by_id', 'users', 'SET NULL'),
        _fk('removed_by_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    )
    op.create_index('ix_evidence_files_project', 'evidence_files', ['project_id', 'id'], unique=False)
    op.create_index('ix_evidence_files_enterprise', 'evidence_files', ['enterprise_id', 'id'], unique=False)
    op.create_index('ix_evidence_files_stage_event', 'evidence_files', ['stage_event_id'], unique=False)
    op.create_index('ix_evidence_files_report', 'evidence_files', ['report_id'], unique=False)
    op.create_index('ix_evidence_files_problem', 'evidence_files', ['problem_id'], unique=False)
    op.create_index('ix_evidence_files_removed', 'evidence_files', ['removed_at'], unique=False)
    op.create_table(
        'stage_evidence_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=10), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('what', sa.String(length=200), nullable=True),
        sa.CheckConstraint(f'stage IN ({STAGES})', name=op.f('ck_stage_evidence_rules_stage')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_evidence_rules')),
        sa.UniqueConstraint('stage', name=op.f('uq_stage_evidence_rules_stage')),
    )


def downgrade():
    op.drop_table('stage_evidence_rules')
    for name in ('removed', 'problem', 'report', 'stage_event', 'enterprise', 'project'):
        op.drop_index(f'ix_evidence_files_{name}', table_name='evidence_files')
    op.drop_table('evidence_files')
