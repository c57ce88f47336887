"""Saved filter sets and chosen columns of the list pages, per user

saved_filters: a list's query string saved by a user under a name (services/lists/saved.py).
list_columns: the optional columns a user shows on a list (services/lists/columns.py).

Revision ID: 9f715bdff5a6
Revises: 34171bfc9cc4
Create Date: 2026-12-07 20:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '9f715bdff5a6'
down_revision = '34171bfc9cc4'
branch_labels = None
depends_on = None

LIST_KEYS = "list_key IN ('enterprises', 'projects', 'problems')"


def upgrade():
    op.create_table(
        'saved_filters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('list_key', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('query_string', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(LIST_KEYS, name=op.f('ck_saved_filters_list_key')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_filters_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filters')),
        sa.UniqueConstraint('user_id', 'list_key', 'name', name=op.f('uq_saved_filters_user_id')),
    )
    op.create_table(
        'list_columns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('list_key', sa.String(length=20), nullable=False),
        sa.Column('shown', sa.JSON(), nullable=False),
        sa.CheckConstraint(LIST_KEYS, name=op.f('ck_list_columns_list_key')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_list_columns_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_list_columns')),
        sa.UniqueConstraint('user_id', 'list_key', name=op.f('uq_list_columns_user_id')),
    )


def downgrade():
    op.drop_table('list_columns')
    op.drop_table('saved_filters')
