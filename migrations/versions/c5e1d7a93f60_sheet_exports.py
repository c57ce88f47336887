"""sheet_exports: large Excel exports built by a background job, with their progress and the
file kept for a day (services/sheets/exports).

Revision ID: c5e1d7a93f60
Revises: c3f8a1d6e245
"""
import sqlalchemy as sa
from alembic import op

revision = "c5e1d7a93f60"
down_revision = "c3f8a1d6e245"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sheet_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('conditions', sa.JSON(), nullable=False),
        sa.Column('lang', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.String(length=40), nullable=True),
        sa.Column('file_name', sa.String(length=120), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('projects', 'enterprises')", name=op.f('ck_sheet_exports_kind')),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_sheet_exports_status')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_sheet_exports_requested_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_exports')),
    )
    op.create_index('ix_sheet_exports_requester', 'sheet_exports', ['requested_by_id', 'id'], unique=False)
    op.create_index('ix_sheet_exports_expires', 'sheet_exports', ['expires_at'], unique=False)


def downgrade():
    op.drop_index('ix_sheet_exports_expires', table_name='sheet_exports')
    op.drop_index('ix_sheet_exports_requester', table_name='sheet_exports')
    op.drop_table('sheet_exports')
