"""Norwegian national identity numbers (fødselsnummer) and D-numbers."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    k = 11 - remainder
    if k == 11:
        return 0
    if k == 10:
        return None
    return k


def birth_date_from_id(number: str) -> date | None:
    """The birth date encoded in an identity or D-number (day + 40 for D-numbers;
    month + 80 for the tax authority's synthetic test numbers)."""
    if len(number) != 11 or not number.isdigit():
        return None
    day, month, yy, individual = (
        int(number[0:2]),
        int(number[2:4]),
        int(number[4:6]),
        int(number[6:9]),
    )
    if day > 40:
        day -= 40
    if month > 80:
        month -= 80
    if individual <= 499:
        century = 1900
    elif individual <= 749 and yy >= 54:
        century = 1800
    elif individual >= 900 and yy >= 40:
        century = 1900
    else:
        century = 2000
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


def is_d_number(number: str) -> bool:
    return int(number[0]) >= 4


def validate_national_id(value: str) -> None:
    number = (value or "").replace(" ", "")
    if len(number) != 11 or not number.isdigit():
        raise ValidationError(
            _("An identity number or D-number has exactly 11 digits."), code="id_length"
        )
    if birth_date_from_id(number) is None:
        raise ValidationError(
            _("The first six digits are not a valid date of birth."), code="id_date"
        )
    digits = [int(c) for c in number]
    k1 = _check_digit(digits[:9], _W1)
    k2 = _check_digit(digits[:9] + [k1 or 0], _W2) if k1 is not None else None
    if k1 is None or k2 is None or digits[9] != k1 or digits[10] != k2:
        raise ValidationError(
            _("The check digits do not match: please check the number for typing errors."),
            code="id_checksum",
        )


def mask_national_id(value: str) -> str:
    if not value:
        return ""
    return f"{value[:6]} *****"
