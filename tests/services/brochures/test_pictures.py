"""Brochure pictures: a project brochure with its cover and four pictures, a catalog with covers,
checked with pypdf (the images are there, at print resolution; the page count) and rendered to
PNG with pdftoppm, where the cover must show under the band."""
from __future__ import annotations

import io
import subprocess
from datetime import date

from PIL import Image
from pypdf import PdfReader

from crm.extensions import db
from crm.services.brochures import brochure_data, pictures, render_catalog, render_project
from crm.services.brochures.catalog_builds import catalog_meta
from crm.services.files.evidence import Upload
from tests import factories

TODAY = date(2026, 12, 1)
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


def _photo(color: str, size=(2400, 1600)) -> bytes:
    """A large 'camera' JPEG of one colour: big enough that print scaling shows."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def _with_pictures(settings, staff, project, count=5):
    for position in range(count):
        pictures.set_picture(staff, settings, project, Upload(_photo(COLORS[position]), f"p{position}.jpg"),
                             position, {"zh": f"示意图 {position}", "en": f"Illustration {position}", "ru": None})
    db.session.commit()


def _images(pdf: bytes) -> list[list]:
    return [list(page.images) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_brochure_lays_out_its_cover_and_four_pictures(app, settings, users):
    project = factories.project(name="中俄生物医药产业园", description="建设生物医药研发及生产基地。" * 20)
    plain = render_project(brochure_data.sheet_for(brochure_data.load_project(project.id), settings), today=TODAY)
    _with_pictures(settings, users["staff"], project)
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings)
    assert [p.position for p in sheet.pictures] == [0, 1, 2, 3, 4]
    pdf = render_project(sheet, today=TODAY)
    pages = _images(pdf)
    assert sum(len(images) for images in pages) == 5
    assert len(pages) == 2 and len(_images(plain)) == 1  # the pictures take the second page
    cover = pages[0][0].image
    assert 700 <= cover.width <= 1600  # ~200 dpi across the page's frame, not the camera's 2400
    assert len(pdf) < 600_000
    assert "示意图 1" in PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    en = render_project(sheet, "en", today=TODAY)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(en)).pages)
    assert "Illustration 1" in text and "示意图" not in text


def test_a_catalog_shows_each_projects_cover_only(app, settings, users, tmp_path):
    projects = [factories.project(name=f"项目册样例{n}") for n in range(3)]
    for project in projects[:2]:
        _with_pictures(settings, users["staff"], project, count=3)
    sheets = brochure_data.sheets_for({}, settings)
    assert [[p.position for p in s.pictures] for s in sheets] == [[0], [0], []]
    meta = catalog_meta(settings, lang="zh", title=None, year=2026, preface=None)
    pdf = render_catalog(sheets, meta, today=TODAY)
    reader = PdfReader(io.BytesIO(pdf))
    assert sum(len(page.images) for page in reader.pages) == 2
    without = render_catalog([brochure_data.sheet_for(p, settings, picture_rows=[]) for p in
                              (brochure_data.load_project(p.id) for p in projects)], meta, today=TODAY)
    assert len(reader.pages) == len(PdfReader(io.BytesIO(without)).pages)  # a cover does not push a page over
    # Rendered, the first project's page shows its blue cover below the band.
    page_no = next(n for n, page in enumerate(reader.pages, 1) if page.images)
    path = tmp_path / "catalog.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(page_no), "-l", str(page_no), str(path),
                    str(tmp_path / "page")], check=True)
    png, = tmp_path.glob("page-*.png")
    image = Image.open(png).convert("RGB")
    blue = sum(1 for pixel in image.get_flattened_data() if abs(pixel[0] - 0x1f) < 25 and abs(pixel[1] - 0x77) < 25
               and abs(pixel[2] - 0xb4) < 25)
    assert blue > image.width * image.height * 0.08  # the cover is there, across the frame


def test_a_missing_picture_file_leaves_the_brochure_printable(app, settings, users, tmp_path):
    project = factories.project()
    _with_pictures(settings, users["staff"], project, count=1)
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings)
    sheet.pictures[0].path = str(tmp_path / "gone.jpg")
    assert sum(len(images) for images in _images(render_project(sheet, today=TODAY))) == 0
