"""two-character search index

Two-character Chinese terms (绥芬, 北农) are below the trigram minimum of FTS5 and pg_trgm and
were answered by a scan that grew with the table; enterprise_fts_grams answers them from one
index range.  The table and its triggers (SQLite triggers, a PL/pgSQL trigger on PostgreSQL)
are raw DDL kept in crm/services/search.py.

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
