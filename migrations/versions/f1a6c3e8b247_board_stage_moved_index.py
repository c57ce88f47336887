"""The board's expression index on projects, which only create_all made until now

A database built by `flask db upgrade` (every installation) lacked ix_projects_stage_moved, so the
board's per-stage "newest move first" query sorted every project of a stage.  The expression must
match the board's ORDER BY (crm/services/projects.py: coalesce(stage_on, '1900-01-01') desc, id
desc) for SQLite and PostgreSQL to use it.  IF NOT EXISTS: a database made by create_all has it.

Revision ID: f1a6c3e8b247
Revises: e4b9c1d7a352
Create Date: 2026-12-07 18:35:00
"""
from alembic import op

revision = 'f1a6c3e8b247'
down_revision = 'e4b9c1d7a352'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX IF NOT EXISTS ix_projects_stage_moved "
               "ON projects (stage, coalesce(stage_on, '1900-01-01'), id)")


def downgrade():
    # Nothing to undo: the models declared this index before this revision (create_all made it),
    # so a database taken back to an earlier revision keeps it, as such a database always had it.
    pass
