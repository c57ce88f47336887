"""统一社会信用代码 check character (GB 32100-2015)."""
import pytest

from crm.services import creditcode

# Published codes of real registrants (check characters known to be right).
VALID = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    assert creditcode.is_valid(code)


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",  # wrong check character
    "91350100M000100Y4",  # too short
    "91350100M000100Y433",  # too long
    "91350100M00010OY43",  # O is not in the alphabet
    "", None,
])
def test_invalid_codes_are_refused(code):
    assert not creditcode.is_valid(code)


def test_lowercase_and_spaces_are_normalised():
    assert creditcode.is_valid(" 91350100m000100y43 ")


def test_complete_appends_the_right_check_character():
    assert creditcode.complete("91350100M000100Y4") == "91350100M000100Y43"
