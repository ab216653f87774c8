"""Runtime: the declared preprocessing steps, each fit on training arrays and stored as JSON.

Every step maps one input column to one or more float64 output columns with array operations.
Categories never seen in training go to the `__other__` bucket (which also holds the rare ones)
and are counted; missing values stay NaN for trees or are imputed for linear models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shipml.runtime.columns import as_bool_float, as_datetime, as_float, as_label, codes_for

OTHER = "__other__"
MISSING = "__missing__"
MAX_RARE_KEPT = 10_000  # rare categories remembered, so they are not counted as unseen
CALENDAR_PARTS = ("year", "month", "day", "dayofweek", "dayofyear", "hour")


@dataclass(frozen=True, slots=True)
class Scaling:
    """Optional median imputation and standard scaling of one float column."""

    fill: float | None = None
    mean: float = 0.0
    scale: float = 1.0

    @staticmethod
    def fit(x: np.ndarray, *, impute: bool, scale: bool) -> Scaling:
        finite = x[~np.isnan(x)]
        fill = float(np.median(finite)) if impute and finite.size else (0.0 if impute else None)
        filled = np.where(np.isnan(x), fill, x) if fill is not None else finite
        if not scale or filled.size == 0:
            return Scaling(fill=fill)
        std = float(np.nanstd(filled))
        return Scaling(fill=fill, mean=float(np.nanmean(filled)), scale=std if std > 0 else 1.0)

    def apply(self, x: np.ndarray) -> np.ndarray:
        if self.fill is not None:
            x = np.where(np.isnan(x), self.fill, x)
        if self.mean != 0.0 or self.scale != 1.0:
            x = (x - self.mean) / self.scale
        return x


@dataclass(frozen=True, slots=True)
class NumericStep:
    column: str
    scaling: Scaling
    boolean: bool = False
    kind: str = "numeric"

    def outputs(self) -> list[str]:
        return [self.column]

    def transform(self, values: np.ndarray) -> tuple[np.ndarray, int]:
        raw = as_bool_float(self.column, values) if self.boolean else as_float(self.column, values)
        return self.scaling.apply(raw)[:, None], 0


@dataclass(frozen=True, slots=True)
class CategoricalStep:
    """One-hot (k known + other + missing indicator) or ordinal codes (NaN for missing)."""

    column: str
    categories: tuple[str, ...]
    onehot: bool
    rare: tuple[str, ...] = ()  # seen in training, too rare to learn alone: the other bucket
    kind: str = "categorical"
    _lookup: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._lookup.update({c: len(self.categories) for c in self.rare})
        self._lookup.update({c: i for i, c in enumerate(self.categories)})

    @staticmethod
    def fit(
        column: str, values: np.ndarray, *, onehot: bool, min_count: int, max_categories: int
    ) -> CategoricalStep:
        labels, counts = np.unique(
            np.array([v if isinstance(v, str) else as_label(v) for v in values if _present(v)]),
            return_counts=True,
        )
        order = np.lexsort((labels, -counts))
        keep = sorted(str(labels[i]) for i in order[:max_categories] if counts[i] >= min_count)
        kept = set(keep)
        rare = sorted(str(labels[i]) for i in order[:MAX_RARE_KEPT] if str(labels[i]) not in kept)
        return CategoricalStep(column, tuple(keep), onehot=onehot, rare=tuple(rare))

    def outputs(self) -> list[str]:
        if not self.onehot:
            return [self.column]
        return [f"{self.column}={c}" for c in (*self.categories, OTHER, MISSING)]

    def transform(self, values: np.ndarray) -> tuple[np.ndarray, int]:
        other = len(self.categories)
        codes, unseen = codes_for(values, self._lookup, other)
        if not self.onehot:
            return np.where(codes < 0, np.nan, codes.astype(np.float64))[:, None], unseen
        out = np.zeros((len(codes), other + 2), dtype=np.float64)
        out[np.arange(len(codes)), np.where(codes < 0, other + 1, codes)] = 1.0
        return out, unseen


@dataclass(frozen=True, slots=True)
class DatetimeStep:
    """Calendar features of a datetime column, each optionally imputed and scaled."""

    column: str
    parts: tuple[str, ...]
    scalings: tuple[Scaling, ...]
    format: str | None = None  # the strptime format text was read with at training
    kind: str = "datetime"

    @staticmethod
    def fit(
        column: str, values: np.ndarray, *, impute: bool, scale: bool, fmt: str | None = None
    ) -> DatetimeStep:
        stamps = as_datetime(column, values, fmt)
        present = stamps[~np.isnat(stamps)]
        has_time = bool(np.any((present - present.astype("datetime64[D]")) != np.timedelta64(0)))
        parts = tuple(p for p in CALENDAR_PARTS if p != "hour" or has_time)
        raw = _calendar(stamps, parts)
        scalings = tuple(
            Scaling.fit(raw[:, j], impute=impute, scale=scale) for j in range(len(parts))
        )
        return DatetimeStep(column=column, parts=parts, scalings=scalings, format=fmt)

    def outputs(self) -> list[str]:
        return [f"{self.column}.{p}" for p in self.parts]

    def transform(self, values: np.ndarray) -> tuple[np.ndarray, int]:
        raw = _calendar(as_datetime(self.column, values, self.format), self.parts)
        cols = [s.apply(raw[:, j]) for j, s in enumerate(self.scalings)]
        return np.column_stack(cols), 0


def _calendar(stamps: np.ndarray, parts: tuple[str, ...]) -> np.ndarray:
    nat = np.isnat(stamps)
    days = stamps.astype("datetime64[D]")
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    values = {
        "year": years.astype(np.int64) + 1970,
        "month": (months - years).astype(np.int64) + 1,
        "day": (days - months).astype(np.int64) + 1,
        "dayofweek": (days.astype(np.int64) - 4) % 7,  # 1970-01-01 was a Thursday; Monday = 0
        "dayofyear": (days - years).astype(np.int64) + 1,
        "hour": (stamps - days).astype("timedelta64[h]").astype(np.int64),
    }
    out = np.column_stack([values[p].astype(np.float64) for p in parts])
    out[nat] = np.nan
    return out


def _present(v: Any) -> bool:
    return not (v is None or (isinstance(v, float) and v != v))


Step = NumericStep | CategoricalStep | DatetimeStep


def step_to_dict(step: Step) -> dict[str, Any]:
    if isinstance(step, NumericStep):
        return {
            "kind": step.kind,
            "column": step.column,
            "boolean": step.boolean,
            "scaling": _scaling_dict(step.scaling),
        }
    if isinstance(step, CategoricalStep):
        return {
            "kind": step.kind,
            "column": step.column,
            "onehot": step.onehot,
            "categories": list(step.categories),
            "rare": list(step.rare),
        }
    out = {
        "kind": step.kind,
        "column": step.column,
        "parts": list(step.parts),
        "scalings": [_scaling_dict(s) for s in step.scalings],
    }
    if step.format is not None:
        out["format"] = step.format
    return out


def step_from_dict(d: dict[str, Any]) -> Step:
    if d["kind"] == "numeric":
        return NumericStep(d["column"], Scaling(**d["scaling"]), boolean=d["boolean"])
    if d["kind"] == "categorical":
        return CategoricalStep(
            d["column"], tuple(d["categories"]), onehot=d["onehot"], rare=tuple(d.get("rare", ()))
        )
    if d["kind"] == "datetime":
        scalings = tuple(Scaling(**s) for s in d["scalings"])
        return DatetimeStep(d["column"], tuple(d["parts"]), scalings, d.get("format"))
    raise ValueError(f"unknown preprocessing step kind {d['kind']!r}")


def _scaling_dict(s: Scaling) -> dict[str, Any]:
    return {"fill": s.fill, "mean": s.mean, "scale": s.scale}
