"""Project name search on PostgreSQL: a GIN index of the two-character pieces of each project's
names (Chinese, English, Russian), so the top bar and the project list find a project by any part
of any of its names without reading the whole table.

Why pieces of two: the top bar searches from two characters (绥芬), and pg_trgm extracts nothing
from a term shorter than three, so a trigram index cannot serve those terms.  ILIKE compares the
lower-cased texts (PostgreSQL's lower() on both sides), and a name that holds the term holds every
two-character piece of it; so the set of the lower-cased names' pieces containing the term's
pieces is a necessary condition the index answers, and the ILIKE kept beside it makes the result
exact.  An expression index keeps itself up to date: no trigger, no table, no extension.

SQLite keeps its plain LIKE over a province's 10,000 projects (its FTS5 trigram tokenizer has the
same three-character floor); the migration is a no-op there.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from crm.models import Project

FUNCTION = "crm_name_pairs"
INDEX = "ix_projects_name_pairs"
# The index and the queries must spell the expression alike (these columns, in this order).
COLUMNS = (Project.name, Project.name_en, Project.name_ru)

POSTGRES_DDL = [
    # IMMUTABLE like lower() itself, so it may define an index.  A NULL name adds no piece.
    f"CREATE OR REPLACE FUNCTION {FUNCTION}(VARIADIC texts text[]) RETURNS text[] "
    f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY(SELECT DISTINCT substr(s, i, 2) "
    f"FROM unnest(texts) AS u(t), lower(u.t) AS s, generate_series(1, char_length(s) - 1) AS i) $$",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON projects USING gin ({FUNCTION}(name, name_en, name_ru))",
]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {INDEX}", f"DROP FUNCTION IF EXISTS {FUNCTION}(text[])"]


def install(connection, **kw) -> None:
    """The function and the index (PostgreSQL only): create_all and the migration call this."""
    if connection.dialect.name == "postgresql":
        for statement in POSTGRES_DDL:
            connection.exec_driver_sql(statement)


def uninstall(connection) -> None:
    if connection.dialect.name == "postgresql":
        for statement in POSTGRES_DROP:
            connection.exec_driver_sql(statement)


event.listen(Project.__table__, "after_create", lambda target, connection, **kw: install(connection))


def names_hold(folded: str):
    """A condition the index serves: every two-character piece of `folded` is a piece of one of
    the project's names (None for a term of one character, which has no piece: no narrowing)."""
    if len(folded) < 2:
        return None
    return sa.func.crm_name_pairs(*COLUMNS).op("@>", is_comparison=True)(sa.func.crm_name_pairs(folded))
