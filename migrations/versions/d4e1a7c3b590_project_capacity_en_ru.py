"""project capacity en ru

English and Russian 建设规模/产能, so en/ru brochures and the English project page state a
project's capacity in the reader's language (the Chinese with its marker while one is missing).
`flask seed plan` fills them for the plan's projects.

Revision ID: d4e1a7c3b590
Revises: 8a4f6b2c9d13
Create Date: 2026-11-29 12:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd4e1a7c3b590'
down_revision = '8a4f6b2c9d13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_en', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('capacity_ru', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('capacity_ru')
        batch_op.drop_column('capacity_en')
