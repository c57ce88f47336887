"""parse_id: what a URL segment, query string or form field may name as a record id."""
from __future__ import annotations

import pytest

from crm.services.core.ids import ID_MAX, parse_id


@pytest.mark.parametrize("raw,expected", [
    ("1", 1), (" 42 ", 42), (7, 7), (str(ID_MAX), ID_MAX),
])
def test_a_positive_id_the_database_can_hold_is_kept(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "abc", "1.5", "0", "-3", str(ID_MAX + 1), str(2**64), "9" * 30,
])
def test_junk_zero_negative_and_out_of_range_ids_are_none(raw):
    assert parse_id(raw) is None
