"""open follow-up indexes

A staff member's home page lists the follow-ups due on their own contacts and on their firms'.
The indexes by author and by firm led to every contact of theirs (about 6,000 at province
scale) to test whether its follow-up was open.  Two partial indexes hold only the open
follow-ups (about 1 % of contacts), by author and by firm, in date order.

Revision ID: b6d1f3a8c942
Revises: a9e4c2f7d315
Create Date: 2026-12-03 15:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b6d1f3a8c942'
down_revision = 'a9e4c2f7d315'
branch_labels = None
depends_on = None

_SQLITE, _POSTGRESQL = sa.text("follow_up_done IS 0"), sa.text("follow_up_done IS false")
_INDEXES = {"ix_interactions_open_author": "created_by_id", "ix_interactions_open_enterprise": "enterprise_id"}


def upgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        for name, column in _INDEXES.items():
            batch_op.create_index(name, [column, 'next_follow_up'], unique=False,
                                  sqlite_where=_SQLITE, postgresql_where=_POSTGRESQL)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        for name in _INDEXES:
            batch_op.drop_index(name)
