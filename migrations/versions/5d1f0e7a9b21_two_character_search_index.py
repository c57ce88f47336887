"""two-character search index

Two-character Chinese terms (绥芬, 北农) are below the trigram minimum of FTS5 and pg_trgm and
were answered by a scan that grew with the table; enterprise_fts_grams answers them from one
index range.  The table and its triggers (SQLite triggers, a PL/pgSQL trigger on PostgreSQL)
are raw DDL, copied here as they stood.

Revision ID: 5d1f0e7a9b21
Revises: c442608a6f38
Create Date: 2026-11-29 02:10:00

"""
from alembic import op

revision = '5d1f0e7a9b21'
down_revision = 'c442608a6f38'
branch_labels = None
depends_on = None

SQLITE_GRAMS = [
    ('CREATE TABLE IF NOT EXISTS enterprise_fts_grams (gram TEXT NOT NULL, name_norm TEXT NOT NULL, '
     'enterprise_id INTEGER NOT NULL, PRIMARY KEY (gram, name_norm, enterprise_id)) WITHOUT ROWID'),
    ('CREATE TRIGGER IF NOT EXISTS enterprise_fts_grams_ai AFTER INSERT ON enterprises BEGIN INSERT '
     'OR IGNORE INTO enterprise_fts_grams(gram, name_norm, enterprise_id) SELECT substr(src.t, '
     'pos.key + 1, 2), src.name_norm, src.id FROM (SELECT new.id AS id, new.name_norm AS name_norm, '
     'new.name_norm AS t UNION ALL SELECT new.id, new.name_norm, new.short_name) AS src, '
     "json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') "
     'AS pos WHERE pos.key + 2 <= length(src.t); END'),
    ('CREATE TRIGGER IF NOT EXISTS enterprise_fts_grams_ad AFTER DELETE ON enterprises BEGIN DELETE '
     'FROM enterprise_fts_grams WHERE (gram, name_norm, enterprise_id) IN (SELECT substr(src.t, '
     'pos.key + 1, 2), src.name_norm, src.id FROM (SELECT old.id AS id, old.name_norm AS name_norm, '
     'old.name_norm AS t UNION ALL SELECT old.id, old.name_norm, old.short_name) AS src, '
     "json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') "
     'AS pos WHERE pos.key + 2 <= length(src.t)); END'),
    ('CREATE TRIGGER IF NOT EXISTS enterprise_fts_grams_au AFTER UPDATE OF name_norm, short_name ON '
     'enterprises BEGIN DELETE FROM enterprise_fts_grams WHERE (gram, name_norm, enterprise_id) IN '
     '(SELECT substr(src.t, pos.key + 1, 2), src.name_norm, src.id FROM (SELECT old.id AS id, '
     'old.name_norm AS name_norm, old.name_norm AS t UNION ALL SELECT old.id, old.name_norm, '
     'old.short_name) AS src, '
     "json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') "
     'AS pos WHERE pos.key + 2 <= length(src.t)); INSERT OR IGNORE INTO enterprise_fts_grams(gram, '
     'name_norm, enterprise_id) SELECT substr(src.t, pos.key + 1, 2), src.name_norm, src.id FROM '
     '(SELECT new.id AS id, new.name_norm AS name_norm, new.name_norm AS t UNION ALL SELECT new.id, '
     'new.name_norm, new.short_name) AS src, '
     "json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') "
     'AS pos WHERE pos.key + 2 <= length(src.t); END'),
    ('INSERT OR IGNORE INTO enterprise_fts_grams(gram, name_norm, enterprise_id) SELECT substr(src.t, '
     'pos.key + 1, 2), src.name_norm, src.id FROM (SELECT id, name_norm, name_norm AS t FROM '
     'enterprises UNION ALL SELECT id, name_norm, short_name FROM enterprises) AS src, '
     "json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') "
     'AS pos WHERE pos.key + 2 <= length(src.t)'),
]
POSTGRES_GRAMS = [
    ('CREATE TABLE IF NOT EXISTS enterprise_fts_grams (gram text NOT NULL, name_norm text NOT NULL, '
     'enterprise_id integer NOT NULL, PRIMARY KEY (gram, name_norm, enterprise_id))'),
    ('CREATE OR REPLACE FUNCTION enterprise_fts_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$ '
     "BEGIN IF TG_OP <> 'INSERT' THEN DELETE FROM enterprise_fts_grams WHERE (gram, name_norm, "
     'enterprise_id) IN (SELECT DISTINCT substr(src.t, pos.i, 2), OLD.name_norm, OLD.id FROM '
     'unnest(ARRAY[OLD.name_norm, OLD.short_name]) AS src(t), generate_series(1, char_length(src.t) - '
     "1) AS pos(i)); END IF; IF TG_OP <> 'DELETE' THEN INSERT INTO enterprise_fts_grams (gram, "
     'name_norm, enterprise_id) SELECT DISTINCT substr(src.t, pos.i, 2), NEW.name_norm, NEW.id FROM '
     'unnest(ARRAY[NEW.name_norm, NEW.short_name]) AS src(t), generate_series(1, char_length(src.t) - '
     '1) AS pos(i) ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$'),
    'DROP TRIGGER IF EXISTS enterprise_fts_grams_sync ON enterprises',
    ('CREATE TRIGGER enterprise_fts_grams_sync AFTER INSERT OR DELETE OR UPDATE OF name_norm, '
     'short_name ON enterprises FOR EACH ROW EXECUTE FUNCTION enterprise_fts_grams_sync()'),
    ('INSERT INTO enterprise_fts_grams (gram, name_norm, enterprise_id) SELECT DISTINCT substr(src.t, '
     'pos.i, 2), e.name_norm, e.id FROM enterprises AS e, unnest(ARRAY[e.name_norm, e.short_name]) AS '
     'src(t), generate_series(1, char_length(src.t) - 1) AS pos(i) ON CONFLICT DO NOTHING'),
]


def upgrade():
    bind = op.get_bind()
    for statement in {"sqlite": SQLITE_GRAMS, "postgresql": POSTGRES_GRAMS}.get(bind.dialect.name, []):
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS enterprise_fts_grams_{suffix}")
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS enterprise_fts_grams_sync ON enterprises")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS enterprise_fts_grams_sync()")
    bind.exec_driver_sql("DROP TABLE IF EXISTS enterprise_fts_grams")
