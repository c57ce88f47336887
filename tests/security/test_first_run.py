"""`flask seed first-run` (the production install) creates no known password and no demo records:
the plan, and one administrator whose password is given or generated and printed once."""
import re

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Contact, Interaction, User
from seeds import demo

GOOD = "Hafen-Birke-Quarz-77"


def first_run(app, *args, env=None, input=None):
    return app.test_cli_runner().invoke(args=["seed", "first-run", *args], env=env, input=input)


def test_first_run_creates_one_admin_with_a_generated_password_printed_once(app):
    result = first_run(app)
    assert result.exit_code == 0, result.output
    admin = db.session.scalars(sa.select(User)).one()
    assert admin.username == "admin" and admin.role == "admin"
    password = re.search(r"管理员初始密码[^：]*：(\S+)", result.output).group(1)
    assert len(password) >= 16 and admin.check_password(password)
    assert not admin.check_password(demo.DEMO_PASSWORD)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0
    assert "demo1234" not in result.output and "演示" not in result.output
    again = first_run(app)
    assert again.exit_code == 0 and "管理员初始密码" not in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_first_run_takes_the_password_from_the_environment(app):
    result = first_run(app, env={"CRM_ADMIN_PASSWORD": GOOD})
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(User)).one().check_password(GOOD)
    assert GOOD not in result.output and "管理员初始密码" not in result.output


def test_first_run_prompts_for_the_password(app):
    result = first_run(app, "--prompt-password", "--admin-username", "jhzx-admin", input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(User)).one().username == "jhzx-admin"


def test_first_run_refuses_a_weak_given_password_and_creates_no_user(app):
    result = first_run(app, env={"CRM_ADMIN_PASSWORD": "demo1234"})
    assert result.exit_code != 0
    assert "密码至少需要 10 个字符" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_first_run_with_demo_is_the_local_trial_and_says_so(app):
    result = first_run(app, "--demo")
    assert result.exit_code == 0, result.output
    assert "演示" in result.output and "demo1234" in result.output
    for username in demo.DEMO_LOGINS:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        assert user.check_password(demo.DEMO_PASSWORD)


def test_make_run_seeds_the_demo_and_a_production_install_does_not():
    from pathlib import Path
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert "flask seed first-run --demo" in makefile
