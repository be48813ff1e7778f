"""What every fixture loader shares: the error, the report, name lookups and the YAML helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError

from onechoice.models import Department, Division, Organization

if TYPE_CHECKING:
    from projects.models import Project

T = TypeVar("T")


class ReferenceDataError(Exception):
    """A fixture entry that does not validate; the message says where it is."""


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n


class Lookups:
    """Name → object maps, filled as master data is loaded."""

    def __init__(self):
        self.organizations: dict[str, Organization] = {}
        self.departments: dict[str, Department] = {}
        self.divisions: dict[str, Division] = {}
        self.projects: dict[str, Project] = {}

    @staticmethod
    def _get(table: dict, name: str, what: str):
        try:
            return table[name]
        except KeyError:
            raise ReferenceDataError(f"{what}「{name}」が見つかりません。") from None

    def organization(self, name):
        return self._get(self.organizations, name, "団体")

    def department(self, name):
        return self._get(self.departments, name, "部局")

    def division(self, name):
        return self._get(self.divisions, name, "課")

    def project(self, name):
        return self._get(self.projects, name, "連携推進項目")


def save(where: str, service: Callable[..., T], **kwargs) -> T:
    """Call ``service`` (an app's named write); a record it refuses fails the whole load
    with its place in the fixture."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        raise ReferenceDataError(f"{where}: {'; '.join(_messages(error))}") from error


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {m}" for name, errors in error.message_dict.items() for m in errors]
    return list(error.messages)


def text(value) -> str:
    """YAML block scalars end with a newline; lists become one line each."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value).strip()


def time_of(value) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, int):  # YAML 1.1 reads 15:00 as sexagesimal 900
        return dt.time(value // 60, value % 60)
    return dt.time.fromisoformat(str(value))


def planned(value) -> dict:
    """'2022-02' or '2022-05 middle' → planned_year/planned_month/planned_period."""
    if not value:
        return {}
    ym, _, period = str(value).partition(" ")
    year, month = ym.split("-")
    return {"planned_year": int(year), "planned_month": int(month), "planned_period": period}
