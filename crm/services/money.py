"""Money is Decimal 万元; shown as 亿元 once it reaches 10,000 万元, where that reads better."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

YI = Decimal(10000)  # 1 亿元 = 10,000 万元

UNITS = {
    "zh": ("万元", "亿元"),
    "en": ("× 10k CNY", "× 100M CNY"),
    "ru": ("десятков тыс. юаней", "сотен млн юаней"),
}


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _number(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def format_wan(amount, lang: str = "zh") -> str:
    """3000 → "3,000 万元"; 100000 → "10 亿元"; None → "—"."""
    value = to_decimal(amount)
    if value is None:
        return "—"
    wan, yi = UNITS.get(lang, UNITS["zh"])
    if abs(value) >= YI:
        return f"{_number(value / YI)} {yi}"
    return f"{_number(value)} {wan}"
