"""The dashboard's stored aggregates (services/reports/summaries.py): one row per key, its JSON,
when it was computed and whether a write has made it stale.

Revision ID: e8b3d1f6a274
Revises: d2a7c4e9f013
"""
import sqlalchemy as sa
from alembic import op

revision = "e8b3d1f6a274"
down_revision = "d2a7c4e9f013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "summaries",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    op.drop_table("summaries")
