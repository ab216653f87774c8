"""Explain: fairness of the model's decisions on the test rows, per group and intersection.

Assessment only: sensitive columns are read from the data table whether or not the model uses
them, and nothing is mitigated here. Fairlearn's MetricFrame gives selection rate, true and
false positive rates per group; the demographic-parity difference (the range of selection
rates) and the equalized-odds difference (the larger range of TPR and FPR) are taken over groups
with at least `min_group` rows (and half as many positives for TPR, negatives for FPR), with
percentile intervals from a bootstrap of the rows. Numeric
sensitive columns are banded by `fairness.bins` (quartiles when no bins are given).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.spec.model import Fairness

DEFAULT_TOLERANCE = 0.1
MIN_GROUP = 20
METRICS = ("selection_rate", "tpr", "fpr")
DIFFERENCES = ("demographic_parity_difference", "equalized_odds_difference")


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    group: str
    count: int
    values: dict[str, float]  # selection_rate, tpr, fpr
    intervals: dict[str, tuple[float, float]]  # 95% bootstrap percentile intervals


@dataclass(frozen=True, slots=True)
class Disparity:
    metric: str
    value: float
    low: float
    high: float
    tolerance: float
    flagged: bool  # the difference is above the tolerance


@dataclass(frozen=True, slots=True)
class FairnessSlice:
    by: tuple[str, ...]
    groups: tuple[GroupMetrics, ...]
    disparities: tuple[Disparity, ...]
    small_groups: tuple[str, ...]  # fewer than `min_group` rows: shown, left out of differences


@dataclass(frozen=True, slots=True)
class FairnessReport:
    decision: str  # at which decision the rates are measured
    slices: tuple[FairnessSlice, ...]
    notes: tuple[str, ...]

    @property
    def flagged(self) -> list[tuple[str, Disparity]]:
        return [(" & ".join(s.by), d) for s in self.slices for d in s.disparities if d.flagged]


def band(values: np.ndarray, edges: Sequence[float] | None) -> tuple[np.ndarray, list[str]]:
    """Labels for a sensitive column (bands of a numeric one, strings of the rest), in order."""
    s = pd.Series(values)
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    if numeric and (edges or s.nunique() > 10):
        cuts = sorted(edges) if edges else list(np.unique(s.quantile([0.25, 0.5, 0.75])))
        names = [f"<{_n(cuts[0])}"]
        names += [f"{_n(a)}–{_n(b)}" for a, b in itertools.pairwise(cuts)]
        names.append(f"≥{_n(cuts[-1])}")
        banded = pd.cut(s, [-np.inf, *cuts, np.inf], right=False, labels=names).astype(object)
    else:
        banded = s.map(_plain, na_action="ignore").astype(object)
        names = sorted(banded.dropna().unique())
    return banded.where(s.notna(), "missing").astype(str).to_numpy(), [*names, "missing"]


def assess_fairness(
    sensitive: Mapping[str, np.ndarray],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    section: Fairness,
    *,
    decision: str,
    seed: int = 0,
    bootstrap: int = 200,
    min_group: int = MIN_GROUP,
) -> FairnessReport:
    """Group metrics of binary decisions `y_pred` against `y_true` for each sensitive column and
    for their intersection."""
    banded = {c: band(v, section.bins.get(c)) for c, v in sensitive.items()}
    labels = {c: b[0] for c, b in banded.items()}
    orders = {c: b[1] for c, b in banded.items()}
    ways: list[tuple[str, ...]] = [(c,) for c in labels]
    if len(labels) > 1:
        ways.append(tuple(labels))
    yt, yp = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    slices = tuple(
        _slice(by, labels, orders, yt, yp, section, seed=seed, boot=bootstrap, min_group=min_group)
        for by in ways
    )
    notes = (f"groups with fewer than {min_group} test rows are shown but left out of the "
             "differences; intervals are 95% bootstrap percentiles",)  # fmt: skip
    return FairnessReport(decision, slices, notes)


def _slice(
    by: tuple[str, ...],
    labels: Mapping[str, np.ndarray],
    orders: Mapping[str, list[str]],
    yt: np.ndarray,
    yp: np.ndarray,
    section: Fairness,
    *,
    seed: int,
    boot: int,
    min_group: int,
) -> FairnessSlice:
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    key = _joint(by, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a group without positives has no TPR: NaN is right
        frame = MetricFrame(
            metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                     "fpr": false_positive_rate, "count": count},
            y_true=yt, y_pred=yp, sensitive_features=pd.Series(key, name=" & ".join(by)),
        ).by_group  # fmt: skip
    present = set(frame.index.astype(str))
    names = _joint_order(by, orders, present)
    frame = frame.set_axis(frame.index.astype(str)).loc[names]
    codes = pd.Categorical(key, categories=names).codes
    draws = _bootstrap(codes, len(names), yt, yp, np.random.default_rng(seed), boot)
    counts = frame["count"].to_numpy(dtype=np.int64)
    positives = np.bincount(codes, weights=yt, minlength=len(names))
    keep = {"selection_rate": counts >= min_group, "tpr": positives >= min_group / 2,
            "fpr": counts - positives >= min_group / 2}  # fmt: skip
    groups = tuple(
        GroupMetrics(
            group=name,
            count=int(counts[g]),
            values={m: float(frame[m].iloc[g]) for m in METRICS},
            intervals={m: _interval(draws[m][:, g]) for m in METRICS},
        )
        for g, name in enumerate(names)
    )
    point = {m: frame[m].to_numpy(dtype=np.float64)[None, :] for m in METRICS}
    disparities = []
    for diff in DIFFERENCES:
        value = float(_difference(diff, point, keep)[0])
        low, high = _interval(_difference(diff, draws, keep))
        set_to = getattr(section.tolerance, diff)
        tol = DEFAULT_TOLERANCE if set_to is None else set_to
        disparities.append(Disparity(diff, value, low, high, tol, bool(value > tol)))
    small = tuple(n for n, b in zip(names, keep["selection_rate"], strict=True) if not b)
    return FairnessSlice(by, groups, tuple(disparities), small)


def _joint(by: tuple[str, ...], labels: Mapping[str, np.ndarray]) -> np.ndarray:
    if len(by) == 1:
        return labels[by[0]]
    parts = [np.char.add(f"{c}=", labels[c].astype(str)) for c in by]
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, " & "), p)
    return out.astype(object)


def _joint_order(
    by: tuple[str, ...], orders: Mapping[str, list[str]], present: set[str]
) -> list[str]:
    if len(by) == 1:
        return [g for g in orders[by[0]] if g in present]
    if math.prod(len(orders[c]) for c in by) > 10_000:
        return sorted(present)
    combos = itertools.product(*(orders[c] for c in by))
    joint = (" & ".join(f"{c}={v}" for c, v in zip(by, combo, strict=True)) for combo in combos)
    return [g for g in joint if g in present]


def _bootstrap(
    codes: np.ndarray, k: int, yt: np.ndarray, yp: np.ndarray, rng: np.random.Generator, b: int
) -> dict[str, np.ndarray]:
    out = {m: np.empty((b, k)) for m in METRICS}
    n = len(codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(b):
            idx = rng.integers(0, n, n)
            c, t, p = codes[idx], yt[idx], yp[idx]
            rows = np.bincount(c, minlength=k)
            pos = np.bincount(c, weights=t, minlength=k)
            out["selection_rate"][i] = np.bincount(c, weights=p, minlength=k) / rows
            out["tpr"][i] = np.bincount(c, weights=p & t, minlength=k) / pos
            out["fpr"][i] = np.bincount(c, weights=p & ~t, minlength=k) / (rows - pos)
    return out


def _difference(
    name: str, m: Mapping[str, np.ndarray], keep: Mapping[str, np.ndarray]
) -> np.ndarray:
    def spread(metric: str) -> np.ndarray:
        a = m[metric][:, keep[metric]]
        if a.shape[1] < 2 or np.all(np.isnan(a)):
            return np.full(a.shape[0], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmax(a, axis=1) - np.nanmin(a, axis=1)

    if name == "demographic_parity_difference":
        return spread("selection_rate")
    return np.fmax(spread("tpr"), spread("fpr"))


def _interval(x: np.ndarray) -> tuple[float, float]:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (float("nan"), float("nan"))
    low, high = np.percentile(x, [2.5, 97.5])
    return float(low), float(high)


def _plain(v: object) -> str:
    """1.0 -> '1' (a boolean or code stored as float), other values as written."""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _n(x: float) -> str:
    return f"{x:g}"
