"""Pipeline: a challenger and the champion compared on the same rows, for registration and
promotion alike (so the command a registration suggests is the one the guard then allows).

The rows are the challenger's test rows. The champion's scores of them are its own stored test
predictions when it was tested on the same data and those rows (same data fingerprint); else
the challenger's data is read again from its spec (its fingerprint checked) and the champion
scores those rows. Two versions that score the rows alike (a `shipml decide` version and the
model it came from) differ only in their decision rule and are compared on that rule's
objective (`decision/objective.py`); others on the challenger's primary metric. Either way the
verdict is a `Comparison`: a 95% paired bootstrap interval (2,000 resamples seeded from the
challenger's spec), "beats" only when its lower bound is above zero. When no comparison on the
same rows is possible, the reason is returned instead, and the guard refuses without `--force`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from shipml.core.enums import Metric
from shipml.core.errors import ShipmlError
from shipml.decision.objective import compare_policies, objective_of
from shipml.evaluation.comparison import Comparison, compare
from shipml.evaluation.holdout import primary_predictions
from shipml.pipeline.decide import prediction_columns
from shipml.pipeline.prepare import prepare_data
from shipml.registry.bundle import LoadedBundle, load_bundle
from shipml.registry.client import mlflow_client, version_by_alias
from shipml.registry.models import ModelRef, load_registered, promote
from shipml.registry.register import CHAMPION
from shipml.runtime.policy import DecisionPolicy
from shipml.tasks import task_kind
from shipml.tasks.load import load_spec

TEST = "test_predictions.parquet"
Evidence = Comparison | str  # the verdict, or why none on the same rows could be made
SAME_SCORES = 1e-9


def promote_version(
    name: str, version: str, alias: str = CHAMPION, *, force: bool = False, reason: str = ""
) -> tuple[str | None, Evidence | None]:
    """`registry.promote`, with the evidence a move to @champion needs: this version against
    the current champion on the same rows. Returns the alias's previous version and that
    evidence (None when there was no other champion to compare with)."""
    evidence = None
    current = version_by_alias(mlflow_client(), name, CHAMPION) if alias == CHAMPION else None
    if current is not None and str(current.version) != version:
        evidence = against_version(name, load_registered(ModelRef(name, version=version))[0],
                                   str(current.version))  # fmt: skip
    was = promote(name, version, alias, force=force, reason=reason, evidence=evidence)
    return was, evidence


def comparer(name: str, bundle: Path) -> Callable[[str], Evidence]:
    """For `register_bundle`: the bundle (not yet a version) against a given champion version."""
    return lambda champion: against_version(name, load_bundle(bundle), champion)


def against_version(name: str, challenger: LoadedBundle, champion: str) -> Evidence:
    theirs = load_registered(ModelRef(name, version=champion))[0]
    return same_rows(challenger, theirs, ("this version", f"champion v{champion}"))


def same_rows(ours: LoadedBundle, theirs: LoadedBundle, names: tuple[str, str]) -> Evidence:
    """`ours` against `theirs` on `ours`'s test rows."""
    a, b = ours.model, theirs.model
    if (a.task, a.target, tuple(a.classes)) != (b.task, b.target, tuple(b.classes)):
        return (
            f"{names[1]} answers another problem ({b.task} of {b.target!r}, classes "
            f"{list(b.classes)}), so the two cannot be compared on the same rows"
        )
    test = _stored(ours, TEST)
    if test is None or test.empty:
        return f"{names[0]} holds no scored test rows to compare on"
    y, raw_ours, w = prediction_columns(test, a)
    raw_theirs = _their_scores(ours, theirs, test["row_id"].to_numpy(), names[1])
    if isinstance(raw_theirs, str):
        return raw_theirs
    seed = ours.manifest.seed
    if raw_ours.shape == raw_theirs.shape and np.allclose(raw_ours, raw_theirs, atol=SAME_SCORES):
        objective = objective_of(a.policy, a.task)
        rule = a.policy.summary.get("source") or a.policy.summary.get("rule", "the default rule")
        if _rule_of(a.policy) == _rule_of(b.policy):
            return (
                f"{names[0]} scores the rows exactly as {names[1]} does and decides them by the "
                "same rule: it is the same model, so it cannot beat it"
            )
        if objective is None:
            return (
                f"{names[0]} scores the rows exactly as {names[1]} does; only its decision rule "
                f"({rule}) differs, and that rule states no objective to compare on"
            )
        costs = None if a.policy.costs is None else np.asarray(a.policy.costs, dtype=np.float64)
        decided = [
            m.policy.decide(m.policy.calibrate(r)) for m, r in ((a, raw_ours), (b, raw_theirs))
        ]
        return compare_policies(
            objective, costs, y, decided[0], decided[1], w, names=names, rows="test rows",
            seed=seed,
        )  # fmt: skip
    metric = Metric(ours.manifest.primary_metric)
    mine = primary_predictions(a.policy, a.task, metric, raw_ours)
    other = primary_predictions(b.policy, b.task, metric, raw_theirs)
    return compare(
        metric, y, mine, other, w, names=names, rows="test rows", seed=seed, classes=a.classes,
        stop_below=(a.policy.stop_below, b.policy.stop_below),
    )  # fmt: skip


def _their_scores(
    ours: LoadedBundle, theirs: LoadedBundle, rows: np.ndarray, who: str
) -> np.ndarray | str:
    """`theirs`'s raw scores of `ours`'s test rows, in their order."""
    if theirs.manifest.data_fingerprint == ours.manifest.data_fingerprint:
        stored = _stored(theirs, TEST)
        if stored is not None:
            position = pd.Index(stored["row_id"].to_numpy())
            at = position.get_indexer(rows)
            if (at >= 0).all():
                _, raw, _ = prediction_columns(stored.iloc[at], theirs.model)
                return raw
    return _rescored(ours, theirs, rows, who)


def _rescored(
    ours: LoadedBundle, theirs: LoadedBundle, rows: np.ndarray, who: str
) -> np.ndarray | str:
    """Score `ours`'s test rows with `theirs`, reading `ours`'s data again from its spec."""
    copy = ours.evaluation_file("spec.yaml")
    if not copy.is_file():
        return "the challenger's bundle holds no spec.yaml, so its test rows cannot be read again"
    base = Path(ours.manifest.spec_dir) if ours.manifest.spec_dir else Path.cwd()
    try:
        data = prepare_data(load_spec(copy, base_dir=base))
    except ShipmlError as exc:
        return f"its test rows could not be read again to score them with {who} ({exc})"
    if data.fingerprint != ours.manifest.data_fingerprint:
        return (
            f"the data its spec names has changed since it was trained, so its test rows "
            f"cannot be scored with {who}"
        )
    model = theirs.model
    missing = [c for c in model.preprocessor.input_columns if c not in data.table.columns]
    if missing:
        return f"{who} reads columns its test data lacks ({', '.join(missing)})"
    columns = {c: data.table[c].to_numpy()[rows] for c in model.preprocessor.input_columns}
    X, _ = model.matrix(columns)
    raw = np.asarray(model.estimator.predict_raw(X), dtype=np.float64)
    return raw.reshape(len(rows)) if task_kind(model.task).gives_values else raw


def _rule_of(policy: DecisionPolicy) -> str:
    """The policy as it decides (calibration, threshold, costs), without how it was chosen."""
    return json.dumps(policy.to_dict() | {"summary": None}, sort_keys=True, default=str)


def _stored(bundle: LoadedBundle, name: str) -> pd.DataFrame | None:
    path = bundle.evaluation_file(name)
    return pd.read_parquet(path) if path.is_file() else None
