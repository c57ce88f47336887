"""The reference data's version: one row that writes of sectors, parks, departments, task forces,
pool reviews and chains raise, so each web process keeps their choices until it changes.

Revision ID: c4d9e2a7b815
Revises: c5e1d7a93f60
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d9e2a7b815"
down_revision = "c5e1d7a93f60"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "ref_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade():
    op.drop_table("ref_versions")
