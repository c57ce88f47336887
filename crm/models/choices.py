"""One definition per status: its values in order with their labels, read as a mapping
(value → label) by forms, services and templates, and the CHECK constraint that keeps the
column to those values.  Adding a value means a migration that replaces the constraint.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from crm.extensions import db


class Choices(Mapping):
    """The values of one status column, in display order, each with its (lazy) label.  `codes` is
    the tuple of values (as a Mapping, `values()` gives the labels, like a dict's)."""

    def __init__(self, labels: Mapping):
        self.labels = dict(labels)
        self.codes = tuple(self.labels)

    def __getitem__(self, value):
        return self.labels[value]

    def __iter__(self) -> Iterator:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def check(self, column: str) -> db.CheckConstraint:
        """CHECK (column IN (…)), named ck_<table>_<column> by the metadata's naming convention."""
        listed = ", ".join(f"'{value}'" for value in self.codes)
        return db.CheckConstraint(f"{column} IN ({listed})", name=column)
