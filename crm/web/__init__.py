"""Web plumbing shared by every blueprint: the login gate, role checks, error pages, template
filters, the one adapter from a refusal to a form (`attach`) and the one way a view loads a record
it may see.  The package's modules hold the rest of the web layer: ui (HTML pieces built in Python),
fields (select and date fields), imports (the Excel import pages' flow), input_text (cleaning
submitted text), versioning (stale-edit conflicts on forms) and security_headers (CSP and friends).
"""
from __future__ import annotations

import re
from datetime import datetime
from functools import wraps
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, render_template, request, send_file, url_for
from flask_babel import format_datetime
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, NotFound

from crm.api import auth as api_auth
from crm.api import is_api_path
from crm.extensions import db, login_manager
from crm.i18n import current_lang
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.i18n import lazy_pgettext as _p
from crm.models.people import ROLE
from crm.services.core import access, clock
from crm.services.core.clock import local_now
from crm.services.core.errors import RuleError
from crm.services.core.ids import parse_id
from crm.services.core.money import format_wan
from crm.web import ui

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The top navigation: (endpoint, label, roles or None for all).  Labels have a "nav" context: English
# needs shorter words in the bar ("Dispatch") than as page titles ("Monthly dispatch").
NAV = [
    ("main.index", _p("nav", "工作台"), None),
    ("calendar.index", _p("nav", "日历"), None),
    ("enterprises.index", _p("nav", "企业"), None),
    ("projects.index", _p("nav", "项目"), None),
    ("pipeline.board", _p("nav", "看板"), None),
    ("chains.index", _p("nav", "产业链"), None),
    ("leaders.my_projects", _p("nav", "我的包联"), ("leader",)),
    ("leaders.unit_instructions", _p("nav", "本单位批示"), ("officer",)),
    ("reports.dashboard", _p("nav", "目标"), None),
    ("routines.dispatch", _p("nav", "每月调度"), None),
    ("routines.problems", _p("nav", "问题台账"), None),
    ("routines.ranking", _p("nav", "季度晾晒"), None),
    ("brochures.catalog", _p("nav", "项目册"), ("admin", "staff")),
    ("admin.index", _p("nav", "管理"), ("admin",)),
]
# The pages that light up a nav item: endpoints starting with one of these (default: the item's
# blueprint).  The routines blueprint holds three items; the admin pages span five blueprints.
NAV_ACTIVE = {
    "routines.dispatch": ("routines.dispatch", "routines.report_"),
    "routines.problems": ("routines.problem",),
    "routines.ranking": ("routines.ranking",),
    # The reserve-pool reviews are an administrator's task: they light 管理, not 目标.
    "reports.dashboard": ("reports.dashboard", "reports.cohort", "reports.goal", "reports.platform"),
    "admin.index": ("admin.", "liaison_admin.", "digest.", "jobs_admin.", "mailbox.", "reports.pool_review"),
}
# Links on the admin home page: (endpoint, label).  Features append theirs.
ADMIN_LINKS = [
    ("admin.users", _l("用户与角色")),
    ("reports.pool_reviews", _l("储备库评审")),
    ("reports.platforms", _l("创新平台")),
    ("routines.ranking_weights", _l("晾晒权重与调度规则")),
    ("liaison_admin.index", _l("领导包联规则")),
    ("digest.preview", _l("周报预览")),
    ("jobs_admin.reminder_settings", _l("联系提醒规则")),
    ("files.stage_rules", _l("阶段佐证材料规则")),
    ("jobs_admin.index", _l("后台任务与失败任务")),
    ("mailbox.index", _l("邮件发件箱")),
    ("channels.index", _l("消息渠道（企业微信、钉钉）")),
]
QUICK_LOG_ENDPOINT = "interactions.quick"
# Small templates included in the top bar (e.g. the notification bell), added by features.
TOPBAR_TEMPLATES: list[str] = ["notifications/_bell.html"]
ROLE_LABELS = ROLE  # defined with its column (crm/models/people.py)

# Endpoints reachable without logging in.
# The calendar feed authenticates by the secret in its URL (a phone polls it without a session).
PUBLIC_ENDPOINTS = {"auth.login", "static", "main.set_language", "main.health", "calendar.feed_ics"}
# Blueprints that authenticate each request themselves: the JSON API takes tokens, never the session.
SELF_AUTHENTICATED = {"api"}


def roles_required(*roles: str):
    """Refuse (403) users whose role is not listed; the login gate has already run."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapper.allowed_roles = roles
        return wrapper
    return decorator


# Browsers drop tabs and line breaks anywhere in a URL (so "/\t/evil" is "//evil") and Werkzeug
# refuses them in a header: remove every C0 control character and DEL before judging a target.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def local_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: the one check for every `next`."""
    target = _CONTROL_CHARS.sub("", target or "").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def get_or_404(model, ident, *, visible=None, options=()):
    """Load a record by id; a missing one and one the user may not see both give 404."""
    ident = parse_id(ident)
    if ident is None:
        abort(404)
    obj = db.session.get(model, ident, options=list(options))
    if obj is None or (visible is not None and not visible(current_user, obj)):
        abort(404)
    return obj


def wants_json() -> bool:
    """A page's script asking by fetch (Accept: application/json), not the browser navigating."""
    return request.accept_mimetypes.best == "application/json"


def xlsx_response(data: bytes, name: str):
    """An Excel download; `name` may be Chinese (Flask sends it as RFC 5987 filename*)."""
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)


def attach(form, error: RuleError, *, field: str | None = None, link=None) -> None:
    """The one adapter from a refusal to a form: each message under its field; a message that names
    no field of this form (or a refusal of a button, form=None) goes under `field` when given, else
    it is flashed.  `link(record)` gives the address of a record the input collides with, linked
    after its message (name escaped)."""
    for name, message in error.errors.items():
        record = error.records.get(name)
        if record is not None and link is not None:
            message = Markup('{} <a href="{}">{}</a>').format(message, link(record), record.name)
        target = name if form is not None and name and name in form else field
        if target:
            form[target].errors = [*form[target].errors, message]
        else:
            flash(message if isinstance(message, Markup) else str(message), "danger")


def _refused(error: RuleError):
    """A refusal no view caught: a 400 page that says why, with nothing saved."""
    db.session.rollback()
    title = _("请求无效")
    return render_template("errors.html", code=400, title=title, description=error.message), 400


def flash_errors(form) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        for error in errors:
            flash(_("%(label)s：%(error)s", label=label, error=error), "danger")


def _login_gate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.blueprint in SELF_AUTHENTICATED:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _error_page(error):
    if isinstance(error, HTTPException) and is_api_path(request.path):
        # An API URL that matched no route (404) or not with this method (405): the API's problem+json.
        return api_auth.answer_unrouted(error)
    code = error.code if isinstance(error, HTTPException) else 500
    if code == 500:
        db.session.rollback()
    description = error.description if isinstance(error, CSRFError) else None
    titles = {
        400: _("请求无效"), 403: _("没有权限"), 404: _("未找到"), 405: _("方法不允许"),
        413: _("内容过大"), 429: _("请求过于频繁"), 500: _("服务器内部错误"),
    }
    if isinstance(error, CSRFError):
        description = _("表单已过期或缺少安全令牌，请刷新页面后重试。")
    elif code == 413:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        description = _("提交的内容超过了 %(mb)s MB 的上限，什么都没有保存。请减小文件或分几次上传。",
                        mb=limit // (1024 * 1024))
    title = titles.get(code, HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else str(code))
    return render_template("errors.html", code=code, title=title, description=description), code


# The date patterns the templates use are all digits, the same in every locale: strftime
# gives Babel's text at a fraction of the cost (a project page prints ~50 of them).
_NUMERIC_PATTERNS = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "MM-dd HH:mm": "%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d"}


def _local_dt(value, fmt="yyyy-MM-dd HH:mm"):
    """A naive-UTC datetime in local time (Asia/Shanghai)."""
    if value is None:
        return ""
    pattern = _NUMERIC_PATTERNS.get(fmt)
    return local_now(value).strftime(pattern) if pattern else format_datetime(local_now(value), fmt)


def _local_date(value):
    """A date as yyyy-MM-dd; a datetime is taken to local time first (as Babel's format_date does)."""
    if not value:
        return ""
    return (local_now(value) if isinstance(value, datetime) else value).strftime("%Y-%m-%d")


def _relay_outbox(response):
    """Hand this request's outbox rows to Redis now; if Redis is down they simply wait."""
    if db.session.info.pop("outbox_new", False) and app_settings().OUTBOX_EAGER_RELAY:
        from crm.redis_conn import get_redis
        from crm.services.messaging import outbox
        try:
            outbox.relay(get_redis(app_settings()), limit=100)
        except Exception:  # never fail a request that already committed its work
            db.session.rollback()
            current_app.logger.warning("eager outbox relay failed", exc_info=True)
    return response


def app_settings():
    return current_app.extensions["settings"]


def init_app(app: Flask) -> None:
    app.before_request(_login_gate)
    app.after_request(_relay_outbox)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _error_page)
    # A record rule refused: the same answer as a missing record, so ids leak nothing.
    app.register_error_handler(access.Denied, lambda e: _error_page(NotFound()))
    app.register_error_handler(RuleError, _refused)
    app.jinja_env.filters.update(
        wan=lambda amount, lang=None: format_wan(amount, lang or current_lang()),
        local_dt=_local_dt,
        local_date=_local_date,
        quarter_label=clock.quarter_label,
        week_label=clock.week_label,
        day_label=clock.day_label,
        full_day_label=clock.full_day_label,
        month_label=clock.month_label,
        **ui.FILTERS,
    )

    def nav_items():
        current = request.endpoint or ""
        items = []
        for endpoint, label, roles in NAV:
            if roles is None or current_user.role in roles:
                prefixes = NAV_ACTIVE.get(endpoint, (endpoint.split(".")[0] + ".",))
                items.append({"url": url_for(endpoint), "label": label, "active": current.startswith(prefixes)})
        return items

    def quick_log_endpoint():
        """The top bar's "记录对接" button, for the roles that may log contacts."""
        if current_user.role in ("admin", "staff", "officer"):
            return QUICK_LOG_ENDPOINT
        return None

    from crm.services.pipeline import STAGE_LABELS

    # Globals (not a context processor) so macros imported without context see them too.
    app.jinja_env.globals.update(
        STAGE_LABELS=STAGE_LABELS, ROLE_LABELS=ROLE_LABELS, nav_items=nav_items,
        TOPBAR_TEMPLATES=TOPBAR_TEMPLATES, quick_log_endpoint=quick_log_endpoint,
        **ui.GLOBALS,
    )
