"""Record rules: who may change which record.

Role rules (which pages a role may open) sit on the views; these functions answer the
record-level question.  A record the user may not touch is answered like a missing one
(404), so ids of other departments' records leak nothing.
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.models import Project, User
from crm.models.project import project_departments


class Denied(Exception):
    """The acting user may not do this; views turn it into a 403/404 with the message."""


def can_edit_enterprises(user: User) -> bool:
    return user.role in ("admin", "staff")


def department_ids_of(project: Project) -> set[int]:
    ids = {d.id for d in project.departments}
    if project.lead_department_id:
        ids.add(project.lead_department_id)
    return ids


def can_edit_project(user: User, project: Project) -> bool:
    """Admins and staff edit any project; an officer only those their department leads or shares."""
    if user.role in ("admin", "staff"):
        return True
    if user.role == "officer" and user.department_id:
        return user.department_id in department_ids_of(project)
    return False


def department_projects(department_id: int):
    """A WHERE condition on Project: those the department leads (牵头) or shares (责任)."""
    shared = sa.select(project_departments.c.project_id).where(project_departments.c.department_id == department_id)
    return sa.or_(Project.lead_department_id == department_id, Project.id.in_(shared))


def editable_projects(user: User):
    """can_edit_project as a WHERE condition on Project, for lists and pickers."""
    if user.role in ("admin", "staff"):
        return sa.true()
    if user.role == "officer" and user.department_id:
        return department_projects(user.department_id)
    return sa.false()


def searchable_projects(user: User):
    """The projects a user's search (the top bar) finds, as a WHERE condition on Project: an officer
    his department's (those he works on), everyone else every project, as the project list shows."""
    if user.role == "officer":
        return department_projects(user.department_id) if user.department_id else sa.false()
    return sa.true()


def can_change_project_departments(user: User) -> bool:
    """Who leads (牵头) or shares (责任) a project is the center's call: an officer who may edit a
    project must not be able to take it over from its lead department, or hand it away."""
    return user.role in ("admin", "staff")


def can_create_project(user: User) -> bool:
    return user.role in ("admin", "staff")


def can_log_interaction(user: User, project: Project | None = None) -> bool:
    if user.role in ("admin", "staff"):
        return True
    return project is not None and can_edit_project(user, project)


def require(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise Denied(message)


def can_see_project_files(user: User, project: Project) -> bool:
    """Evidence files (contracts, permits) are not for every reader of the project list: admins and
    staff, the officers of the departments that lead or share the project, and its 包联领导."""
    if user.role in ("admin", "staff"):
        return True
    if user.role == "leader":
        return project.liaison_leader_id == user.id
    return can_edit_project(user, project)


def files_visible_projects(user: User):
    """can_see_project_files as a WHERE condition on Project."""
    if user.role == "leader":
        return Project.liaison_leader_id == user.id
    return editable_projects(user)
