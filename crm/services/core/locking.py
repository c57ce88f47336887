"""Row locks for read-check-write rules that two requests may run at once (a stage move).

PostgreSQL locks the row with SELECT … FOR UPDATE.  SQLite has no row locks: the whole
database is taken for writing with BEGIN IMMEDIATE.  pysqlite (legacy transaction mode) emits
its own deferred BEGIN only before the first INSERT/UPDATE/DELETE, so until a request writes,
its reads run outside any transaction and BEGIN IMMEDIATE can still be issued; once it has
written, it already holds SQLite's write lock.  Either way the rows are read again after the
lock, so the rules check what the previous writer committed.
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db


def lock_for_update(obj) -> None:
    """Take the write lock on `obj`'s row and reload it (its changes are flushed first)."""
    session = db.session
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    # The row alone: FOR UPDATE cannot apply to the outer joins of the object's eager loads.
    mapper = sa.inspect(obj).mapper
    key = mapper.primary_key[0]
    session.execute(sa.select(key).where(key == getattr(obj, mapper.get_property_by_column(key).key))
                    .with_for_update())  # the SQLite dialect leaves FOR UPDATE out
    session.refresh(obj)
