"""From the database to brochure sheets: ``ProjectSheet`` values the renderer can print.

The renderer (the services/brochures package) never sees ORM objects.  Here one eager-loaded select
fetches projects with their sector, park, lead department and investors (a constant number of
statements for any number of projects) and each row becomes a sheet with every translatable
field as {"zh", "en", "ru"}; a plan project's missing en/ru text is taken from the plan's own wording
(plan_texts), any other stays None and the renderer leaves it out (a free text) or prints the
Chinese form (a proper name).  The contact card comes from settings (CENTER_CONTACT_*), the QR code
points to the project page under BASE_URL.

Catalog filters are stored as {"sectors": [ids], "stage": …, "key": …, "pool": …}: the project
list's filters (services/projects.project_filters) plus a list of sectors.  Catalog order:
sections by sector (Sector.column_no, the plan's 专栏), projects by their number in that column
(column_seq), then id.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import Enterprise, Project, Sector
from crm.models.project import STAGES
from crm.services.brochures import ProjectSheet, pictures, plan_texts
from crm.services.core.money import format_number
from crm.services.projects import project_filters

LANGS = ("zh", "en", "ru")
M2_PER_MU = Decimal(10000) / 15  # 1 亩 ≈ 666.67 m²
# Land units as each edition names them: (mu, square metres, hectares).
_LAND_UNITS = {"zh": ("亩", "平方米", "公顷"), "en": ("mu", "m²", "ha"), "ru": ("му", "м²", "га")}
_LAST = 10**9  # sorts rows without a 专栏 number after the plan's


def sheet_options() -> tuple:
    """What a sheet reads besides the project's own columns, loaded up front."""
    return (joinedload(Project.sector), joinedload(Project.park), joinedload(Project.lead_department),
            selectinload(Project.investors).load_only(Enterprise.id, Enterprise.name, Enterprise.name_en,
                                                      Enterprise.name_ru))


def _per_lang(obj, field: str) -> dict[str, str | None]:
    """{"zh": obj.field, "en": obj.field_en, "ru": obj.field_ru}."""
    if obj is None:
        return {}
    return {lang: getattr(obj, field if lang == "zh" else f"{field}_{lang}", None) for lang in LANGS}


def _plan_filled(project: Project, field: str) -> dict[str, str | None]:
    """A project text in three languages, the plan's own en/ru wording where the record has none."""
    return plan_texts.filled(project, field, _per_lang(project, field))


def land_text(project: Project, lang: str = "zh") -> str | None:
    """Land as the edition reads it.

    Chinese keeps the office's own wording (用地说明) and builds one from the figures only when
    there is none.  English and Russian print the figures in their own units (mu with hectares,
    m²) because the wording is Chinese; without figures the wording comes back and the renderer
    marks it as the Chinese original.
    """
    mu_unit, m2_unit, ha_unit = _LAND_UNITS.get(lang, _LAND_UNITS["zh"])
    text = (project.land_text or "").strip() or None
    if lang == "zh" and text:
        return text
    parts = []
    if project.land_mu is not None:
        mu = Decimal(project.land_mu)
        parts.append(f"{format_number(mu, lang)} {mu_unit} ({format_number(mu * M2_PER_MU / 10000, lang)} {ha_unit})")
    if project.land_m2 is not None:
        parts.append(f"{format_number(Decimal(project.land_m2), lang)} {m2_unit}")
    return ("；" if lang == "zh" else "; ").join(parts) or text


def project_url(settings, project_id: int) -> str:
    """The project page as a reader outside the app reaches it (the QR code)."""
    return f"{settings.BASE_URL.rstrip('/')}/projects/{project_id}"


def contact_name(settings, lang: str) -> str:
    """The centre's contact person in the edition's language (the Chinese name when none is set)."""
    own = {"en": settings.CENTER_CONTACT_NAME_EN, "ru": settings.CENTER_CONTACT_NAME_RU}.get(lang)
    return (own or "").strip() or settings.CENTER_CONTACT_NAME


def sheet_for(project: Project, settings, lang: str = "zh", picture_rows: list | None = None) -> ProjectSheet:
    """One project as a brochure sheet.  Load it with ``sheet_options()`` to avoid lazy loads.

    Texts are carried in all three languages; ``lang`` only chooses the land figures' units and
    the contact person's name.  Without `picture_rows` the project's pictures are read (one query).
    """
    if picture_rows is None:
        picture_rows = pictures.for_projects([project.id])[project.id]
    sector = project.sector
    return ProjectSheet(
        id=project.id,
        name=_plan_filled(project, "name"),
        description=_plan_filled(project, "description"),
        site=_plan_filled(project, "site"),
        sector={code: sector.label(code) for code in LANGS},
        sector_code=sector.code,
        stage=project.stage,
        total_investment_wan=project.total_investment,
        fixed_investment_wan=project.fixed_investment,
        land_text=land_text(project, lang),
        capacity=_plan_filled(project, "capacity"),
        jobs=project.jobs,
        lead_department=_per_lang(project.lead_department, "name"),
        investors=[_per_lang(e, "name") for e in project.investors],
        park_name=_per_lang(project.park, "name"),
        park_description=_per_lang(project.park, "description"),
        contact_name=contact_name(settings, lang),
        contact_phone=settings.CENTER_CONTACT_PHONE,
        contact_email=settings.CENTER_CONTACT_EMAIL,
        url=project_url(settings, project.id),
        pictures=pictures.sheet_pictures(settings, picture_rows),
    )


def load_project(project_id: int) -> Project | None:
    return db.session.get(Project, project_id, options=list(sheet_options()))


# What a catalog takes in unless its builder chooses otherwise: the projects an investor can
# still take up.  暂缓 and 终止 are never printed unless asked for.
INVESTABLE_STAGES = ("planned", "contact")


def catalog_conditions(filters: Mapping) -> list:
    """SQL conditions for stored catalog filters (unusable values are ignored)."""
    conditions = project_filters({k: v for k, v in filters.items() if k not in ("sectors", "stages")})
    stages = [stage for stage in filters.get("stages") or () if stage in STAGES]
    if stages:
        conditions.append(Project.stage.in_(stages))
    sector_ids = [int(s) for s in filters.get("sectors") or () if str(s).strip().isdigit()]
    if sector_ids:
        conditions.append(Project.sector_id.in_(sector_ids))
    return conditions


def _catalog_order() -> tuple:
    return (sa.func.coalesce(Sector.column_no, _LAST), Sector.id, sa.func.coalesce(Project.column_seq, _LAST),
            Project.id)


def catalog_query(filters: Mapping, limit: int | None = None):
    """Matching projects in catalog order, with what a sheet reads loaded."""
    query = (sa.select(Project).join(Project.sector).options(*sheet_options())
             .where(*catalog_conditions(filters)).order_by(*_catalog_order()))
    return query.limit(limit) if limit else query


def count_projects(filters: Mapping) -> int:
    return db.session.scalar(sa.select(sa.func.count(Project.id)).where(*catalog_conditions(filters)))


def sheets_for(filters: Mapping, settings, lang: str = "zh", *, limit: int | None = None) -> list[ProjectSheet]:
    """Sheets of every project matching ``filters`` (the first ``limit``), in catalog order, each with
    its cover (a catalog shows no other picture); three statements whatever the count."""
    projects = db.session.scalars(catalog_query(filters, limit)).unique().all()
    covers = pictures.for_projects([p.id for p in projects], covers_only=True)
    return [sheet_for(p, settings, lang, covers[p.id]) for p in projects]


# The texts an investor reads first: an en/ru edition without them prints a Chinese name or leaves
# the description out, so the office sees them listed before it prints.
CHECKED_TEXTS = ("name", "description")
MISSING_LIMIT = 200


def missing_translations(filters: Mapping, limit: int = MISSING_LIMIT) -> list[tuple[Project, dict[str, list[str]]]]:
    """Projects of a catalog whose name or description has no English or Russian text, even from
    the plan: [(project, {"en": [fields], "ru": [fields]})], the first `limit` in catalog order.
    One statement however many projects the catalog takes in."""
    blank = [sa.func.coalesce(sa.func.trim(getattr(Project, f"{field}_{lang}")), "") == ""
             for field in CHECKED_TEXTS for lang in ("en", "ru")]
    query = (sa.select(Project).join(Project.sector).where(*catalog_conditions(filters), sa.or_(*blank))
             .order_by(*_catalog_order()).limit(limit))
    result = []
    for project in db.session.scalars(query):
        texts = {field: _plan_filled(project, field) for field in CHECKED_TEXTS}
        gaps = {lang: [field for field in CHECKED_TEXTS
                       if texts[field].get("zh") and not (texts[field].get(lang) or "").strip()]
                for lang in ("en", "ru")}
        if gaps["en"] or gaps["ru"]:
            result.append((project, gaps))
    return result
