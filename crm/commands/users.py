"""Core CLI: `flask --app wsgi users create …`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from crm.extensions import db
from crm.models import Department, User
from crm.models.people import ROLES
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
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.ClickException(f"用户名已存在：{username}")
    dept = None
    if department:
        dept = db.session.scalar(sa.select(Department).where(Department.name == department))
        if dept is None:
            raise click.ClickException(f"未知部门：{department}")
    if role == "officer" and dept is None:
        raise click.ClickException("部门联络员必须指定 --department")
    user = User(username=username, role=role, department=dept, display_name=display_name or username,
                email=email, title=title, leader_rank=leader_rank)
    user.set_password(password)
    with audit.acting_as(label="cli"):
        db.session.add(user)
        db.session.commit()
    click.echo(f"已创建用户 {username}（{role}）")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
