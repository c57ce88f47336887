"""Money is Decimal 万元, shown as 亿元 from 10,000 万元 up."""
from decimal import Decimal

import pytest

from crm.services.money import format_wan, to_decimal


@pytest.mark.parametrize("amount, text", [
    (None, "—"), ("", "—"), (0, "0 万元"), (Decimal("3000"), "3,000 万元"), (Decimal("9999.5"), "9,999.5 万元"),
    (Decimal("10000"), "1 亿元"), (Decimal("100000"), "10 亿元"), (Decimal("150000"), "15 亿元"),
    (Decimal("15000.5"), "1.5 亿元"), (Decimal("12345"), "1.23 亿元"), ("1000", "1,000 万元"),
])
def test_format_wan_in_chinese(amount, text):
    assert format_wan(amount) == text


def test_format_wan_in_english_names_the_unit():
    assert format_wan(Decimal("100000"), "en") == "10 × 100M CNY"


def test_non_numbers_are_not_money():
    assert to_decimal("abc") is None and to_decimal("12.5") == Decimal("12.5")
