"""Small HTML pieces that repeat on every row of a list or card of the board, in Python.

A Jinja macro call costs tens of microseconds and url_for walks the URL map each time; on a
board of ~100 cards with four such pieces each, that was most of the page.  These helpers are
Jinja globals and return Markup, escaping whatever they take from the database.  They build
it with f-strings over escape(): Markup.format runs string.Formatter in Python, five times
slower, and a board calls them hundreds of times.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import g, url_for
from markupsafe import Markup, escape

from crm.i18n import current_lang, term
from crm.i18n import gettext as _
from crm.services.core.audit import actor_name
from crm.services.enterprises import STATUS_LABELS, is_missing_credit_code
from crm.services.pipeline import STAGE_LABELS
from crm.services.projects import days_since

_SENTINEL = 987654321987  # an id no table reaches, replaced in the built URL
STALE_CONTACT_DAYS = 30  # "last contact" turns red after this many days


def id_url(endpoint: str, arg: str, **fixed) -> Callable[[int], str]:
    """url_for(endpoint, **{arg: id}, **fixed) as a function of the id, built once per request.

    The URL is built with a sentinel id, then only the id changes per row: the same string
    url_for gives, without a URL-map walk per row.
    """
    cache = g.setdefault("_crm_id_urls", {})
    key = (endpoint, arg, tuple(sorted(fixed.items())))
    pattern = cache.get(key)
    if pattern is None:
        built = url_for(endpoint, **fixed, **{arg: _SENTINEL})
        pattern = cache[key] = built.replace("{", "{{").replace("}", "}}").replace(str(_SENTINEL), "{0}")
    return pattern.format


def stage_badge(stage: str) -> Markup:
    return Markup(f'<span class="badge stage-{escape(stage)}">{escape(STAGE_LABELS.get(stage, stage))}</span>')


def key_badge(project) -> Markup:
    """省级重点 / 市级重点 / 重点 for a key project, nothing otherwise."""
    if not project.is_key:
        return Markup("")
    label = {"province": _("省级重点"), "city": _("市级重点")}.get(project.key_level) or _("重点")
    return Markup(f'<span class="badge text-bg-danger">{escape(label)}</span>')


def investor_names(project, links: bool = False) -> Markup:
    """The investing enterprises joined by 、 (linked to their pages on the project page)."""
    investors = project.investors
    if not investors:
        return Markup('<span class="text-muted">—</span>')
    if links:
        url = id_url("enterprises.detail", "enterprise_id")
        parts = [Markup(f'<a href="{escape(url(e.id))}">{escape(e.display_name)}</a>') for e in investors]
    else:
        parts = [escape(e.display_name) for e in investors]
    return Markup("、").join(parts)


def last_contact(project, today) -> Markup:
    """"n 天前" since the last logged contact, red once it is stale; 未对接 if there is none."""
    days = days_since(project.last_interaction_at, today)
    # Translated outside the f-strings: pybabel does not look for _() inside them.
    if days is None:
        none = _("未对接")
        return Markup(f'<span class="text-muted">{escape(none)}</span>')
    css = "text-danger" if days > STALE_CONTACT_DAYS else ""
    ago = _("%(n)s 天前", n=days)
    return Markup(f'<span class="{css}">{escape(ago)}</span>')


def enterprise_badges(enterprise) -> Markup:
    """Status, tags, and a warning when a domestic firm has no credit code."""
    status = STATUS_LABELS.get(enterprise.status, enterprise.status)
    parts = [Markup(f'<span class="badge text-bg-light border">{escape(status)}</span>')]
    parts += [Markup(f'<span class="badge text-bg-info">{escape(term(t))}</span> ') for t in enterprise.tags]
    if is_missing_credit_code(enterprise):
        why, badge = _("境内企业应登记统一社会信用代码"), _("缺信用代码")
        parts.append(Markup(f'<span class="badge text-bg-warning" title="{escape(why)}">{escape(badge)}</span>'))
    return Markup("\n").join(parts)


_EN_SEPARATORS = {"、": ", ", "，": ", ", "；": "; "}


def paren(text) -> Markup:
    """（text） in Chinese, " (text)" in English: full-width brackets read wrong in English."""
    return Markup(f"（{escape(text)}）" if current_lang() == "zh" else f" ({escape(text)})")


def joined(items, separator: str = "、") -> str:
    """Items joined with a Chinese separator, or its English counterpart."""
    if current_lang() != "zh":
        separator = _EN_SEPARATORS.get(separator, separator)
    return separator.join(str(item) for item in items)


def audit_value(value, mapping=None):
    """A value from the audit log as a reader sees it: — for empty, labels for codes."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return joined(value)
    if mapping and isinstance(value, (str, int)) and value in mapping:
        return mapping[value]
    return value


def option_tags(rows, current=None) -> Markup:
    """The <option>s of a filter select from (value, text) pairs; the one whose value reads as
    `current` (a query-string value, so compared as text) is selected.

    One join in Python: a Jinja loop paid ~3 µs an option, and the enterprise list offers every
    file owner (hundreds at province scale) on each page.
    """
    current = None if current is None else str(current)
    parts = []
    for value, text in rows:
        value = str(value)
        selected = " selected" if value == current else ""
        parts.append(f'<option value="{escape(value)}"{selected}>{escape(text)}</option>')
    return Markup("".join(parts))


def filesize(size: int | None) -> str:
    """A file's size as people read it: 850 KB, 2.4 MB."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


FILTERS = {"filesize": filesize, "paren": paren, "joined": joined, "audit_value": audit_value}

def instruction_deadline() -> str:
    """The deadline a new 批示 form starts with (services/liaison/instructions.DEFAULT_DAYS)."""
    from crm.services.liaison.instructions import default_deadline
    return default_deadline().isoformat()


GLOBALS = {"actor_name": actor_name, "instruction_deadline": instruction_deadline, "id_url": id_url, "stage_badge": stage_badge, "key_badge": key_badge,
           "investor_names": investor_names, "last_contact": last_contact,
           "enterprise_badges": enterprise_badges, "option_tags": option_tags}
