"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V); the
last is a check character computed modulo 31 over the first 17 with fixed weights.
"""
from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str | None) -> str:
    """The code as stored: NFKC first, since Chinese input methods often type it full-width
    (９１３５…Ｙ４３, with ideographic spaces)."""
    return unicodedata.normalize("NFKC", code or "").strip().upper().replace(" ", "")


def is_valid(code: str | None) -> bool:
    code = normalize(code)
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    return check_char(code[:17]) == code[17]


def complete(first17: str) -> str:
    """The full code for 17 leading characters (used by seeds and tests)."""
    return first17 + check_char(first17)
