"""Pipeline: write the model bundle, the inference form plus everything later steps need.
Out-of-fold and test scores are stored raw (before calibration), so `shipml decide` can fit
and evaluate a new policy from them without retraining."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shipml.decision import DecisionOutcome
from shipml.evaluation import HoldoutReport, LeaderboardRow, Selection
from shipml.framing.problem import ProblemFrame
from shipml.pipeline.prepare import PreparedData
from shipml.registry.bundle import EVAL_DIR, MODEL_DIR, write_manifest
from shipml.registry.manifest import BUNDLE_FORMAT, Manifest, ManifestBody, ManifestMetrics
from shipml.runtime.inference import InferenceModel
from shipml.runtime.reference import ReferenceSummary, summarize
from shipml.spec.load import LoadedSpec
from shipml.tasks import task_kind

LIBRARIES = ("shipml", "numpy", "pandas", "pyarrow", "scikit-learn", "lightgbm", "optuna", "skops")


def write_bundle_files(
    folder: Path,
    *,
    loaded: LoadedSpec,
    data: PreparedData,
    frame: ProblemFrame,
    champion: InferenceModel,
    rows: tuple[LeaderboardRow, ...],
    oofs: dict[str, np.ndarray],
    selection: Selection,
    holdout: HoldoutReport,
    decision: DecisionOutcome,
    warnings: tuple[str, ...],
) -> Manifest:
    """Write the bundle's files into `folder` (a staging folder of `registry.write_bundle`),
    the manifest last."""
    folder.mkdir(parents=True, exist_ok=True)
    champion.save(folder / MODEL_DIR)
    ev = folder / EVAL_DIR
    ev.mkdir(exist_ok=True)
    _oof_frame(frame, oofs[selection.champion], champion).to_parquet(ev / "oof.parquet")
    _candidates_oof(frame, oofs).to_parquet(ev / "oof_candidates.parquet")
    _json(ev / "reference.json", reference_of(frame, oofs[selection.champion], champion).to_dict())
    _test_frame(frame, holdout.predictions, champion).to_parquet(ev / "test_predictions.parquet")
    _json(ev / "leaderboard.json", [r.to_dict() for r in rows])
    _json(ev / "choices.json", [c.to_dict() for c in frame.choices])
    _json(ev / "profile.json", data.profile.to_dict())
    _json(ev / "evaluation.json", _evaluation(selection, holdout, frame, warnings))
    _json(ev / "decision.json", decision_file(decision, holdout.decided))
    (ev / "spec.yaml").write_text(loaded.source_text, encoding="utf-8")
    body = ManifestBody(
        format=BUNDLE_FORMAT,
        name=loaded.spec.name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        spec_hash=loaded.spec_hash,
        spec_dir=str(loaded.base_dir),
        data_fingerprint=data.fingerprint,
        task=str(frame.task),
        target=frame.target,
        classes=tuple(frame.classes),
        family=selection.champion,
        primary_metric=str(frame.primary),
        metrics=ManifestMetrics(cv=_num(holdout.cv_score), test=_clean(holdout.metrics)),
        decision=finite_json(decision.policy.summary),
        seed=frame.seed,
        input_schema=frame.schema.to_dict(),
        libraries=_versions(),
    )
    return write_manifest(folder, body)


def _oof_frame(frame: ProblemFrame, oof: np.ndarray, model: InferenceModel) -> pd.DataFrame:
    rows = frame.train_rows
    out = _row_keys(frame, rows)
    out["fold"] = _fold_of(frame)[rows]
    return pd.concat([out, _scores(oof[rows], model)], axis=1)


def reference_of(frame: ProblemFrame, oof: np.ndarray, model: InferenceModel) -> ReferenceSummary:
    """What monitoring compares live traffic to: the features on the training rows and the
    champion's out-of-fold scores as served (probabilities through the fitted calibration;
    a row no fold validated counts as a missing score)."""
    rows = frame.train_rows
    pii = frozenset(c.name for c in frame.schema.columns if c.pii)
    scores = served_scores(oof[rows], model)
    return summarize(frame.rows(rows), frame.features, scores, pii=pii, seed=frame.seed)


def served_scores(raw: np.ndarray, model: InferenceModel) -> dict[str, np.ndarray]:
    """Raw scores as the server answers them, by column (`proba_<class>` through the policy's
    calibration, or `prediction`); rows without a score stay missing."""
    if not task_kind(model.task).gives_values:
        known = np.isfinite(raw).all(axis=1)
        raw = raw.copy()
        raw[known] = model.policy.calibrate(raw[known])
    scores = _scores(raw, model)
    return {str(c): scores[c].to_numpy() for c in scores.columns}


def _candidates_oof(frame: ProblemFrame, oofs: dict[str, np.ndarray]) -> pd.DataFrame:
    rows = frame.train_rows
    cols: dict[str, np.ndarray] = {"row_id": rows}
    values_only = task_kind(frame.task).gives_values
    for family, oof in oofs.items():
        values = oof[rows]
        if values_only:
            cols[family] = values
        else:
            cols |= {f"{family}:{j}": values[:, j] for j in range(values.shape[1])}
    return pd.DataFrame(cols)


def _test_frame(frame: ProblemFrame, pred: np.ndarray, model: InferenceModel) -> pd.DataFrame:
    return pd.concat([_row_keys(frame, frame.test_rows), _scores(pred, model)], axis=1)


def _row_keys(frame: ProblemFrame, rows: np.ndarray) -> pd.DataFrame:
    y = frame.y[rows]  # a label set is stored as its 0/1 list (`stored_labels` reads it back)
    out = pd.DataFrame(
        {"row_id": rows, "label": list(y) if task_kind(frame.task).label_sets else y}
    )
    if frame.split.groups is not None:
        out["group"] = frame.split.groups[rows]
    if frame.split.times is not None:
        out["time"] = frame.split.times[rows]
    if frame.weight is not None:
        out["weight"] = frame.weight[rows]
    return out


def _scores(pred: np.ndarray, model: InferenceModel) -> pd.DataFrame:
    if task_kind(model.task).gives_values:
        return pd.DataFrame({"prediction": pred})
    return pd.DataFrame({f"proba_{label}": pred[:, j] for j, label in enumerate(model.classes)})


def _fold_of(frame: ProblemFrame) -> np.ndarray:
    fold = np.full(len(frame.y), -1, dtype=np.int64)
    for k, f in enumerate(frame.folds):
        fold[f.valid] = k
    return fold


def _evaluation(
    selection: Selection, holdout: HoldoutReport, frame: ProblemFrame, warnings: tuple[str, ...]
) -> dict[str, Any]:
    against = holdout.against_baseline
    return {
        "champion": selection.champion,
        "reason": selection.reason,
        # on the test rows when the baseline ran (the paired interval), else in CV
        "beats_baseline": (selection.beats_baseline if against is None else against.better),
        "against_baseline": None if against is None else finite_json(against.to_dict()),
        "primary_metric": str(frame.primary),
        "train": _num(holdout.train_score),
        "cv": _num(holdout.cv_score),
        "test": _clean(holdout.metrics),
        "baseline_test": _clean(holdout.baseline_metrics),
        "decision_test": finite_json(holdout.decided),
        "diagnosis": holdout.diagnosis,
        "warnings": list(warnings),
    }


def decision_file(outcome: DecisionOutcome, test: dict[str, Any]) -> dict[str, Any]:
    """evaluation/decision.json: how the policy was fit (curves, reliability, bootstrap
    intervals, all from out-of-fold scores) and what it yields on the test rows."""
    return finite_json({"fit": outcome.report, "test": test, "warnings": list(outcome.warnings)})


def finite_json(value: Any) -> Any:
    """JSON-ready: NaN and infinities become null, NumPy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "unknown"
    return out


def _num(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _clean(d: dict[str, float]) -> dict[str, float | None]:
    return {k: _num(v) for k, v in d.items()}


def _json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
