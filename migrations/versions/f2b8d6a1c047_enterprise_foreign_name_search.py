"""enterprise foreign name search

Search finds an enterprise by its English or Russian name (crm/services/search.py): a trigram
index of the names (an FTS5 table on SQLite, pg_trgm indexes on PostgreSQL; raw DDL kept in
search.py, filled from the rows already there) for terms of three or more characters, and a
partial index of the few firms that have a foreign name for shorter ones.

Revision ID: f2b8d6a1c047
Revises: e7c3a9d2b418
Create Date: 2026-12-03 13:20:00

"""
from alembic import op
import sqlalchemy as sa

from crm.services import search

revision = 'f2b8d6a1c047'
down_revision = 'e7c3a9d2b418'
branch_labels = None
depends_on = None

_HAS_FOREIGN_NAME = sa.text("name_en IS NOT NULL OR name_ru IS NOT NULL")


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_foreign_names', ['name_en', 'name_ru'], unique=False,
                              sqlite_where=_HAS_FOREIGN_NAME, postgresql_where=_HAS_FOREIGN_NAME)
    search.install_foreign(op.get_bind())


def downgrade():
    search.uninstall_foreign(op.get_bind())
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_foreign_names')
