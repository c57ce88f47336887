"""Core CLI: `flask --app wsgi users create …`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from crm.extensions import db
from crm.models import Department, User
from crm.models.people import ROLES
from crm.services.accounts import users
from crm.services.core import audit

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", default=None, help="Department short name, e.g. 工信科局 (required for officers).")
@click.option("--display-name", default=None)
@click.option("--email", default=None)
@click.option("--title", default=None, help="职务, e.g. 副市长")
@click.option("--leader-rank", type=int, default=None, help="Leaders: 1 = top leaders (书记/市长), 2 = 副市长 …")
@click.password_option()
def create_user(username, role, department, display_name, email, title, leader_rank, password):
    """Create a user account (the password is asked twice unless --password is given)."""
    dept = None
    if department:
        dept = db.session.scalar(sa.select(Department).where(Department.name == department))
        if dept is None:
            raise click.ClickException(f"未知部门：{department}")
    values = {"username": username, "role": role, "department_id": dept.id if dept else None,
              "display_name": display_name or username, "email": email, "title": title, "leader_rank": leader_rank}
    with audit.acting_as(label="cli"):
        try:
            users.save(User(), values, password=password)
        except users.AccountError as error:
            db.session.rollback()
            raise click.ClickException(f"--{(error.field or '').replace('_id', '')}: {error.message}") from None
        db.session.commit()
    click.echo(f"已创建用户 {username}（{role}）")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
