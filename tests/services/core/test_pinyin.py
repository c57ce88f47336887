"""Pinyin keys: the functions, and the columns the models keep from them on every path a name
takes into the database (ORM create, ORM edit, Core bulk insert)."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise, User
from crm.services.core import pinyin
from tests import factories


def test_full_pinyin_runs_syllables_together_and_keeps_latin_letters():
    assert pinyin.full("东北农业 ABC-12") == "dongbeinongyeabc12"
    assert pinyin.full("重庆") == "chongqing"  # the phrase reading, not zhong
    assert pinyin.full(None) == ""


def test_initials_take_one_letter_per_chinese_syllable():
    assert pinyin.initials("东北农业大学") == "dbnydx"
    assert pinyin.initials("俄粮 OOO") == "elooo"


def test_pinyin_order_puts_an_before_zhong():
    names = ["中俄物流园", "安达乳业", "绥芬河木业", "北大荒"]
    assert sorted(names, key=pinyin.full) == ["安达乳业", "北大荒", "绥芬河木业", "中俄物流园"]


def test_models_fill_the_keys_on_create_and_follow_an_edit(app):
    firm = factories.enterprise(name="东北农业科技有限公司")
    project = factories.project(name="安达乳业项目")
    user = factories.user(display_name="赵强")
    db.session.commit()
    assert (firm.name_pinyin, firm.name_initials) == ("dongbeinongyekejiyouxiangongsi", "dbnykjyxgs")
    assert (project.name_initials, user.name_pinyin) == ("adryxm", "zhaoqiang")
    firm.name = "中俄贸易公司"
    db.session.commit()
    assert db.session.scalar(sa.select(Enterprise.name_initials).where(Enterprise.id == firm.id)) == "zemygs"


def test_a_core_bulk_insert_fills_the_keys_too(app):
    user = factories.user()  # the loader writes rows the way bench/data.py does: Core, many at once
    db.session.execute(sa.insert(User.__table__), [
        {"username": f"u{i}", "display_name": name, "role": "staff", "password_hash": user.password_hash}
        for i, name in enumerate(["吴艳", "安宁"])])
    assert db.session.scalars(sa.select(User.name_initials).where(User.username.in_(["u0", "u1"]))
                              .order_by(User.username)).all() == ["wy", "an"]
