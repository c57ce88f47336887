"""Indexes that serve the enterprise list's sorts in order (owner, sector, status, region, last contact)

A sort of 100,000 enterprises by a column of another table (the owner's pinyin) or by a code's
order sorted every row for one page.  crm/services/core/index_order.py reads such a page as a
merge of index walks: the people by (name_pinyin, id), the sectors by (column_no, id), and each
one's enterprises by (owner_id, id), (sector_id, id) …, ties broken by id as the lists require.

Revision ID: c4d8e2a6f913
Revises: d4f7b2c9e615
Create Date: 2026-12-07 23:40:00
"""
from alembic import op

revision = 'c4d8e2a6f913'
down_revision = "d4f7b2c9e615"
branch_labels = None
depends_on = None

ENTERPRISE_COLUMNS = ("owner_id", "sector_id", "status", "region", "last_interaction_at")


def upgrade():
    for column in ENTERPRISE_COLUMNS:
        op.create_index(f"ix_enterprises_{column}_id", "enterprises", [column, "id"])
    op.create_index("ix_users_pinyin", "users", ["name_pinyin", "id"])
    op.create_index("ix_sectors_column_no", "sectors", ["column_no", "id"])


def downgrade():
    op.drop_index("ix_sectors_column_no", table_name="sectors")
    op.drop_index("ix_users_pinyin", table_name="users")
    for column in ENTERPRISE_COLUMNS:
        op.drop_index(f"ix_enterprises_{column}_id", table_name="enterprises")
