"""The sort keys of each list page: ?sort= key → the SQL expressions it orders by.

Only these keys reach the SQL (services/core/listing.py adds the direction and the id that
breaks ties).  Names sort by their pinyin key; a reference shown by name (产业, 负责人, 部门)
sorts as its own list is ordered: sectors by the plan's 专栏, people by pinyin, departments
and parks in the office's order; codes (stage, status) in their lifecycle order.
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.models import Enterprise, Problem, Project, Sector, User
from crm.models.people import ROLE
from crm.models.project import STAGES, project_investors
from crm.models.routines import PROBLEM_STATUS
from crm.services.core.listing import Via, in_order
from crm.services.enterprises import STATUS_LABELS as ENTERPRISE_STATUSES


def _of(column, key, fk, few: bool = False):
    """The row's reference through `fk` sorted by the referenced model's `column` (`key` is its
    id); `few`: a reference of a handful of rows (services/core/index_order.py)."""
    return Via(fk, key.class_, column, few)


ENTERPRISES = {
    "name": (Enterprise.name_pinyin,),
    "region": (Enterprise.region,),
    "sector": (_of(Sector.column_no, Sector.id, Enterprise.sector_id, few=True),),
    "status": (in_order(list(ENTERPRISE_STATUSES), Enterprise.status),),
    "owner": (_of(User.name_pinyin, User.id, Enterprise.owner_id),),
    "last": (Enterprise.last_interaction_at,),
}

# A project's investors sort by the first of them in pinyin order.
_FIRST_INVESTOR = (sa.select(sa.func.min(Enterprise.name_pinyin))
                   .join(project_investors, project_investors.c.enterprise_id == Enterprise.id)
                   .where(project_investors.c.project_id == Project.id).scalar_subquery())

PROJECTS = {
    "name": (Project.name_pinyin,),
    "stage": (in_order(STAGES, Project.stage),),
    "sector": (_of(Sector.column_no, Sector.id, Project.sector_id, few=True),),
    "investors": (_FIRST_INVESTOR,),
    "investment": (Project.total_investment,),
    "park": (Project.park_id,),
    "lead": (Project.lead_department_id,),
    "last": (Project.last_interaction_at,),
}

PROBLEMS = {
    "project": (_of(Project.name_pinyin, Project.id, Problem.project_id),),
    "department": (Problem.department_id,),
    "raised": (Problem.raised_on,),
    "deadline": (Problem.deadline,),
    "status": (in_order(list(PROBLEM_STATUS), Problem.status),),
    "escalation": (Problem.escalation_level,),
}

USERS = {
    "name": (User.name_pinyin,),
    "username": (User.username,),
    "role": (in_order(list(ROLE), User.role),),
    "department": (User.department_id,),
    "title": (User.title,),
    "enabled": (sa.case((User.is_enabled, 0), else_=1),),  # enabled accounts first
}
