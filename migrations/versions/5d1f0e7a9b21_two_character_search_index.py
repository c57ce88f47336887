"""two-character search index (SQLite)

Two-character Chinese terms (绥芬, 北农) are below the FTS5 trigram minimum and were answered by
a LIKE scan that grew with the table; enterprise_fts_grams answers them from one index range.
The table and its triggers are raw DDL kept in crm/services/search.py; PostgreSQL keeps pg_trgm.

Revision ID: 5d1f0e7a9b21
Revises: c442608a6f38
Create Date: 2026-11-29 02:10:00

"""
from alembic import op

from crm.services import search

revision = '5d1f0e7a9b21'
down_revision = 'c442608a6f38'
branch_labels = None
depends_on = None


def upgrade():
    search.install_grams(op.get_bind())


def downgrade():
    search.uninstall_grams(op.get_bind())
