"""The JSON API's bodies as marshmallow schemas: they dump records, load input, and are the
source of the OpenAPI document's components (crm/api/spec.py).

Bodies hold stored values only (codes, Chinese names, numbers), never UI-language labels, so a
record has one representation, and one ETag, whatever the caller's language.  Times are UTC
(`Z`); dates are the office's local (Asia/Shanghai) calendar dates; money is 万元 as a decimal
string (exact, unlike a JSON number).
"""
from __future__ import annotations

from datetime import UTC
from functools import cache
from typing import ClassVar

from marshmallow import RAISE, Schema, fields, validate

from crm.models.enterprise import (
    ENTERPRISE_STATUSES,
    ENTERPRISE_TAGS,
    INTERACTION_KINDS,
)
from crm.models.project import STAGES
from crm.services.core.ids import ID_MAX
from crm.services.projects import INT_MAX


class Money(fields.Decimal):
    """万元 with two decimals, as a string: "1250.00"."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, allow_none=True, **kwargs)


class AmountIn(fields.Field):
    """An amount in 万元 as a JSON number or a decimal string; the service checks its range and decimals."""

    default_error_messages: ClassVar[dict] = {"invalid": "Not a number."}

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or (isinstance(value, (int, float, str)) and not isinstance(value, bool)):
            return None if value is None else str(value)
        raise self.make_error("invalid")


class UtcDateTime(fields.DateTime):
    """A stored naive-UTC time as ISO 8601 with `Z`."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=UTC, microsecond=0).isoformat().replace("+00:00", "Z")


@cache
def dumper(schema_class: type[Schema], many: bool = False):
    """`schema_class(many=many).dump` with the schema made once: making one deep-copies its
    declared fields and then its nested schemas' (0.7 ms of a project's CPU time, 0.5 ms of a
    list page's), while dumping keeps no state between calls, so one instance serves them all."""
    return schema_class(many=many).dump


def _id(**kwargs):
    """A record id in input: a JSON integer the database can hold (larger ones are refused, not looked up)."""
    return fields.Integer(strict=True, validate=validate.Range(1, ID_MAX), **kwargs)


def _n(field_class, *args, **kwargs):
    """A field that may be null."""
    return field_class(*args, allow_none=True, **kwargs)


class RefSchema(Schema):
    """A reference row (sector, park, department, 专班): id and Chinese name."""
    id = fields.Integer(required=True)
    name = fields.String(attribute="label_zh", required=True)


class UserRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(attribute="display_name", required=True)


class EnterpriseRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class StageEventSchema(Schema):
    id = fields.Integer(required=True)
    from_stage = _n(fields.String, metadata={"enum": [*STAGES, None]})
    to_stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    occurred_on = fields.Date(required=True)
    contract_amount = Money()
    evidence = _n(fields.String)
    reason = _n(fields.String)
    is_override = fields.Boolean(required=True)
    recorded_at = UtcDateTime(required=True)
    recorded_by = _n(fields.Nested, UserRefSchema)


class ProjectSummarySchema(Schema):
    """A row of the project list."""
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = _n(fields.String)
    name_ru = _n(fields.String)
    sector = fields.Nested(RefSchema, required=True)
    park = _n(fields.Nested, RefSchema)
    lead_department = _n(fields.Nested, RefSchema)
    investors = fields.List(fields.Nested(EnterpriseRefSchema), required=True)
    total_investment = Money()
    fixed_investment = Money()
    stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    stage_on = _n(fields.Date)
    is_key = fields.Boolean(required=True)
    key_level = _n(fields.String)
    in_pool = fields.Boolean(required=True)
    priority = fields.Integer(required=True)
    signed_amount = Money()
    contacted_on = _n(fields.Date)
    signed_on = _n(fields.Date)
    started_on = _n(fields.Date)
    operating_on = _n(fields.Date)
    last_interaction_at = _n(UtcDateTime)
    updated_at = UtcDateTime(required=True)


class ProjectSchema(ProjectSummarySchema):
    """One project with its stage history (阶段记录)."""
    description = _n(fields.String)
    description_en = _n(fields.String)
    description_ru = _n(fields.String)
    site = _n(fields.String)
    funding_sources = _n(fields.String)
    capacity = _n(fields.String)
    land_mu = _n(fields.Decimal, as_string=True)
    land_m2 = _n(fields.Decimal, as_string=True)
    land_text = _n(fields.String)
    jobs = _n(fields.Integer)
    departments = fields.List(fields.Nested(RefSchema), required=True)
    task_force = _n(fields.Nested, RefSchema)
    owner = _n(fields.Nested, UserRefSchema)
    liaison_leader = _n(fields.Nested, UserRefSchema)
    notes = _n(fields.String)
    created_at = UtcDateTime(required=True)
    stage_events = fields.List(fields.Nested(StageEventSchema), required=True)


class ProjectPageSchema(Schema):
    items = fields.List(fields.Nested(ProjectSummarySchema), required=True)
    next_cursor = _n(fields.String, required=True)


class EnterpriseSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = _n(fields.String)
    name_ru = _n(fields.String)
    short_name = _n(fields.String)
    credit_code = _n(fields.String)
    country = fields.String(required=True)
    region = _n(fields.String)
    sector = _n(fields.Nested, RefSchema)
    source_channel = _n(fields.String)
    owner = _n(fields.Nested, UserRefSchema)
    status = fields.String(required=True, metadata={"enum": list(ENTERPRISE_STATUSES)})
    role = fields.String(required=True)
    tags = fields.List(fields.String(metadata={"enum": list(ENTERPRISE_TAGS)}), required=True)
    website = _n(fields.String)
    address = _n(fields.String)
    description = _n(fields.String)
    last_interaction_at = _n(UtcDateTime)
    updated_at = UtcDateTime(required=True)


class EnterprisePageSchema(Schema):
    items = fields.List(fields.Nested(EnterpriseSchema), required=True)
    next_cursor = _n(fields.String, required=True)


class InteractionSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(INTERACTION_KINDS)})
    occurred_at = UtcDateTime(required=True)
    enterprise = fields.Nested(EnterpriseRefSchema, required=True)
    project = _n(fields.Nested, EnterpriseRefSchema)
    our_participants = _n(fields.String)
    their_participants = _n(fields.String)
    summary = fields.String(required=True)
    outcome = _n(fields.String)
    next_step = _n(fields.String)
    next_follow_up = _n(fields.Date)
    follow_up_done = fields.Boolean(required=True)
    created_by = _n(fields.Nested, UserRefSchema)


class InteractionListSchema(Schema):
    items = fields.List(fields.Nested(InteractionSchema), required=True)


# ---------------------------------------------------------------------------------------
# Input

class _In(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is refused, not silently dropped


class InteractionIn(_In):
    """A contact to log (对接记录); `next_follow_up` sets the follow-up (下次跟进)."""
    enterprise_id = _id(required=True)
    project_id = _id(allow_none=True)
    kind = fields.String(required=True, metadata={"enum": list(INTERACTION_KINDS)})
    occurred_at = _n(fields.DateTime, metadata={"description": "ISO 8601; without an offset: Asia/Shanghai; default now"})
    our_participants = _n(fields.String)
    their_participants = _n(fields.String)
    summary = fields.String(required=True)
    outcome = _n(fields.String)
    next_step = _n(fields.String)
    next_follow_up = _n(fields.Date)


class ProjectPatch(_In):
    """The project fields a PATCH may change; fields left out keep their values."""
    name = fields.String()
    name_en = _n(fields.String)
    name_ru = _n(fields.String)
    description = _n(fields.String)
    description_en = _n(fields.String)
    description_ru = _n(fields.String)
    site = _n(fields.String)
    site_en = _n(fields.String)
    site_ru = _n(fields.String)
    funding_sources = _n(fields.String)
    capacity = _n(fields.String)
    capacity_en = _n(fields.String)
    capacity_ru = _n(fields.String)
    land_text = _n(fields.String)
    notes = _n(fields.String)
    total_investment = AmountIn(allow_none=True, metadata={"type": ["number", "string"]})
    fixed_investment = AmountIn(allow_none=True, metadata={"type": ["number", "string"]})
    land_mu = AmountIn(allow_none=True, metadata={"type": ["number", "string"]})
    land_m2 = AmountIn(allow_none=True, metadata={"type": ["number", "string"]})
    sector_id = _id()
    park_id = _id(allow_none=True)
    lead_department_id = _id(allow_none=True)
    task_force_id = _id(allow_none=True)
    owner_id = _id(allow_none=True)
    jobs = _n(fields.Integer, strict=True, validate=validate.Range(0, INT_MAX))
    is_key = fields.Boolean(truthy={True}, falsy={False})
    key_level = _n(fields.String, metadata={"enum": ["province", "city", None]})
    in_pool = fields.Boolean(truthy={True}, falsy={False})
    priority = fields.Integer(strict=True, validate=validate.Range(1, 3))
    investor_ids = fields.List(_id())
    department_ids = fields.List(_id())


class StageMoveIn(_In):
    """A stage move with its evidence, checked by the same rules as the project page's form."""
    to_stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    occurred_on = fields.Date(required=True)
    contract_amount = AmountIn(allow_none=True, metadata={"type": ["number", "string"],
                                                          "description": "签约金额（万元），签约时必填"})
    evidence = _n(fields.String)
    reason = _n(fields.String)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.String())



# ---------------------------------------------------------------------------------------
# The other read resources

class ContactSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    title = _n(fields.String)
    phone = _n(fields.String)
    email = _n(fields.String)
    wechat = _n(fields.String)
    notes = _n(fields.String)


class ContactListSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema), required=True)


class InteractionPageSchema(Schema):
    items = fields.List(fields.Nested(InteractionSchema), required=True)
    next_cursor = _n(fields.String, required=True)


class ProblemRecordSchema(Schema):
    """A 问题台账 entry."""
    id = fields.Integer(required=True)
    project = fields.Nested(EnterpriseRefSchema, required=True)
    department = fields.Nested(RefSchema, required=True)
    description = fields.String(required=True)
    raised_on = fields.Date(required=True)
    deadline = fields.Date(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "in_progress", "resolved"]})
    resolved_on = _n(fields.Date)
    resolution = _n(fields.String)
    escalation_level = fields.Integer(required=True)
    source = fields.String(required=True)
    updated_at = UtcDateTime(required=True)


class ProblemPageSchema(Schema):
    items = fields.List(fields.Nested(ProblemRecordSchema), required=True)
    next_cursor = _n(fields.String, required=True)


class ProgressReportSchema(Schema):
    """A project's 月度调度 for one month (`month`: its first day)."""
    id = fields.Integer(required=True)
    project = fields.Nested(EnterpriseRefSchema, required=True)
    month = fields.Date(required=True)
    department = fields.Nested(RefSchema, required=True)
    invest_month = Money(required=True)
    invest_cumulative = Money(required=True)
    funds_in_place = Money(required=True)
    progress = _n(fields.String)
    problems_text = _n(fields.String)
    submitted_at = UtcDateTime(required=True)


class ProgressReportPageSchema(Schema):
    items = fields.List(fields.Nested(ProgressReportSchema), required=True)
    next_cursor = _n(fields.String, required=True)


class GoalStatusSchema(Schema):
    """A 2025 goal (发展目标) with its current value: computed from the data, or the latest entered."""
    id = fields.Integer(attribute="goal.id", required=True)
    code = fields.String(attribute="goal.code", required=True)
    name = fields.String(attribute="goal.name", required=True)
    target = Money(attribute="goal.target", required=True)
    unit = fields.String(attribute="goal.unit", required=True)
    year = fields.Integer(attribute="goal.year", required=True)
    value = Money()
    computed = fields.Boolean(required=True)
    as_of = _n(fields.Date)
    source = _n(fields.String)


class GoalListSchema(Schema):
    items = fields.List(fields.Nested(GoalStatusSchema), required=True)


class StageTotalSchema(Schema):
    stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    count = fields.Integer(required=True)
    investment = Money(required=True)


class ProblemStatsSchema(Schema):
    total = fields.Integer(required=True)
    resolved = fields.Integer(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    resolved_late = fields.Integer(required=True)
    rate = Money()


class DashboardSchema(Schema):
    """The 目标 dashboard's figures: projects and investment by stage, problems, stage moves per month."""
    as_of = fields.Date(required=True)
    funnel = fields.List(fields.Nested(StageTotalSchema), required=True)
    problems = fields.Nested(ProblemStatsSchema, required=True)
    months = fields.List(fields.String(), required=True)
    stage_moves = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()), required=True)
