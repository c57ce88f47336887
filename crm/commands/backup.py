"""`flask --app wsgi backup -o FILE` and `flask --app wsgi restore FILE`.

SQLite (the default, in WAL mode): the online backup API copies a consistent snapshot while the
web server and workers keep writing, which copying the .sqlite file (without its -wal file)
does not.  The copy is stamped with a crm_backup table, so restore can refuse any file that is
not a backup of this app.  Restore replaces every row of the database with the backup's, after
a confirmation (or --yes), through the same API, so open connections see the restored data.

PostgreSQL: both commands print the pg_dump / pg_restore command to run and exit 1 (the
database server's own tools do it better than any copy through the app).
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app

from crm.extensions import db
from crm.services.core.clock import utcnow
from crm.services.files import backup as file_backup

MARK_TABLE = "crm_backup"
APP_NAME = "招商项目管家"
# Tables every backup of this app has (a file without them is someone else's database).
REQUIRED_TABLES = {"users", "projects", "enterprises", MARK_TABLE}


def _libpq_url() -> str:
    """The database URL as pg_dump/pg_restore take it (password hidden)."""
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=True)


def _sqlite_path() -> Path:
    return Path(db.engine.url.database)


def _postgres_hint(command: str) -> click.ClickException:
    return click.ClickException(
        f"数据库是 PostgreSQL：请用数据库自带的工具，例如\n  {command}\n"
        "（PGPASSWORD 或 ~/.pgpass 提供密码）")


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _stamp(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f"CREATE TABLE {MARK_TABLE} (app TEXT NOT NULL, taken_at TEXT NOT NULL, revision TEXT)")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() \
            if "alembic_version" in _tables(conn) else None
        conn.execute(f"INSERT INTO {MARK_TABLE} VALUES (?, ?, ?)",
                     (APP_NAME, datetime.now(UTC).isoformat(timespec="seconds"), revision and revision[0]))


def check_backup(path: Path) -> dict:
    """The backup's stamp {app, taken_at, revision}; ClickException when it is not ours."""
    problem = f"{path} 不是本系统（{APP_NAME}）的备份文件，未做任何更改。"
    if not path.is_file() or path.read_bytes()[:16] != b"SQLite format 3\x00":
        raise click.ClickException(problem)
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if not REQUIRED_TABLES <= _tables(conn):
                raise click.ClickException(problem)
            app, taken_at, revision = conn.execute(f"SELECT app, taken_at, revision FROM {MARK_TABLE}").fetchone()
            conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{problem}（{exc}）") from None
    if app != APP_NAME:
        raise click.ClickException(problem)
    return {"taken_at": taken_at, "revision": revision}


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (it must not exist).")
def backup(output: Path) -> None:
    """Back up the database while the app runs (SQLite; PostgreSQL: prints the pg_dump command)."""
    if db.engine.url.get_backend_name() != "sqlite":
        # The files are ours to copy whatever the database: archive them, then point at pg_dump.
        if output.exists():
            raise click.ClickException(f"{output} 已存在：请换一个文件名（备份不会覆盖已有文件）。")
        _back_up_files(output, utcnow())
        raise _postgres_hint(f"pg_dump --format=custom --file {output} '{_libpq_url()}'")
    if output.exists():
        raise click.ClickException(f"{output} 已存在：请换一个文件名（备份不会覆盖已有文件）。")
    taken_at = utcnow()
    with closing(sqlite3.connect(_sqlite_path())) as source, closing(sqlite3.connect(output)) as target:
        source.backup(target)
    _stamp(output)
    click.echo(f"已备份到 {output}（{output.stat().st_size} 字节）。另请备份 instance/ 下的文件：secret_key、outbox/。")
    _back_up_files(output, taken_at)


def _back_up_files(output: Path, taken_at) -> None:
    """The evidence files go into FILE.files.tar beside the database copy; then the files removed
    before this backup are purged (they are in the archive)."""
    settings = current_app.extensions["settings"]
    archive_path = output.with_name(output.name + ".files.tar")
    count = file_backup.archive(settings, archive_path)
    purged = file_backup.purge(settings, taken_at)
    click.echo(f"佐证材料 {count} 个文件已归档到 {archive_path}；已清除 {purged} 个此前移除的文件。")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(backup_file: Path, yes: bool) -> None:
    """REPLACE all data in the database with a backup made by `flask backup`."""
    if db.engine.url.get_backend_name() != "sqlite":
        raise _postgres_hint(f"pg_restore --clean --if-exists --no-owner --dbname '{_libpq_url()}' {backup_file}")
    stamp = check_backup(backup_file)
    target = _sqlite_path()
    click.echo(f"备份时间 {stamp['taken_at']}（UTC），数据库版本 {stamp['revision']}。")
    if not yes:
        click.confirm(f"恢复将用这份备份替换 {target} 中的全部数据，当前数据会丢失。继续吗？", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps reading the old pages
    with closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(target)) as live:
        source.backup(live)
        with live:
            live.execute(f"DROP TABLE {MARK_TABLE}")
    click.echo(f"已从 {backup_file} 恢复，原有数据已被替换。如备份来自旧版本，请再运行 flask --app wsgi db upgrade。")


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
