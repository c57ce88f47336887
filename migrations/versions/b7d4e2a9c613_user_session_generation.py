"""users.session_generation: revocable sessions; login attempts indexed by address

The login id kept in the session and the remember cookie is "<user id>:<generation>"; logout,
a password change and an administrator's reset or disabling bump the generation, so copied
cookies stop working.  Login failures are now also counted per client address.

Revision ID: b7d4e2a9c613
Revises: a3e5c8f1b702
Create Date: 2026-12-07 16:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7d4e2a9c613'
down_revision = 'a3e5c8f1b702'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_login_attempts_addr_at", "login_attempts", ["remote_addr", "at"])


def downgrade():
    op.drop_index("ix_login_attempts_addr_at", table_name="login_attempts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
