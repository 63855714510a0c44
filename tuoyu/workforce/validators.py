"""GB 11643-1999 公民身份号码: 18 characters, the last a check character over the first 17."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: str) -> str:
    """Trim, and write a lowercase check character x as X."""
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    """Raise ValidationError unless `value` is a well-formed resident identity number."""
    value = normalise_id_number(value)
    if len(value) != 18:
        raise ValidationError(_("An ID number has 18 characters."), code="length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(
            _("The first 17 characters must be digits and the last a digit or X."), code="charset"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("Characters 7 to 14 are not a valid date of birth."), code="birth") from None
    if born > timezone.localdate() or born.year < 1900:
        raise ValidationError(_("The date of birth in the ID number is not possible."), code="birth")
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character is wrong: please check the number for typing errors."), code="check"
        )
