"""Enterprise pages: the searchable list, the detail file (contacts, timeline, projects),
create/edit, contact persons, the list in and out of Excel, and the JSON lookup behind
enterprise pickers.  Everyone signed in reads; admins and staff edit, import and export.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from crm.enterprises.forms import ContactForm, EnterpriseForm, commit_or_show, owner_choices, sector_choices
from crm.extensions import db
from crm.files.forms import UploadForm, section_files
from crm.i18n import gettext as _
from crm.i18n import term
from crm.models import Contact, Enterprise, Project
from crm.models.enterprise import ENTERPRISE_TAGS
from crm.models.project import project_investors
from crm.services import enterprises, search
from crm.services.chains.filters import chain_choices
from crm.services.core import access, index_order, listing, paging, queries
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.services.enterprises import ROLE_LABELS, STATUS_LABELS
from crm.services.files import evidence
from crm.services.lists import bulk, sorts
from crm.services.sheets import enterprise_sheets
from crm.web import get_or_404, lists, roles_required, timeline, versioning, xlsx_response
from crm.web.exports import export_response
from crm.web.imports import preview_import_page

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

EDITORS = ("admin", "staff")
# Who fills in enterprise pickers: the project form's editors (officers edit their department's
# projects).  Leaders read the list but pick nothing.
PICKERS = ("admin", "staff", "officer")
FILTER_ARGS = ("q", "sector", "region", "tag", "owner", "status", "chain")
COUNT_CAP = 200  # a filtered list says "共 200 多条" beyond this (measured at province scale)


def _filters() -> dict:
    """The list's query-string filters; unusable values are ignored rather than refused."""
    args = request.args
    return {
        "q": args.get("q", "").strip()[:100],
        "sector_id": parse_id(args.get("sector")),
        "region": args.get("region", "").strip()[:60] or None,
        "tag": args.get("tag") if args.get("tag") in ENTERPRISE_TAGS else None,
        "owner_id": parse_id(args.get("owner")),
        "status": args.get("status") if args.get("status") in STATUS_LABELS else None,
        "chain_id": parse_id(args.get("chain")),
    }


def _kept_filters(args: dict) -> dict:
    """The query-string filters to carry into links (pages, the export)."""
    return {k: v for k, v in args.items() if k in FILTER_ARGS and v}


def _page_url(args: dict):
    kept = {**_kept_filters(args), **({"sort": args["sort"]} if args.get("sort") else {})}
    return lambda n, **cursor: url_for("enterprises.index", **kept, page=n, **cursor)


def _sort(args: dict) -> listing.Sort:
    """?sort=, else pinyin order by name; a search keeps its own order (the name index it walks)."""
    default = listing.Sort() if args.get("q", "").strip() else listing.Sort("name")
    return listing.parse_sort(args.get("sort"), sorts.ENTERPRISES, default)


@bp.route("/")
def index():
    # A plain dict: MultiDict.get raises and catches an HTTP exception for every missing key.
    args = request.args.to_dict()
    sort, filters = _sort(args), _filters()
    # The whole list is counted from an index in a millisecond; a search or filter over a
    # province's 100,000 firms could match tens of thousands, so its count stops at COUNT_CAP.
    filtered = any(filters.values())
    ids = search.enterprise_ids(**filters)
    page = lists.sorted_page(
        ids, sort, sorts.ENTERPRISES, Enterprise.id,
        count_cap=COUNT_CAP if filtered else None, by_index=True, count_query=search.countable(ids),
        page_of=lambda query: paging.paginate_ids(
            query, Enterprise, args.get("page"), current_app.extensions["settings"].PAGE_SIZE, _page_url(args),
            options=(joinedload(Enterprise.sector), joinedload(Enterprise.owner),
                     selectinload(Enterprise.tag_rows)), cursor=index_order.parse_cursor(args)))
    regions = queries.distinct_values(Enterprise.region, limit=300)
    owners = owner_choices()[1:]
    return render_template(
        "enterprises/index.html", page=page, args=args, regions=regions, sort=sort,
        sort_url=lists.sort_url("enterprises.index", _kept_filters(args)),
        sectors=sector_choices()[1:], owners=owners, tags=[(t, term(t)) for t in ENTERPRISE_TAGS],
        STATUS_LABELS=STATUS_LABELS, can_edit=access.can_edit_enterprises(current_user), chains=chain_choices(),
        export_args=_kept_filters(args), **lists.tools("enterprises"))


@bp.route("/bulk", methods=["POST"])
@roles_required(*EDITORS)
def bulk_action():
    """The rows ticked on the list: assign them an owner, or export them."""
    actor, owner = current_user._get_current_object(), request.form.get("owner")
    return lists.run_bulk("enterprises", {
        "owner": lambda ids: bulk.assign_enterprise_owner(actor, ids, owner),
        "export": lambda ids: export_response("enterprises", {"ids": ids})})


@bp.route("/<int:enterprise_id>")
def detail(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id, options=(
        joinedload(Enterprise.sector), joinedload(Enterprise.owner), selectinload(Enterprise.tag_rows),
        selectinload(Enterprise.contacts)))
    links = enterprises.linked_projects([enterprise.id])
    projects = db.session.scalars(
        sa.select(Project).options(joinedload(Project.lead_department))
        .where(Project.id.in_(sa.select(links.c.project_id))).order_by(Project.name, Project.id)).all()
    investor_of = set(db.session.scalars(sa.select(project_investors.c.project_id).where(
        project_investors.c.enterprise_id == enterprise.id)))
    return render_template(
        "enterprises/detail.html", enterprise=enterprise, projects=projects, investor_of=investor_of, today=local_today(),
        tl=timeline.box("enterprise", enterprise.id, "enterprises.detail", enterprise_id=enterprise.id),
        STATUS_LABELS=STATUS_LABELS, ROLE_LABELS=ROLE_LABELS,
        can_edit=access.can_edit_enterprises(current_user),
        can_log=lambda project: access.can_log_interaction(current_user, project),
        files=section_files("enterprise", enterprise.id, evidence.can_see_enterprise_files(current_user, enterprise.id)),
        upload_form=UploadForm(formdata=None))


@bp.route("/lookup")
@roles_required(*PICKERS)
def lookup():
    """Enterprises matching ?q= for the project form's investor picker; `more` when the list
    was cut at search.LOOKUP_LIMIT."""
    found, more = search.lookup(request.args.get("q", ""))
    return jsonify(enterprises=[search.suggestion(e) for e in found], more=more)


def _save(form: EnterpriseForm, enterprise: Enterprise | None):
    """Validate and save; the redirect on success, or None to show the form again."""
    if not form.validate_on_submit():
        return None
    enterprise = commit_or_show(form, lambda: enterprises.save_enterprise(
        current_user._get_current_object(), enterprise, form.data))
    if enterprise is None:
        return None
    flash(_("企业“%(name)s”已保存。", name=enterprise.name), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    form = EnterpriseForm().load_choices()
    return _save(form, None) or (render_template("enterprises/form.html", form=form, enterprise=None),
                                 versioning.status(form))


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    form = EnterpriseForm(obj=enterprise).load_choices()
    return _save(form, enterprise) or (render_template("enterprises/form.html", form=form, enterprise=enterprise),
                                       versioning.status(form))


def _contact_form(enterprise: Enterprise, contact: Contact | None):
    form = ContactForm(obj=contact)
    if form.validate_on_submit() and commit_or_show(form, lambda: enterprises.save_contact(
            current_user._get_current_object(), enterprise, contact, form.data)):
        flash(_("联系人已保存。"), "success")
        return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    return render_template("enterprises/contact_form.html", form=form, enterprise=enterprise,
                           contact=contact), versioning.status(form)


def _contact_of(enterprise: Enterprise, contact_id: int) -> Contact:
    return get_or_404(Contact, contact_id, visible=lambda user, c: c.enterprise_id == enterprise.id)


@bp.route("/<int:enterprise_id>/contacts/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def contact_create(enterprise_id: int):
    return _contact_form(get_or_404(Enterprise, enterprise_id), None)


@bp.route("/<int:enterprise_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def contact_edit(enterprise_id: int, contact_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    return _contact_form(enterprise, _contact_of(enterprise, contact_id))


@bp.route("/<int:enterprise_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def contact_delete(enterprise_id: int, contact_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    contact = _contact_of(enterprise, contact_id)
    enterprises.delete_contact(current_user._get_current_object(), contact)
    db.session.commit()
    flash(_("联系人已删除。"), "info")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_sheet():
    """Upload the office's Excel list: every row adds or updates a firm, or none does and the
    problems are listed."""
    return preview_import_page(
        "enterprises", max_rows=enterprise_sheets.MAX_ROWS,
        title=_("从 Excel 导入企业"), back_url=url_for("enterprises.index"), back_label=_("目标企业"),
        template_url=url_for("enterprises.import_template"),
        rules=[_("须有“企业名称”一列。"), _("所属产业、来源渠道、负责人、状态、企业类型须是系统中的值，模板中有下拉列表。"),
               _("有编号（或信用代码、名称与已有企业相同）的行更新该企业，只改有变化的单元格；其余行新建企业。"
                 "每一行按企业表单的规则检查：信用代码校验、同名或同一信用代码的企业不重复登记。")])


@bp.route("/import/template.xlsx")
@roles_required(*EDITORS)
def import_template():
    return xlsx_response(enterprise_sheets.template(), _("招商目标企业导入表") + ".xlsx")


@bp.route("/export.xlsx")
@roles_required(*EDITORS)  # contact persons' phones and e-mails leave the system: the 经合中心 only
def export():
    """The list page's enterprises, its filters applied, in the import sheet's columns (a job
    when large)."""
    return export_response("enterprises", {"filters": _filters()})
