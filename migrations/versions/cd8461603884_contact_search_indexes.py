"""Indexes for the top bar's search: a contact is found by the start of the name or of the phone
number (services/finder.py asks each as an index range).

Revision ID: cd8461603884
Revises: 9f715bdff5a6
"""
from alembic import op

revision = "cd8461603884"
down_revision = '9f715bdff5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_contacts_name", "contacts", ["name", "id"])
    op.create_index("ix_contacts_phone", "contacts", ["phone", "id"])


def downgrade():
    op.drop_index("ix_contacts_phone", table_name="contacts")
    op.drop_index("ix_contacts_name", table_name="contacts")
