"""Seed commands: `flask --app wsgi seed plan | demo | first-run`.

`seed first-run` is what `make run` calls on every start: it loads the plan into an empty
database and the demo into one without users, then prints the URL and the demo logins.
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from crm.extensions import db
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
def seed_first_run():
    """On first start load the plan and the demo; print the URL and the demo logins."""
    done = seeding.first_run()
    db.session.commit()
    if "plan" in done:
        click.echo("已加载《实施方案》基础数据。")
    if "demo" in done:
        click.echo("已加载演示数据。")
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

