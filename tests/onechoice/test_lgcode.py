import pytest
from django.core.exceptions import ValidationError

from onechoice.lgcode import check_digit, is_valid, validate_local_government_code

TOYAMA_CODES = [
    "160008",
    "162019",
    "162027",
    "162043",
    "162051",
    "162060",
    "162078",
    "162086",
    "162094",
    "162108",
    "162116",
    "163210",
    "163228",
    "163236",
    "163422",
    "163431",
]


@pytest.mark.parametrize("code", TOYAMA_CODES)
def test_real_toyama_codes_pass(code):
    validate_local_government_code(code)
    assert is_valid(code)


def test_check_digit_of_asahi():
    assert check_digit("16343") == 1


@pytest.mark.parametrize("code", ["163430", "162010", "162018"])
def test_wrong_check_digit_fails_with_the_expected_digit(code):
    with pytest.raises(ValidationError) as error:
        validate_local_government_code(code)
    assert error.value.code == "lg_code_check_digit"
    assert "検査数字" in error.value.messages[0]
    assert f"末尾は {check_digit(code[:5])}" in error.value.messages[0]


@pytest.mark.parametrize("code", ["16201", "1620190", "16201X", "１６２０１９", ""])
def test_malformed_codes_fail(code):
    with pytest.raises(ValidationError) as error:
        validate_local_government_code(code)
    assert error.value.code == "lg_code_format"
