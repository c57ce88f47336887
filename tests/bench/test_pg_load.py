"""The PostgreSQL bulk load drops keys and indexes for the load and puts back exactly what it
dropped: the same catalog, the same two-character search rows, the foreign keys enforced."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from bench import pg_load
from crm.extensions import db
from crm.models import Enterprise
from crm.services import search
from tests import factories

CATALOG = """
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
  JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = current_schema()::regnamespace
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid) FROM pg_constraint
  WHERE connamespace = current_schema()::regnamespace
UNION ALL
SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) FROM pg_trigger
  WHERE NOT tgisinternal
ORDER BY 1, 2
"""


def _grams(conn) -> list:
    return conn.exec_driver_sql(f"SELECT gram, name_norm, enterprise_id FROM {search.GRAM_TABLE} ORDER BY 1, 2, 3").all()


@pytest.fixture
def pg_conn(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    # Everything in one transaction, rolled back: the session's tables keep their keys.
    with db.engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


def test_restore_puts_back_every_index_constraint_trigger_and_search_row_it_dropped(app, pg_conn):
    factories.enterprise(name="绥芬河龙华生物科技有限公司", short_name="龙华")
    factories.enterprise(name="哈尔滨宝丰农业发展有限公司", short_name="宝丰")
    before, grams = pg_conn.exec_driver_sql(CATALOG).all(), _grams(pg_conn)
    assert grams

    deferred = pg_load.defer(pg_conn)
    dropped = pg_conn.exec_driver_sql(CATALOG).all()
    assert not any(kind == "constraint" and "FOREIGN KEY" in text for kind, _name, text in dropped)
    assert not pg_conn.exec_driver_sql(f"SELECT to_regclass('{search.GRAM_TABLE}')").scalar()
    pg_load.restore(pg_conn, deferred, log=lambda line: None)

    assert pg_conn.exec_driver_sql(CATALOG).all() == before
    assert _grams(pg_conn) == grams


def test_a_foreign_key_is_validated_when_it_is_put_back(app, pg_conn):
    deferred = pg_load.defer(pg_conn)
    pg_conn.exec_driver_sql("INSERT INTO contacts (enterprise_id, name, created_at, updated_at) "
                            "VALUES (999999, '张经理', now(), now())")
    with pytest.raises(sa.exc.IntegrityError):
        pg_load.restore(pg_conn, deferred, log=lambda line: None)


def test_the_newest_contacts_go_in_by_one_update_and_other_firms_keep_theirs(app, pg_conn):
    firm, other = factories.enterprise(), factories.enterprise()
    pg_load.set_latest(pg_conn, Enterprise.__table__, {firm.id: datetime(2026, 11, 28, 9)})
    latest = dict(pg_conn.execute(sa.select(Enterprise.id, Enterprise.last_interaction_at)).all())
    assert latest == {firm.id: datetime(2026, 11, 28, 9), other.id: None}
