"""What scripts/mutation found the lgcode tests did not pin down: the exact messages a user
reads, and that a check digit is never computed from anything but five digits."""

import pytest
from django.core.exceptions import ValidationError

from onechoice.lgcode import check_digit, validate_local_government_code


@pytest.mark.parametrize("digits", ["1620", "162019", ""])
def test_a_check_digit_is_computed_from_exactly_five_digits(digits):
    # zip(..., strict=True): four or six digits are an error, not a silently wrong digit
    with pytest.raises(ValueError):
        check_digit(digits)


def test_the_format_message_says_what_to_type():
    with pytest.raises(ValidationError) as error:
        validate_local_government_code("16201")
    assert error.value.messages == ["地方公共団体コードは6桁の半角数字で入力してください（例: 富山市 162019）。"]


def test_the_check_digit_message_names_the_code_and_the_expected_digit():
    with pytest.raises(ValidationError) as error:
        validate_local_government_code("162010")
    assert error.value.messages == [
        "地方公共団体コード「162010」の検査数字が正しくありません（末尾は 9 になるはずです）。"
    ]
