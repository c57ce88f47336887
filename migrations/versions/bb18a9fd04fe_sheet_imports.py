"""sheet imports

An Excel import is kept from its preview to its confirmation: counts, the preview of each row,
and the uploaded file (stored under instance/imports/ by its SHA-256) as the import's evidence.

Revision ID: bb18a9fd04fe
Revises: cd8461603884
Create Date: 2026-12-07 20:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'bb18a9fd04fe'
down_revision = 'cd8461603884'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sheet_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('file_size', sa.Integer(), nullable=False),
        sa.Column('created_count', sa.Integer(), nullable=False),
        sa.Column('updated_count', sa.Integer(), nullable=False),
        sa.Column('unchanged_count', sa.Integer(), nullable=False),
        sa.Column('refused_count', sa.Integer(), nullable=False),
        sa.Column('preview', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('projects', 'enterprises')", name=op.f('ck_sheet_imports_kind')),
        sa.CheckConstraint("status IN ('ready', 'applied')", name=op.f('ck_sheet_imports_status')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sheet_imports_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_imports')),
    )
    op.create_index('ix_sheet_imports_creator', 'sheet_imports', ['created_by_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_sheet_imports_creator', table_name='sheet_imports')
    op.drop_table('sheet_imports')
