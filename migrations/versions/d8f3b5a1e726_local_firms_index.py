"""local firms index

The dashboard counts the local firms tagged 高新技术企业 and 专精特新.  Its test of "local"
(region contains 绥芬河, source 本地企业, or invested) can use no ordinary index, so the count read
every firm's row.  A partial index of the local firms' ids and sectors (a third of the firms) lets
it read that instead.  Its condition must stay the same expression as local_enterprise_filter()
in crm/services/reports/metrics.py, or the planner will not use it.

This revision first built the index on PostgreSQL only and a3e5c8f1b702 added it on SQLite; it
now builds it on both, and a3e5c8f1b702 only catches up databases that passed this revision
before.

Revision ID: d8f3b5a1e726
Revises: c7a2e9f4d816
Create Date: 2026-12-07 18:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd8f3b5a1e726'
down_revision = 'c7a2e9f4d816'
branch_labels = None
depends_on = None

NAME = "ix_enterprises_local"
LOCAL = "region LIKE '%绥芬河%' OR source_channel = '本地企业' OR status = 'invested'"


def upgrade():
    op.create_index(NAME, "enterprises", ["id", "sector_id"], unique=False, if_not_exists=True,
                    sqlite_where=sa.text(LOCAL), postgresql_where=sa.text(LOCAL))


def downgrade():
    op.drop_index(NAME, table_name="enterprises", if_exists=True)
