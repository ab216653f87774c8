"""Explain: `explain_model`, the stage that explains the frozen champion on the test rows.

It reads the test rows after the champion was scored on them and chooses nothing from them.
Each part runs on a seeded subsample sized to keep the report fast (`Limits`). A multiclass
model's curves and contributions are of the classes `explain.classes` names (by default the 3
largest), never of a class too rare in the sample (`classes.py`). Beside the fairness results it
says whether each sensitive column is a feature of the model, and how important.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from shipml.core.enums import ColumnType, Metric
from shipml.explain.classes import ClassChoice, check_explain_classes, choose_classes
from shipml.explain.fairness import FairnessReport, assess_fairness
from shipml.explain.grouped import correlated_groups
from shipml.explain.importance import Importance, permutation_importance
from shipml.explain.pdp import PartialDependence, partial_dependence_by_class
from shipml.explain.shap_values import Contributions, shap_by_class
from shipml.explain.view import ModelView
from shipml.runtime.estimators import SkopsEstimator
from shipml.runtime.inference import InferenceModel
from shipml.spec.model import Explain, Fairness
from shipml.tasks import task_kind

CAVEATS = (
    "Importance, PDP/ICE and SHAP describe what this model uses, not causes in the world.",
    "Correlated features share credit: shuffling one of them alone understates it (see the "
    "grouped importance), and SHAP may split credit between them in arbitrary proportions.",
    "A partial dependence plot moves one feature while holding the others, including values "
    "that rarely occur together; the ICE curves show where the average hides differences.",
)


@dataclass(frozen=True, slots=True)
class Limits:
    permutation_rows: int = 5000
    repeats: int = 5
    pdp_rows: int = 500
    grid_points: int = 20
    pdp_features: int = 6
    shap_rows: int = 2000
    forest_shap_rows: int = 300  # TreeSHAP over deep forests costs far more per row
    bootstrap: int = 200


@dataclass(frozen=True, slots=True)
class SensitiveUse:
    """Whether a sensitive column is one of the model's features, and how important."""

    column: str
    used: bool
    rank: int | None = None  # permutation-importance rank among the features (1: the top)
    ranked: int = 0  # how many features were ranked
    reason: str = ""  # why it is not a feature

    @property
    def text(self) -> str:
        if not self.used:
            return f"not a feature of the model ({self.reason})"
        if self.rank is None:
            return "a feature of the model (importance not computed)"
        return f"a feature of the model, importance rank {self.rank} of {self.ranked}"


@dataclass(frozen=True, slots=True)
class Explanation:
    metric: str
    output_label: str  # what the curves of the leading class (or the value) show
    importance: tuple[Importance, ...]  # per raw feature, most important first
    groups: tuple[Importance, ...]  # clusters of associated features, shuffled together
    pdp: tuple[PartialDependence, ...]  # class by class (`classes` order), top features each
    shap: Contributions | None  # of the leading class
    shap_rows: dict[str, np.ndarray]  # raw values of the rows SHAP explains
    local: tuple[int, ...]  # rows of `shap_rows` explained one by one
    fairness: FairnessReport | None
    rows: dict[str, int]  # test rows each part used
    seconds: dict[str, float]
    caveats: tuple[str, ...] = CAVEATS
    notes: tuple[str, ...] = field(default=())  # what was not assessed (fairness)
    classes: tuple[str, ...] = ()  # the classes explained, the leading one first; () for values
    class_notes: tuple[str, ...] = ()  # the classes not explained, and why
    shap_by_class: tuple[Contributions, ...] = ()  # one per class in `classes` (values: one)
    sensitive: tuple[SensitiveUse, ...] = ()  # each of fairness.sensitive, as a feature or not

    @property
    def flagged(self) -> tuple[PartialDependence, ...]:
        """The PDP panels flagged as interactions."""
        return tuple(p for p in self.pdp if p.interaction)

    @property
    def interactions(self) -> list[str]:
        """The features flagged as interacting, for any explained class."""
        return list(dict.fromkeys(p.feature for p in self.flagged))


def explain_model(
    model: InferenceModel,
    columns: Mapping[str, np.ndarray],
    y: np.ndarray,
    weights: np.ndarray | None,
    *,
    metric: Metric,
    explain: Explain,
    fairness: Fairness,
    seed: int,
    limits: Limits = Limits(),
    class_rows: Sequence[int] | None = None,
) -> Explanation:
    """Explain `model` on test rows: `columns` holds its inputs and any sensitive columns,
    `y` the encoded labels (class indices) or values. `class_rows`: the training rows of each
    class (in class order), which rank the classes a multiclass default explains; without
    them the test rows' counts stand in."""
    check_explain_classes(explain.classes, model.classes)
    rng = np.random.default_rng(seed)
    n = len(y)
    rows = _sample(rng, n, limits.permutation_rows)
    choice = _choose(model, y[rows], explain, class_rows)
    view = ModelView.of(model, choice.lead)
    seconds: dict[str, float] = {}
    importance: tuple[Importance, ...] = ()
    groups: tuple[Importance, ...] = ()
    pdp: tuple[PartialDependence, ...] = ()
    shaps: tuple[Contributions, ...] = ()
    shap_rows: dict[str, np.ndarray] = {}
    local: tuple[int, ...] = ()
    if explain.enabled and view.features:
        t = time.perf_counter()
        cols = {f: np.asarray(columns[f])[rows] for f in view.features}
        X, yw = view.matrix(cols), (y[rows], None if weights is None else weights[rows])
        importance = permutation_importance(view, X, *yw, metric, repeats=limits.repeats, seed=seed)
        clusters = correlated_groups(cols, _types(model))
        groups = permutation_importance(
            view, X, *yw, metric, groups={" + ".join(g): g for g in clusters},
            repeats=limits.repeats, seed=seed,
        )  # fmt: skip
        seconds["importance"] = time.perf_counter() - t
        t = time.perf_counter()
        pdp = _pdp(view, cols, X, importance, explain, limits, rng, choice.explained)
        seconds["pdp"] = time.perf_counter() - t
        t = time.perf_counter()
        cap = min(limits.forest_shap_rows if _is_forest(model) else limits.shap_rows, len(rows))
        shap_rows = {f: v[:cap] for f, v in cols.items()}
        shaps = shap_by_class(view, X[:cap], choice.explained) if choice.explained else ()
        local = _local_rows(shaps[0] if shaps else None)
        seconds["shap"] = time.perf_counter() - t
    t = time.perf_counter()
    fair, notes = _fairness(view, columns, y, fairness, seed, limits)
    seconds["fairness"] = time.perf_counter() - t
    used = {"test": n, "permutation": len(rows) if importance else 0,
            "pdp": min(len(rows), limits.pdp_rows) if pdp else 0,
            "shap": len(shaps[0].values) if shaps else 0}  # fmt: skip
    labels = tuple(str(model.classes[k]) for k in choice.explained) if model.classes else ()
    return Explanation(
        str(metric), view.output_label, importance, groups, pdp, shaps[0] if shaps else None,
        shap_rows, local, fair, used, seconds, notes=notes, classes=labels,
        class_notes=choice.notes if importance else (), shap_by_class=shaps,
        sensitive=_sensitive_use(model, fairness.sensitive, importance),
    )  # fmt: skip


def _choose(
    model: InferenceModel, sample_y: np.ndarray, explain: Explain, rows: Sequence[int] | None
) -> ClassChoice:
    """The classes to explain: the chosen ones (several classes), the positive (binary), or
    the one value (regression, index 0)."""
    kind = task_kind(model.task)
    if kind.has_classes and not kind.has_positive:
        return choose_classes(
            model.classes, sample_y, explain.classes, train_rows=rows, label_sets=kind.label_sets
        )
    focus = ModelView.of(model).focus
    if explain.classes:
        return ClassChoice((focus,), (
            f"explain.classes applies to models of several classes; this one's explanations "
            f"show P({model.target} = {model.classes[focus]}).",
        ), focus)  # fmt: skip
    return ClassChoice((focus,), (), focus)


def _pdp(
    view: ModelView,
    cols: dict[str, np.ndarray],
    X: np.ndarray,
    importance: tuple[Importance, ...],
    explain: Explain,
    limits: Limits,
    rng: np.random.Generator,
    focuses: Sequence[int],
) -> tuple[PartialDependence, ...]:
    top = [i.name for i in importance[: min(explain.top_features, limits.pdp_features)]]
    rows = np.sort(rng.choice(len(X), size=min(limits.pdp_rows, len(X)), replace=False))
    if not focuses:
        return ()
    sub = {f: v[rows] for f, v in cols.items()}
    types = _types(view.model)
    by_feature = [
        partial_dependence_by_class(
            view, sub, X[rows], f, types[f], focuses, grid_points=limits.grid_points
        )
        for f in top
    ]
    return tuple(panels[i] for i in range(len(focuses)) for panels in by_feature)


def _sensitive_use(
    model: InferenceModel, sensitive: Sequence[str], importance: tuple[Importance, ...]
) -> tuple[SensitiveUse, ...]:
    features = set(model.schema.features)
    rank = {i.name: r for r, i in enumerate(importance, start=1)}
    unused = {u.column: u.reason for u in model.schema.unused()}
    out = []
    for c in sensitive:
        if c in features:
            out.append(SensitiveUse(c, True, rank.get(c), len(importance)))
        else:
            why = unused.get(c, "not among the columns the model was trained with")
            out.append(SensitiveUse(c, False, reason=f"excluded from the features: {why}"))
    return tuple(out)


def _fairness(
    view: ModelView,
    columns: Mapping[str, np.ndarray],
    y: np.ndarray,
    section: Fairness,
    seed: int,
    limits: Limits,
) -> tuple[FairnessReport | None, tuple[str, ...]]:
    if not section.sensitive:
        return None, ()
    missing = [c for c in section.sensitive if c not in columns]
    notes = tuple(f"sensitive column {c!r} is not in the data: not assessed" for c in missing)
    present = {c: np.asarray(columns[c]) for c in section.sensitive if c in columns}
    model = view.model
    if not present or not task_kind(model.task).has_classes:
        why = "fairness rates need a classification decision" if present else ""
        return None, notes + ((why,) if why else ())
    inputs = {c: np.asarray(columns[c]) for c in model.preprocessor.input_columns}
    decided = model.predict_columns(inputs).values
    positive = model.classes[view.focus]
    decision = _decision_text(model, positive)
    report = assess_fairness(
        present, y == view.focus, decided == positive, section,
        decision=decision, seed=seed, bootstrap=limits.bootstrap,
    )  # fmt: skip
    return report, notes


def _decision_text(model: InferenceModel, positive: object) -> str:
    policy = model.policy
    if task_kind(model.task).has_positive and policy.rule == "threshold":
        source = policy.summary.get("source", "")
        return f"{positive!s} decided when P >= {policy.threshold:.3g}" + (
            f" ({source})" if source else ""
        )
    return f"{positive!s} decided by the policy's {policy.rule} rule (one class against the rest)"


def _local_rows(shap: Contributions | None) -> tuple[int, ...]:
    if shap is None or len(shap.output) == 0:
        return ()
    order = np.argsort(shap.output, kind="stable")
    picks = [order[-1], order[len(order) // 2], order[0]]
    return tuple(dict.fromkeys(int(i) for i in picks))


def _sample(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.arange(n) if n <= k else np.sort(rng.choice(n, size=k, replace=False))


def _types(model: InferenceModel) -> dict[str, ColumnType]:
    kinds = {c.name: c.type for c in model.schema.columns}
    return {f: kinds.get(f, ColumnType.NUMERIC) for f in model.preprocessor.input_columns}


def _is_forest(model: InferenceModel) -> bool:
    return isinstance(model.estimator, SkopsEstimator)
