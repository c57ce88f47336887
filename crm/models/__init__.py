"""All models, imported here so Alembic and the app see one metadata.

One module per aggregate: people, catalog, enterprise, project, goal, chain, audit (+ ops and
routines as the workers and the plan's routines add theirs).
"""
from crm.models.api import ApiToken
from crm.models.audit import AuditEvent
from crm.models.brochure import CatalogBuild
from crm.models.calendar import CalendarFeed
from crm.models.chain import Chain, ChainCoverage, ChainLink
from crm.models.channels import Channel, ChannelDelivery, ChannelSubscription
from crm.models.digest import DigestDelivery
from crm.models.enterprise import Contact, Enterprise, EnterpriseTag, Interaction
from crm.models.files import EvidenceFile, StageEvidenceRule
from crm.models.goal import Goal
from crm.models.imports import SheetExport, SheetImport
from crm.models.liaison import Instruction, InstructionReply, LiaisonConfig, LiaisonFlag, LiaisonReview, LiaisonTier
from crm.models.lists import ListColumns, SavedFilter
from crm.models.metrics import GoalValue, InnovationPlatform, Summary
from crm.models.ops import Notification, OutboxMessage, RefVersion, Reminder, ReminderSetting
from crm.models.people import Department, LoginAttempt, TaskForce, User
from crm.models.pool import PoolReview, PoolReviewItem
from crm.models.project import Project, StageEvent
from crm.models.routines import Problem, ProgressReport, RankingRow, RankingSnapshot, RoutineSettings
from crm.models.sectors import Park, Sector

__all__ = [
    "ApiToken", "AuditEvent", "CalendarFeed", "Chain", "ChainCoverage", "ChainLink", "Channel", "ChannelDelivery", "ChannelSubscription",
    "Contact", "Department", "Enterprise", "EnterpriseTag", "Goal", "Interaction",
    "LoginAttempt", "Park", "Project", "Sector", "StageEvent", "TaskForce", "User",
    "GoalValue", "InnovationPlatform", "Summary", "PoolReview", "PoolReviewItem",
    "Problem", "ProgressReport", "RankingRow", "RankingSnapshot", "RoutineSettings",
    "CatalogBuild", "Notification", "OutboxMessage", "RefVersion", "Reminder", "ReminderSetting",
    "EvidenceFile", "StageEvidenceRule", "ListColumns", "SavedFilter", "SheetExport", "SheetImport",
    "DigestDelivery", "Instruction", "InstructionReply", "LiaisonConfig", "LiaisonFlag", "LiaisonReview", "LiaisonTier",
]
