"""Keys that make two spellings of one firm compare equal, kept in columns beside the names.

`normalize_name` folds full-width/half-width, case, spaces, brackets and punctuation: two firms
may not share it (enterprises.name_norm is unique).  `name_key` goes further and also drops the
legal-form suffix (有限公司, 股份有限公司, 集团 …), so 东北农业集团有限公司 and 东北农业（集团）股份公司
share one key: they are *likely* the same firm, which the duplicates page shows an administrator.
Models import this module, so it may import nothing from crm.models.
"""
from __future__ import annotations

import re
import unicodedata

from crm.services import creditcode

_PUNCT = re.compile(r"[\s\(\)（）\[\]【】·.,，、'\"“”‘’-]+")

# Legal forms at the end of a name, longest first so 股份有限公司 is not read as …股份 + 有限公司.
# Stripped repeatedly: 集团有限公司 → 集团 → "".
SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "集团股份公司", "有限公司", "股份公司",
            "责任公司", "集团公司", "总公司", "分公司", "集团", "公司", "coltd", "limited", "ltd", "llc", "inc")


def normalize_name(name: str | None) -> str:
    """NFKC (full-width → half-width), casefold, and drop spaces, brackets and punctuation."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return _PUNCT.sub("", text)


def name_key(name: str | None) -> str:
    """The normalised name without its legal-form suffixes, never stripped to nothing (so a firm
    called 有限公司 is not grouped with every firm whose name is all suffix)."""
    key = normalize_name(name)
    stripped = True
    while stripped:
        stripped = False
        for suffix in SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, stripped = key[: -len(suffix)], True
                break
    return key


def short_key(short_name: str | None) -> str | None:
    """The normalised short name (简称); None when there is none, so firms without one never match."""
    return normalize_name(short_name) or None


def credit_key(code: str | None) -> str | None:
    """The credit code as forms store it: codes loaded before they were normalised (full-width,
    lower case, spaces) then match their normalised twin."""
    return creditcode.normalize(code) or None
