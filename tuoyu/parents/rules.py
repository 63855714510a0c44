"""Rules of the parent end, in one place."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A mainland mobile number: 11 digits starting with 1 (工业和信息化部 numbering plan; project rule,
# not a published standard's article).
MOBILE_RE = re.compile(r"^1\d{10}$")

# Sign-up throttle, like the login's: accounts created from one address within the window.
SIGNUP_WINDOW = timedelta(hours=1)
SIGNUP_MAX_PER_ADDRESS = 10

# Messages are short notes between a family and the class teachers.
MESSAGE_MAX_LENGTH = 2000


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(_("Enter a mobile number of 11 digits starting with 1."), code="mobile")
