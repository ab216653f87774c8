"""Pipeline: the decision step. `champion_oof` hands training's out-of-fold scores to
`fit_decision_policy`; `decide` derives a new policy for a trained model from its stored
out-of-fold scores in seconds, without retraining, and registers it as a new version.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shipml.candidates.tuning import TunedCandidate
from shipml.core.enums import Metric
from shipml.core.errors import ArtifactError, SpecError
from shipml.decision import DecisionOutcome, OutOfFold, fit_decision_policy
from shipml.evaluation.holdout import decision_metrics, policy_metrics
from shipml.evaluation.label_sets import stored_label_sets
from shipml.framing.metrics import DEFINITIONS
from shipml.framing.problem import ProblemFrame
from shipml.pipeline.persist import decision_file, finite_json, served_scores
from shipml.pipeline.result import DecideResult
from shipml.registry.bundle import EVAL_DIR, MODEL_DIR, new_bundle_key, write_bundle, write_manifest
from shipml.registry.loading import LoadedModel, load_model
from shipml.registry.manifest import DerivedFrom, Manifest, ManifestMetrics
from shipml.registry.register import Registered, register_bundle
from shipml.registry.tracking import MlflowTracker
from shipml.runtime.inference import InferenceModel
from shipml.runtime.reference import ReferenceSummary, score_summaries
from shipml.spec.model import Decision
from shipml.tasks import task_kind


def champion_oof(frame: ProblemFrame, tuned: Sequence[TunedCandidate], champion: str) -> OutOfFold:
    """The champion's out-of-fold scores: rows of the training part some fold validated (the
    test rows never are)."""
    outcome = next(c.outcome for c in tuned if c.family.name == champion)
    return OutOfFold.of(outcome.oof, frame.y, outcome.oof_fold, frame.weight)


def decision_from_options(raw: dict[str, Any]) -> Decision:
    """A decision section from command-line options, with the spec's checks and messages."""
    from pydantic import ValidationError

    try:
        return Decision.model_validate(raw)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]
        raise SpecError("the decision options do not fit the schema:", problems=problems) from None


def _problem(error: Any) -> str:
    path = ".".join(map(str, error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"decision.{path}: {message} (got {error.get('input')!r})"


def decide(
    source: str | Path,
    decision: Decision,
    *,
    register: bool = True,
    stop_below: float | None = None,
) -> DecideResult:
    """Fit a new policy on a model's stored out-of-fold scores; evaluate it on the stored test
    predictions; write and (when `register`) register a new bundle with it. A path model keeps
    its stopping share unless `stop_below` gives a new one."""
    started = time.monotonic()
    loaded = load_model(source)
    model, manifest = loaded.model, loaded.bundle.manifest
    stop = model.policy.stop_below if stop_below is None else _stop_below(stop_below, model)
    outcome = fit_decision_policy(
        stored_oof(loaded),
        task=model.task,
        classes=model.classes,
        decision=decision,
        seed=manifest.seed,
        time_ordered=_time_ordered(loaded),
        primary=Metric(manifest.primary_metric),
        stop_below=stop,
    )
    new = dataclasses.replace(model, policy=outcome.policy)
    metrics, test_decision = _evaluate(loaded, new)
    name = manifest.name
    tracker = MlflowTracker(name, f"decide-{time.strftime('%Y%m%d-%H%M%S')}") if register else None
    key = tracker.run_id if tracker is not None else new_bundle_key()
    try:
        folder = write_bundle(
            name, key, lambda f: _fill(f, loaded, new, outcome, metrics, test_decision)
        )
        registered = None
        if tracker is not None:
            registered = _register(tracker, manifest, folder, outcome, metrics, loaded.version)
    except BaseException:
        if tracker is not None:
            tracker.finish("FAILED")
        raise
    return DecideResult(
        name=name, source_version=loaded.version,
        old_policy=model.policy.summary, outcome=outcome, test_metrics=metrics,
        test_decision=test_decision, bundle_dir=folder, registered=registered,
        seconds=time.monotonic() - started,
    )  # fmt: skip


def stored_oof(loaded: LoadedModel) -> OutOfFold:
    frame = _read(loaded, "oof.parquet")
    y, scores, w = prediction_columns(frame, loaded.model)
    return OutOfFold.of(scores, y, frame["fold"].to_numpy(), w)


def _read(loaded: LoadedModel, name: str) -> pd.DataFrame:
    path = loaded.bundle.evaluation_file(name)
    if not path.is_file():
        raise ArtifactError(
            f"the model has no stored {EVAL_DIR}/{name}, so no policy can be fit without "
            "retraining",
            where=str(loaded.bundle.folder),
            fix="retrain it with this version of shipml (`shipml train SPEC`)",
        )
    return pd.read_parquet(path)


def prediction_columns(
    frame: pd.DataFrame, model: InferenceModel
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    values = task_kind(model.task).gives_values
    names = ["prediction"] if values else [f"proba_{label}" for label in model.classes]
    missing = [c for c in [*names, "label"] if c not in frame.columns]
    if missing:
        raise ArtifactError(
            f"the stored predictions lack the columns {missing}",
            fix="retrain the model with this version of shipml",
        )
    scores = frame[names].to_numpy(dtype=np.float64)
    w = frame["weight"].to_numpy(dtype=np.float64) if "weight" in frame.columns else None
    y = stored_labels(frame, model)
    return y, scores[:, 0] if values else scores, w


def stored_labels(frame: pd.DataFrame, model: InferenceModel) -> np.ndarray:
    """The stored `label` column: class codes or values, or a label set's (n, L) 0/1 rows."""
    if task_kind(model.task).label_sets:
        return stored_label_sets(frame["label"])
    return frame["label"].to_numpy()


def _rescore_reference(ev: Path, loaded: LoadedModel, model: InferenceModel) -> None:
    """The reference's score summaries under the new policy (its calibration changes them)."""
    path = ev / "reference.json"
    if not path.is_file():
        return
    reference = ReferenceSummary.from_dict(json.loads(path.read_text(encoding="utf-8")))
    _, raw, _ = prediction_columns(_read(loaded, "oof.parquet"), model)
    seed = loaded.bundle.manifest.seed
    scores = score_summaries(served_scores(raw, model), seed=seed)
    rescored = dataclasses.replace(reference, scores=scores)
    path.write_text(json.dumps(rescored.to_dict()), encoding="utf-8")


def _time_ordered(loaded: LoadedModel) -> bool:
    path = loaded.bundle.evaluation_file("choices.json")
    if not path.is_file():
        return False
    choices = json.loads(path.read_text(encoding="utf-8"))
    return any(c.get("name") == "validation_strategy" and c.get("value") == "time" for c in choices)


def _evaluate(
    loaded: LoadedModel, model: InferenceModel
) -> tuple[dict[str, float], dict[str, Any]]:
    """The stored test scores (raw) through the new policy: the model's metrics and the
    decision's. They are reported, never used to choose."""
    frame = _read(loaded, "test_predictions.parquet")
    y, raw, w = prediction_columns(frame, model)
    names = [Metric(m) for m in loaded.bundle.manifest.metrics.test]
    metrics = policy_metrics(model.policy, model.task, names, y, raw, w, model.classes)
    return metrics, decision_metrics(model.policy, model.task, y, raw, w, model.classes)


def _stop_below(value: float, model: InferenceModel) -> float:
    if not task_kind(model.task).paths:
        raise SpecError(
            f"--stop-below applies to a hierarchical model, and this one is {model.task}",
            where="--stop-below",
            fix="drop --stop-below",
        )
    if not 0.0 <= value < 1.0:
        raise SpecError(
            f"--stop-below must be at least 0 and below 1, not {value}",
            where="--stop-below",
            fix="give the least share of its parent's probability a child needs, such as 0.5",
        )
    return value


def _fill(
    folder: Path,
    loaded: LoadedModel,
    model: InferenceModel,
    outcome: DecisionOutcome,
    metrics: dict[str, float],
    test_decision: dict[str, Any],
) -> None:
    """The source bundle's files with the new policy, into a staging folder."""
    old = loaded.bundle.manifest
    shutil.rmtree(folder)
    shutil.copytree(loaded.bundle.folder, folder, ignore=shutil.ignore_patterns("manifest.json"))
    shutil.rmtree(folder / MODEL_DIR)
    model.save(folder / MODEL_DIR)
    ev = folder / EVAL_DIR
    derived = DerivedFrom(version=loaded.version, bundle=str(loaded.bundle.folder))
    trail = {"derived_from": derived.model_dump()}
    record = decision_file(outcome, test_decision) | trail
    (ev / "decision.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    _rescore_reference(ev, loaded, model)
    evaluation_path = ev / "evaluation.json"
    if evaluation_path.is_file():
        evaluation = json.loads(evaluation_path.read_text(encoding="utf-8"))
        evaluation |= {"test": metrics, "decision_test": test_decision} | trail
        evaluation_path.write_text(json.dumps(finite_json(evaluation), indent=1), encoding="utf-8")
    body = old.body(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        metrics=ManifestMetrics(cv=old.metrics.cv, test=finite_json(metrics)),
        decision=finite_json(outcome.policy.summary),
        derived_from=derived,
    )
    write_manifest(folder, body)


def _register(
    tracker: MlflowTracker,
    manifest: Manifest,
    folder: Path,
    outcome: DecisionOutcome,
    metrics: dict[str, float],
    source_version: str,
) -> Registered:
    name, primary = manifest.name, manifest.primary_metric
    summary = outcome.policy.summary
    tracker.log_run(
        params={"rule": summary.get("rule"), "source": summary.get("source", "")[:250],
                "calibration": summary.get("calibration"), "threshold": summary.get("threshold"),
                "derived_from_version": source_version},
        metrics={"test_score": metrics.get(primary, float("nan"))},
        tags={"shipml.kind": "decide", "shipml.derived_from": source_version,
              "shipml.bundle": str(folder)},
    )  # fmt: skip
    tracker.log_artifacts(folder / EVAL_DIR, "evaluation")
    test_score = metrics.get(primary, float("nan"))
    better = DEFINITIONS[Metric(primary)].greater_is_better
    from shipml.pipeline.promotion import comparer  # it reads this module's columns

    registered = register_bundle(
        name, tracker.run_id, folder, test_score, better, compare=comparer(name, folder)
    )
    tracker.finish()
    return registered
