"""Runtime: the reference summaries persisted with each version, what monitoring compares to.

Computed once at training on the training rows (never the test rows), for every feature and
for every score column (each class's out-of-fold probability, or the out-of-fold value):

- numeric (and boolean, as 0/1): count, missing, min, max, the 101 quantiles q0..q100, a
  histogram of up to 20 bins on the training quantiles (q0, q5, .., q100; tied edges collapse,
  so a column with few distinct values has fewer bins) and up to 5,000 sampled values;
- categorical: count, missing, the 100 most frequent categories with their counts, and the
  count of all others.

PII columns keep their shape but not their values: no sampled values, and categories stored
as `sha256:<first 16 hex digits>` of the text (`hashed: true`), so a monitor can hash live
values the same way and compare. Datetime features are not summarized (their range always
moves). Stored as `evaluation/reference.json` with `schema_version`; `from_dict` refuses
another version and names what is missing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from shipml.core.enums import ColumnType
from shipml.core.errors import ArtifactError
from shipml.runtime.columns import as_bool_float, as_float, is_missing

SCHEMA_VERSION = 1
QUANTILES = 101
BINS = 20
SAMPLE = 5_000
TOP = 100
# numeric and boolean features, read as the runtime reads them (booleans as 0/1)
NUMBERS = {ColumnType.NUMERIC: as_float, ColumnType.BOOLEAN: as_bool_float}


@dataclass(frozen=True, slots=True)
class NumericSummary:
    column: str
    count: int  # rows with a value
    missing: int
    min: float | None
    max: float | None
    quantiles: tuple[float, ...]  # q0 .. q100; () when no row has a value
    edges: tuple[float, ...]  # histogram edges (increasing), one more than `counts`
    counts: tuple[int, ...]
    sample: tuple[float, ...]  # seeded, without replacement; () for PII
    kind: str = "numeric"


@dataclass(frozen=True, slots=True)
class CategoricalSummary:
    column: str
    count: int
    missing: int
    top: tuple[tuple[str, int], ...]  # most frequent first (ties by label)
    other: int  # rows with any other category
    hashed: bool  # labels are sha256 prefixes (a PII column)
    kind: str = "categorical"


Summary = NumericSummary | CategoricalSummary


@dataclass(frozen=True, slots=True)
class ReferenceSummary:
    rows: int  # training rows summarized
    inputs: tuple[Summary, ...]
    scores: tuple[NumericSummary, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "rows": self.rows,
            "inputs": [_as_dict(s) for s in self.inputs],
            "scores": [_as_dict(s) for s in self.scores],
        }

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> ReferenceSummary:
        version = d.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ArtifactError(
                f"the reference summary has schema_version {version!r}, not {SCHEMA_VERSION}",
                where="evaluation/reference.json",
                fix="retrain the model with this version of shipml",
            )
        try:
            return ReferenceSummary(
                int(d["rows"]),
                tuple(_summary(s) for s in d["inputs"]),
                tuple(_numeric(s) for s in d["scores"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(
                f"the reference summary is malformed ({type(exc).__name__}: {exc})",
                where="evaluation/reference.json",
                fix="retrain the model with this version of shipml",
            ) from None


def summarize(
    columns: Mapping[str, np.ndarray],
    types: Mapping[str, ColumnType],
    scores: Mapping[str, np.ndarray],
    *,
    pii: frozenset[str] = frozenset(),
    seed: int = 0,
) -> ReferenceSummary:
    """Summaries of the given feature columns (raw values, training rows) and score columns."""
    inputs: list[Summary] = []
    for name, values in columns.items():
        ctype = types[name]
        if ctype is ColumnType.CATEGORICAL:
            inputs.append(summarize_categories(name, values, hashed=name in pii))
        elif ctype in NUMBERS:
            x = NUMBERS[ctype](name, values)
            inputs.append(summarize_numbers(name, x, sample=name not in pii, seed=seed))
    rows = len(next(iter(columns.values()))) if columns else 0
    return ReferenceSummary(rows, tuple(inputs), score_summaries(scores, seed=seed))


def score_summaries(
    scores: Mapping[str, np.ndarray], *, seed: int = 0
) -> tuple[NumericSummary, ...]:
    """One numeric summary per score column (a new decision policy recomputes these)."""
    return tuple(summarize_numbers(n, v, seed=seed) for n, v in scores.items())


def summarize_numbers(
    column: str, values: np.ndarray, *, sample: bool = True, seed: int = 0
) -> NumericSummary:
    """`values` as float64 (NaN and ±inf missing), as the runtime reads the column."""
    x = as_float(column, values)
    known = x[np.isfinite(x)]
    if known.size == 0:
        return NumericSummary(column, 0, len(x), None, None, (), (), (), ())
    q = np.quantile(known, np.linspace(0.0, 1.0, QUANTILES))
    edges = np.unique(q[:: (QUANTILES - 1) // BINS])
    if edges.size == 1:  # one value: one bin around it
        edges = np.array([edges[0], edges[0]])
    counts, _ = np.histogram(known, bins=edges)
    picked: tuple[float, ...] = ()
    if sample:
        rng = np.random.default_rng(seed)
        take = rng.choice(known.size, min(SAMPLE, known.size), replace=False)
        picked = tuple(float(v) for v in known[np.sort(take)])
    return NumericSummary(
        column=column,
        count=int(known.size),
        missing=int(len(x) - known.size),
        min=float(known.min()),
        max=float(known.max()),
        quantiles=tuple(float(v) for v in q),
        edges=tuple(float(v) for v in edges),
        counts=tuple(int(c) for c in counts),
        sample=picked,
    )


def summarize_categories(column: str, values: np.ndarray, *, hashed: bool) -> CategoricalSummary:
    labels = [None if is_missing(v) else str(v) for v in values.tolist()]
    known = [v for v in labels if v is not None]
    ranked = sorted(Counter(known).items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[:TOP]
    if hashed:
        top = [(hash_label(k), n) for k, n in top]
    other = len(known) - sum(n for _, n in top)
    return CategoricalSummary(column, len(known), len(labels) - len(known), tuple(top), other,
                              hashed)  # fmt: skip


def hash_label(text: str) -> str:
    """How a PII category is stored: a live value hashed the same way compares to it."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _as_dict(s: Summary) -> dict[str, Any]:
    if isinstance(s, CategoricalSummary):
        return {"kind": s.kind, "column": s.column, "count": s.count, "missing": s.missing,
                "top": [list(t) for t in s.top], "other": s.other, "hashed": s.hashed}  # fmt: skip
    return {"kind": s.kind, "column": s.column, "count": s.count, "missing": s.missing,
            "min": s.min, "max": s.max, "quantiles": list(s.quantiles), "edges": list(s.edges),
            "counts": list(s.counts), "sample": list(s.sample)}  # fmt: skip


def _summary(d: Mapping[str, Any]) -> Summary:
    if d["kind"] == "categorical":
        top = tuple((str(k), int(n)) for k, n in d["top"])
        return CategoricalSummary(str(d["column"]), int(d["count"]), int(d["missing"]), top,
                                  int(d["other"]), bool(d["hashed"]))  # fmt: skip
    return _numeric(d)


def _numeric(d: Mapping[str, Any]) -> NumericSummary:
    if d["kind"] != "numeric":
        raise ValueError(f"a score summary must be numeric, not {d['kind']!r}")
    low, high = d["min"], d["max"]
    return NumericSummary(
        column=str(d["column"]),
        count=int(d["count"]),
        missing=int(d["missing"]),
        min=None if low is None else float(low),
        max=None if high is None else float(high),
        quantiles=tuple(float(v) for v in d["quantiles"]),
        edges=tuple(float(v) for v in d["edges"]),
        counts=tuple(int(c) for c in d["counts"]),
        sample=tuple(float(v) for v in d["sample"]),
    )
