"""Money is Decimal 万元, shown as 亿元 from 10,000 万元 up; en/ru count millions and billions of yuan.

The same formatter serves the pages (the |wan filter) and the brochures.
"""
from decimal import Decimal

import pytest

from crm.services.brochures import brochure_text
from crm.services.core.money import format_wan, to_decimal


@pytest.mark.parametrize("amount, text", [
    (None, "—"), ("", "—"), (0, "0 万元"), (Decimal("3000"), "3,000 万元"), (Decimal("9999.5"), "9,999.5 万元"),
    (Decimal("10000"), "1 亿元"), (Decimal("100000"), "10 亿元"), (Decimal("150000"), "15 亿元"),
    (Decimal("15000.5"), "1.5 亿元"), (Decimal("12345"), "1.23 亿元"), ("1000", "1,000 万元"),
])
def test_format_wan_in_chinese(amount, text):
    assert format_wan(amount) == text


@pytest.mark.parametrize("amount, lang, text", [
    (Decimal("3000"), "en", "CNY 30 million"), (Decimal("100000"), "en", "CNY 1 billion"),
    (Decimal("250000"), "en", "CNY 2.5 billion"), (Decimal("50"), "en", "CNY 0.5 million"),
    (Decimal("3000"), "ru", "30 млн юаней"), (Decimal("100000"), "ru", "1 млрд юаней"),
    (Decimal("123456"), "ru", "1,23 млрд юаней"), (None, "en", "—"),
    (Decimal("0"), "en", "CNY 0"), (Decimal("0.00"), "ru", "0 юаней"),
])
def test_format_wan_counts_millions_and_billions_in_english_and_russian(amount, lang, text):
    assert format_wan(amount, lang) == text


def test_unknown_language_and_non_finite_amounts_fall_back_safely():
    assert format_wan(Decimal("3000"), "fr") == "3,000 万元"
    assert format_wan("NaN") == "—" and format_wan("Infinity", "en") == "—"


def test_brochures_use_the_same_formatter():
    assert brochure_text.format_wan is format_wan


def test_non_numbers_are_not_money():
    assert to_decimal("abc") is None and to_decimal("12.5") == Decimal("12.5")


@pytest.mark.parametrize("amounts, lang, unit", [
    ([Decimal("3000"), None, Decimal("9999")], "zh", (Decimal(1), "万元")),
    ([Decimal("3000"), Decimal("120000")], "zh", (Decimal(10000), "亿元")),
    ([], "zh", (Decimal(1), "万元")),
    ([Decimal("3000")], "en", (Decimal(100), "CNY million")),
    ([Decimal("300000")], "en", (Decimal(100000), "CNY billion")),
    ([Decimal("300000")], "ru", (Decimal(100000), "млрд юаней")),
])
def test_a_chart_counts_in_the_unit_its_largest_amount_is_printed_in(amounts, lang, unit):
    from crm.services.core.money import chart_unit
    assert chart_unit(amounts, lang) == unit
    largest = max((a for a in amounts if a is not None), default=None)
    if largest is not None:  # the same unit format_wan gives it in a table
        assert format_wan(largest, lang).endswith(unit[1].replace("CNY ", ""))
