"""Languages: Chinese first (zh_Hans_CN, the msgids themselves), English second.

The chosen language lives in the session (switch in the top bar), then the user's saved
preference; the default is Chinese whatever the browser says, as the office expects.  The JSON
API, which has no session, follows Accept-Language (zh / en), else the token owner's preference.
"""
from __future__ import annotations

from functools import cache

from babel import support
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from wtforms.i18n import messages_path

from crm.api import BROWSER_PAGES, is_api_path


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext over the per-request cache (see _state): the same text, found once."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext over the cached gettext.  Labels, form fields and TERMS are
    lazy strings evaluated on every use, many times per page."""
    return LazyString(gettext, string, **variables)


def pgettext(context: str, string: str) -> str:
    """gettext with a context: the same Chinese word, translated for one place (e.g. "nav")."""
    return _translations().upgettext(context, string)


def lazy_pgettext(context: str, string: str) -> LazyString:
    return LazyString(pgettext, context, string)


_l = lazy_gettext

# Each language is named in itself, so a reader of either can find theirs.
LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}

# Fixed vocabulary stored as Chinese words in the database (enterprise tags and source
# channels, platform levels, goal units): shown in the UI language, never translated in
# storage.  Anything not listed (user data) shows as stored.
TERMS = {
    "龙头企业": _l("龙头企业"), "高新技术企业": _l("高新技术企业"), "专精特新": _l("专精特新"),
    "上市公司": _l("上市公司"), "世界500强": _l("世界500强"),
    "以商招商": _l("以商招商"), "东莞对口合作": _l("东莞对口合作"), "展会": _l("展会"), "对俄合作": _l("对俄合作"),
    "日韩": _l("日韩"), "本地企业": _l("本地企业"), "其他": _l("其他"),
    "省级": _l("省级"), "市级": _l("市级"),
    "万元": _l("万元"), "亿元": _l("亿元"), "家": _l("家"), "个": _l("个"),
}


# Accept-Language's primary subtags the JSON API answers in (zh-CN, zh-Hans, zh-TW … are all Chinese).
ACCEPTED = {"zh": "zh_Hans_CN", "en": "en"}


def select_locale() -> str:
    if not has_request_context():  # CLI, jobs, service tests: Chinese
        return "zh_Hans_CN"
    if is_api_path(request.path) and request.endpoint not in BROWSER_PAGES:
        return _api_locale()
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return "zh_Hans_CN"


def _api_locale() -> str:
    """The JSON API's language: the first of zh / en the caller's Accept-Language asks for, else
    the token owner's.  Never the browser session's (the API does not read the session)."""
    for value, quality in request.accept_languages:
        primary = value.split("-")[0].split("_")[0].lower()
        if quality > 0 and primary in ACCEPTED:
            return ACCEPTED[primary]
    token = g.get("api_token")
    owner = token.user.locale if token is not None else None
    return owner if owner in LANGUAGES else "zh_Hans_CN"


def current_lang() -> str:
    """"zh" or "en": the short code templates and brochures use."""
    if not g:
        return "zh"  # no app context: no request, so the default language
    return _state()[2]


def term(value):
    """A stored vocabulary word in the UI language (see TERMS); other values unchanged."""
    return TERMS.get(value, value)


def _state() -> tuple:
    """(locale, translations, short code) of the request, looked up once per locale.

    Flask-Babel resolves the domain, the locale and its identifier on every `_()` call: a
    board of 140 cards spent a third of its time there.  The cache is keyed by the locale
    object, so force_locale (which sets a new one) still switches language.
    """
    current = g._get_current_object()  # one proxy lookup, not one per attribute
    # Flask-Babel keeps the request's locale here (force_locale swaps it); if a release moves
    # it, this only falls back to the full lookup below on every call.
    known = getattr(getattr(current, "_flask_babel", None), "babel_locale", None)
    cached = getattr(current, "_crm_i18n", None)
    if cached is not None and known is cached[0]:
        return cached
    locale = get_locale()
    cached = current._crm_i18n = (locale, get_translations(), "en" if str(locale).startswith("en") else "zh")
    return cached


def _translations():
    return _state()[1] if g else get_translations()  # no app context: null translations


def _template_callable(lookup, *named):
    """A Jinja newstyle gettext-like callable over the cached translations, in one call.

    Jinja's own newstyle wrappers reach the translation through three `context.call` layers
    (`_` → gettext → the installed function); a page calls `_()` over a hundred times.  Same
    rules as Jinja's: the result is safe markup when autoescaping, and always a format
    string, its variables escaped (`named` are the positional arguments also offered as
    variables, as Jinja's ngettext offers `num`).
    """
    @pass_context
    def call(__context, *args, **variables):
        rv = lookup(_translations(), *args)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        for name, index in named:
            variables.setdefault(name, args[index])
        return rv % variables if "%" in rv else rv
    return call


class _WTFormsCatalog:
    """WTForms' own messages ("This field is required.") in the request's language.

    Flask-WTF loads wtforms.mo from disk on every request that builds a form, and takes the
    catalog from `request.wtforms_translations` when one is there.  This one loads each
    language once and picks it on first use, so a request without a form (a static file)
    never looks up the language or the user.
    """

    @staticmethod
    def _catalog():
        return _load_wtforms(str(_state()[0]))

    def ugettext(self, string):
        return self._catalog().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._catalog().ungettext(singular, plural, n)


_WTFORMS = _WTFormsCatalog()


@cache
def _load_wtforms(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _offer_wtforms_catalog():
    request.wtforms_translations = _WTFORMS


def init_app(app: Flask) -> None:
    # Flask-Babel loaded Jinja's i18n extension; newstyle: `{% trans %}` blocks hand their
    # variables to the callables, which format them (%(n)s works in `_()` too).
    app.jinja_env.newstyle_gettext = True
    gettext_call = _template_callable(lambda t, s: t.ugettext(s))
    app.jinja_env.globals.update(
        _=gettext_call, gettext=gettext_call,
        ngettext=_template_callable(lambda t, s, p, n: t.ungettext(s, p, n), ("num", 2)),
        pgettext=_template_callable(lambda t, c, s: t.upgettext(c, s), ("context", 0)),
        npgettext=_template_callable(lambda t, c, s, p, n: t.unpgettext(c, s, p, n), ("context", 0), ("num", 3)),
        LANGUAGES=LANGUAGES, current_lang=current_lang)
    app.jinja_env.filters["term"] = term
    app.before_request(_offer_wtforms_catalog)
