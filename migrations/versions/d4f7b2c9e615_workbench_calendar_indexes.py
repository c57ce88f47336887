"""workbench and calendar indexes

- projects (lead_department_id, in_pool, stage, last_interaction_at, created_at, stage_on,
  column_no, column_seq) beside (lead_department_id), which stays (no revision drops an index a
  deployment may rely on): a department's 调度 rows and its
  stale projects (the officer's workbench, the project list's 久未联系 filter by department) are
  decided from the index alone, instead of reading ~1,000 wide project rows at province scale
  (5–12 ms a statement).
- interactions (next_follow_up, id) where the follow-up is open: an administrator's calendar
  walks each day's first follow-ups in order and stops, instead of ranking the month's
  thousands (8–17 ms; PostgreSQL had no index in that order).

Revision ID: d4f7b2c9e615
Revises: c4d9e2a7b815
Create Date: 2026-12-07 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd4f7b2c9e615'
down_revision = "c4d9e2a7b815"
branch_labels = None
depends_on = None

_SQLITE, _POSTGRESQL = sa.text("follow_up_done IS 0"), sa.text("follow_up_done IS false")
LEAD_STATE = ['lead_department_id', 'in_pool', 'stage', 'last_interaction_at', 'created_at', 'stage_on',
              'column_no', 'column_seq']


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_lead_state', LEAD_STATE, unique=False)
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_open_due', ['next_follow_up', 'id'], unique=False,
                              sqlite_where=_SQLITE, postgresql_where=_POSTGRESQL)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_open_due')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_lead_state')
