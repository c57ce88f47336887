"""Money is Decimal 万元; one formatter serves the web pages and the brochures.

Chinese readers get 万元, or 亿元 once an amount reaches 10,000 万元.  English and Russian
readers count in millions and billions of yuan, so the same amount becomes "CNY 30 million" or
"30 млн юаней" (1 万元 = 10,000 CNY).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crm.i18n import gettext as _

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


def parse_amount(value, precision: int = 14, scale: int = 2) -> Decimal | None:
    """A non-negative number typed by a user or read from a sheet that fits a Numeric(precision,
    scale) column, or ValueError with the message to show.  Empty means None; "1,000" as typed.

    The size is judged on the exponent before any arithmetic: 1e999999999 parses to a finite
    Decimal, yet normalising or quantizing it overflows the decimal context."""
    if not isinstance(value, Decimal):
        value = str(value if value is not None else "").strip().replace(",", "")
    if value == "":
        return None
    number = to_decimal(value)
    if number is None or not number.is_finite():
        raise ValueError(_("请输入数字。"))
    if number < 0:
        raise ValueError(_("不能为负数。"))
    if not number:
        return Decimal(0)  # 0E+999999999 too
    if number.adjusted() >= precision - scale:
        largest = Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)
        raise ValueError(_("数值过大：最大为 %(max)s。", max=format_number(largest, places=scale)))
    # 1.50 is fine, 1.505 is not; 1e-999999999 neither (normalize() would round it to 0)
    if number.adjusted() < -scale or number != number.quantize(Decimal(1).scaleb(-scale)):
        raise ValueError(_("最多保留两位小数。"))
    return number


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


def chart_unit(amounts, lang: str = "zh") -> tuple[Decimal, str]:
    """(divisor, unit name) for a chart of amounts in 万元, in the unit format_wan gives its
    largest one, so a chart's axis and the table beside it agree (亿元 beside 亿元)."""
    largest = max((abs(v) for v in map(to_decimal, amounts) if v is not None and v.is_finite()), default=Decimal(0))
    if lang == "en":
        return (_BILLION, "CNY billion") if largest >= _BILLION else (_MILLION, "CNY million")
    if lang == "ru":
        return (_BILLION, "млрд юаней") if largest >= _BILLION else (_MILLION, "млн юаней")
    return (YI, "亿元") if largest >= YI else (Decimal(1), "万元")
