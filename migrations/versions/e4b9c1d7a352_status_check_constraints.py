"""status check constraints

Each status column is held to its values by a CHECK constraint (the values are defined once in
crm/models, listed here as they stand at this revision).  On SQLite adding a CHECK rebuilds the
table, which drops its triggers (the enterprise search's FTS sync) and the indexes reflection
cannot copy (expression and partial ones such as ix_projects_stage_moved): the revision saves
their DDL from sqlite_master first and re-creates them exactly after the rebuild.

Revision ID: e4b9c1d7a352
Revises: a9d4e2c7b150
Create Date: 2026-12-07 18:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e4b9c1d7a352'
down_revision = 'a9d4e2c7b150'
branch_labels = None
depends_on = None

STAGES = ('planned', 'contact', 'signed', 'started', 'operating', 'paused', 'dropped')
# table → {column: values}
CHECKS = {
    'projects': {'stage': STAGES},
    'stage_events': {'from_stage': STAGES, 'to_stage': STAGES},
    'enterprises': {'status': ('prospect', 'engaged', 'invested', 'dormant'),
                    'role': ('target', 'investor', 'partner')},
    'problems': {'status': ('open', 'in_progress', 'resolved')},
    'digest_deliveries': {'status': ('claimed', 'sending', 'sent', 'failed', 'unknown')},
    'catalog_builds': {'status': ('queued', 'running', 'done', 'failed')},
    'users': {'role': ('admin', 'staff', 'officer', 'leader')},
    'interactions': {'kind': ('visit_in', 'visit_out', 'phone', 'video', 'expo', 'email', 'wechat')},
    'channels': {'kind': ('wecom', 'dingtalk', 'email')},
    'channel_deliveries': {'status': ('pending', 'sending', 'sent', 'failed')},
    'outbox_messages': {'status': ('pending', 'enqueued', 'inline', 'done')},
}


def _listed(values) -> str:
    return ', '.join(f"'{value}'" for value in values)


def _refuse_bad_rows(bind) -> None:
    """Name every row a constraint would refuse, before anything changes: better a clear stop
    than a half-migrated database or a silently rewritten status."""
    bad = []
    for table, columns in CHECKS.items():
        for column, values in columns.items():
            rows = bind.exec_driver_sql(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL "
                f"AND {column} NOT IN ({_listed(values)})").scalars().all()
            bad += [f"{table}.{column} = {value!r}" for value in rows]
    if bad:
        raise RuntimeError("rows with values outside their status: " + "; ".join(bad))


def _saved_ddl(bind, table: str) -> list:
    """The table's triggers and indexes as SQLite stores them (autoindexes have no SQL)."""
    if bind.dialect.name != 'sqlite':
        return []
    return bind.execute(sa.text("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = :t "
                                "AND type IN ('trigger', 'index') AND sql IS NOT NULL"), {'t': table}).all()


def _restore(bind, saved) -> None:
    for kind, name, sql in saved:
        bind.exec_driver_sql(f'DROP {kind.upper()} IF EXISTS "{name}"')
        bind.exec_driver_sql(sql)


def _foreign_keys(bind, on: bool) -> None:
    """SQLite's rebuild drops the old table: with foreign keys on, dropping users would delete
    (ON DELETE CASCADE) every row that points at a user.  The pragma only takes effect outside
    a transaction."""
    if bind.dialect.name == 'sqlite':
        with op.get_context().autocommit_block():
            bind.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _rebuild(alter) -> None:
    """Run alter(batch, table, columns) on every table, keeping its triggers, indexes and rows."""
    bind = op.get_bind()
    _foreign_keys(bind, False)
    try:
        for table, columns in CHECKS.items():
            saved = _saved_ddl(bind, table)
            with op.batch_alter_table(table) as batch:
                alter(batch, table, columns)
            _restore(bind, saved)
    finally:
        _foreign_keys(bind, True)


def upgrade():
    _refuse_bad_rows(op.get_bind())

    def add(batch, table, columns):
        for column, values in columns.items():
            batch.create_check_constraint(op.f(f'ck_{table}_{column}'), f'{column} IN ({_listed(values)})')
    _rebuild(add)


def downgrade():
    def drop(batch, table, columns):
        for column in columns:
            batch.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
    _rebuild(drop)
