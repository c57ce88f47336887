"""enterprise names en ru

An enterprise's name for English and Russian readers: the English UI and the en/ru brochures
show it (a Russian partner's own name rather than its Chinese rendering).

Revision ID: e7c3a9d2b418
Revises: d4e1a7c3b590
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e7c3a9d2b418'
down_revision = 'd4e1a7c3b590'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('name_ru', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('name_ru')
        batch_op.drop_column('name_en')
