"""local firms index on SQLite too

d8f3b5a1e726 first built the local firms index on PostgreSQL only; it now builds it on every
database.  A SQLite database that passed d8f3b5a1e726 before that gets the index here; on any
other database the index is there already and this revision changes nothing.

Revision ID: a3e5c8f1b702
Revises: d8f3b5a1e726
Create Date: 2026-12-07 20:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a3e5c8f1b702'
down_revision = 'd8f3b5a1e726'
branch_labels = None
depends_on = None

NAME = "ix_enterprises_local"
LOCAL = "region LIKE '%绥芬河%' OR source_channel = '本地企业' OR status = 'invested'"


def upgrade():
    op.create_index(NAME, "enterprises", ["id", "sector_id"], unique=False, if_not_exists=True,
                    sqlite_where=sa.text(LOCAL), postgresql_where=sa.text(LOCAL))


def downgrade():
    pass  # d8f3b5a1e726 owns the index now: stepping back to it keeps it
