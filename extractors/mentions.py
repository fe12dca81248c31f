"""What the NLP stage returns: units, quantities, records and periods.

Field names mirror ``shared/spec/records.md`` one for one; ``to_dict`` gives
exactly the JSON of ``record.schema.json``.  ``unit`` always means an
organizational unit; a measurement unit is ``unit_of_measure``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Qualifier = Literal["=", ">", "<", "~"]
Dimension = Literal[
    "count", "mass", "area", "volume", "length", "money", "percent", "rate", "duration", "other"
]


class _Model:
    """Shared (de)serialization: plain dicts with the spec's field names."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        kwargs = {k: v for k, v in data.items() if k in names}
        if "period" in kwargs and isinstance(kwargs["period"], dict):
            kwargs["period"] = Period.from_dict(kwargs["period"])
        return cls(**kwargs)


@dataclass(slots=True)
class Period(_Model):
    """A reporting period: ``6 tháng đầu năm 2017`` → 2017-01-01 … 2017-06-30."""

    text: str
    start: str | None = None
    end: str | None = None


@dataclass(slots=True)
class Unit(_Model):
    """One mention of an organizational unit ("đơn vị")."""

    text: str
    start: int
    end: int
    name: str
    abbreviation: str | None = None
    kind: str | None = None
    parent: str | None = None


@dataclass(slots=True)
class Quantity(_Model):
    """A number that measures or counts something, with its unit of measure."""

    text: str
    start: int
    end: int
    value: float
    unit_of_measure: str | None
    qualifier: Qualifier = "="
    dimension: Dimension = "count"
    value_max: float | None = None
    total: float | None = None
    item: str | None = None
    base_value: float | None = None
    base_unit: str | None = None


@dataclass(slots=True)
class Record(_Model):
    """One statistic: who (``unit``) did what (``activity``), how much, of what, when."""

    unit: str | None
    activity: str | None
    quantity: int
    value: float
    unit_of_measure: str | None
    sentence: str
    start: int
    end: int
    quantity_text: str = ""
    item: str | None = None
    value_max: float | None = None
    total: float | None = None
    qualifier: Qualifier = "="
    base_value: float | None = None
    base_unit: str | None = None
    period: Period | None = None
    location: str | None = None

    def refresh(self, q: Quantity) -> None:
        """Copy the quantity's fields again after a later stage changed it."""
        self.quantity_text, self.unit_of_measure, self.value = q.text, q.unit_of_measure, q.value

    @classmethod
    def for_quantity(cls, index: int, q: Quantity, **kwargs: Any) -> "Record":
        """A record carrying the quantity's fields, flat, as the spec exports them."""
        return cls(
            quantity=index, quantity_text=q.text, value=q.value, value_max=q.value_max,
            total=q.total, unit_of_measure=q.unit_of_measure, qualifier=q.qualifier,
            item=q.item, base_value=q.base_value, base_unit=q.base_unit, **kwargs,
        )


@dataclass(slots=True)
class Extraction:
    """All mentions found in one text (offsets point into that text)."""

    units: list[Unit] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    period: Period | None = None
