"""Pinyin keys of enterprise, project and user names (services/core/pinyin.py): lists sort in
pinyin order and search finds names by full pinyin or initials.  Rows already there are filled
here, in batches, from the same functions the models use.

Revision ID: d2a7c4e9f013
Revises: f1a6c3e8b247
"""
import sqlalchemy as sa
from alembic import op

from crm.services.core import pinyin

revision = "d2a7c4e9f013"
down_revision = "f1a6c3e8b247"
branch_labels = None
depends_on = None

# table, source column, name length
TABLES = (("enterprises", "name", 120), ("projects", "name", 160), ("users", "display_name", 40))
INDEXED = ("enterprises", "projects")
BATCH = 2000


def _fill(table: str, source: str) -> None:
    conn = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column(source), sa.column("name_pinyin"), sa.column("name_initials"))
    last = 0
    while True:
        batch = conn.execute(sa.select(rows.c.id, rows.c[source]).where(rows.c.id > last)
                             .order_by(rows.c.id).limit(BATCH)).all()
        if not batch:
            return
        conn.execute(rows.update().where(rows.c.id == sa.bindparam("rid")).values(
            name_pinyin=sa.bindparam("full"), name_initials=sa.bindparam("initials")),
            [{"rid": rid, "full": pinyin.full(name), "initials": pinyin.initials(name)} for rid, name in batch])
        last = batch[-1][0]


def upgrade():
    for table, source, length in TABLES:
        # ADD COLUMN with a default needs no table rebuild, on SQLite either.
        op.add_column(table, sa.Column("name_pinyin", sa.String(length * pinyin.PER_CHARACTER), nullable=False,
                                       server_default=""))
        op.add_column(table, sa.Column("name_initials", sa.String(length * 2), nullable=False, server_default=""))
        _fill(table, source)
    for table in INDEXED:
        op.create_index(f"ix_{table}_pinyin", table, ["name_pinyin", "id"])
        op.create_index(f"ix_{table}_initials", table, ["name_initials"])


def downgrade():
    for table in INDEXED:
        op.drop_index(f"ix_{table}_initials", table_name=table)
        op.drop_index(f"ix_{table}_pinyin", table_name=table)
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the tables and lose the search
    # triggers and the indexes it cannot reflect.
    for table, _source, _length in TABLES:
        for column in ("name_initials", "name_pinyin"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
