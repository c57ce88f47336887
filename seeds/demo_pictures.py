"""Honest placeholder pictures for the demo's brochures: drawn, labelled 示意图 / Illustration.

The seeds carry no photos, and a stock photo would pretend to show a project that has none.
Instead a few demo projects get a sketched site plan (plots, roads, a north arrow) as their cover
and a chart of their planned investment as their first picture, both drawn here with Pillow and
stored through the same path as an upload (services/brochures/pictures.set_picture).
"""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

from crm.models import Project, User
from crm.services.brochures import pictures
from crm.services.brochures.fonts import FILES, FONT_DIR, REGULAR
from crm.services.files.evidence import Upload

SIZE = (1600, 1000)
LABEL = "示意图 · Illustration · Схема"
INK, PAPER, ROAD, PLOT = (52, 64, 84), (247, 245, 238), (210, 205, 195), (182, 214, 190)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FILES[REGULAR]), size)


def site_plan(title: str, rng: random.Random) -> bytes:
    """A park's plots along two roads, the project's plot marked, a north arrow and the label."""
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    w, h = SIZE
    draw.rectangle((60, 60, w - 60, h - 60), outline=INK, width=4)
    draw.rectangle((60, h // 2 - 30, w - 60, h // 2 + 30), fill=ROAD)  # the main road
    draw.rectangle((w // 3 - 25, 60, w // 3 + 25, h - 60), fill=ROAD)
    chosen = rng.randrange(4)
    for n, (x0, x1) in enumerate(((w // 3 + 60, 2 * w // 3), (2 * w // 3 + 40, w - 100))):
        for m, (y0, y1) in enumerate(((100, h // 2 - 70), (h // 2 + 70, h - 100))):
            mine = 2 * n + m == chosen
            draw.rectangle((x0, y0, x1, y1), fill=(236, 168, 120) if mine else PLOT, outline=INK, width=3)
            if mine:
                draw.text(((x0 + x1) // 2, (y0 + y1) // 2), "本项目 · Project", fill=INK, font=_font(40), anchor="mm")
    draw.polygon([(150, 150), (130, 220), (170, 220)], fill=INK)  # north arrow
    draw.text((150, 250), "N", fill=INK, font=_font(36), anchor="mm")
    draw.text((w // 2, h - 30), f"{title} — {LABEL}", fill=INK, font=_font(34), anchor="mm")
    return _jpeg(image)


def investment_chart(title: str, total_wan: float, rng: random.Random) -> bytes:
    """The planned investment spread over three years, as bars (an illustration, not a schedule)."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    w, h = SIZE
    shares = [rng.uniform(0.2, 0.5) for _ in range(3)]
    shares = [s / sum(shares) for s in shares]
    base, top = h - 160, 140
    draw.line((120, base, w - 120, base), fill=INK, width=4)
    for n, share in enumerate(shares):
        x0 = 260 + n * 400
        bar_h = (base - top) * share / max(shares)
        draw.rectangle((x0, base - bar_h, x0 + 220, base), fill=(74, 128, 176))
        draw.text((x0 + 110, base - bar_h - 30), f"{total_wan * share:,.0f} 万元", fill=INK, font=_font(36),
                  anchor="mm")
        draw.text((x0 + 110, base + 40), f"第{n + 1}年 · Year {n + 1}", fill=INK, font=_font(34), anchor="mm")
    draw.text((w // 2, 70), f"{title}：计划投资 — {LABEL}", fill=INK, font=_font(38), anchor="mm")
    return _jpeg(image)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def load(actor: User, settings, projects: list[Project], rng: random.Random) -> int:
    """A cover and one chart for each of `projects`; returns how many pictures it stored."""
    count = 0
    for project in projects:
        total = float(project.total_investment or 10000)
        for position, data, zh, en, ru in (
                (0, site_plan(project.name, rng), "园区位置示意图", "Site plan (illustration)", "Схема участка"),
                (1, investment_chart(project.name, total, rng), "计划投资示意图", "Planned investment (illustration)",
                 "Плановые инвестиции (схема)")):
            pictures.set_picture(actor, settings, project, Upload(data, f"demo-{project.id}-{position}.jpg"),
                                 position, {"zh": zh, "en": en, "ru": ru})
            count += 1
    return count
