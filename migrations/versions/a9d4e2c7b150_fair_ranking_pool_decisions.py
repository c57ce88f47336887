"""fair ranking and per-project pool decisions

The 季度晾晒 method (Wilson lower bound or plain rates) and the minimum number of items below
which a department is shown as 样本不足, kept in the settings and frozen with every snapshot
(snapshots made before this revision used plain rates and no minimum).  Each reserve-pool
review row gets the committee's decision (入库, 出库, 暂缓, 待定) and the reviewer's note.

Revision ID: a9d4e2c7b150
Revises: b3f7a2d9e514
Create Date: 2026-12-07 17:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a9d4e2c7b150'
down_revision = 'b3f7a2d9e514'
branch_labels = None
depends_on = None

# (table, default method, default minimum): live settings turn fair, old snapshots stay as frozen.
RULE_TABLES = (('routine_settings', 'wilson', '5'), ('ranking_snapshots', 'raw', '0'))


def upgrade():
    for table, method, minimum in RULE_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('rank_method', sa.String(length=10), nullable=False,
                                       server_default=method))
            batch.add_column(sa.Column('min_items', sa.Integer(), nullable=False, server_default=minimum))
    with op.batch_alter_table('pool_review_items') as batch:
        batch.add_column(sa.Column('decision', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('pool_review_items') as batch:
        batch.drop_column('note')
        batch.drop_column('decision')
    for table, _method, _minimum in RULE_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('min_items')
            batch.drop_column('rank_method')
