"""Enterprise search: name, short name, credit code and the English and Russian names, combined
with the list filters.

SQLite: an FTS5 table with the trigram tokenizer indexes enterprises(name, short_name,
credit_code, name_norm) and triggers keep it in sync.  Trigrams need at least three characters, and
two-character Chinese words such as 绥芬 are common, so a second table (enterprise_fts_grams) holds
every two-character piece of name_norm and short_name, keyed (gram, name_norm, id): a 2-character
term is one index range already in list order, and a page stops after its rows whatever the table
size.  Other short terms (one character, Latin letters, credit-code fragments) use LIKE on the
columns of one covering index (ix_enterprises_search_like) walked in list order.  PostgreSQL: ILIKE,
served by pg_trgm GIN indexes when the extension can be created, and the same two-character
table kept by a PL/pgSQL trigger (pg_trgm cannot serve a two-character term either).

English and Russian names (a Russian partner is searched by its own name): a term with Latin
or Cyrillic letters also matches them.  SQLite: through their own trigram table
(enterprise_fts_foreign) for 3+ characters, else by reading a partial index of only the firms
that have one (ix_enterprises_foreign_names), compared through crm_lower() where SQLite's LIKE
would not fold the case.  PostgreSQL: ILIKE, served by pg_trgm indexes on the two names.

The list pages in two steps (paging.paginate_ids): the ids of one page from indexes alone
(enterprise_ids), then those rows with what the template shows.

The DDL is installed by listeners on the enterprises table, so db.create_all() (tests, a
fresh install) builds it; `ddl_statements(dialect)` gives the same statements for Alembic.
"""
from __future__ import annotations

import logging
import unicodedata

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.schema import DDL

from crm.extensions import db
from crm.models import Enterprise, EnterpriseTag
from crm.services.chains.filters import enterprises_on_chain
from crm.services.core import paging
from crm.services.enterprises import normalize_name

log = logging.getLogger(__name__)

FTS_TABLE = "enterprise_fts"  # the migration test ignores tables named enterprise_fts*
FTS_MIN_CHARS = 3  # the trigram tokenizer matches nothing shorter
# name_norm too: "绥芬河测试有限" then finds "绥芬河 测试（有限）公司".
_COLUMNS = ("name", "short_name", "credit_code", "name_norm")
FOREIGN_FTS_TABLE = "enterprise_fts_foreign"
FOREIGN_COLUMNS = ("name_en", "name_ru")

GRAM_TABLE = "enterprise_fts_grams"
GRAMS = sa.table(GRAM_TABLE, sa.column("gram"), sa.column("name_norm"), sa.column("enterprise_id"))
# json_each over this array yields keys 0..119, one per character position of a name (String(120)).
_POSITIONS = "[" + ",".join("0" * 120) + "]"


def _grams_of(rows: str) -> str:
    """SELECT (gram, name_norm, id) of every 2-character piece of name_norm and short_name, for
    `rows`: a subquery of (id, name_norm, t).  SQL only, so triggers can run it (no CTEs there)."""
    return (f"SELECT substr(src.t, pos.key + 1, 2), src.name_norm, src.id FROM ({rows}) AS src, "
            f"json_each('{_POSITIONS}') AS pos WHERE pos.key + 2 <= length(src.t)")


def _row(alias: str) -> str:
    return (f"SELECT {alias}.id AS id, {alias}.name_norm AS name_norm, {alias}.name_norm AS t "
            f"UNION ALL SELECT {alias}.id, {alias}.name_norm, {alias}.short_name")


_GRAM_INSERT = f"INSERT OR IGNORE INTO {GRAM_TABLE}(gram, name_norm, enterprise_id) "
_GRAM_DELETE = f"DELETE FROM {GRAM_TABLE} WHERE (gram, name_norm, enterprise_id) IN ({_grams_of(_row('old'))}); "
_GRAM_DDL = [
    f"CREATE TABLE IF NOT EXISTS {GRAM_TABLE} (gram TEXT NOT NULL, name_norm TEXT NOT NULL, "
    f"enterprise_id INTEGER NOT NULL, PRIMARY KEY (gram, name_norm, enterprise_id)) WITHOUT ROWID",
    f"CREATE TRIGGER IF NOT EXISTS {GRAM_TABLE}_ai AFTER INSERT ON enterprises BEGIN "
    f"{_GRAM_INSERT}{_grams_of(_row('new'))}; END",
    f"CREATE TRIGGER IF NOT EXISTS {GRAM_TABLE}_ad AFTER DELETE ON enterprises BEGIN {_GRAM_DELETE}END",
    f"CREATE TRIGGER IF NOT EXISTS {GRAM_TABLE}_au AFTER UPDATE OF name_norm, short_name ON enterprises BEGIN "
    f"{_GRAM_DELETE}{_GRAM_INSERT}{_grams_of(_row('new'))}; END",
    # Rows that existed before the table (a migration on a filled database).
    _GRAM_INSERT + _grams_of("SELECT id, name_norm, name_norm AS t FROM enterprises "
                             "UNION ALL SELECT id, name_norm, short_name FROM enterprises"),
]
def _trigram_table(table: str, columns: tuple[str, ...]) -> list[str]:
    """An FTS5 trigram index over enterprises' `columns`, the triggers that keep it in sync, and
    the statement that fills it from rows already there (a migration on a filled database).
    External content: the index stores only trigrams; rows are read from enterprises."""
    names = ", ".join(columns)
    new = ", ".join(["new.id"] + [f"new.{c}" for c in columns])
    old = ", ".join(["'delete', old.id"] + [f"old.{c}" for c in columns])
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({names}, "
        f"content='enterprises', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {table}_ai AFTER INSERT ON enterprises BEGIN "
        f"INSERT INTO {table}(rowid, {names}) VALUES ({new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_ad AFTER DELETE ON enterprises BEGIN "
        f"INSERT INTO {table}({table}, rowid, {names}) VALUES ({old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_au AFTER UPDATE OF {names} ON enterprises BEGIN "
        f"INSERT INTO {table}({table}, rowid, {names}) VALUES ({old}); "
        f"INSERT INTO {table}(rowid, {names}) VALUES ({new}); END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


_SQLITE_DDL = _trigram_table(FTS_TABLE, _COLUMNS)
# English and Russian names: their own table, added by a later migration (install_foreign).
_FOREIGN_DDL = _trigram_table(FOREIGN_FTS_TABLE, FOREIGN_COLUMNS)


def _pg_grams_of(row: str) -> str:
    """PostgreSQL: SELECT (gram, name_norm, id) of every 2-character piece of name_norm and
    short_name of `row` (NEW, OLD or a table alias)."""
    return (f"SELECT DISTINCT substr(src.t, pos.i, 2), {row}.name_norm, {row}.id "
            f"FROM unnest(ARRAY[{row}.name_norm, {row}.short_name]) AS src(t), "
            f"generate_series(1, char_length(src.t) - 1) AS pos(i)")


_PG_GRAM_DDL = [
    f"CREATE TABLE IF NOT EXISTS {GRAM_TABLE} (gram text NOT NULL, name_norm text NOT NULL, "
    f"enterprise_id integer NOT NULL, PRIMARY KEY (gram, name_norm, enterprise_id))",
    f"CREATE OR REPLACE FUNCTION {GRAM_TABLE}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN DELETE FROM {GRAM_TABLE} WHERE (gram, name_norm, enterprise_id) IN "
    f"({_pg_grams_of('OLD')}); END IF; "
    f"IF TG_OP <> 'DELETE' THEN INSERT INTO {GRAM_TABLE} (gram, name_norm, enterprise_id) "
    f"{_pg_grams_of('NEW')} ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$",
    f"DROP TRIGGER IF EXISTS {GRAM_TABLE}_sync ON enterprises",
    f"CREATE TRIGGER {GRAM_TABLE}_sync AFTER INSERT OR DELETE OR UPDATE OF name_norm, short_name "
    f"ON enterprises FOR EACH ROW EXECUTE FUNCTION {GRAM_TABLE}_sync()",
    f"INSERT INTO {GRAM_TABLE} (gram, name_norm, enterprise_id) {_pg_grams_of('e')} ON CONFLICT DO NOTHING"
    .replace("FROM unnest", "FROM enterprises AS e, unnest"),
]
_GRAM_DDL_BY_DIALECT = {"sqlite": _GRAM_DDL, "postgresql": _PG_GRAM_DDL}

_POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_enterprises_short_name_trgm ON enterprises USING gin (short_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_enterprises_credit_code_trgm ON enterprises USING gin (credit_code gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_enterprises_name_norm_trgm ON enterprises USING gin (name_norm gin_trgm_ops)",
]
_PG_FOREIGN_DDL = [f"CREATE INDEX IF NOT EXISTS ix_enterprises_{c}_trgm ON enterprises USING gin ({c} gin_trgm_ops)"
                   for c in FOREIGN_COLUMNS]
_DROP = {
    # Their triggers go with the enterprises table (and are dropped by name on a downgrade).
    "sqlite": [f"DROP TABLE IF EXISTS {t}" for t in (FTS_TABLE, GRAM_TABLE, FOREIGN_FTS_TABLE)],
    "postgresql": [f"DROP INDEX IF EXISTS {name}" for name in (
        "ix_enterprises_name_trgm", "ix_enterprises_short_name_trgm", "ix_enterprises_credit_code_trgm",
        "ix_enterprises_name_norm_trgm")],
}


def ddl_statements(dialect: str) -> list[str]:
    """The search DDL for a dialect ("sqlite" or "postgresql"), for the Alembic migration.

    On PostgreSQL, run each statement in a savepoint and ignore failures: without pg_trgm
    search still works, by sequential scan.
    """
    return list({"sqlite": _SQLITE_DDL + _GRAM_DDL, "postgresql": _POSTGRES_DDL + _PG_GRAM_DDL}.get(dialect, []))


def drop_statements(dialect: str) -> list[str]:
    return list(_DROP.get(dialect, []))


def install_grams(connection, **kw) -> None:
    """The two-character index alone (its own migration, on databases made before it)."""
    for statement in _GRAM_DDL_BY_DIALECT.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


def uninstall_grams(connection, **kw) -> None:
    if connection.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {GRAM_TABLE}_{suffix}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {GRAM_TABLE}_sync ON enterprises")
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {GRAM_TABLE}_sync()")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {GRAM_TABLE}")


def install_foreign(connection) -> None:
    """The English and Russian names' trigram index (its own migration, on databases made
    before it): an FTS5 table on SQLite, pg_trgm indexes on PostgreSQL when it has pg_trgm."""
    if connection.dialect.name == "sqlite":
        for statement in _FOREIGN_DDL:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        _run_optional(connection, _PG_FOREIGN_DDL)


def uninstall_foreign(connection) -> None:
    if connection.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FOREIGN_FTS_TABLE}_{suffix}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FOREIGN_FTS_TABLE}")
    elif connection.dialect.name == "postgresql":
        for column in FOREIGN_COLUMNS:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_enterprises_{column}_trgm")


def install(connection) -> None:
    """Create the search index on an existing database (the initial migration calls this; the
    two-character index came later, with its own migration: install_grams)."""
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_DDL:
            connection.exec_driver_sql(statement)
    else:
        _install_postgres(None, connection)


def uninstall(connection) -> None:
    for statement in drop_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _install_postgres(target, connection, **kw) -> None:
    """pg_trgm may be unavailable (no superuser, managed database): then skip the indexes."""
    if connection.dialect.name == "postgresql":
        _run_optional(connection, _POSTGRES_DDL)


def _run_optional(connection, statements: list[str]) -> None:
    """Each statement in a savepoint; at the first failure log it and stop (search still works
    without the indexes, by sequential scan)."""
    for statement in statements:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(statement)
        except sa.exc.DBAPIError as exc:
            log.warning("search index not created (%s): %s", statement, exc.orig)
            return


for _statement in _SQLITE_DDL + _GRAM_DDL:
    event.listen(Enterprise.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in _DROP["sqlite"]:
    # A virtual table outlives the table it indexes; drop it too so drop_all/create_all is clean.
    event.listen(Enterprise.__table__, "after_drop", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(Enterprise.__table__, "after_create", _install_postgres)
event.listen(Enterprise.__table__, "after_create",
             lambda target, connection, **kw: connection.dialect.name == "postgresql" and install_grams(connection))
event.listen(Enterprise.__table__, "after_create", lambda target, connection, **kw: install_foreign(connection))
# Its rows would outlive the enterprises they index (and match new rows that reuse their ids).
event.listen(Enterprise.__table__, "after_drop",
             lambda target, connection, **kw: connection.dialect.name == "postgresql" and uninstall_grams(connection))


# The short-term LIKE fallback reads only these columns (and the rowid), in list order.  Declared
# here, beside the queries that depend on it, so create_all and the migrations both get it.
SEARCH_LIKE_INDEX = sa.Index("ix_enterprises_search_like", Enterprise.name_norm, Enterprise.short_name,
                             Enterprise.credit_code)


def _has_foreign_name(table):
    # Word for word the partial index's condition: SQLite reads the index only when the
    # query's WHERE repeats it.
    return sa.or_(table.c.name_en.is_not(None), table.c.name_ru.is_not(None))


# A short Latin or Cyrillic term on SQLite reads this whole (only firms with a foreign name are
# in it).  PostgreSQL does not need it, but an index cannot be declared for one dialect only.
FOREIGN_NAMES_INDEX = sa.Index("ix_enterprises_foreign_names", Enterprise.name_en, Enterprise.name_ru,
                               sqlite_where=_has_foreign_name(Enterprise.__table__),
                               postgresql_where=_has_foreign_name(Enterprise.__table__))
_FOREIGN = Enterprise.__table__.alias("foreign_named")  # not correlated with the list's enterprises
_CREDIT_CODE_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy")


def _terms(q: str) -> list[str]:
    return [t for t in (q or "").split() if t][:8]  # a handful of words is plenty


def _cased(term: str) -> bool:
    """Whether the term has letters with case (Latin, Cyrillic): only those can be in a foreign name."""
    return term.lower() != term.upper()


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fold(term: str) -> str:
    """The term as contains() compares it: full-width letters folded, lower case."""
    return unicodedata.normalize("NFKC", term).lower()


def contains(column, term: str):
    """`column` contains `term`, ignoring case in any script and full-width letters typed.

    SQLite's LIKE folds ASCII only, so a Cyrillic term compares through crm_lower() (registered
    by crm/__init__.py; a Python call per row, so only when needed); PostgreSQL's ILIKE folds all.
    """
    folded = fold(term)
    pattern = f"%{_escaped(folded)}%"
    if db.engine.dialect.name != "sqlite":
        # A term without cased letters (Chinese) needs no ILIKE (see _like): ILIKE lowers every
        # row it tests, 3-10 times the cost of a LIKE over a province's project names.
        return column.ilike(pattern, escape="\\") if _cased(folded) else column.like(pattern, escape="\\")
    if folded.isascii() or not _cased(folded):
        return column.like(pattern, escape="\\")
    return sa.func.crm_lower(column).like(pattern, escape="\\")


def foreign_match(term: str):
    """The term in the English or Russian name, ignoring case.

    PostgreSQL: on the row itself, so the planner can combine the names' pg_trgm indexes with
    the other columns'.  SQLite: a term of three or more characters through the names' own
    trigram table (it folds Cyrillic case too); a shorter one by reading the partial index of
    the firms that have a foreign name.
    """
    if db.engine.dialect.name != "sqlite":
        return sa.or_(*(contains(Enterprise.__table__.c[c], term) for c in FOREIGN_COLUMNS))
    if len(term) >= FTS_MIN_CHARS:
        return Enterprise.id.in_(_fts_rows([term], FOREIGN_FTS_TABLE))
    found = [contains(_FOREIGN.c[c], term) for c in FOREIGN_COLUMNS]
    return Enterprise.id.in_(sa.select(_FOREIGN.c.id).where(_has_foreign_name(_FOREIGN), sa.or_(*found)))


def _like(column, term: str, *, folded: bool = False):
    """Substring match, ignoring case.  `folded`: the column and the term are already in one
    case (name_norm is casefolded, credit codes upper-case), so a plain LIKE is exact.

    A plain LIKE wherever case cannot matter: SQLite's LIKE already ignores ASCII case (its
    lower() folds nothing else), and a term without cased letters (Chinese) needs no ILIKE.
    ILIKE lowers both sides of every row it tests, which made the short-term scan several times slower.
    """
    escaped = _escaped(term)
    if folded or not _cased(term) or db.engine.dialect.name == "sqlite":
        return column.like(f"%{escaped}%", escape="\\")
    return column.ilike(f"%{escaped}%", escape="\\")


def _fts_query(terms: list[str]) -> str:
    """FTS5 syntax: every term required, as typed or normalised (for name_norm), each quoted."""
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    parts = []
    for term in terms:
        norm = normalize_name(term)
        variants = [quoted(term)] + ([quoted(norm)] if norm != term and len(norm) >= FTS_MIN_CHARS else [])
        parts.append("(" + " OR ".join(variants) + ")")
    return " AND ".join(parts)


def _fts_rows(long_terms: list[str], table: str = FTS_TABLE):
    return (sa.select(sa.column("rowid")).select_from(sa.table(table))
            .where(sa.text(f"{table} MATCH :fts_q").bindparams(fts_q=_fts_query(long_terms))))


def match(q: str, dense: bool = False):
    """A WHERE condition: every word of q occurs in the name, short name, credit code or a
    foreign name.

    dense (SQLite): the long terms match thousands of rows, so test them with LIKE on the
    covering index while the list order is walked: the page fills within a few thousand index
    entries, where the trigram index would hand over every match to be looked up and sorted.
    """
    terms = _terms(q)
    conditions = []
    if db.engine.dialect.name == "sqlite":
        long_terms = [t for t in terms if len(t) >= FTS_MIN_CHARS]
        if long_terms and not dense:
            terms = [t for t in terms if len(t) < FTS_MIN_CHARS]
            # One trigram query for the Chinese terms; a Latin or Cyrillic term may be
            # in a foreign name instead, which the trigram index does not hold.
            chinese = [t for t in long_terms if not _cased(t)]
            if chinese:
                conditions.append(Enterprise.id.in_(_fts_rows(chinese)))
            conditions += [sa.or_(Enterprise.id.in_(_fts_rows([t])), foreign_match(t))
                           for t in long_terms if _cased(t)]
    conditions += [_short_match(term) for term in terms]
    return sa.and_(sa.true(), *conditions)


def _gram_terms(terms: list[str]) -> list[str]:
    """The terms the two-character index answers exactly as LIKE would.

    Two characters that normalising leaves alone and that have no case, so the pieces stored
    from name_norm and short_name are the term itself; a term made only of credit-code symbols
    (digits and capitals) must also search credit codes, which stays with LIKE.
    """
    if db.engine.dialect.name not in _GRAM_DDL_BY_DIALECT:
        return []
    return [term for term in terms
            if (len(term) == 2 and term.lower() == term.upper() and normalize_name(term) == term
                and not set(term) <= _CREDIT_CODE_CHARS)]


# Index entries counted per term when choosing which term drives the walk; the cap keeps the count cheap.
# Names of one city sort together, so a walk can read most of a common term's range before
# the rarer term turns up; the count must see past the first few thousand entries.
GRAM_COUNT_CAP = 20_000


def _driving_gram(terms: list[str]) -> str | None:
    """The two-character term whose index range the list walks: the rarest of them.

    The walk reads about page size × (rows of the driving term) / (rows matching all terms)
    entries, so the term in fewest names drives: for "科技 绥芬", walking the common 科技 reads
    many more entries to find the few names holding both than walking the rarer 绥芬.  Counting
    stops at GRAM_COUNT_CAP, so it stays cheap.
    """
    grams = _gram_terms(terms)
    if len(grams) < 2:
        return grams[0] if grams else None

    def bounded_count(term: str) -> int:
        rows = sa.select(GRAMS.c.enterprise_id).where(GRAMS.c.gram == term).limit(GRAM_COUNT_CAP).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(rows))

    return min(grams, key=bounded_count)  # ties keep the order typed


def _short_match(term: str):
    """LIKE on the columns of SEARCH_LIKE_INDEX only, so the scan never reads the table.

    name_norm = normalize_name(name), and normalising maps character by character (dropping
    punctuation), so a name containing the term has a name_norm containing the normalised term:
    the name itself needs checking only for a term that normalises to nothing.  A credit code
    holds only its 31 symbols, so other terms cannot match it.
    """
    if _gram_terms([term]):
        # One primary-key probe per row considered, never the term's whole (maybe huge) range.
        # (Aliased: the list query may itself be walking GRAMS for another term.)
        other = GRAMS.alias()
        return sa.exists().where(other.c.gram == term, other.c.name_norm == Enterprise.name_norm,
                                 other.c.enterprise_id == Enterprise.id)
    norm = normalize_name(term)
    alternatives = [_like(Enterprise.short_name, term)]
    alternatives.append(_like(Enterprise.name_norm, norm, folded=True) if norm else _like(Enterprise.name, term))
    if set(term) <= _CREDIT_CODE_CHARS:
        alternatives.append(_like(Enterprise.credit_code, term.upper(), folded=True))
    if _cased(term):
        alternatives.append(foreign_match(term))
    return sa.or_(*alternatives)


def _has_short_terms(q: str) -> bool:
    return any(len(t) < FTS_MIN_CHARS for t in _terms(q))


def enterprise_select(q: str = "", **filters):
    """Enterprises matching the search and filters, ordered by the (uniquely indexed) normalised name."""
    return _filtered(sa.select(Enterprise), q, **filters).order_by(Enterprise.name_norm, Enterprise.id)


LOOKUP_LIMIT = 15  # a picker's suggestions: enough to choose from, few enough to read
LOOKUP_MAX_CHARS = 60


def lookup(q: str, limit: int = LOOKUP_LIMIT) -> tuple[list[Enterprise], bool]:
    """The first `limit` enterprises matching what a picker's user typed, in list order, and
    whether there are more (so the picker can ask for a longer term).

    The list's first page, in its two steps (ids from indexes, then those rows): the ids come
    from the term's index range, where enterprise_select(q).limit() tests name after name in list
    order until enough hold the term, which grows with the table.
    """
    q = (q or "").strip()[:LOOKUP_MAX_CHARS]
    if not q:
        return [], False
    page = paging.paginate_ids(enterprise_ids(q), Enterprise, 1, limit, url=lambda n: "")  # no pager
    return page.items, page.has_next


def suggestion(enterprise: Enterprise) -> dict:
    """One enterprise as a picker lists it (JSON): the Chinese name (what is saved and shown on
    the forms), with the credit code and foreign names that may be what the user typed."""
    return {"id": enterprise.id, "name": enterprise.name, "credit_code": enterprise.credit_code,
            "foreign_names": [n for n in (enterprise.name_en, enterprise.name_ru) if n]}


def enterprise_ids(q: str = "", **filters):
    """The ids of enterprise_select, in the same order, for paging from indexes alone.

    With a two-character Chinese term, the ids come from that term's range of the two-character
    index (the rarest such term's, if there are several), ordered by its copy of name_norm (the
    same order).  With longer terms (SQLite) one bounded count of the trigram matches decides
    between sorting the matches (a rare term) and walking the list order until the page is
    full (a common one).

    With a short term the order names every column of SEARCH_LIKE_INDEX: name_norm is unique,
    so the order is the same, but only that covering index now serves it, and the planner walks
    it (index only) instead of the name index plus a table read per row.  Trigram indexes cannot
    serve a term shorter than a trigram on either database.
    """
    terms = _terms(q)
    gram = _driving_gram(terms)
    if gram:
        # Walk the term's range of the two-character index: it is in list order already, so
        # a page reads its own rows and stops, however many enterprises match.
        rest = list(terms)
        rest.remove(gram)
        query = (sa.select(GRAMS.c.enterprise_id).join(Enterprise, Enterprise.id == GRAMS.c.enterprise_id)
                 .where(GRAMS.c.gram == gram))
        return _filtered(query, " ".join(rest), **filters).order_by(GRAMS.c.name_norm, GRAMS.c.enterprise_id)
    order = [Enterprise.name_norm, Enterprise.id]
    long_terms = [t for t in terms if len(t) >= FTS_MIN_CHARS]
    # A common term (生物科技 in thousands of names) walks the list order and stops when the
    # page is full; a rare one is found through the trigram index and its few rows sorted.
    dense = bool(long_terms) and db.engine.dialect.name == "sqlite" and _many_matches(long_terms)
    if dense or (q and _has_short_terms(q)):
        order[1:1] = [Enterprise.short_name, Enterprise.credit_code]
    return _filtered(sa.select(Enterprise.id), q, dense=dense, **filters).order_by(*order)


def countable(ids_query):
    """`ids_query` as the list's count reads it (up to its cap, web/lists.sorted_page): the same rows.

    PostgreSQL counts them in no order: kept in list order, the count walked the name index and
    read a table row per name until the cap's 201st match (生物科技: 6,400 rows, 14 ms; ООО:
    8,700 rows, 32 ms), where unordered it takes the first 201 the pg_trgm bitmap finds (~2 ms),
    or whatever plan is cheapest for filters.  SQLite keeps the order: its walk reads the covering
    index (SEARCH_LIKE_INDEX) or the two-character index, in the page's own order.
    """
    return ids_query.order_by(None) if db.engine.dialect.name == "postgresql" else ids_query


MANY_MATCHES = 500  # trigram matches above which a page walks the list order (see enterprise_ids):
# then 20 rows turn up within ~20 × total / 500 index entries, ~4,000 at 100,000 enterprises.


def _many_matches(long_terms: list[str]) -> bool:
    """Whether the trigram index matches more than MANY_MATCHES rows, or the foreign names'
    index does for a Latin or Cyrillic term (ООО: every Russian firm); counting stops there, so
    the check costs the same for a term in 600 names or in 60,000."""
    sources = [_fts_rows(long_terms)] + [_fts_rows([t], FOREIGN_FTS_TABLE) for t in long_terms if _cased(t)]
    return any(_capped_count(rows) > MANY_MATCHES for rows in sources)


def _capped_count(rows) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows.limit(MANY_MATCHES + 1).subquery()))


def _filtered(query, q: str = "", *, dense: bool = False, sector_id: int | None = None,
              region: str | None = None, tag: str | None = None, owner_id: int | None = None,
              status: str | None = None, chain_id: int | None = None):
    if q and q.strip():
        query = query.where(match(q, dense))
    if sector_id:
        query = query.where(Enterprise.sector_id == sector_id)
    if region:
        # A prefix, so "广东省" finds 广东省东莞市; served by the (region, name_norm) index.
        query = query.where(Enterprise.region.like(f"{_escaped(region)}%", escape="\\"))
    if tag:
        query = query.where(sa.exists().where(EnterpriseTag.enterprise_id == Enterprise.id,
                                              EnterpriseTag.tag == tag))
    if owner_id:
        query = query.where(Enterprise.owner_id == owner_id)
    if status:
        query = query.where(Enterprise.status == status)
    if chain_id:
        query = query.where(enterprises_on_chain(chain_id))
    return query
