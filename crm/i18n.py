"""Languages: Chinese first (zh_Hans_CN, the msgids themselves), English second.

The chosen language lives in the session (switch in the top bar), then the user's saved
preference; the default is Chinese whatever the browser says, as the office expects.
"""
from __future__ import annotations

from flask import Flask, has_request_context, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

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


def select_locale() -> str:
    if not has_request_context():  # CLI, jobs, service tests: Chinese
        return "zh_Hans_CN"
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return "zh_Hans_CN"


def current_lang() -> str:
    """"zh" or "en": the short code templates and brochures use."""
    return "en" if str(get_locale()).startswith("en") else "zh"


def term(value):
    """A stored vocabulary word in the UI language (see TERMS); other values unchanged."""
    return TERMS.get(value, value)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_lang=current_lang)
    app.jinja_env.filters["term"] = term
