"""Project names searched through an index: the two-character pieces of each project's names
(crm/services/name_pairs.py), so the top bar's project search (from two characters; pg_trgm and
FTS5's trigrams need three) no longer reads all 10,000 projects of a province per keystroke
(10-15 ms a statement on PostgreSQL, 4-5 ms on SQLite).  PostgreSQL: a GIN expression index;
SQLite: a table kept by triggers, filled here from the projects already there.

Revision ID: c5e1a8d4b962
Revises: d4a8e6b2c917
"""
from alembic import op

from crm.services import name_pairs

revision = "c5e1a8d4b962"
down_revision = "d4a8e6b2c917"
branch_labels = None
depends_on = None


def upgrade():
    name_pairs.install(op.get_bind())


def downgrade():
    name_pairs.uninstall(op.get_bind())
