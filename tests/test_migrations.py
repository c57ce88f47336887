"""The Alembic migrations build exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from crm import create_app
from crm.config import Settings
from crm.extensions import db

pytestmark = pytest.mark.sqlite_only


def test_upgrade_from_empty_matches_the_models(tmp_path):
    settings = Settings.from_env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.sqlite'}", SECRET_KEY="x",
                                 instance_path=tmp_path, TESTING=True)
    app = create_app(settings)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata)
        db.engine.dispose()
    # FTS shadow tables are created by raw DDL in the migrations and have no model.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("enterprise_fts"))]
    assert diff == [], "run `flask db migrate` and commit the new revision"
