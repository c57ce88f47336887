"""`flask backup -o FILE` / `flask restore FILE`: back up, change the data, restore, and the JSON
export is identical; restore refuses files that are not backups of this app, and asks first.
On PostgreSQL the commands print the pg_dump / pg_restore command, which the test runs."""
from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import Enterprise, Project
from crm.services.pipeline import move_stage
from tests import factories


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def exports(app) -> tuple[str, str]:
    result = tuple(cli(app, "export", kind, "--format", "json").output for kind in ("projects", "enterprises"))
    db.session.remove()
    return result


@pytest.fixture
def data(app, users):
    firm = factories.enterprise(name="绥芬河市生物科技有限公司", tags=["龙头企业"])
    factories.contact(firm)
    project = factories.project(name="中俄生物医药产业园", investors=[firm], total_investment=Decimal("52000.50"))
    move_stage(project, "contact", actor=users["staff"], occurred_on=date(2026, 3, 2), evidence="来访")
    factories.interaction(firm, project=project, commit=False)
    db.session.commit()
    return project.id, firm.id


def _change_everything(project_id: int, firm_id: int) -> None:
    db.session.get(Project, project_id).name = "改过的名字"
    factories.project(name="备份之后的新项目")
    factories.enterprise(name="备份之后的新企业")
    db.session.commit()


def _sqlite_only(app):
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("the SQLite backup API; PostgreSQL is tested with pg_dump below")


def test_backup_then_restore_gives_the_identical_export(app, data, tmp_path):
    _sqlite_only(app)
    before = exports(app)
    backup = tmp_path / "crm-backup.sqlite"
    result = cli(app, "backup", "-o", str(backup))
    assert result.exit_code == 0, result.output
    assert "instance/" in result.output and backup.stat().st_size > 0

    _change_everything(*data)
    assert exports(app) != before
    result = cli(app, "restore", str(backup), input="y\n")
    assert result.exit_code == 0, result.output
    assert "替换" in result.output and "全部数据" in result.output
    assert exports(app) == before
    assert db.session.get(Enterprise, data[1]).name == "绥芬河市生物科技有限公司"
    with sqlite3.connect(db.engine.url.database) as conn:  # the stamp stays in the backup only
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'crm_backup'").fetchall()


def test_restore_asks_first_and_refuses_what_is_not_a_backup(app, data, tmp_path):
    _sqlite_only(app)
    backup = tmp_path / "b.sqlite"
    assert cli(app, "backup", "-o", str(backup)).exit_code == 0
    assert cli(app, "backup", "-o", str(backup)).exit_code == 1  # never overwrites
    _change_everything(*data)
    changed = exports(app)

    result = cli(app, "restore", str(backup), input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    copy = tmp_path / "copy.sqlite"  # a plain copy of the live file is not a stamped backup
    with sqlite3.connect(db.engine.url.database) as live, sqlite3.connect(copy) as target:
        live.backup(target)
    for wrong in (foreign, text, copy, tmp_path / "missing.sqlite"):
        result = cli(app, "restore", "--yes", str(wrong))
        assert result.exit_code == 1 and "不是本系统（招商项目管家）的备份文件" in result.output, result.output
    assert exports(app) == changed


def test_on_postgresql_the_printed_pg_dump_and_pg_restore_commands_work(app, data, tmp_path):
    if db.engine.url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    before = exports(app)
    dump = tmp_path / "crm.dump"
    result = cli(app, "backup", "-o", str(dump))
    assert result.exit_code == 1 and "pg_dump" in result.output
    subprocess.run(shlex.split(re.search(r"^\s+(pg_dump .*)$", result.output, re.M).group(1)), check=True)

    _change_everything(*data)
    result = cli(app, "restore", str(dump))
    assert result.exit_code == 1 and "pg_restore" in result.output
    db.session.remove()
    db.engine.dispose()  # pg_restore --clean drops the tables: no session may hold them
    subprocess.run(shlex.split(re.search(r"^\s+(pg_restore .*)$", result.output, re.M).group(1)), check=True)
    assert exports(app) == before
