"""Printable brochures (reportlab): one project, or a bound catalog (招商项目册).

The renderer takes plain, already-resolved data (``ProjectSheet``), never ORM objects, so it can be
tested without a database and a worker can build the sheets in one eager-loaded query.

Typography rules kept here:

* every style uses the embedded Noto Sans SC (``fonts.register_fonts``), so zh/en/ru never show tofu;
* paragraphs whose text contains CJK wrap character by character with line-breaking rules
  (禁则, kinsoku): no line starts with closing punctuation such as ，。、；：？！）》 and no line ends
  with an opening one.  reportlab's own CJK wrap only knows part of that list and only hangs one
  character, so ``linebreak._kinsoku_split`` replaces it (see ``linebreak._Para``);
* all user text goes through ``text._esc`` before it meets paragraph markup;
* an en/ru edition prints only that language: a free text without its translation is left out,
  a proper name without one (a firm, a park) keeps its Chinese form; no "original" marker.

Speed: fonts are registered once per process, styles are built once, QR matrices are cached by URL,
and the catalog's table of contents is seeded with its final entries so ``multiBuild`` settles in two
passes; the first pass only lays out, so it skips the QR drawing.

The package, one concern a module (each imports only from those listed before it):

* ``sheet``: the input dataclasses ``ProjectSheet`` and ``CatalogMeta``;
* ``theme``: page geometry and colours;
* ``linebreak``: kinsoku line breaking and ``_Para``;
* ``text``: escaping, paragraph styles and markup helpers;
* ``qr``: QR matrices (our own mask choice) and their flowable;
* ``flowables``: bands, tiles, rows, headings, markers;
* ``document``: the page template (footer, cover background, TOC notifications, progress);
* ``project``: one project's story and ``render_project``;
* ``catalog``: cover, overview, contents, sector openers and ``render_catalog``.
"""
from __future__ import annotations

from crm.services.brochures.catalog import render_catalog
from crm.services.brochures.project import render_project
from crm.services.brochures.qr import qr_modules  # noqa: F401  re-exported: the QR matrix of a URL
from crm.services.brochures.sheet import CatalogMeta, ProjectSheet
from crm.services.brochures.theme import sector_color  # noqa: F401  re-exported: a sector's colour

__all__ = ["ProjectSheet", "CatalogMeta", "render_project", "render_catalog"]
