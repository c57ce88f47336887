"""local firms index on SQLite too

The tagged-firm count of the dashboard looked each tagged firm up by rowid on SQLite, reading
its whole row: 21 ms at province scale.  Told to read the partial index of the local firms
(INDEXED BY), it takes 5 ms (crm/services/reports/metrics.py).  PostgreSQL got the index in
d8f3b5a1e726.

Revision ID: a3e5c8f1b702
Revises: d8f3b5a1e726
Create Date: 2026-12-07 20:10:00

"""
from alembic import op

from crm.services.reports import metrics

revision = 'a3e5c8f1b702'
down_revision = 'd8f3b5a1e726'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        metrics.LOCAL_FIRMS_INDEX.create(op.get_bind(), checkfirst=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        metrics.LOCAL_FIRMS_INDEX.drop(op.get_bind(), checkfirst=True)
