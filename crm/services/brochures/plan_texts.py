"""The plan's own English and Russian texts of its 25 projects (seeds/plan.json), by 专栏 and number.

A brochure falls back on them when a plan project's record has lost or never had a translation
(an office edit, an import): the investor still reads the plan's wording in their language.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PLAN_PATH = Path(__file__).resolve().parents[3] / "seeds" / "plan.json"
FIELDS = ("name", "description", "capacity", "site")


@lru_cache(maxsize=1)
def _by_number() -> dict[tuple[int, int], dict]:
    try:
        projects = json.loads(PLAN_PATH.read_text(encoding="utf-8"))["projects"]
    except (OSError, ValueError, KeyError):  # an install without the seeds: no fallback
        return {}
    return {(int(p["column"]), int(p["seq"])): p for p in projects}


def filled(project, field: str, values: dict[str, str | None]) -> dict[str, str | None]:
    """`values` ({"zh", "en", "ru"}) with each missing en/ru text taken from the plan, if the project is one of its."""
    if field not in FIELDS or project.column_no is None or project.column_seq is None:
        return values
    plan = _by_number().get((project.column_no, project.column_seq))
    if plan is None:
        return values
    return {lang: text if (text or "").strip() or lang == "zh" else plan.get(f"{field}_{lang}") or text
            for lang, text in values.items()}
