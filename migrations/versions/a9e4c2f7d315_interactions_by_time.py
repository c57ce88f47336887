"""interactions by time

The home page lists the ten newest interactions; for leaders and admins that is over all of
them, and without an index on occurred_at the database sorted every row (3 s at province scale,
1,000,000 interactions).

Revision ID: a9e4c2f7d315
Revises: f2b8d6a1c047
Create Date: 2026-12-03 14:40:00

"""
from alembic import op

revision = 'a9e4c2f7d315'
down_revision = 'f2b8d6a1c047'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_at', ['occurred_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_at')
