"""park names en ru

English and Russian park names, so en/ru brochures print the park in the reader's language
(the Chinese name with its marker while a translation is missing).

Revision ID: b75bc20864f7
Revises: 5d1f0e7a9b21
Create Date: 2026-11-29 02:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b75bc20864f7'
down_revision = '5d1f0e7a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('name_ru', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.drop_column('name_ru')
        batch_op.drop_column('name_en')
