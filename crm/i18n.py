"""Languages: Chinese first (zh_Hans_CN, the msgids themselves), English second.

The chosen language lives in the session (switch in the top bar), then the user's saved
preference; the default is Chinese whatever the browser says, as the office expects.
"""
from __future__ import annotations

from flask import Flask, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}


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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_lang=current_lang)
