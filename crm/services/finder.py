"""Search from anywhere (the top bar): enterprises, projects, contacts and users matching what was
typed, grouped by kind, each group cut at a limit, and only what the user may see.

Matching, per kind:
- enterprises: the enterprise list's search (services/search.py: Chinese, credit codes, English and
  Russian names) and, for a Latin term, pinyin (below);
- projects: the name in any language, pinyin, and a foreign partner's name (an investor enterprise
  whose English or Russian name holds the term);
- contacts: the name or the phone number by prefix;
- users (administrators only, who manage them): the display name, the user name, pinyin.

Pinyin: a Latin term ("dbn", "dongbei", "dong bei") matches the stored keys name_initials and
name_pinyin (services/core/pinyin.py) by prefix.  A prefix is asked as a range, key >= "dbn" AND
key < "dbo": both databases serve a range from a plain btree index whatever its collation for keys
of digits and lower-case letters, where LIKE 'dbn%' needs SQLite's case_sensitive_like or a
PostgreSQL pattern index.

Each group costs one or two statements whatever the data size: the limit is in the SQL.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Contact, Enterprise, Project, User
from crm.models.people import ROLE
from crm.models.project import project_investors
from crm.services import search
from crm.services.core import access
from crm.services.pipeline import STAGE_LABELS
from crm.services.projects import name_contains

KINDS = ("enterprises", "projects", "contacts", "users")
SUGGEST_LIMIT = 6  # per group in the top bar's dropdown
PAGE_LIMIT = 20  # per group on the results page
MIN_CHARS = 2  # one character matches a good part of any list
MAX_CHARS = 60
# A term with Latin or Cyrillic letters is also looked for in foreign names from this length
# (the trigram indexes need three characters; shorter, it would be a scan of every name).
FOREIGN_MIN_CHARS = 3
PHONE_MIN_DIGITS = 3

_KEY_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"  # what pinyin keys hold, in every collation's order
_PINYIN_TERM = re.compile(r"[a-z0-9' ]+")


@dataclass
class Hit:
    """One result: what the row is called and a line that tells it from its namesakes."""
    kind: str
    id: int
    title: str
    detail: str = ""
    enterprise_id: int | None = None  # a contact's firm: its page is where the contact is shown


@dataclass
class Found:
    q: str
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    more: dict[str, bool] = field(default_factory=dict)  # a group cut at its limit

    @property
    def empty(self) -> bool:
        return not any(self.groups.values())


def clean(q: str | None) -> str:
    """The term as searched: full-width letters folded (ＡＢＣ → ABC), control and format characters
    dropped (PostgreSQL refuses NUL), spaces collapsed, cut short."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", q or "") if not unicodedata.category(ch).startswith("C"))
    return " ".join(text.split())[:MAX_CHARS]


def pinyin_key(q: str) -> str | None:
    """The key a pinyin term is compared with: "Dong Bei" → "dongbei", "xi'an" → "xian"; None when
    the term is not pinyin (Chinese, Cyrillic, punctuation)."""
    lowered = q.lower()
    if not _PINYIN_TERM.fullmatch(lowered) or not any(c.isalpha() for c in lowered):
        return None
    return lowered.replace(" ", "").replace("'", "")


def _successor(key: str) -> str | None:
    """The least key of _KEY_ALPHABET after every key starting with `key`: "dbn" → "dbo",
    "dbz" → "dc"; None when there is none ("zz")."""
    while key:
        position = _KEY_ALPHABET.find(key[-1])
        if position + 1 < len(_KEY_ALPHABET):
            return key[:-1] + _KEY_ALPHABET[position + 1]
        key = key[:-1]
    return None


def prefix_range(column, prefix: str, *, keys: bool = False):
    """`column` starts with `prefix`, as an index range.  `keys`: the column holds only
    _KEY_ALPHABET (pinyin keys), whose own successor is right in every collation; other text
    (names, phone numbers) takes the next code point, the order of SQLite's BINARY and
    PostgreSQL's C collations."""
    upper = _successor(prefix) if keys else _next_code_point(prefix)
    return sa.and_(column >= prefix, column < upper) if upper else column >= prefix


def _next_code_point(prefix: str) -> str | None:
    """The prefix with its last character's successor (past the surrogates, which no database
    stores); None after the last code point."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return prefix[:-1] + chr(following) if following <= 0x10FFFF else None


def _pinyin_ids(model, key: str, limit: int):
    """Ids of `model` rows whose initials, then whose full pinyin, start with `key`: each a walk of
    its index that stops after `limit` rows, so a common prefix costs no more than a rare one
    (ordered by the key alone: an order the index does not hold would sort every match)."""
    def walk(rank: int, column):
        part = (sa.select(model.id.label("id"), sa.literal(rank).label("rank"), column.label("key"))
                .where(prefix_range(column, key, keys=True)).order_by(column).limit(limit).subquery())
        return sa.select(part.c.id, part.c.rank, part.c.key)

    parts = [walk(rank, column) for rank, column in enumerate((model.name_initials, model.name_pinyin))]
    both = sa.union_all(*parts).subquery()
    rows = db.session.execute(sa.select(both.c.id).order_by(both.c.rank, both.c.key, both.c.id)).scalars()
    return _unique(rows)


def _pinyin_conditions(model, key: str | None) -> list:
    """The model's initials or full pinyin start with `key` (none for a term that is not pinyin)."""
    if not key:
        return []
    return [prefix_range(model.name_initials, key, keys=True), prefix_range(model.name_pinyin, key, keys=True)]


def _unique(ids) -> list[int]:
    return list(dict.fromkeys(ids))


def _cut(ids: list[int], limit: int) -> tuple[list[int], bool]:
    return ids[:limit], len(ids) > limit


def _load(model, ids: list[int], *options) -> list:
    """The rows of `ids`, in that order: one statement."""
    if not ids:
        return []
    rows = {row.id: row for row in db.session.scalars(sa.select(model).options(*options).where(model.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def _foreign(q: str) -> bool:
    return len(q) >= FOREIGN_MIN_CHARS and q.lower() != q.upper()


# -- the kinds ------------------------------------------------------------------------------------

def _enterprises(q: str, key: str | None, limit: int) -> tuple[list[Hit], bool]:
    ids = []
    if key:
        ids += _pinyin_ids(Enterprise, key, limit + 1)
    if not key or len(q) >= FOREIGN_MIN_CHARS:  # a 2-letter Latin term: pinyin only (see FOREIGN_MIN_CHARS)
        ids += db.session.scalars(search.enterprise_ids(q).limit(limit + 1)).all()
    shown, more = _cut(_unique(ids), limit)
    return [Hit("enterprises", e.id, e.display_name, _joined(_other_name(e), e.region))
            for e in _load(Enterprise, shown)], more


def _other_name(enterprise: Enterprise) -> str | None:
    """A foreign firm's own name beside the one shown (it may be what was typed)."""
    other = enterprise.name_ru or enterprise.name_en
    return other if other and other != enterprise.display_name else None


def _joined(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _project_queries(q: str, key: str | None) -> list:
    """Id selects of the projects matching in each way: the name in any language (a scan of the
    table that stops at the limit, unordered: walking an index in name order would read each row
    at random), the pinyin keys (index walks), a foreign partner's name (the investors' index)."""
    queries = [sa.select(Project.id).where(name_contains(q))]
    if key:
        queries += [sa.select(Project.id).where(prefix_range(column, key, keys=True)).order_by(column)
                    for column in (Project.name_initials, Project.name_pinyin)]
    if _foreign(q):
        # A foreign partner's name: the project of an investor whose English or Russian name holds it.
        partners = sa.select(Enterprise.id).where(search.foreign_match(q))
        queries.append(sa.select(Project.id).where(Project.id.in_(
            sa.select(project_investors.c.project_id).where(project_investors.c.enterprise_id.in_(partners)))))
    return queries


def _union_ids(queries: list, limit: int) -> list[int]:
    """The ids of each id select cut at `limit`, in one statement, first found first."""
    parts = [query.limit(limit).subquery() for query in queries]
    return _unique(db.session.scalars(sa.union_all(*(sa.select(part.c[0]) for part in parts))))


def _projects(user: User, q: str, key: str | None, limit: int) -> tuple[list[Hit], bool]:
    visible = access.searchable_projects(user)
    queries = [query.where(visible) for query in _project_queries(q, key)]
    found = sorted(_load(Project, _union_ids(queries, limit + 1), joinedload(Project.lead_department)),
                   key=lambda p: (p.name_pinyin, p.id))
    hits = [Hit("projects", p.id, p.display_name, _joined(STAGE_LABELS[p.stage], p.lead_department))
            for p in found[:limit]]
    return hits, len(found) > limit


def _contacts(q: str, limit: int) -> tuple[list[Hit], bool]:
    prefixes = [(Contact.name, q)]
    digits = q.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= PHONE_MIN_DIGITS:
        prefixes.append((Contact.phone, digits))
    # Each prefix walks its own index in its own order, so each is cut at the limit by itself.
    ids = _union_ids([sa.select(Contact.id).where(prefix_range(column, prefix)).order_by(column, Contact.id)
                      for column, prefix in prefixes], limit + 1)
    shown, more = _cut(ids, limit)
    return [Hit("contacts", c.id, c.name, _joined(c.title, c.enterprise.display_name), enterprise_id=c.enterprise_id)
            for c in _load(Contact, shown, joinedload(Contact.enterprise))], more


def _users(q: str, key: str | None, limit: int) -> tuple[list[Hit], bool]:
    conditions = [search.contains(User.display_name, q), search.contains(User.username, q),
                  *_pinyin_conditions(User, key)]
    rows = db.session.scalars(sa.select(User).options(joinedload(User.department)).where(sa.or_(*conditions))
                              .order_by(User.name_pinyin, User.id).limit(limit + 1)).all()
    hits = [Hit("users", u.id, u.display_name, _joined(u.username, ROLE[u.role], u.department))
            for u in rows[:limit]]
    return hits, len(rows) > limit


def kinds_for(user: User) -> tuple[str, ...]:
    """The groups a user's search shows: users only for administrators (who manage them)."""
    return KINDS if user.role == "admin" else KINDS[:-1]


def find(user: User, q: str | None, limit: int = SUGGEST_LIMIT) -> Found:
    """What `user` may see matching `q`, by kind, at most `limit` of each."""
    q = clean(q)
    found = Found(q)
    if len(q.replace(" ", "")) < MIN_CHARS:
        return found
    key = pinyin_key(q)
    searches = {
        "enterprises": lambda: _enterprises(q, key, limit),
        "projects": lambda: _projects(user, q, key, limit),
        "contacts": lambda: _contacts(q, limit),
        "users": lambda: _users(q, key, limit),
    }
    for kind in kinds_for(user):
        found.groups[kind], found.more[kind] = searches[kind]()
    return found
