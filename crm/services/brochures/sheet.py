"""What the renderer is given: plain, already-resolved data, never ORM objects.

They are the contract between ``brochure_data``, which builds them in one eager-loaded query,
and the drawing code, which can then be tested without a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class SheetPicture:
    """A brochure picture: the stored file's path, its place (0 the cover, 1–4) and its captions."""
    path: str
    position: int
    caption: dict[str, str | None] = field(default_factory=dict)


@dataclass
class ProjectSheet:
    """Everything one brochure page needs, already resolved (no lazy loading here)."""
    id: int
    name: dict[str, str | None]
    description: dict[str, str | None]  # 建设主要内容
    site: dict[str, str | None]  # 拟建地点
    sector: dict[str, str]  # sector name per language (always complete)
    sector_code: str
    stage: str  # planned|contact|signed|started|operating|paused|dropped
    total_investment_wan: Decimal | None = None
    fixed_investment_wan: Decimal | None = None
    land_text: str | None = None
    capacity: dict[str, str | None] = field(default_factory=dict)  # 建设规模 per language
    jobs: int | None = None
    lead_department: dict = field(default_factory=dict)  # 牵头部门 {lang: name}; Chinese where untranslated
    investors: list[dict] = field(default_factory=list)  # 投资主体, each {lang: name}
    park_name: dict[str, str | None] = field(default_factory=dict)
    park_description: dict[str, str | None] = field(default_factory=dict)
    contact_name: str | None = None  # 经合中心 contact person
    contact_phone: str | None = None
    contact_email: str | None = None
    url: str = ""  # project page URL for the QR code
    pictures: list[SheetPicture] = field(default_factory=list)  # position order; a catalog carries covers only


@dataclass
class CatalogMeta:
    title: str
    city: str
    year: int
    preface: str
    lang: str = "zh"
    opening: list = field(default_factory=list)  # flowables before the preface (a chain's map)
