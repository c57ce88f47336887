"""Project name search: an index of the two-character pieces of each project's
names (Chinese, English, Russian), so the top bar and the project list find a project by any part
of any of its names without reading the whole table.  PostgreSQL: a GIN index of a stored
generated column of the pieces.

Why pieces of two: the top bar searches from two characters (绥芬), and pg_trgm extracts nothing
from a term shorter than three, so a trigram index cannot serve those terms.  ILIKE compares the
lower-cased texts (PostgreSQL's lower() on both sides), and a name that holds the term holds every
two-character piece of it; so the set of the lower-cased names' pieces containing the term's
pieces is a necessary condition the index answers, and the ILIKE kept beside it makes the result
exact.  The database keeps the column up to date: no trigger, no extension.

SQLite: the same pieces in a table (project_name_pairs, kept by triggers as enterprise_fts_grams is
for enterprises), lower-cased by SQLite's lower(), which folds ASCII only, as its LIKE does; so it
narrows a term of ASCII or of uncased characters (Chinese).  A term with other cased letters
(Cyrillic, compared through crm_lower()) keeps the plain scan.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from crm.models import Project

FUNCTION = "crm_name_pairs"
INDEX = "ix_projects_name_pairs"
COLUMNS = (Project.name, Project.name_en, Project.name_ru)
# PostgreSQL: the pieces are a stored generated column, which the model does not declare (the
# database computes it; the ORM never writes it).  Stored, not an expression index: a condition
# on an expression calls the function again for every row a scan reads (a common term such as
# 项目, in every name, made the project list's count 27 → 500 ms), where the column is read.
PIECES = sa.literal_column("projects.name_pairs")

POSTGRES_DDL = [
    # IMMUTABLE like lower() itself, so it may define a generated column.  A NULL name adds no piece.
    f"CREATE OR REPLACE FUNCTION {FUNCTION}(VARIADIC texts text[]) RETURNS text[] "
    f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY(SELECT DISTINCT substr(s, i, 2) "
    f"FROM unnest(texts) AS u(t), lower(u.t) AS s, generate_series(1, char_length(s) - 1) AS i) $$",
    f"ALTER TABLE projects ADD COLUMN IF NOT EXISTS name_pairs text[] "
    f"GENERATED ALWAYS AS ({FUNCTION}(name, name_en, name_ru)) STORED",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON projects USING gin (name_pairs)",
]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {INDEX}", "ALTER TABLE projects DROP COLUMN IF EXISTS name_pairs",
                 f"DROP FUNCTION IF EXISTS {FUNCTION}(text[])"]

TABLE = "project_name_pairs"  # SQLite
PAIRS = sa.table(TABLE, sa.column("pair"), sa.column("project_id"))
# json_each over this array yields keys 0..299, one per character position of a name (String(300) at most).
_POSITIONS = "[" + ",".join("0" * 300) + "]"


def _names(row: str, source: str = "") -> str:
    """SELECT (id, lower-cased name) of each of `row`'s names: new or old in a trigger, or a
    table with its FROM (`source`)."""
    return " UNION ALL ".join(f"SELECT {row}.id AS id, lower({row}.{column}) AS t{source}"
                              for column in ("name", "name_en", "name_ru"))


def _pieces_of(names: str) -> str:
    """SELECT (piece, id) of every two-character piece of `names` (see _names).  SQL only, so
    triggers can run it (no CTEs there)."""
    return (f"SELECT DISTINCT substr(src.t, pos.key + 1, 2), src.id FROM ({names}) AS src, "
            f"json_each('{_POSITIONS}') AS pos WHERE pos.key + 2 <= length(src.t)")


_INSERT = f"INSERT OR IGNORE INTO {TABLE}(pair, project_id) "
_DELETE = f"DELETE FROM {TABLE} WHERE (pair, project_id) IN ({_pieces_of(_names('old'))}); "
SQLITE_DDL = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (pair TEXT NOT NULL, project_id INTEGER NOT NULL, "
    f"PRIMARY KEY (pair, project_id)) WITHOUT ROWID",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ai AFTER INSERT ON projects BEGIN {_INSERT}{_pieces_of(_names('new'))}; END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ad AFTER DELETE ON projects BEGIN {_DELETE}END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_au AFTER UPDATE OF name, name_en, name_ru ON projects BEGIN "
    f"{_DELETE}{_INSERT}{_pieces_of(_names('new'))}; END",
    _INSERT + _pieces_of(_names("projects", " FROM projects")),  # rows already there (a migration)
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}" for suffix in ("ai", "ad", "au")] + [
    f"DROP TABLE IF EXISTS {TABLE}"]
_DDL = {"postgresql": POSTGRES_DDL, "sqlite": SQLITE_DDL}
_DROP = {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}


def install(connection, **kw) -> None:
    """The index: create_all and the migration call this."""
    for statement in _DDL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


def uninstall(connection) -> None:
    for statement in _DROP.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


def _after_drop(target, connection, **kw) -> None:
    """SQLite's table outlives the projects it indexes (and would match new rows that reuse their
    ids); PostgreSQL's column and index go with the table (the function stays, replaced on create)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


event.listen(Project.__table__, "after_create", lambda target, connection, **kw: install(connection))
event.listen(Project.__table__, "after_drop", _after_drop)


def names_hold(folded: str, dialect: str):
    """A condition the index serves: every two-character piece of `folded` is a piece of one of
    the project's names.  None where it cannot narrow: a term of one character (no piece), or on
    SQLite a term with cased letters beyond ASCII."""
    if len(folded) < 2:
        return None
    if dialect == "postgresql":
        return PIECES.op("@>", is_comparison=True)(sa.func.crm_name_pairs(folded))
    if dialect != "sqlite" or not (folded.isascii() or folded.lower() == folded.upper()):
        return None
    pieces = sorted({folded[i:i + 2] for i in range(len(folded) - 1)})
    holders = [sa.select(PAIRS.c.project_id).where(PAIRS.c.pair == piece) for piece in pieces]
    return Project.id.in_(holders[0] if len(holders) == 1 else sa.intersect(*holders))
