"""Norwegian identity numbers: the table a caseworker's typo must not get past."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from participants.validators import birth_date_from_id, mask_national_id, validate_national_id


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("15076500565", date(1965, 7, 15)),  # ordinary fødselsnummer (individual 005 → 1900s)
        ("41019012393", date(1990, 1, 1)),  # D-number: day + 40
        ("01819012365", date(1990, 1, 1)),  # synthetic test number: month + 80
        ("31129949980", date(1999, 12, 31)),  # individual 499 → 1900s
        ("01010050053", date(2000, 1, 1)),  # individual 500 with yy 00 → 2000s
    ],
)
def test_valid_numbers_pass_and_encode_the_birth_date(number, born):
    validate_national_id(number)
    assert birth_date_from_id(number) == born


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("15076500566", "id_checksum"),  # last digit wrong
        ("15076500575", "id_checksum"),  # first check digit wrong
        ("01019010800", "id_checksum"),  # first check digit would be 10: no valid number
        ("1507650056", "id_length"),  # 10 digits
        ("150765005651", "id_length"),  # 12 digits
        ("1507650056a", "id_length"),  # a letter
        ("", "id_length"),
        ("31029012345", "id_date"),  # 31 February
        ("72019012345", "id_date"),  # D-number with day 32
        ("01139012345", "id_date"),  # month 13
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_national_id(number)
    assert exc.value.code == code


def test_numbers_with_spaces_are_read_as_digits():
    validate_national_id("150765 00565")


@pytest.mark.parametrize(
    ("number", "shown"), [("15076500565", "150765 *****"), ("", ""), (None, "")]
)
def test_masking_hides_the_personal_number(number, shown):
    assert mask_national_id(number) == shown
