"""sheet_imports as jobs: a large sheet is checked and applied by a background job, so an import
has the statuses checking / applying / failed besides ready / applied, and a progress, the RQ
job's id and a failure's reason.

Revision ID: d4a8e6b2c917
Revises: c4d8e2a6f913
"""
import sqlalchemy as sa
from alembic import op

revision = "d4a8e6b2c917"
down_revision = "c4d8e2a6f913"
branch_labels = None
depends_on = None

OLD = "status IN ('ready', 'applied')"
NEW = "status IN ('checking', 'ready', 'applying', 'applied', 'failed')"


def upgrade():
    with op.batch_alter_table('sheet_imports') as batch:
        batch.add_column(sa.Column('progress', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('job_id', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch.drop_constraint(op.f('ck_sheet_imports_status'), type_='check')
        batch.create_check_constraint(op.f('ck_sheet_imports_status'), NEW)


def downgrade():
    # imports a job left unfinished cannot be kept under the old statuses: they were never applied
    op.execute("DELETE FROM sheet_imports WHERE status NOT IN ('ready', 'applied')")
    with op.batch_alter_table('sheet_imports') as batch:
        batch.drop_constraint(op.f('ck_sheet_imports_status'), type_='check')
        batch.create_check_constraint(op.f('ck_sheet_imports_status'), OLD)
        batch.drop_column('error')
        batch.drop_column('job_id')
        batch.drop_column('progress')
