"""PostgreSQL bulk load for the bench: keys and indexes built once after the rows, not kept up per row.

A national build writes ~12M rows.  Kept up row by row, each secondary index costs a random
B-tree insertion per row and each foreign key a lookup of the row it names; built after the
load, an index is one sort and a foreign key one join.  So `defer` drops the foreign keys,
unique constraints and secondary indexes of the app's tables (primary keys stay: the ids go
in ascending) and the two-character search table with its trigger; `restore` puts back
exactly what was dropped (definitions read from the catalog, so a migration's new index is
covered without naming it here), refills the search table in one set-based statement, and
the caller runs VACUUM ANALYZE.  Nothing is checked less than before: the foreign keys are
validated when they are added back.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crm.services import search

# Constraints whose index can be dropped and rebuilt: foreign keys (dropped first, restored
# last) and unique constraints.  Primary keys and CHECKs stay (cheap per row).
_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c
WHERE c.connamespace = current_schema()::regnamespace AND c.contype IN ('f', 'u')
ORDER BY c.contype = 'f' DESC, c.conname
"""
# Indexes that back no constraint (unique, primary or exclusion).
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
ORDER BY 1
"""


@dataclass
class Deferred:
    """What `defer` dropped, to be put back by `restore`."""
    constraints: list[tuple[str, str, str, str]] = field(default_factory=list)  # (table, name, definition, type)
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX …)
    grams: bool = False


def defer(conn) -> Deferred:
    """Drop the search table and its trigger, the foreign keys, unique constraints and
    secondary indexes of the current schema; returns their definitions."""
    grams = bool(conn.exec_driver_sql(f"SELECT to_regclass('{search.GRAM_TABLE}')").scalar())
    if grams:
        search.uninstall_grams(conn)
    deferred = Deferred(constraints=[tuple(r) for r in conn.exec_driver_sql(_CONSTRAINTS)],
                        indexes=[tuple(r) for r in conn.exec_driver_sql(_INDEXES)], grams=grams)
    for table, name, _definition, _type in deferred.constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in deferred.indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    return deferred


def restore(conn, deferred: Deferred, log=print) -> None:
    """Rebuild what `defer` dropped: unique constraints, foreign keys (validated), indexes,
    and the search table (its rows from one SELECT DISTINCT, sorted, so its primary key is
    appended to in order rather than inserted into at random)."""
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
    for table, name, definition, _type in reversed(deferred.constraints):  # unique before foreign keys
        _run(conn, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    log(f"    {len(deferred.constraints)} constraints")
    for _name, definition in deferred.indexes:
        _run(conn, definition)
    log(f"    {len(deferred.indexes)} indexes")
    if deferred.grams:
        conn.exec_driver_sql("SET LOCAL enable_hashagg = off")
        conn.exec_driver_sql("SET LOCAL work_mem = '512MB'")
        search.install_grams(conn)
        conn.exec_driver_sql("RESET enable_hashagg")
        conn.exec_driver_sql("RESET work_mem")
        log("    two-character search table")


def _run(conn, statement: str) -> None:
    """A catalog definition as it is: a partial index's LIKE '%…%' is no placeholder."""
    conn.exec_driver_sql(statement.replace("%", "%%"))


def set_latest(conn, table, latest: dict) -> None:
    """table.last_interaction_at from {id: newest}: the pairs by COPY into a temporary table
    and one UPDATE … FROM (a million executemany UPDATEs are a million round trips)."""
    if not latest:
        return
    conn.exec_driver_sql("CREATE TEMPORARY TABLE bench_latest (id integer PRIMARY KEY, at timestamp)")
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy("COPY bench_latest (id, at) FROM STDIN") as copy:
            for pair in latest.items():
                copy.write_row(pair)
    conn.exec_driver_sql(f"UPDATE {table.name} AS t SET last_interaction_at = l.at FROM bench_latest AS l "
                         f"WHERE t.id = l.id")
    conn.exec_driver_sql("DROP TABLE bench_latest")
