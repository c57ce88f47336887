"""department and task force names en

English names of departments and task forces, so the English UI names them in English (the
Chinese name while a translation is missing); `flask seed plan` fills them from seeds/plan.json.

Revision ID: 70e624e41e06
Revises: b75bc20864f7
Create Date: 2026-11-29 08:57:41

"""
import sqlalchemy as sa
from alembic import op

revision = '70e624e41e06'
down_revision = 'b75bc20864f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=True))
    with op.batch_alter_table('task_forces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('task_forces', schema=None) as batch_op:
        batch_op.drop_column('name_en')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('name_en')
