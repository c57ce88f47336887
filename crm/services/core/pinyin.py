"""Pinyin keys of Chinese names, kept beside the names so lists sort as the office reads them
(安… before 中…, not by code point) and search finds 东北农业 by `dongbei` or by `dbn`.

`full` is the syllables run together in lower case ("dongbeinongye"), `initials` their first
letters ("dbny"); Latin letters and digits pass through lower-cased, everything else is dropped.
Polyphonic characters take pypinyin's phrase-aware reading (重庆 → chongqing).
"""
from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Column widths: a pinyin syllable has at most six letters, so six per source character.
PER_CHARACTER = 6


def _syllables(name: str | None, style: Style) -> list[str]:
    # errors: non-Chinese runs come back whole ("ABC 公司" → ["ABC ", ...]); keep their letters.
    pieces = lazy_pinyin(name or "", style=style, errors=lambda run: [run])
    return ["".join(ch for ch in piece.lower() if ch.isascii() and ch.isalnum()) for piece in pieces]


def full(name: str | None) -> str:
    """'东北农业 ABC' → 'dongbeinongyeabc'."""
    return "".join(_syllables(name, Style.NORMAL))


def initials(name: str | None) -> str:
    """'东北农业 ABC' → 'dbnyabc': the first letter of each Chinese syllable, Latin runs whole."""
    return "".join(_syllables(name, Style.FIRST_LETTER))
