"""The Alembic migrations build exactly the schema the models describe."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from crm import create_app
from crm.config import Settings
from crm.extensions import db

pytestmark = pytest.mark.sqlite_only


def _app(tmp_path):
    settings = Settings.from_env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.sqlite'}", SECRET_KEY="x",
                                 instance_path=tmp_path, TESTING=True)
    return create_app(settings)


def _schema_names(condition: str) -> list[str]:
    """The names of the tables, indexes and triggers in sqlite_master that meet the condition."""
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT name FROM sqlite_master WHERE {condition}").scalars().all()


def test_upgrade_from_empty_matches_the_models(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata)
        db.engine.dispose()
    # FTS shadow tables are created by raw DDL in the migrations and have no model.
    diff = [d for d in diff if not (d[0] == "remove_table"
                                    and d[1].name.startswith(("enterprise_fts", "project_name_pairs")))]
    assert diff == [], "run `flask db migrate` and commit the new revision"


def test_upgrade_from_empty_creates_the_boards_expression_index(tmp_path):
    from crm.services import projects
    app = _app(tmp_path)
    with app.app_context():
        upgrade()
        assert "ix_projects_stage_moved" in _schema_names("type = 'index'")
        board = sa.select(projects.Project.id).where(projects.Project.stage == "contact") \
            .order_by(*projects.newest_first()).limit(30)
        with db.engine.connect() as conn:
            plan = " ".join(str(row[-1]) for row in conn.execute(sa.text(
                "EXPLAIN QUERY PLAN " + str(board.compile(compile_kwargs={"literal_binds": True})))))
        assert "ix_projects_stage_moved" in plan and "TEMP B-TREE" not in plan, plan
        db.engine.dispose()


def test_two_character_index_migration_fills_from_existing_firms_and_downgrades(tmp_path):
    from crm.models import Enterprise
    from crm.services import search
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="c442608a6f38")  # a database made before the two-character index
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO enterprises (name, name_norm, short_name, country, status, role, "
                                 "created_at, updated_at) VALUES ('绥芬河市润宏经贸有限公司', '绥芬河市润宏经贸有限公司', "
                                 "'润宏', '中国', 'prospect', 'target', '2026-01-01', '2026-01-01')"))
        upgrade()
        assert [e.name for e in db.session.scalars(search.enterprise_select("绥芬"))] == ["绥芬河市润宏经贸有限公司"]
        assert db.session.scalars(search.enterprise_ids("润宏")).all() == [db.session.scalar(sa.select(Enterprise.id))]
        db.session.remove()
        downgrade(revision="c442608a6f38")
        assert _schema_names("name LIKE 'enterprise_fts_grams%'") == []
        db.engine.dispose()


def test_foreign_name_search_migration_indexes_existing_firms_and_downgrades(tmp_path):
    from crm.services import search
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="e7c3a9d2b418")  # enterprises have foreign names, search does not read them
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO enterprises (name, name_norm, name_ru, country, status, role, "
                                 "created_at, updated_at) VALUES ('滨海边疆区农业贸易有限公司', '滨海边疆区农业贸易有限公司', "
                                 "'ООО «Приморье Агро»', '俄罗斯', 'prospect', 'target', '2026-01-01', '2026-01-01')"))
        upgrade()
        for q in ("приморье", "Агро", "ОО"):
            assert [e.name for e in db.session.scalars(search.enterprise_select(q))] == ["滨海边疆区农业贸易有限公司"], q
        db.session.remove()
        downgrade(revision="e7c3a9d2b418")
        assert _schema_names("name LIKE 'enterprise_fts_foreign%' OR name = 'ix_enterprises_foreign_names'") == []
        db.engine.dispose()


def test_local_firms_index_migration_lets_the_dashboard_count_and_downgrades(tmp_path):
    from crm.services.reports import metrics
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="d8f3b5a1e726")
        assert _schema_names("name = 'ix_enterprises_local'") == ["ix_enterprises_local"]
        # A SQLite database that passed d8f3b5a1e726 when that revision built the index on
        # PostgreSQL only: the next revision catches it up.
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_enterprises_local")
        upgrade()
        # The count names the index (INDEXED BY): it fails unless the migration made it with the
        # condition the count's filter repeats.
        assert db.session.execute(metrics.local_tagged_select(db.engine.dialect)).one() == (0, 0)
        db.session.remove()
        downgrade(revision="d8f3b5a1e726")
        assert _schema_names("name = 'ix_enterprises_local'") == ["ix_enterprises_local"]
        downgrade(revision="c7a2e9f4d816")
        assert _schema_names("name = 'ix_enterprises_local'") == []
        db.engine.dispose()


def test_status_checks_keep_search_indexes_and_triggers_and_downgrade(tmp_path):
    from crm.services import projects, search
    from crm.services.reports import metrics
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="b3f7a2d9e514")  # the head before the status constraints, with data
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO enterprises (name, name_norm, short_name, name_ru, country, status, "
                                 "role, created_at, updated_at) VALUES ('绥芬河市润宏经贸有限公司', '绥芬河市润宏经贸有限公司', "
                                 "'润宏', 'ООО «Рунхун»', '中国', 'engaged', 'investor', '2026-01-01', '2026-01-01')"))
            conn.execute(sa.text("INSERT INTO users (id, username, display_name, role, password_hash, is_enabled, "
                                 "created_at, updated_at) VALUES (1, 'staff', '张三', 'staff', 'x', 1, '2026-01-01', "
                                 "'2026-01-01')"))
            conn.execute(sa.text("INSERT INTO digest_deliveries (user_id, iso_week, status, claimed_at, attempts) "
                                 "VALUES (1, '2026-W48', 'unknown', '2026-11-23', 1)"))
            # The board's expression index (declared by crm/services/projects.py; a later revision
            # creates it where create_all did not): the rebuild of projects must keep it.
            projects.BOARD_INDEXES[0].create(conn)
        before = _schema_names("type IN ('trigger', 'index') AND sql IS NOT NULL ORDER BY name")
        assert "ix_projects_stage_moved" in before and any(n.startswith("enterprise_fts") for n in before)
        upgrade()
        # Later revisions may add indexes; none may lose one (a table rebuild drops what it does not copy).
        assert set(before) <= set(_schema_names("type IN ('trigger', 'index') AND sql IS NOT NULL ORDER BY name"))
        with db.engine.connect() as conn:  # rebuilding users deleted no row pointing at a user
            assert conn.exec_driver_sql("SELECT status FROM digest_deliveries").scalars().all() == ["unknown"]
        for q in ("绥芬", "润宏经贸", "Рунхун"):  # the FTS triggers were re-created and still fill the index
            assert [e.name for e in db.session.scalars(search.enterprise_select(q))] == ["绥芬河市润宏经贸有限公司"], q
        with db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE enterprises SET short_name = '润宏新' WHERE short_name = '润宏'")
        assert len(db.session.scalars(search.enterprise_select("润宏新")).all()) == 1
        assert db.session.execute(metrics.local_tagged_select(db.engine.dialect)).one() is not None
        db.session.remove()
        for sql in ("UPDATE enterprises SET status = 'lost'", "UPDATE digest_deliveries SET status = 'gone'"):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.exec_driver_sql(sql)
        downgrade(revision="b3f7a2d9e514")
        assert _schema_names("type IN ('trigger', 'index') AND sql IS NOT NULL ORDER BY name") == before
        with db.engine.begin() as conn:  # no constraint left
            conn.exec_driver_sql("UPDATE digest_deliveries SET status = 'gone'")
        db.engine.dispose()


def test_status_checks_stop_on_a_row_outside_its_status_and_change_nothing(tmp_path, capfd):
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="b3f7a2d9e514")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (id, username, display_name, role, password_hash, is_enabled, "
                                 "created_at, updated_at) VALUES (1, 'staff', '张三', 'staff', 'x', 1, '2026-01-01', "
                                 "'2026-01-01')"))
            conn.execute(sa.text("INSERT INTO digest_deliveries (user_id, iso_week, status, claimed_at, attempts) "
                                 "VALUES (1, '2026-W48', 'bounced', '2026-11-23', 1)"))
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            upgrade()
        assert "digest_deliveries.status = 'bounced'" in capfd.readouterr().err
        assert _schema_names("type = 'table' AND sql LIKE '%CONSTRAINT ck_%'") == []
        db.engine.dispose()


def test_duplicate_keys_migration_fills_existing_firms_and_downgrades(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="a7c2e5f9d318")  # firms filed before the likely-duplicate keys
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO enterprises (name, name_norm, short_name, credit_code, country, status, "
                                 "role, created_at, updated_at) VALUES ('东北农业（集团）股份有限公司', '东北农业集团股份有限公司', "
                                 "' 东北 农业 ', '91231081ma0000001x', '中国', 'prospect', 'target', '2026-01-01', "
                                 "'2026-01-01')"))
        upgrade(revision="c3f8a1d6e245")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name_key, short_key, credit_key FROM enterprises").one() == (
                "东北农业", "东北农业", "91231081MA0000001X")
        assert {"ix_enterprises_name_key", "ix_enterprises_short_key", "ix_enterprises_credit_key",
                "ix_enterprises_credit_loose"} <= set(
            _schema_names("type = 'index'"))
        downgrade(revision="a7c2e5f9d318")
        assert not any("key" in n or "loose" in n for n in _schema_names("type = 'index' AND tbl_name = 'enterprises'"))


def test_project_name_pairs_migration_fills_from_existing_projects_and_downgrades(tmp_path):
    from crm.models import Project
    from crm.services.projects import name_contains
    from tests import factories
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="d4a8e6b2c917")  # a database made just before the names' piece index
        project_id = factories.project(name="绥芬河大豆精深加工项目", name_en="Soybean Processing").id
        db.session.remove()
        upgrade()
        for q in ("大豆", "soybean", "SO"):
            assert db.session.scalars(sa.select(Project.id).where(name_contains(q))).all() == [project_id], q
        db.session.remove()
        downgrade(revision="d4a8e6b2c917")
        assert _schema_names("name LIKE 'project_name_pairs%'") == []
        db.engine.dispose()
