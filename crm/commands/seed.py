"""Seed commands: `flask --app wsgi seed plan | demo | first-run`.

`seed first-run` is the production install's first step: it loads the plan into an empty
database and, when there is no user yet, creates one administrator whose password is given
(--admin-password / CRM_ADMIN_PASSWORD, or typed at --prompt-password) or generated and printed
once.  It never creates a known password or invented records.  `make run` calls
`seed first-run --demo` on every start instead: on a new local database that loads the demo
users (password demo1234) and demo records, and says so.
"""
from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from crm.extensions import db
from crm.services.accounts import auth
from seeds import demo, seeding

seed_cli = AppGroup("seed", help="Load the plan's data and the demo data.")


@seed_cli.command("plan")
@click.option("--path", type=click.Path(exists=True, dir_okay=False), default=str(seeding.PLAN_PATH),
              show_default=True, help="The plan's JSON file.")
def seed_plan(path):
    """Load seeds/plan.json (safe to run again: only differences are written)."""
    summary = seeding.load_plan(path)
    db.session.commit()
    for model, counts in summary.items():
        click.echo(f"{model}: 新增 {counts['created']}，更新 {counts['updated']}")


@seed_cli.command("demo")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date the demo history ends (default: today, Asia/Shanghai).")
def seed_demo(today):
    """Add demo users and a few months of activity (once; skipped if the demo users exist)."""
    result = seeding.load_demo(today.date() if today else None)
    db.session.commit()
    if result.get("skipped"):
        click.echo("演示数据已存在，未做改动。")
    else:
        click.echo("已加载演示数据：" + "，".join(f"{k} {v}" for k, v in result.items()))
    _echo_logins()


@seed_cli.command("first-run")
@click.option("--demo", "with_demo", is_flag=True,
              help="Local trial only: with no users yet, load the demo users (password demo1234) and demo data.")
@click.option("--admin-username", default="admin", show_default=True, help="The first administrator's username.")
@click.option("--admin-password", envvar="CRM_ADMIN_PASSWORD", default=None,
              help="The first administrator's password (or CRM_ADMIN_PASSWORD); generated when not given.")
@click.option("--prompt-password", is_flag=True, help="Type the first administrator's password.")
def seed_first_run(with_demo, admin_username, admin_password, prompt_password):
    """Load the plan into an empty database; with no users, create the first administrator."""
    needs_admin = not with_demo and not seeding.has_users()
    if needs_admin and prompt_password and not admin_password:
        admin_password = click.prompt("管理员密码", hide_input=True, confirmation_prompt=True)
    generated = needs_admin and not admin_password
    if generated:
        admin_password = secrets.token_urlsafe(15)  # 20 characters, ~120 bits
    done = seeding.first_run(demo=with_demo)
    if needs_admin:
        try:
            seeding.create_first_admin(admin_username, admin_password)
        except auth.PasswordRefused as refused:
            db.session.rollback()
            raise click.ClickException(str(refused)) from None
    db.session.commit()
    if "plan" in done:
        click.echo("已加载《实施方案》基础数据。")
    if "demo" in done:
        click.echo("本地试用：已加载演示用户和演示数据（仅供演示，切勿用于正式环境）。")
    if needs_admin:
        click.echo(f"已创建管理员 {admin_username}。")
        if generated:
            click.echo(f"管理员初始密码（只显示这一次，请登录后在“修改密码”中更换）：{admin_password}")
    click.echo(f"招商项目管家：{current_app.extensions['settings'].BASE_URL}")
    _echo_logins()


def _echo_logins() -> None:
    users = seeding.demo_logins()
    if not users:
        return
    click.echo(f"演示账号（仅供演示 / demo only，密码 {demo.DEMO_PASSWORD}；正式使用前请删除或改密）：")
    for user in users:
        click.echo(f"  {user.username:<8} {user.display_name}（{user.title or user.role}）")


def register(app: Flask) -> None:
    app.cli.add_command(seed_cli)

