"""api tokens and messaging channels

Personal access tokens of the JSON API: named, scoped (read / write), revocable, stored as
their SHA-256 digest only.  企业微信 / 钉钉 robot channels, their subscriptions, and one
delivery row per (channel, event).

Revision ID: b3f7a2d9e514
Revises: c5a1d7e3f920
Create Date: 2026-12-07 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b3f7a2d9e514'
down_revision = 'c5a1d7e3f920'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    op.create_index('ix_api_tokens_user', 'api_tokens', ['user_id', 'id'], unique=False)
    op.create_table(
        'channels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=200), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('paused_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
    )
    op.create_table(
        'channel_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=30), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('leader_id', sa.Integer(), nullable=True),
        sa.Column('task_force_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'],
                                name=op.f('fk_channel_subscriptions_channel_id_channels'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_channel_subscriptions_department_id_departments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['leader_id'], ['users.id'],
                                name=op.f('fk_channel_subscriptions_leader_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_force_id'], ['task_forces.id'],
                                name=op.f('fk_channel_subscriptions_task_force_id_task_forces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_subscriptions')),
    )
    op.create_index('ix_channel_subscriptions_event', 'channel_subscriptions', ['event', 'channel_id'], unique=False)
    op.create_table(
        'channel_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('event_key', sa.String(length=80), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'],
                                name=op.f('fk_channel_deliveries_channel_id_channels'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_deliveries')),
        sa.UniqueConstraint('channel_id', 'event_key', name=op.f('uq_channel_deliveries_channel_id')),
    )


def downgrade():
    op.drop_table('channel_deliveries')
    op.drop_index('ix_channel_subscriptions_event', table_name='channel_subscriptions')
    op.drop_table('channel_subscriptions')
    op.drop_table('channels')
    op.drop_index('ix_api_tokens_user', table_name='api_tokens')
    op.drop_table('api_tokens')
