"""The access policy every route must have: who may call it.

Each feature appends its endpoints here.  tests/test_access_matrix.py walks app.url_map and
fails for any endpoint without an entry, then calls each route as every role and as an
anonymous visitor and compares the answer with this table.

An entry: endpoint -> Rule(roles for GET, roles for POST, record=...).
- roles: the roles that may use the method; others get 403 (role rule) or 404 (record rule).
- "public": no login needed.
- args: URL arguments by name come from SAMPLES (a factory per argument name returning an id).
- TOKEN: the JSON API's token-only routes: every session, whatever its role, and every anonymous
  visitor gets 401 (tests/api/test_access.py calls them with each role's token).
- record="own-department": officers may use it only for records of their own department
  (the matrix uses a record of another department, so an officer gets 404).
"""
from __future__ import annotations

from dataclasses import dataclass

from tests import factories
from tests.chains import factories as chain_factories
from tests.duplicates import factories as duplicate_factories

ALL = frozenset({"admin", "staff", "officer", "leader"})
PUBLIC = "public"
TOKEN = "token"
ADMIN = frozenset({"admin"})
STAFF = frozenset({"admin", "staff"})
LEADER = frozenset({"leader"})
OFFICER = frozenset({"officer"})


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
    "auth.change_password": Rule(get=ALL, post=ALL),
    "enterprises.index": Rule(get=ALL, query="?q=绥芬&tag=龙头企业&page=2&sort=-owner"),
    "enterprises.bulk_action": Rule(post=STAFF),
    "enterprises.detail": Rule(get=ALL),
    "enterprises.create": Rule(get=STAFF, post=STAFF),
    "enterprises.edit": Rule(get=STAFF, post=STAFF),
    "enterprises.contact_create": Rule(get=STAFF, post=STAFF),
    "enterprises.contact_edit": Rule(get=STAFF, post=STAFF),
    "enterprises.contact_delete": Rule(post=STAFF),
    "enterprises.import_sheet": Rule(get=STAFF, post=STAFF),
    "enterprises.import_template": Rule(get=STAFF),
    "enterprises.export": Rule(get=STAFF, query="?q=绥芬&tag=龙头企业"),
    "duplicates.index": Rule(get=STAFF),
    # Without ?a=&b= of two firms the merge page goes back to the list, saying why.
    "duplicates.merge_form": Rule(get=ADMIN, post=ADMIN),
    "duplicates.record": Rule(get=ALL),
    "duplicates.undo_merge": Rule(post=ADMIN),
    # The project form's investor picker: its editors (officers included); leaders pick nothing.
    # The top bar's search: every role; what each finds is narrowed in services/finder.py.
    "finder.suggest": Rule(get=ALL, query="?q=绥芬"),
    "finder.results": Rule(get=ALL, query="?q=sfh"),
    "enterprises.lookup": Rule(get=frozenset({"admin", "staff", "officer"}), query="?q=绥芬河"),
    "interactions.quick": Rule(get=frozenset({"admin", "staff", "officer"}),
                               post=frozenset({"admin", "staff", "officer"})),
    "interactions.lookup": Rule(get=frozenset({"admin", "staff", "officer"}), query="?q=绥芬河"),
    "interactions.done": Rule(post=frozenset({"admin", "staff", "officer"}), hidden=frozenset({"officer"})),
    # 改期 on the workbench: as 完成 (an officer only for projects of their department).
    "interactions.reschedule": Rule(post=frozenset({"admin", "staff", "officer"}), hidden=frozenset({"officer"})),
    "admin.index": Rule(get=ADMIN),
    "admin.users": Rule(get=ADMIN, query="?sort=-department&page=1"),
    "admin.user_create": Rule(get=ADMIN, post=ADMIN),
    "admin.user_edit": Rule(get=ADMIN, post=ADMIN),
    "reports.dashboard": Rule(get=ALL),
    "reports.cohorts": Rule(get=ALL, query="?start=2026-01-01&end=2026-12-31&as_of=2026-11-28"),
    "reports.cohort_projects": Rule(get=ALL, query="?rate=funds&part=num&as_of=2026-11-28"),
    "reports.goal_value": Rule(get=ADMIN, post=ADMIN),
    "reports.platforms": Rule(get=ALL),
    "reports.platform_new": Rule(get=ADMIN, post=ADMIN),
    "reports.platform_edit": Rule(get=ADMIN, post=ADMIN),
    "reports.platform_delete": Rule(post=ADMIN),
    "reports.pool_reviews": Rule(get=ALL),
    "reports.pool_review_new": Rule(get=ADMIN, post=ADMIN),
    "reports.pool_review_detail": Rule(get=ALL),
    "projects.index": Rule(get=ALL, query="?q=生物&sector=1&stage=planned&department=1&key=1&pool=1&page=2&sort=name"),
    "projects.bulk_action": Rule(post=frozenset({"admin", "staff", "officer"})),
    "lists.save_filter": Rule(post=ALL),
    "lists.delete_filter": Rule(post=ALL, hidden=ALL, note="another user's saved filter: as good as missing"),
    "lists.choose_columns": Rule(post=ALL),
    "projects.export": Rule(get=ALL, query="?stage=planned&pool=1"),
    "projects.import_sheet": Rule(get=STAFF, post=STAFF),
    "projects.import_template": Rule(get=STAFF),
    "projects.detail": Rule(get=ALL),
    "projects.create": Rule(get=STAFF, post=STAFF),
    "projects.edit": Rule(get=frozenset({"admin", "staff", "officer"}), post=frozenset({"admin", "staff", "officer"}),
                          hidden=frozenset({"officer"})),
    # GET: the board's dialog fetches the form (a browser navigating there is sent to the project page).
    "projects.move_stage": Rule(get=frozenset({"admin", "staff", "officer"}), post=frozenset({"admin", "staff", "officer"}),
                                hidden=frozenset({"officer"})),
    # Evidence files: only through the rule of their record (a file of another department's project:
    # the officer gets 404, and so does a leader who is not its 包联领导).
    "files.download": Rule(get=ALL, hidden=frozenset({"officer", "leader"})),
    "files.thumbnail": Rule(get=ALL, hidden=frozenset({"officer", "leader"})),
    "files.upload_project": Rule(post=frozenset({"admin", "staff", "officer"}), hidden=frozenset({"officer"})),
    "files.upload_enterprise": Rule(post=STAFF),
    "files.upload_picture": Rule(post=frozenset({"admin", "staff", "officer"}), hidden=frozenset({"officer"})),
    "files.remove": Rule(post=frozenset({"admin", "staff", "officer"}), hidden=frozenset({"officer"})),
    "files.stage_rules": Rule(get=ADMIN, post=ADMIN),
    "pipeline.board": Rule(get=ALL, query="?sector=1&park=1&task_force=1&key=province&pool=0"),
    # Leaders write only on their own liaison projects; the sample project has another (none): 404.
    "leaders.my_projects": Rule(get=LEADER),
    "leaders.instruct": Rule(post=LEADER, hidden=LEADER),
    "leaders.mark_reviewed": Rule(post=LEADER, hidden=LEADER),
    # The 批示 loop: the sample 批示 is another leader's, addressed to no unit of the officer's.
    "leaders.unit_instructions": Rule(get=OFFICER),
    "leaders.reply": Rule(post=OFFICER, hidden=OFFICER),
    "leaders.accept": Rule(post=LEADER, hidden=LEADER),
    "leaders.send_back": Rule(post=LEADER, hidden=LEADER),
    "liaison_admin.index": Rule(get=ADMIN, query="?q=生物"),
    "liaison_admin.save_settings": Rule(post=ADMIN),
    "liaison_admin.add_tier": Rule(post=ADMIN),
    "liaison_admin.delete_tier": Rule(post=ADMIN),
    "liaison_admin.save_sectors": Rule(post=ADMIN),
    "liaison_admin.run": Rule(post=ADMIN),
    "liaison_admin.assign": Rule(get=ADMIN, post=ADMIN),
    "digest.preview": Rule(get=ADMIN),
    "digest.preview_html": Rule(get=ADMIN),
    "digest.chart": Rule(get=ADMIN),
    "routines.dispatch": Rule(get=ALL, query="?month=2026-10"),
    "routines.dispatch_xlsx": Rule(get=ADMIN, query="?month=2026-10"),
    "routines.report_file": Rule(get=frozenset({"admin", "staff", "officer"}), post=frozenset({"admin", "staff", "officer"}),
                                 hidden=frozenset({"officer"})),
    "routines.report_correct": Rule(get=ADMIN, post=ADMIN),
    "routines.problems": Rule(get=ALL, query="?department=1&status=open&overdue=1&project=1&sort=-project"),
    # The problem form's project picker: who may raise problems.
    "routines.problem_projects": Rule(get=frozenset({"admin", "staff", "officer"}), query="?q=项目"),
    "routines.problem_new": Rule(get=frozenset({"admin", "staff", "officer"}), post=frozenset({"admin", "staff", "officer"})),
    "routines.problem_edit": Rule(get=frozenset({"admin", "staff", "officer"}), post=frozenset({"admin", "staff", "officer"}),
                                  hidden=frozenset({"officer"})),
    "routines.problem_resolve": Rule(get=frozenset({"admin", "staff", "officer"}), post=frozenset({"admin", "staff", "officer"}),
                                     hidden=frozenset({"officer"})),
    "routines.problem_escalate": Rule(post=STAFF),
    "routines.problem_from_instruction": Rule(post=frozenset({"admin", "staff", "leader"}),
                                              hidden=frozenset({"leader"})),
    "routines.ranking": Rule(get=ALL, query="?quarter=2026-Q3"),
    "routines.ranking_xlsx": Rule(get=ALL),
    "routines.ranking_weights": Rule(get=ADMIN, post=ADMIN),
    "routines.ranking_freeze": Rule(post=ADMIN),
    # Brochures: any signed-in role prints a project; catalogs are built by admins and staff.
    "brochures.project": Rule(get=ALL, query="?lang=ru"),
    "brochures.catalog": Rule(get=STAFF, post=STAFF),
    "brochures.build": Rule(get=STAFF),
    "brochures.build_status": Rule(get=STAFF),
    "brochures.download": Rule(get=STAFF),
    # Notifications: everyone reads their own; another user's notification is 404 for all.
    "notifications.index": Rule(get=ALL, query="?unread=1&page=2"),
    "notifications.mark_read": Rule(post=ALL, hidden=ALL),
    "notifications.mark_all_read": Rule(post=ALL),
    # Excel imports: the uploader (the sample's is staff) and admins; other staff would get 404.
    "imports.preview": Rule(get=STAFF),
    "imports.apply": Rule(post=STAFF),
    "imports.status": Rule(get=STAFF),
    # A large export's progress page and file: its requester (the sample's is staff) and admins.
    "exports.show": Rule(get=STAFF, hidden=frozenset({"officer", "leader"})),
    "exports.status": Rule(get=STAFF, hidden=frozenset({"officer", "leader"})),
    "exports.download": Rule(get=STAFF, hidden=frozenset({"officer", "leader"})),
    "jobs_admin.index": Rule(get=ADMIN),
    "jobs_admin.requeue": Rule(post=ADMIN),
    "jobs_admin.resend_digest": Rule(post=ADMIN),
    "jobs_admin.reminder_settings": Rule(get=ADMIN, post=ADMIN),
    "mailbox.index": Rule(get=ADMIN, query="?page=2"),
    "mailbox.message": Rule(get=ADMIN),
    "chains.index": Rule(get=ALL),
    "chains.chain_map": Rule(get=ALL),
    "chains.link": Rule(get=ALL),
    "chains.gap_list": Rule(get=ALL),
    "chains.chain_create": Rule(get=ADMIN, post=ADMIN),
    "chains.chain_edit": Rule(get=ADMIN, post=ADMIN),
    "chains.link_create": Rule(get=ADMIN, post=ADMIN),
    "chains.link_edit": Rule(get=ADMIN, post=ADMIN),
    "chains.link_delete": Rule(post=ADMIN),
    "chains.link_attach": Rule(post=ADMIN),
    "chains.link_detach": Rule(post=ADMIN),
    "chains.export": Rule(get=ALL),
    "chains.import_sheet": Rule(get=ADMIN, post=ADMIN),
    # API tokens: everyone manages their own; another user's token is 404 for all.
    "api_tokens.index": Rule(get=ALL, post=ALL),
    "api_tokens.revoke": Rule(post=ALL, hidden=ALL),
    # The JSON API: tokens only.  Its description and reference page are open.
    "api.openapi": Rule(get=PUBLIC),
    "api.reference": Rule(get=PUBLIC),
    "api.projects": Rule(get=TOKEN),
    "api.project": Rule(get=TOKEN),
    "api.project_update": Rule(note="PATCH only, token only (tests/api/test_access.py)"),
    "api.project_move": Rule(post=TOKEN),
    "api.enterprises": Rule(get=TOKEN),
    "api.enterprise": Rule(get=TOKEN),
    "api.interaction_create": Rule(post=TOKEN),
    "api.follow_ups": Rule(get=TOKEN),
    "api.follow_up_done": Rule(post=TOKEN),
    "api.enterprise_contacts": Rule(get=TOKEN),
    "api.interactions": Rule(get=TOKEN),
    "api.problem_list": Rule(get=TOKEN),
    "api.progress_reports": Rule(get=TOKEN),
    "api.goals": Rule(get=TOKEN),
    "api.dashboard": Rule(get=TOKEN),
    "channels.index": Rule(get=ADMIN, post=ADMIN),
    "channels.subscribe": Rule(post=ADMIN),
    "channels.resume": Rule(post=ADMIN),
    "channels.delete": Rule(post=ADMIN),
    # The follow-up calendar: everyone sees their own scope of follow-ups (the query decides).
    "calendar.index": Rule(get=ALL, query="?view=week&date=2026-12-07"),
    "calendar.subscription": Rule(get=ALL, post=ALL),
    # The .ics feed takes no session: the secret in its URL is the authentication, so it is public
    # here with a valid secret (SAMPLES["token"]); a wrong or reset one answers 403
    # (tests/calendar/test_feed.py).
    "calendar.feed_ics": Rule(get=PUBLIC, note="token in the URL"),
}


@dataclass(frozen=True)
class FieldRule:
    """A form field only `roles` may change, on a route others may post to: their post changing it
    is refused with a message and the record stays as it was."""
    field: str
    roles: frozenset
    note: str = ""


# endpoint -> its field rules (tests/security/test_officer_fields.py walks them as every role).
FIELD_RULES: dict[str, tuple[FieldRule, ...]] = {
    "projects.edit": (
        FieldRule("lead_department_id", STAFF, note="an officer must not take a project over from its lead department"),
        FieldRule("department_ids", STAFF, note="nor add or drop the departments that share it"),
    ),
}

# URL argument name -> function(users: dict[str, User]) -> value, building a sample record
# that belongs to ANOTHER department than the officer's (so record rules answer 404).
SAMPLES: dict[str, object] = {
    "code": lambda users: "en",
    "enterprise_id": lambda users: factories.sample_enterprise().id,
    "contact_id": lambda users: factories.contact(factories.sample_enterprise()).id,
    "interaction_id": lambda users: factories.foreign_interaction().id,
    "user_id": lambda users: users["staff"].id,
    "goal_id": lambda users: factories.goal().id,
    "platform_id": lambda users: factories.innovation_platform().id,
    "review_id": lambda users: factories.pool_review().id,
    "project_id": lambda users: factories.foreign_project().id,
    "month": lambda users: "2026-10",
    "report_id": lambda users: factories.progress_report().id,
    "problem_id": lambda users: factories.problem().id,
    "instruction_id": lambda users: factories.foreign_instruction().id,
    "tier_id": lambda users: factories.liaison_tier().id,
    "build_id": lambda users: factories.catalog_build().id,
    "notification_id": lambda users: factories.notification().id,
    "job_id": lambda users: "outbox-0",
    "delivery_id": lambda users: factories.digest_delivery().id,
    "filename": lambda users: factories.eml_file(),
    "chain_id": lambda users: chain_factories.sample_chain().id,
    "link_id": lambda users: chain_factories.sample_link().id,
    "token_id": lambda users: factories.api_token()[0].id,
    "channel_id": lambda users: factories.channel().id,
    "token": lambda users: factories.calendar_feed_token(users["staff"]),
    "file_id": lambda users: factories.evidence_file().id,
    "list_key": lambda users: "projects",
    "filter_id": lambda users: factories.saved_filter().id,
    "import_id": lambda users: factories.sheet_import(users["staff"]).id,
    "merge_id": lambda users: duplicate_factories.merge_event(users["admin"]).id,
    "export_id": lambda users: factories.sheet_export(users["staff"]).id,
}
