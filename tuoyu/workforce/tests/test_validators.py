from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuoyu.workforce.validators import id_check_char, normalise_id_number, validate_id_number


def test_check_char_of_a_published_sample():
    # GB 11643 worked example: 11010519491231002X.
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("first17", ["32010219900101001", "32020519851130123", "11010519491231002"])
def test_numbers_built_with_the_algorithm_are_accepted(first17):
    validate_id_number(first17 + id_check_char(first17))


def test_lowercase_x_is_accepted_and_normalised():
    validate_id_number("11010519491231002x")
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_wrong_check_character_is_refused(english):
    first17 = "32010219900101001"
    wrong = "0" if id_check_char(first17) != "0" else "1"
    with pytest.raises(ValidationError, match="check character"):
        validate_id_number(first17 + wrong)


def test_future_birth_date_is_refused(english):
    born = (timezone.localdate() + timedelta(days=40)).strftime("%Y%m%d")
    first17 = f"320102{born}001"
    with pytest.raises(ValidationError, match="date of birth"):
        validate_id_number(first17 + id_check_char(first17))


@pytest.mark.parametrize("value", ["3201021990010100", "32010219901301001X", "3201021990010100A1"])
def test_malformed_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_id_number(value)
