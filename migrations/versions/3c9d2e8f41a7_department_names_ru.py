"""department names ru

Russian names of departments, so a Russian brochure names the project's lead department
(牵头部门) in Russian; `flask seed plan` fills them from seeds/plan.json.

Revision ID: 3c9d2e8f41a7
Revises: 70e624e41e06
Create Date: 2026-11-29 09:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '3c9d2e8f41a7'
down_revision = '70e624e41e06'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ru', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('name_ru')
