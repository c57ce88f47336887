"""goal names en

English names of the plan's 2025 goals, for the English dashboard and digest (the plan's own
quote stays Chinese); `flask seed plan` fills them from seeds/plan.json.

Revision ID: 8a4f6b2c9d13
Revises: 3c9d2e8f41a7
Create Date: 2026-11-29 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '8a4f6b2c9d13'
down_revision = '3c9d2e8f41a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_column('name_en')
