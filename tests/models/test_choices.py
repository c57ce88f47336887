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
# Tables created after that revision: their own create_table declares their constraints.
CREATED_LATER = {"sheet_imports": "bb18a9fd04fe_sheet_imports.py"}


def _checked_columns() -> dict:
    """{(table, column): values} of every CHECK ... IN (...) the models declare."""
    found = {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint) and " IN (" in str(constraint.sqltext):
                column, listed = str(constraint.sqltext).split(" IN (")
                found[(table.name, column)] = tuple(v.strip(" '") for v in listed.rstrip(")").split(","))
    return found


def test_the_migration_adds_exactly_the_constraints_the_models_declare():
    spec = importlib.util.spec_from_file_location("status_checks", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    migrated = {(t, c): tuple(v) for t, cols in module.CHECKS.items() for c, v in cols.items()}
    declared = _checked_columns()
    assert migrated == {key: values for key, values in declared.items() if key[0] not in CREATED_LATER}
    for (table, column), values in declared.items():
        if table in CREATED_LATER:
            listed = ", ".join(f"'{v}'" for v in values)
            assert f"{column} IN ({listed})" in (MIGRATION.parent / CREATED_LATER[table]).read_text(encoding="utf-8")


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
