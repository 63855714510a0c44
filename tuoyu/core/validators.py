"""Validators for national code standards, shared by every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 统一社会信用代码: 18 characters from a 31-character set (no I, O, Z, S, V);
# character 18 is a check character over the first 17 with these weights (modulus 31).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Raise ValidationError unless `value` is a well-formed unified social credit code."""
    if len(value) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    bad = sorted({c for c in value if c not in USCC_CHARSET})
    if bad:
        raise ValidationError(
            _("Characters not allowed in a unified social credit code: {chars}").format(chars=" ".join(bad)),
            code="charset",
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 must be the registering authority's division code."), code="division"
        )
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _(
                "The check character is wrong (expected {expected}): please check the code for typing errors."
            ).format(expected=expected),
            code="check",
        )


def mask_middle(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Show only the ends of an identifier (for display of ID numbers and phones)."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
