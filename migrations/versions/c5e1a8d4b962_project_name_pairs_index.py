"""Project names searched through an index on PostgreSQL: a GIN index of each project's names'
two-character pieces (crm/services/name_pairs.py), so the top bar's project search (from two
characters; pg_trgm needs three) no longer reads all 10,000 projects of a province per keystroke
(10-15 ms a statement).  SQLite: nothing (it keeps its LIKE).

The DDL is copied here, as it stands at this revision.

Revision ID: c5e1a8d4b962
Revises: a7c2e5f9d318
"""
from alembic import op

revision = "c5e1a8d4b962"
down_revision = "a7c2e5f9d318"
branch_labels = None
depends_on = None

POSTGRES_DDL = [
    "CREATE OR REPLACE FUNCTION crm_name_pairs(VARIADIC texts text[]) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY(SELECT DISTINCT substr(s, i, 2) "
    "FROM unnest(texts) AS u(t), lower(u.t) AS s, generate_series(1, char_length(s) - 1) AS i) $$",
    "CREATE INDEX IF NOT EXISTS ix_projects_name_pairs ON projects USING gin (crm_name_pairs(name, name_en, name_ru))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS ix_projects_name_pairs", "DROP FUNCTION IF EXISTS crm_name_pairs(text[])"]


def _run(statements):
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in statements:
            bind.exec_driver_sql(statement)


def upgrade():
    _run(POSTGRES_DDL)


def downgrade():
    _run(POSTGRES_DROP)
