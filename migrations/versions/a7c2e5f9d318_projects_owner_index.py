"""An index on projects.owner_id: a staff member's workbench reads their own projects (the stale
ones), which scanned every project at province scale (8 ms a statement, twice a page).

Revision ID: a7c2e5f9d318
Revises: bb18a9fd04fe
"""
from alembic import op

revision = "a7c2e5f9d318"
down_revision = "bb18a9fd04fe"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_projects_owner", "projects", ["owner_id"])


def downgrade():
    op.drop_index("ix_projects_owner", table_name="projects")
