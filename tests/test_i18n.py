"""The English catalog is complete, and the UI speaks one language at a time.

Pages are built over records with ASCII names, so any Chinese character on an English page
is untranslated UI text (and any missing Chinese on a Chinese page is a broken msgid).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from crm.extensions import babel, db
from crm.i18n import TERMS
from crm.models.enterprise import ENTERPRISE_TAGS, SOURCE_CHANNELS
from crm.models.metrics import PLATFORM_LEVELS
from tests import factories

TRANSLATIONS = Path(__file__).parents[1] / "crm" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
CJK = re.compile("[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif%]")
# Chinese that belongs on an English page: the language switch names Chinese in Chinese.
ALLOWED_CHINESE = ("中文",)

KEY_PAGES = ("/", "/enterprises/", "/projects/", "/pipeline/", "/dashboard", "/routines/dispatch")
# What each key page shows of the ASCII world in English, so an empty page cannot pass.
ADMIN_HOME = "Late items by department"
SHOWN = {"/": "Call about the plant", "/enterprises/": "Specialized SME", "/projects/": "Construction started",
         "/pipeline/": "Project signed", "/dashboard": "≥ CNY 1 billion", "/routines/dispatch": "Project started"}


@pytest.fixture(scope="session", autouse=True)
def compiled_catalog():
    """Compile the English catalog when the .mo is missing or older than the .po, so plain
    `pytest` (without `make`) tests what the .po says."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with PO.open("rb") as po:
            catalog = read_po(po, locale="en")
        with MO.open("wb") as mo:
            write_mo(mo, catalog)
        domain = vars(babel).get("domain_instance")  # created (and caching) once a page was translated
        if domain is not None:
            domain.cache.clear()


def _catalog():
    with PO.open("rb") as po:
        return read_po(po, locale="en")


def test_every_msgid_has_an_english_translation_with_the_same_placeholders():
    catalog = _catalog()
    missing, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        if not message.string or message.fuzzy:
            missing.append(message.id)
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            broken.append((message.id, message.string))
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not broken, broken[:5]
    assert len(catalog) > 500


def test_an_english_label_ending_in_a_colon_leaves_a_space_before_what_follows():
    """A Chinese "：" carries its own spacing and templates put the value straight after it;
    English "Source:Foo" needs the space in the translation."""
    cramped = [(m.id, m.string) for m in _catalog()
               if isinstance(m.id, str) and m.id.endswith("：") and m.string.endswith(":")]
    assert cramped == []


def _makefile_keywords() -> dict:
    """The `-k` keywords `make messages` extracts with, read from the Makefile itself so the two
    cannot drift apart."""
    from babel.messages.frontend import parse_keywords
    makefile = (Path(__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    specs = re.findall(r"-k (\S+)", makefile)
    assert specs, "the Makefile's messages target lists its -k keywords"
    return parse_keywords(specs)


def test_the_catalog_holds_exactly_the_messages_the_code_uses():
    """A text the extractor cannot see (e.g. `_()` inside an f-string, which pybabel skips)
    would lose its translation at the next `make messages`; a text never extracted shows
    untranslated.  Either way the .po and the code disagree."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    root = Path(__file__).parents[1]
    methods = [("crm/**.py", "python"), ("crm/templates/**.html", "jinja2"), ("crm/templates/**.txt", "jinja2")]
    keywords = dict(DEFAULT_KEYWORDS, **_makefile_keywords())
    used = {(context, message if isinstance(message, str) else message[0])
            for _file, _line, message, _comments, context in extract_from_dir(root, methods, keywords=keywords)}
    known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _catalog() if m.id}
    assert sorted(known - used) == [] and sorted(used - known) == []


def test_english_translations_contain_no_chinese():
    chinese = [m.id for m in _catalog() if m.id and CJK.search(m.string or "")
               and not all(ch in "".join(ALLOWED_CHINESE) for ch in CJK.findall(m.string))]
    assert not chinese, chinese[:5]


def test_every_stored_vocabulary_word_has_a_translatable_label():
    for word in (*ENTERPRISE_TAGS, *SOURCE_CHANNELS, *PLATFORM_LEVELS):
        assert word in TERMS, word


def _ascii_world(users):
    """Records named in ASCII: an enterprise with tags, a project at each stage, a due
    follow-up, a monthly report, a problem and a goal, so the key pages show real rows."""
    for role, user in users.items():
        user.display_name = f"{role.title()} User"
    dept = users["officer"].department
    dept.name, dept.full_name = "ITB", "Industry and Technology Bureau"
    sector = factories.sector("asciibio", name="Biomedicine", name_en="Biomedicine")
    ent = factories.enterprise(name="Acme Bio Ltd", country="China", region="Dongguan", source_channel="展会",
                               tags=["龙头企业", "专精特新"], owner=users["staff"], sector=sector)
    projects = [factories.project(name=f"Project {stage}", sector=sector, stage=stage, lead_department=dept,
                                  total_investment=Decimal("25000"), is_key=True, in_pool=True)
                for stage in ("planned", "contact", "signed", "started", "operating")]
    factories.interaction(ent, project=projects[1], summary="Call about the plant", created_by=users["staff"],
                          next_follow_up=date(2020, 1, 1))
    factories.progress_report(projects[3], progress="On track", department_id=dept.id)
    factories.problem(projects[3], description="Land permit pending", department_id=dept.id)
    factories.goal(name="Key projects", unit="个", measure="computed:key_projects_count")
    factories.goal(name="Output value", unit="亿元")
    db.session.commit()
    return ent


def _switch(client, code):
    assert client.get(f"/lang/{code}").status_code == 302


def _chinese_in(html: str) -> list[str]:
    """Chinese text a reader sees; form values are stored codes (tags, channels), not UI text."""
    html = re.sub(r'\svalue="[^"]*"', "", html)
    for word in ALLOWED_CHINESE:
        html = html.replace(word, "")
    return [html[max(0, m.start() - 60):m.end() + 20] for m in CJK.finditer(html)]


def _bad_enterprise_form(client):
    """An enterprise create form posted without a name (and with an over-long short name)."""
    resp = client.post("/enterprises/new", data={"name": "", "short_name": "x" * 41, "country": "China",
                                                 "status": "prospect", "role": "target"})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "staff", "officer", "leader"])
def test_english_key_pages_have_no_untranslated_chinese(client, users, login, role):
    _ascii_world(users)
    login(role)
    _switch(client, "en")
    for url in KEY_PAGES:
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        assert _chinese_in(html) == [], url
        if role in ("admin", "staff"):
            # The administrator's workbench lists late items by department, not follow-ups.
            assert (ADMIN_HOME if (url, role) == ("/", "admin") else SHOWN[url]) in html, url
    missing = client.get("/enterprises/999999")
    assert missing.status_code == 404 and _chinese_in(missing.get_data(as_text=True)) == []


def test_english_login_page_and_form_errors_are_english(client, users, login):
    _switch(client, "en")
    login_page = client.get("/auth/login").get_data(as_text=True)
    assert _chinese_in(login_page) == []
    refused = client.post("/auth/login", data={"username": "nobody", "password": "wrong"}).get_data(as_text=True)
    assert _chinese_in(refused) == []

    _ascii_world(users)
    login("staff")
    _switch(client, "en")
    html = _bad_enterprise_form(client)
    assert "is-invalid" in html
    assert _chinese_in(html) == []
    assert "Please enter the enterprise name." in html
    assert "Field cannot be longer than 40 characters." in html


def test_chinese_pages_and_form_errors_are_chinese(client, users, login):
    _ascii_world(users)
    login("staff")
    for url in KEY_PAGES:
        html = client.get(url).get_data(as_text=True)
        assert "招商项目管家" in html and "退出登录" in html, url
    html = _bad_enterprise_form(client)
    assert "请填写企业名称。" in html
    # WTForms' own messages (here Length) come from its bundled Chinese catalog (zh_Hans_CN → zh).
    assert "字段长度不能超过 40 个字符。" in html
    assert "Field cannot" not in html


def test_the_language_switch_persists_in_the_session(client, users, login):
    _ascii_world(users)
    login("staff")
    assert "工作台" in client.get("/").get_data(as_text=True)
    _switch(client, "en")
    with client.session_transaction() as sess:
        assert sess["lang"] == "en"
    for url in ("/", "/enterprises/", "/projects/"):
        html = client.get(url).get_data(as_text=True)
        assert 'lang="en"' in html and "Sign out" in html, url
    _switch(client, "zh_Hans_CN")
    assert "工作台" in client.get("/").get_data(as_text=True)


def test_the_language_chosen_before_login_survives_login(client, users):
    _switch(client, "en")
    client.post("/auth/login", data={"username": users["staff"].username, "password": factories.PASSWORD})
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_money_reads_in_the_ui_language(client, users, login):
    _ascii_world(users)
    login("staff")
    assert "2.5 亿元" in client.get("/projects/").get_data(as_text=True)
    _switch(client, "en")
    assert "CNY 250 million" in client.get("/projects/").get_data(as_text=True)


def test_unknown_language_code_changes_nothing(client, users, login):
    login("staff")
    _switch(client, "xx")
    with client.session_transaction() as sess:
        assert "lang" not in sess
    assert "工作台" in client.get("/").get_data(as_text=True)


@contextmanager
def fresh_request(app, lang: str | None = None, path: str = "/"):
    """A request context with an empty `g`, as a real server's would be (the test app keeps
    one app context pushed, so `g` would otherwise carry the last request's locale)."""
    from flask import g, session
    with app.test_request_context(path):
        for key in list(g):
            g.pop(key)
        if lang:
            session["lang"] = lang
        yield


def test_cached_translations_follow_force_locale_and_restore(app):
    from flask import render_template_string
    from flask_babel import force_locale

    from crm.i18n import current_lang, gettext
    with fresh_request(app, "en"):
        assert gettext("退出登录") == "Sign out" and current_lang() == "en"
        with force_locale("zh_Hans_CN"):  # e.g. a Chinese email built during an English request
            assert gettext("退出登录") == "退出登录" and current_lang() == "zh"
            assert render_template_string("{{ _('退出登录') }}") == "退出登录"
        assert gettext("退出登录") == "Sign out" and render_template_string("{{ _('退出登录') }}") == "Sign out"


def test_brackets_and_separators_follow_the_language(app):
    from flask import render_template_string
    page = "{{ '经合中心'|paren }}|{{ ['甲', '乙']|joined('；') }}"
    with fresh_request(app):
        assert render_template_string(page) == "（经合中心）|甲；乙"
    with fresh_request(app, "en"):
        assert render_template_string(page) == " (经合中心)|甲; 乙"


def test_english_pages_name_projects_in_english_and_the_project_page_keeps_the_chinese_name(client, users, login):
    project = factories.project(name="生物发酵饲料项目", name_en="Bio-fermented Feed Project",
                                description="建设发酵饲料生产线", description_en="A fermented-feed line",
                                capacity="年产饲料10万吨", capacity_en="100,000 t of feed per year")
    db.session.commit()
    login("staff")
    _switch(client, "en")
    for url in ("/projects/", "/pipeline/"):
        html = client.get(url).get_data(as_text=True)
        assert "Bio-fermented Feed Project" in html and "生物发酵饲料项目" not in html, url
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "<title>Bio-fermented Feed Project" in page and 'pre-line">A fermented-feed line</div>' in page
    assert "生物发酵饲料项目</td>" in page  # the Chinese name, as a fact
    assert "<td>100,000 t of feed per year</td>" in page  # the history below keeps what was stored
    _switch(client, "zh_Hans_CN")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "<title>生物发酵饲料项目" in page and "Bio-fermented Feed Project" in page


def test_a_static_file_request_looks_up_neither_the_language_nor_the_user(client, users, login, statements):
    login("staff")
    with statements() as counter:
        assert client.get("/static/css/app.css").status_code == 200
    assert len(counter) == 0


def test_form_messages_follow_force_locale_within_one_request(app):
    """The WTForms catalog picks its language when a message is looked up, not when the
    request starts, so force_locale switches it as it switches everything else."""
    from flask import request
    from flask_babel import force_locale
    with fresh_request(app, path="/auth/login"):  # a public page: the login gate lets it through
        app.preprocess_request()
        catalog = request.wtforms_translations
        assert catalog.ugettext("This field is required.") == "该字段是必填字段。"
        with force_locale("en"):
            assert catalog.ugettext("This field is required.") == "This field is required."
