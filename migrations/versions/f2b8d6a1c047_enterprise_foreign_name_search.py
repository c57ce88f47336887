"""enterprise foreign name search

Search finds an enterprise by its English or Russian name : a trigram
index of the names (an FTS5 table on SQLite, pg_trgm indexes on PostgreSQL; raw DDL copied
here, filled from the rows already there) for terms of three or more characters, and a
partial index of the few firms that have a foreign name for shorter ones.

Revision ID: f2b8d6a1c047
Revises: e7c3a9d2b418
Create Date: 2026-12-03 13:20:00

"""
import logging

import sqlalchemy as sa
from alembic import op

revision = 'f2b8d6a1c047'
down_revision = 'e7c3a9d2b418'
branch_labels = None
depends_on = None

SQLITE_FOREIGN = [
    ('CREATE VIRTUAL TABLE IF NOT EXISTS enterprise_fts_foreign USING fts5(name_en, name_ru, '
     "content='enterprises', content_rowid='id', tokenize='trigram')"),
    ('CREATE TRIGGER IF NOT EXISTS enterprise_fts_foreign_ai AFTER INSERT ON enterprises BEGIN INSERT '
     'INTO enterprise_fts_foreign(rowid, name_en, name_ru) VALUES (new.id, new.name_en, new.name_ru); '
     'END'),
    ('CREATE TRIGGER IF NOT EXISTS enterprise_fts_foreign_ad AFTER DELETE ON enterprises BEGIN INSERT '
     "INTO enterprise_fts_foreign(enterprise_fts_foreign, rowid, name_en, name_ru) VALUES ('delete', "
     'old.id, old.name_en, old.name_ru); END'),
    ('CREATE TRIGGER IF NOT EXISTS enterprise_fts_foreign_au AFTER UPDATE OF name_en, name_ru ON '
     'enterprises BEGIN INSERT INTO enterprise_fts_foreign(enterprise_fts_foreign, rowid, name_en, '
     "name_ru) VALUES ('delete', old.id, old.name_en, old.name_ru); INSERT INTO "
     'enterprise_fts_foreign(rowid, name_en, name_ru) VALUES (new.id, new.name_en, new.name_ru); END'),
    "INSERT INTO enterprise_fts_foreign(enterprise_fts_foreign) VALUES ('rebuild')",
]
POSTGRES_FOREIGN = [
    ('CREATE INDEX IF NOT EXISTS ix_enterprises_name_en_trgm ON enterprises USING gin (name_en '
     'gin_trgm_ops)'),
    ('CREATE INDEX IF NOT EXISTS ix_enterprises_name_ru_trgm ON enterprises USING gin (name_ru '
     'gin_trgm_ops)'),
]


def _run_optional(connection, statements):
    """Each statement in a savepoint; at the first failure log it and stop: pg_trgm may be
    unavailable (no superuser, managed database), and search still works without the indexes."""
    for statement in statements:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(statement)
        except sa.exc.DBAPIError as exc:
            logging.getLogger("alembic.runtime.migration").warning("search index not created (%s): %s",
                                                                   statement, exc.orig)
            return

_HAS_FOREIGN_NAME = sa.text("name_en IS NOT NULL OR name_ru IS NOT NULL")


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_foreign_names', ['name_en', 'name_ru'], unique=False,
                              sqlite_where=_HAS_FOREIGN_NAME, postgresql_where=_HAS_FOREIGN_NAME)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FOREIGN:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        _run_optional(bind, POSTGRES_FOREIGN)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS enterprise_fts_foreign_{suffix}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS enterprise_fts_foreign")
    elif bind.dialect.name == "postgresql":
        for column in ('name_en', 'name_ru'):
            bind.exec_driver_sql(f"DROP INDEX IF EXISTS ix_enterprises_{column}_trgm")
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_foreign_names')
