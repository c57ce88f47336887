"""招商项目管家: the application factory.

create_app() binds the extensions, registers blueprints, CLI commands, template helpers and
error pages.  Settings come from crm.config.Settings (environment variables only).
"""
from __future__ import annotations

import importlib
import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from crm.config import Settings
from crm.extensions import babel, csrf, db, limiter, login_manager, migrate
from crm.services.core.ids import IdConverter
from crm.web.input_text import CleanRequest

# Each feature package exposes `bp` in crm/<feature>/views.py; add new features here.
BLUEPRINTS = [
    "crm.main.views",
    "crm.auth.views",
    "crm.enterprises.views",
    "crm.duplicates.views",
    "crm.interactions.views",
    "crm.admin.views",
    "crm.projects.views",
    "crm.files.views",
    "crm.lists.views",
    "crm.pipeline.views",
    "crm.reports.views",
    "crm.routines.views",
    "crm.leaders.views",
    "crm.liaison_admin.views",
    "crm.digest.views",
    "crm.brochures.views",
    "crm.notifications.views",
    "crm.jobs_admin.views",
    "crm.mailbox.views",
    "crm.chains.views",
    "crm.imports.views",
    "crm.exports.views",
    "crm.api.tokens_views",
    "crm.api.views",
    "crm.channels.views",
    "crm.calendar.views",
    "crm.finder.views",
]

CLI_MODULES = [
    "crm.commands.users",
    "crm.commands.export",
    "crm.commands.seed",
    "crm.commands.brochures",
    "crm.commands.backup",
]

# Services that subscribe to domain signals (crm/services/core/signals.py) to queue their jobs.
SUBSCRIBERS = [
    "crm.services.routines.reminders",
    "crm.services.liaison.assignment",
    "crm.services.messaging.channels.deliveries",
    "crm.services.messaging.channels.instructions",
]


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=False)
    app.request_class = CleanRequest  # no control characters in any form or query string
    app.config.update(settings.flask_config())
    app.extensions["settings"] = settings
    if settings.TRUSTED_PROXIES:
        # Only the given number of proxies' X-Forwarded-For/-Proto entries are believed: the
        # client address (login lockout, audit) cannot be chosen by a header the client sends.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.TRUSTED_PROXIES, x_proto=settings.TRUSTED_PROXIES)
    settings.instance_path.mkdir(parents=True, exist_ok=True)

    app.url_map.converters["int"] = IdConverter  # before any route is added
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)  # batch mode: SQLite can't ALTER most things
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from crm import i18n
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: settings.TIMEZONE)

    import crm.models  # noqa: F401  register every table on the metadata
    import crm.services.core.audit  # noqa: F401  install the audit listener
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    for name in CLI_MODULES:
        importlib.import_module(name).register(app)
    for name in SUBSCRIBERS:
        importlib.import_module(name)

    from crm import web
    from crm.web import security_headers
    security_headers.init_app(app)  # before web's login gate: plain HTTP is redirected first
    web.init_app(app)
    i18n.init_app(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets the web server and workers read while one writes; FKs are off by default."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's lower() and LIKE fold only ASCII; foreign-name search needs Cyrillic too.
        dbapi_connection.create_function("crm_lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value
