"""The chains migration (c5a1d7e3f920) builds the chain tables and its downgrade removes them."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from crm import create_app
from crm.config import Settings
from crm.extensions import db

pytestmark = pytest.mark.sqlite_only
TABLES = {"chains", "chain_links", "chain_link_enterprises", "chain_link_projects", "chain_coverage"}


def test_the_chain_tables_come_with_the_revision_and_go_with_its_downgrade(tmp_path):
    settings = Settings.from_env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.sqlite'}", SECRET_KEY="x",
                                 instance_path=tmp_path, TESTING=True)
    app = create_app(settings)
    with app.app_context():
        upgrade(revision="c5a1d7e3f920")
        assert TABLES <= set(sa.inspect(db.engine).get_table_names())
        downgrade(revision="-1")  # to its parent, whichever revision that is after merging
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
