"""Evaluation: cross-validation with out-of-fold predictions. Preprocessing is fit inside each
training fold; the early-stopping slice is cut from the training fold with the folds' structure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from shipml.candidates.family import Family, FitData, Params
from shipml.candidates.tuning import Report, TrialOutcome
from shipml.framing.metrics import score
from shipml.framing.problem import ProblemFrame
from shipml.framing.splits import inner_split
from shipml.runtime.preprocess import PreprocessConfig, Preprocessor, fit_preprocessor
from shipml.tasks import task_kind


@dataclass(frozen=True, slots=True)
class FoldMatrices:
    preprocessor: Preprocessor
    X_train: np.ndarray
    X_valid: np.ndarray


@dataclass
class FoldCache:
    """Fitted per-fold preprocessing, shared by every trial of families with the same config."""

    frame: ProblemFrame
    _matrices: dict[tuple[int, PreprocessConfig], FoldMatrices] = field(default_factory=dict)
    _inner: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def matrices(self, k: int, config: PreprocessConfig) -> FoldMatrices:
        key = (k, config)
        if key not in self._matrices:
            fold = self.frame.folds[k]
            pre = fit_preprocessor(self.frame.rows(fold.train), self.frame.features, config)
            self._matrices[key] = FoldMatrices(
                pre,
                pre.transform(self.frame.rows(fold.train)).matrix,
                pre.transform(self.frame.rows(fold.valid)).matrix,
            )
        return self._matrices[key]

    def release(self, config: PreprocessConfig) -> None:
        """Drop the matrices of a config no later family uses (they can be large)."""
        for key in [key for key in self._matrices if key[1] == config]:
            del self._matrices[key]

    def inner(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions, within fold k's training rows, of the fit and early-stopping slices."""
        if k not in self._inner:
            f = self.frame
            train = f.folds[k].train
            fit, es = inner_split(train, f.strategy, f.split, f.seed + k)
            where = {row: i for i, row in enumerate(train.tolist())}
            self._inner[k] = (
                np.array([where[r] for r in fit.tolist()], dtype=np.int64),
                np.array([where[r] for r in es.tolist()], dtype=np.int64),
            )
        return self._inner[k]


def cross_validate(
    family: Family,
    params: Params,
    cache: FoldCache,
    report: Report | None = None,
    deadline: float | None = None,
) -> TrialOutcome:
    """Fit the family on each fold; score and keep the out-of-fold predictions. `deadline`
    (a `time.monotonic()` value) reaches each fit: a boosted fit stops adding trees at it."""
    frame = cache.frame
    n = len(frame.y)
    width = task_kind(frame.task).n_scores(frame.n_classes)
    oof = np.full((n, width), np.nan)
    oof_fold = np.full(n, -1, dtype=np.int64)
    scores: list[float] = []
    secondary: dict[str, list[float]] = {str(m): [] for m in frame.secondary}
    infos = []
    started = time.perf_counter()
    for k, fold in enumerate(frame.folds):
        mats = cache.matrices(k, family.preprocess)
        data = _fit_data(cache, k, mats, family, _fold_deadline(deadline, k, len(frame.folds)))
        fitted = family.fit(data, params)
        pred = fitted.estimator.predict_raw(mats.X_valid)
        infos.append(dict(fitted.info))
        oof[fold.valid] = pred.reshape(len(fold.valid), width)
        oof_fold[fold.valid] = k
        y_va, w_va = frame.y[fold.valid], frame.weights(fold.valid)
        scores.append(score(frame.primary, y_va, pred, w_va, frame.classes))
        for m in frame.secondary:
            secondary[str(m)].append(score(m, y_va, pred, w_va, frame.classes))
        if report is not None:
            report(k, float(np.nanmean(scores)))
    return TrialOutcome(
        score=float(np.nanmean(scores)) if not np.all(np.isnan(scores)) else float("nan"),
        fold_scores=tuple(scores),
        secondary={m: tuple(v) for m, v in secondary.items()},
        oof=oof if width > 1 else oof[:, 0],
        oof_fold=oof_fold,
        infos=tuple(infos),
        fit_seconds=time.perf_counter() - started,
    )


def _fold_deadline(deadline: float | None, k: int, folds: int) -> float | None:
    """Fold k's share of the time left: the folds after it get theirs too, so a trial that must
    finish near the deadline ends with every fold boosted alike, not the first fold alone."""
    if deadline is None:
        return None
    now = time.monotonic()
    return now + max(0.0, deadline - now) / (folds - k)


def _fit_data(
    cache: FoldCache, k: int, mats: FoldMatrices, family: Family, deadline: float | None
) -> FitData:
    frame = cache.frame
    train = frame.folds[k].train
    y, w = frame.y[train], frame.weights(train)
    common = {
        "task": frame.task,
        "n_classes": frame.n_classes,
        "seed": frame.seed,
        "n_jobs": frame.n_jobs,
        "categorical": mats.preprocessor.categorical_indices,
        "classes": tuple(str(c) for c in frame.classes),
        "deadline": deadline,
        "feature_names": tuple(mats.preprocessor.feature_names),
    }
    if not family.early_stopping:
        return FitData(X=mats.X_train, y=y, w=w, **common)  # type: ignore[arg-type]
    fit, es = cache.inner(k)
    return FitData(
        X=mats.X_train[fit],
        y=y[fit],
        w=None if w is None else w[fit],
        X_es=mats.X_train[es],
        y_es=y[es],
        w_es=None if w is None else w[es],
        **common,  # type: ignore[arg-type]
    )
