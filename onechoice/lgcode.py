"""Local government codes (全国地方公共団体コード): five digits and a check digit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    """(11 − Σ digit×weight mod 11) mod 10, weights 6,5,4,3,2 (総務省の定める検査数字)."""
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit() and check_digit(code[:5]) == int(code[5])


def validate_local_government_code(value: str) -> None:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("地方公共団体コードは6桁の半角数字で入力してください（例: 富山市 162019）。"),
            code="lg_code_format",
        )
    expected = check_digit(value[:5])
    if expected != int(value[5]):
        raise ValidationError(
            _("地方公共団体コード「%(code)s」の検査数字が正しくありません（末尾は %(expected)s になるはずです）。"),
            code="lg_code_check_digit",
            params={"code": value, "expected": expected},
        )
