"""All models, imported here so Alembic and the app see one metadata.

One module per aggregate: people, catalog, enterprise, project, goal, audit (+ ops and
routines as the workers and the plan's routines add theirs).
"""
from crm.models.audit import AuditEvent
from crm.models.catalog import Park, Sector
from crm.models.enterprise import Contact, Enterprise, EnterpriseTag, Interaction
from crm.models.goal import Goal
from crm.models.people import Department, LoginAttempt, TaskForce, User
from crm.models.project import Project, StageEvent

__all__ = [
    "AuditEvent", "Contact", "Department", "Enterprise", "EnterpriseTag", "Goal", "Interaction",
    "LoginAttempt", "Park", "Project", "Sector", "StageEvent", "TaskForce", "User",
]
