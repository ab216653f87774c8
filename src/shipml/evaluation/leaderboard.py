"""Evaluation: the leaderboard, CV metrics with their spread, latency and size measured through
the inference form, and each candidate's constraint violations.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shipml.candidates.tuning import TunedCandidate
from shipml.evaluation.refit import Refitted
from shipml.framing.problem import ProblemFrame
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.inference import InferenceModel
from shipml.spec.model import Constraints

LATENCY_SAMPLES = 200


if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    family: str
    cv_mean: float
    cv_std: float
    fold_scores: tuple[float, ...]
    secondary: dict[str, tuple[float, float]]  # metric -> (mean, std)
    train_score: float
    fit_seconds: float
    tuning_seconds: float
    n_trials: int
    n_pruned: int
    latency_p95_ms: float
    size_mb: float
    params: dict[str, Any]
    violations: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "cv_mean": _num(self.cv_mean),
            "cv_std": _num(self.cv_std),
            "fold_scores": [_num(s) for s in self.fold_scores],
            "secondary": {m: [_num(a), _num(b)] for m, (a, b) in self.secondary.items()},
            "train_score": _num(self.train_score),
            "fit_seconds": round(self.fit_seconds, 3),
            "tuning_seconds": round(self.tuning_seconds, 3),
            "n_trials": self.n_trials,
            "n_pruned": self.n_pruned,
            "latency_p95_ms": round(self.latency_p95_ms, 4),
            "size_mb": round(self.size_mb, 4),
            "params": self.params,
            "violations": list(self.violations),
        }


def leaderboard_row(
    candidate: TunedCandidate, refitted: Refitted, frame: ProblemFrame, constraints: Constraints
) -> LeaderboardRow:
    out = candidate.outcome
    latency = measure_latency_p95_ms(refitted.model, frame)
    size = measure_size_mb(refitted.model)
    violations = []
    if constraints.max_p95_latency_ms is not None and latency > constraints.max_p95_latency_ms:
        violations.append(f"p95 latency {latency:.2f} ms > {constraints.max_p95_latency_ms} ms")
    if constraints.max_model_mb is not None and size > constraints.max_model_mb:
        violations.append(f"size {size:.2f} MB > {constraints.max_model_mb} MB")
    return LeaderboardRow(
        family=candidate.family.name,
        cv_mean=out.score,
        cv_std=float(np.nanstd(out.fold_scores)),
        fold_scores=out.fold_scores,
        secondary={m: (_mean(v), float(np.nanstd(v))) for m, v in out.secondary.items()},
        train_score=refitted.train_score,
        fit_seconds=out.fit_seconds,
        tuning_seconds=candidate.seconds,
        n_trials=candidate.n_trials,
        n_pruned=candidate.n_pruned,
        latency_p95_ms=latency,
        size_mb=size,
        params=refitted.params,
        violations=tuple(violations),
    )


def sample_records(frame: ProblemFrame, n: int) -> list[dict[str, Any]]:
    """Training rows as JSON-like records, as a client would send them."""
    rows = frame.train_rows[:: max(1, len(frame.train_rows) // n)][:n]
    records = []
    for r in rows.tolist():
        records.append({c: _plain(frame.columns[c][r]) for c in frame.features})
    return records


def measure_latency_p95_ms(model: InferenceModel, frame: ProblemFrame) -> float:
    """p95 of single-record predictions, in milliseconds, on the path `shipml serve` runs:
    the compiled per-record functions and the default engine (ONNX Runtime for LightGBM)."""
    records = sample_records(frame, LATENCY_SAMPLES)
    compiled = CompiledModel(model, "auto")
    compiled.predict_record(records[0])  # warm up
    times = []
    for record in records:
        start = time.perf_counter()
        compiled.predict_record(record)
        times.append(time.perf_counter() - start)
    return float(np.percentile(times, 95) * 1000.0)


def measure_size_mb(model: InferenceModel) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        files = model.save(Path(tmp))
        return sum((Path(tmp) / f).stat().st_size for f in files) / 1e6


def _plain(v: Any) -> Any:
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else str(v.astype("datetime64[s]"))
    if isinstance(v, np.generic):
        return v.item()
    return v


def _mean(values: Sequence[float]) -> float:
    return float(np.nanmean(values)) if not np.all(np.isnan(values)) else float("nan")


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), 6)


class Leaderboard(tuple[LeaderboardRow, ...]):
    """The leaderboard's rows in ladder order (a tuple), with a table for notebooks."""

    __slots__ = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: CV mean and sd, fold scores, latency, size, trials, seconds."""
        import pandas as pd

        columns = ("family", "cv_mean", "cv_std", "train_score", "latency_p95_ms", "size_mb",
                   "n_trials", "n_pruned", "tuning_seconds", "violations")  # fmt: skip
        records = [{c: getattr(r, c) for c in columns} for r in self]
        return pd.DataFrame.from_records(records, columns=list(columns))

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False, na_rep="-"))
