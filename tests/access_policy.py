"""The access policy every route must have: who may call it.

Each feature appends its endpoints here.  tests/test_access_matrix.py walks app.url_map and
fails for any endpoint without an entry, then calls each route as every role and as an
anonymous visitor and compares the answer with this table.

An entry: endpoint -> Rule(roles for GET, roles for POST, record=...).
- roles: the roles that may use the method; others get 403 (role rule) or 404 (record rule).
- "public": no login needed.
- args: URL arguments by name come from SAMPLES (a factory per argument name returning an id).
- record="own-department": officers may use it only for records of their own department
  (the matrix uses a record of another department, so an officer gets 404).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALL = frozenset({"admin", "staff", "officer", "leader"})
PUBLIC = "public"
ADMIN = frozenset({"admin"})
STAFF = frozenset({"admin", "staff"})
LEADER = frozenset({"leader"})


@dataclass(frozen=True)
class Rule:
    get: frozenset | str | None = None  # None: the method is not offered
    post: frozenset | str | None = None
    query: str = ""  # extra query string for GET, e.g. "?q=绥芬河"
    hidden: frozenset = frozenset()  # roles refused by a record rule: they get 404, not 403
    note: str = ""


POLICY: dict[str, Rule] = {
    "static": Rule(get=PUBLIC),
    "main.health": Rule(get=PUBLIC),
    "main.set_language": Rule(get=PUBLIC),
    "main.index": Rule(get=ALL),
    "auth.login": Rule(get=PUBLIC, post=PUBLIC),
    "auth.logout": Rule(post=ALL),
    "admin.index": Rule(get=ADMIN),
    "admin.users": Rule(get=ADMIN),
    "admin.user_create": Rule(get=ADMIN, post=ADMIN),
    "admin.user_edit": Rule(get=ADMIN, post=ADMIN),
}

# URL argument name -> function(users: dict[str, User]) -> value, building a sample record
# that belongs to ANOTHER department than the officer's (so record rules answer 404).
SAMPLES: dict[str, object] = {
    "filename": lambda users: "css/app.css",
    "code": lambda users: "en",
    "user_id": lambda users: users["staff"].id,
}
