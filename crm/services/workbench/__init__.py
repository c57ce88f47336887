"""The workbench (工作台): the page `/` each role opens every morning.

A workbench is a list of sections, each a plain function of (user, today) returning a Section:
its rows (oldest risk first), their count, and the page that lists them all (whose own query
function gives that count).  One module per role lists its sections in SECTIONS; the home view
renders whatever the role's list holds, so a new section is one function and one template.
Each section runs a fixed number of statements whatever the data size.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from crm.models import User

SHOWN = 20  # rows a section lists; its count and link cover the rest


@dataclass
class Section:
    key: str  # the template main/sections/<key>.html renders it
    rows: list
    count: int
    link: tuple[str, dict] | None = None  # (endpoint, query args) of the page listing them all
    extra: dict = field(default_factory=dict)  # what the section's template needs besides rows
    # Rows there are in all, when a row is not one counted item (a department's row holds several).
    rows_total: int | None = None
    alert: bool = True  # a non-zero count is a warning (red); False for a plain list (my projects)

    @property
    def more(self) -> int:
        """How many rows there are beyond those listed."""
        total = self.count if self.rows_total is None else self.rows_total
        return max(total - len(self.rows), 0)


SectionFunction = Callable[[User, date], Section]


def sections_for(user: User, today: date) -> list[Section]:
    """The user's workbench: their role's sections, in order."""
    from crm.services.workbench import admin, leader, officer, staff
    by_role = {"staff": staff.SECTIONS, "officer": officer.SECTIONS, "leader": leader.SECTIONS,
               "admin": admin.SECTIONS}
    return [section(user, today) for section in by_role.get(user.role, ())]


def instruction_section(key: str, rows: list, link, today: date) -> Section:
    """A workbench section of 批示 (services/liaison/instructions.py gives the rows, soonest
    deadline first); the count is every one of them, the section lists SHOWN."""
    return Section(key, rows[:SHOWN], len(rows), link=link, extra={"today": today})
