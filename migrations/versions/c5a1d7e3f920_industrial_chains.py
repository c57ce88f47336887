"""industrial chains

The plan's industrial chains (产业链) and their links (环节), with the enterprises and projects
attached to each link, and each chain's daily coverage; `flask seed plan` fills the chains from
seeds/chains.json.

Revision ID: c5a1d7e3f920
Revises: b6d2f4a8c913
Create Date: 2026-12-07 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c5a1d7e3f920'
down_revision = 'b6d2f4a8c913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'chains',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('plan_quote', sa.Text(), nullable=True),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.Column('lead_enterprise_id', sa.Integer(), nullable=True),
        sa.Column('leader_id', sa.Integer(), nullable=True),
        sa.Column('to_confirm', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['lead_enterprise_id'], ['enterprises.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['leader_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    with op.batch_alter_table('chains', schema=None) as batch_op:
        batch_op.create_index('ix_chains_leader_id', ['leader_id'], unique=False)
    op.create_table(
        'chain_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chain_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('name_en', sa.String(length=160), nullable=True),
        sa.Column('position', sa.String(length=10), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('products', sa.String(length=300), nullable=True),
        sa.Column('plan_quote', sa.Text(), nullable=True),
        sa.Column('to_confirm', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['chain_id'], ['chains.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['parent_id'], ['chain_links.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('chain_id', 'name', name='uq_chain_links_chain_name'),
    )
    with op.batch_alter_table('chain_links', schema=None) as batch_op:
        batch_op.create_index('ix_chain_links_chain_id', ['chain_id'], unique=False)
        batch_op.create_index('ix_chain_links_parent_id', ['parent_id'], unique=False)
    op.create_table(
        'chain_link_enterprises',
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['link_id'], ['chain_links.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('link_id', 'enterprise_id'),
    )
    with op.batch_alter_table('chain_link_enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_chain_link_enterprises_enterprise_id', ['enterprise_id'], unique=False)
    op.create_table(
        'chain_link_projects',
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['chain_links.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('link_id', 'project_id'),
    )
    with op.batch_alter_table('chain_link_projects', schema=None) as batch_op:
        batch_op.create_index('ix_chain_link_projects_project_id', ['project_id'], unique=False)
    op.create_table(
        'chain_coverage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chain_id', sa.Integer(), nullable=False),
        sa.Column('taken_on', sa.Date(), nullable=False),
        sa.Column('covered', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['chain_id'], ['chains.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('chain_id', 'taken_on', name='uq_chain_coverage_chain_day'),
    )
    with op.batch_alter_table('chain_coverage', schema=None) as batch_op:
        batch_op.create_index('ix_chain_coverage_taken_on', ['taken_on'], unique=False)


def downgrade():
    op.drop_table('chain_coverage')
    op.drop_table('chain_link_projects')
    op.drop_table('chain_link_enterprises')
    op.drop_table('chain_links')
    op.drop_table('chains')
