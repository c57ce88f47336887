"""批示 as a loop: responsible units, a deadline, a state, and the units' replies

Instructions get a deadline, a state (todo | doing | done, held by a CHECK) and the leader's
send-back note; instruction_units links each to its responsible departments, and
instruction_replies holds the units' replies.  Existing 批示 are addressed to their project's
牵头部门 (the unit the old problem rule assumed) so they can be answered and closed.

Revision ID: 061cc0367ec7
Revises: e8b3d1f6a274
Create Date: 2026-12-07 20:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '061cc0367ec7'
down_revision = 'e8b3d1f6a274'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instructions') as batch:
        batch.add_column(sa.Column('deadline', sa.Date(), nullable=True))
        batch.add_column(sa.Column('state', sa.String(length=8), server_default='todo', nullable=False))
        batch.add_column(sa.Column('returned_note', sa.Text(), nullable=True))
        batch.create_check_constraint(op.f('ck_instructions_state'), "state IN ('todo', 'doing', 'done')")
        batch.create_index('ix_instructions_state_deadline', ['state', 'deadline'], unique=False)
    op.create_table(
        'instruction_units',
        sa.Column('instruction_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_instruction_units_department_id_departments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['instruction_id'], ['instructions.id'],
                                name=op.f('fk_instruction_units_instruction_id_instructions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('instruction_id', 'department_id', name=op.f('pk_instruction_units')))
    op.create_index(op.f('ix_instruction_units_department_id'), 'instruction_units', ['department_id'], unique=False)
    op.create_table(
        'instruction_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instruction_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_instruction_replies_author_id_users')),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_instruction_replies_department_id_departments')),
        sa.ForeignKeyConstraint(['instruction_id'], ['instructions.id'],
                                name=op.f('fk_instruction_replies_instruction_id_instructions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_instruction_replies')))
    op.create_index('ix_instruction_replies_instruction', 'instruction_replies', ['instruction_id', 'id'], unique=False)
    op.create_index(op.f('ix_instruction_replies_created_at'), 'instruction_replies', ['created_at'], unique=False)
    op.execute("INSERT INTO instruction_units (instruction_id, department_id) "
               "SELECT i.id, p.lead_department_id FROM instructions i JOIN projects p ON p.id = i.project_id "
               "WHERE p.lead_department_id IS NOT NULL")


def downgrade():
    op.drop_index(op.f('ix_instruction_replies_created_at'), table_name='instruction_replies')
    op.drop_index('ix_instruction_replies_instruction', table_name='instruction_replies')
    op.drop_table('instruction_replies')
    op.drop_index(op.f('ix_instruction_units_department_id'), table_name='instruction_units')
    op.drop_table('instruction_units')
    with op.batch_alter_table('instructions') as batch:
        batch.drop_index('ix_instructions_state_deadline')
        batch.drop_constraint(op.f('ck_instructions_state'), type_='check')
        batch.drop_column('returned_note')
        batch.drop_column('state')
        batch.drop_column('deadline')
