"""covering indexes for a user's contacts

A staff member's home page lists the newest contacts on the firms they own.  PostgreSQL read
the firms' ids and each firm's contacts from the table, because neither index held the id:
thousands of heap fetches for one user at province scale, growing with the user's history.
With the id in both indexes the reads are index-only.  SQLite's indexes already carry
the rowid, so there it changes nothing.

Revision ID: c7a2e9f4d816
Revises: b6d1f3a8c942
Create Date: 2026-12-03 19:30:00

"""
from alembic import op

revision = 'c7a2e9f4d816'
down_revision = 'b6d1f3a8c942'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_owner_name')
        batch_op.create_index('ix_enterprises_owner_name', ['owner_id', 'name_norm', 'id'], unique=False)
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_enterprise_at')
        batch_op.create_index('ix_interactions_enterprise_at', ['enterprise_id', 'occurred_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_enterprise_at')
        batch_op.create_index('ix_interactions_enterprise_at', ['enterprise_id', 'occurred_at'], unique=False)
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_owner_name')
        batch_op.create_index('ix_enterprises_owner_name', ['owner_id', 'name_norm'], unique=False)
