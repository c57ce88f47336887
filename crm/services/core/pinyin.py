"""Pinyin keys of Chinese names, kept beside the names so lists sort as the office reads them
(安… before 中…, not by code point) and search finds 东北农业 by `dongbei` or by `dbn`.

`full` is the syllables run together in lower case ("dongbeinongye"), `initials` their first
letters ("dbny"); Latin letters and digits pass through lower-cased, everything else is dropped.
Polyphonic characters take pypinyin's phrase-aware reading (重庆 → chongqing).
"""
from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Column widths: a pinyin syllable has at most six letters, so six per source character.
PER_CHARACTER = 6
_RUN = "\x00"  # marks a run pypinyin left alone (Latin, digits): it stays whole in the initials


@lru_cache(maxsize=4096)
def keys(name: str | None) -> tuple[str, str]:
    """(full, initials) of a name from one pypinyin call: a row's two column defaults ask for the
    same name one after the other, and the call is most of a bulk load's cost per row.  The
    first letter of each syllable is what Style.FIRST_LETTER gives (the same phrase readings)."""
    # errors: non-Chinese runs come back whole ("ABC 公司" → ["ABC ", ...]); keep their letters.
    pieces = lazy_pinyin(name or "", style=Style.NORMAL, errors=lambda run: [_RUN + run])
    full, initials = [], []
    for piece in pieces:
        letters = "".join(ch for ch in piece.lower() if ch.isascii() and ch.isalnum())
        full.append(letters)
        initials.append(letters if piece.startswith(_RUN) else letters[:1])
    return "".join(full), "".join(initials)


def full(name: str | None) -> str:
    """'东北农业 ABC' → 'dongbeinongyeabc'."""
    return keys(name)[0]


def initials(name: str | None) -> str:
    """'东北农业 ABC' → 'dbnyabc': the first letter of each Chinese syllable, Latin runs whole."""
    return keys(name)[1]
