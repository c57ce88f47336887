"""Row versions for records edited through forms, and the version each audit row changed.

Two people saving one record no longer both succeed: SQLAlchemy's version_id_col refuses an
UPDATE of a row whose version moved on, and the form carries the version it was filled from.

Revision ID: b6d2f4a8c913
Revises: b7d4e2a9c613
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = 'b6d2f4a8c913'
down_revision = 'b7d4e2a9c613'
branch_labels = None
depends_on = None

VERSIONED = ("projects", "enterprises", "contacts", "problems", "progress_reports", "goals", "users")


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("object_version", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("object_version")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
