"""Money is Decimal 万元; one formatter serves the web pages and the brochures.

Chinese readers get 万元, or 亿元 once an amount reaches 10,000 万元.  English and Russian
readers count in millions and billions of yuan, so the same amount becomes "CNY 30 million" or
"30 млн юаней" (1 万元 = 10,000 CNY).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YI = Decimal(10000)  # 1 亿元 = 10,000 万元
_MILLION = Decimal(100)  # 100 万元 = CNY 1 million
_BILLION = Decimal(100000)  # 100,000 万元 = CNY 1 billion


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value: Decimal, lang: str = "zh", places: int = 2) -> str:
    """Thousands separators, at most ``places`` decimals (half up), trailing zeros dropped.

    Russian groups with no-break spaces and uses a decimal comma: 1 234,5.
    """
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_wan(amount, lang: str = "zh") -> str:
    """An amount in 万元 as a reader of ``lang`` expects it; ``None`` or garbage → "—".

    zh: 3000 → "3,000 万元"; 100000 → "10 亿元".
    en: 3000 → "CNY 30 million"; 100000 → "CNY 1 billion".
    ru: 3000 → "30 млн юаней"; 100000 → "1 млрд юаней".  Zero is "CNY 0", "0 юаней".
    Unknown languages read as Chinese.
    """
    value = to_decimal(amount)
    if value is None or not value.is_finite():
        return "—"
    if lang not in ("en", "ru"):
        if abs(value) >= YI:
            return f"{format_number(value / YI)} 亿元"
        return f"{format_number(value)} 万元"
    if not value:  # "CNY 0 million" reads oddly in a column of totals
        return "CNY 0" if lang == "en" else "0 юаней"
    big = abs(value) >= _BILLION
    number = format_number(value / (_BILLION if big else _MILLION), lang)
    if lang == "en":
        return f"CNY {number} {'billion' if big else 'million'}"
    return f"{number} {'млрд' if big else 'млн'} юаней"
