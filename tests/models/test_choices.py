"""Each status is defined once (crm/models/choices.py): the database refuses a value outside it,
the UI has a label for every value, and the migration that added the constraints lists the
values the models define."""
import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models.choices import Choices
from crm.services.interactions import KIND_LABELS
from crm.services.pipeline import STAGE_LABELS
from crm.services.routines import problems
from tests import factories

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "e4b9c1d7a352_status_check_constraints.py"
# Constraints added by later revisions (new tables, new status columns) are read back from a
# database migrated to the head instead (test_later_revisions_create_the_constraints_they_declare).


def _checked_columns() -> dict:
    """{(table, column): values} of every CHECK ... IN (...) the models declare."""
    found = {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint) and " IN (" in str(constraint.sqltext):
                column, listed = str(constraint.sqltext).split(" IN (")
                found[(table.name, column)] = tuple(v.strip(" '") for v in listed.rstrip(")").split(","))
    return found


def _status_migration_checks() -> dict:
    spec = importlib.util.spec_from_file_location("status_checks", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {(t, c): tuple(v) for t, cols in module.CHECKS.items() for c, v in cols.items()}


def test_the_status_migration_adds_exactly_the_constraints_its_tables_declare():
    migrated = _status_migration_checks()
    tables = {table for table, _column in migrated}
    declared = {key: values for key, values in _checked_columns().items() if key[0] in tables}
    assert {key: values for key, values in migrated.items() if key in declared} == {
        key: values for key, values in declared.items() if key in migrated}


@pytest.mark.sqlite_only
def test_later_revisions_create_the_constraints_they_declare(tmp_path):
    """Every CHECK the models declare exists in a database built by the migrations alone, with the
    same values: the status migration's, and those later revisions add with their tables."""
    from flask_migrate import upgrade

    from crm import create_app
    from crm.config import Settings
    app = create_app(Settings.from_env(DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite'}", SECRET_KEY="x",
                                       instance_path=tmp_path, TESTING=True))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ddl = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
        declared = _checked_columns()
        db.engine.dispose()
    for (table, column), values in declared.items():
        listed = ", ".join(f"'{v}'" for v in values)
        assert f"{column} IN ({listed})" in ddl[table], (table, column)


def test_a_mapping_reads_labels_in_the_order_of_the_values():
    stage = Choices({"b": "乙", "a": "甲"})
    assert (list(stage), stage.codes, list(stage.values()), stage["a"], stage.get("x", "x"), len(stage)) == (
        ["b", "a"], ("b", "a"), ["乙", "甲"], "甲", "x", 2)


@pytest.mark.parametrize("labels", [STAGE_LABELS, KIND_LABELS, problems.STATUS_LABELS])
def test_the_ui_has_a_label_for_every_value(app, labels):
    assert all(str(labels[value]) for value in labels.codes)


@pytest.mark.parametrize("table, column, value", [
    ("projects", "stage", "finished"), ("enterprises", "status", "lost"), ("users", "role", "boss"),
    ("problems", "status", "closed"),
])
def test_the_database_refuses_a_value_outside_the_status(app, users, table, column, value):
    factories.problem()  # with its project
    factories.enterprise()
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text(f"UPDATE {table} SET {column} = :v"), {"v": value})
        db.session.flush()
    db.session.rollback()
