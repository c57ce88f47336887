"""Likely-duplicate keys of enterprises (services/core/namekeys.py): the name without its legal-form
suffix, the short name and the credit code, each normalised and indexed, so the duplicates page
groups a province's firms with GROUP BY over an index.  Rows already there are filled here, in
batches, from the same functions the model uses.

Revision ID: c3f8a1d6e245
Revises: a7c2e5f9d318
"""
import sqlalchemy as sa
from alembic import op

from crm.services.core import namekeys

revision = "c3f8a1d6e245"
down_revision = "a7c2e5f9d318"
branch_labels = None
depends_on = None

BATCH = 2000
KEYS = ("name_key", "short_key", "credit_key")


def _fill() -> None:
    conn = op.get_bind()
    rows = sa.table("enterprises", sa.column("id"), sa.column("name"), sa.column("short_name"),
                    sa.column("credit_code"), *(sa.column(k) for k in KEYS))
    last = 0
    while True:
        batch = conn.execute(sa.select(rows.c.id, rows.c.name, rows.c.short_name, rows.c.credit_code)
                             .where(rows.c.id > last).order_by(rows.c.id).limit(BATCH)).all()
        if not batch:
            return
        conn.execute(rows.update().where(rows.c.id == sa.bindparam("rid")).values(
            name_key=sa.bindparam("nk"), short_key=sa.bindparam("sk"), credit_key=sa.bindparam("ck")),
            [{"rid": rid, "nk": namekeys.name_key(name), "sk": namekeys.short_key(short),
              "ck": namekeys.credit_key(code)} for rid, name, short, code in batch])
        last = batch[-1][0]


def upgrade():
    # ADD COLUMN with a default needs no table rebuild, on SQLite either.
    op.add_column("enterprises", sa.Column("name_key", sa.String(120), nullable=False, server_default=""))
    op.add_column("enterprises", sa.Column("short_key", sa.String(40)))
    op.add_column("enterprises", sa.Column("credit_key", sa.String(18)))
    _fill()
    for key in KEYS:
        op.create_index(f"ix_enterprises_{key}", "enterprises", [key, "id"])
    loose = sa.text("credit_key <> credit_code")  # codes stored as typed: every code duplicate has one
    op.create_index("ix_enterprises_credit_loose", "enterprises", ["credit_key"], sqlite_where=loose,
                    postgresql_where=loose)


def downgrade():
    op.drop_index("ix_enterprises_credit_loose", table_name="enterprises")
    for key in KEYS:
        op.drop_index(f"ix_enterprises_{key}", table_name="enterprises")
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the table and lose the search
    # triggers and the indexes it cannot reflect.
    for key in reversed(KEYS):
        op.execute(f"ALTER TABLE enterprises DROP COLUMN {key}")
