"""Explain: how the frozen champion does on the test rows, in the figures a reader expects for
its task: predicted against actual and the residuals (values), a confusion matrix of the
policy's decisions (classes), ROC and precision-recall curves (a positive class), per-label
measures (label sets), and the hierarchical measures and accuracy per level (paths).

Every figure and caption reads one `ScoredRows`: the stored test scores through the model's own
policy (calibration, then its rule), as `evaluation/holdout.py` scores them; a bundle without
stored test scores falls back to the out-of-fold rows, and every caption names which rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shipml.core.enums import Metric
from shipml.data.taxonomy import taxonomy_of
from shipml.evaluation.label_sets import label_set_metrics, stored_label_sets
from shipml.evaluation.paths import path_decision_metrics
from shipml.explain.report import curves, plots
from shipml.explain.report.facts import ReportFacts
from shipml.framing.metrics import score
from shipml.runtime.policy import DecisionPolicy
from shipml.tasks import ReportSection, task_kind

TEST_ROWS, OOF_ROWS = "test rows", "out-of-fold rows"
PATH_MEASURES = (  # what `path_decision_metrics` measures of a path policy's decisions
    ("hierarchical_precision", "hierarchical precision"),
    ("hierarchical_recall", "hierarchical recall"),
    ("hierarchical_f1", "hierarchical F1"),
    ("leaf_f1_macro", "leaf macro F1"),
    ("accuracy", "accuracy (the exact class)"),
)


@dataclass(frozen=True, slots=True)
class ScoredRows:
    """Labelled rows the champion scored: values, or calibrated probabilities and decisions."""

    rows: str  # TEST_ROWS or OOF_ROWS
    y: np.ndarray  # class codes, or values
    weights: np.ndarray | None
    values: np.ndarray | None  # predicted values (a task that gives values)
    proba: np.ndarray | None  # calibrated class probabilities (n, k), as the server answers
    decided: np.ndarray | None  # the class index the policy decides per row; (n, L) 0/1 sets
    weight_column: str | None = None
    label_sets: bool = False  # y, proba and decided are (n, L), one column per label
    # decided holds tree nodes: a class code, or (>= k) the inner node where the walk stopped
    paths: bool = False

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def w(self) -> np.ndarray:
        return np.ones(self.n) if self.weights is None else self.weights

    def confusion(self, decided: np.ndarray | None = None) -> np.ndarray:
        """[true][decided] weighted counts, of the policy's decisions unless others are given."""
        assert self.proba is not None
        assert self.decided is not None
        assert not self.label_sets, "label sets have one confusion per label, not one matrix"
        assert not self.paths, "a path decision may stop above the classes: no class confusion"
        k = self.proba.shape[1]
        d = self.decided if decided is None else decided
        cells = self.y.astype(np.int64) * k + d
        return np.bincount(cells, self.w, minlength=k * k).reshape(k, k)

    @property
    def described(self) -> str:
        """'the 9,769 test rows', with the weighting when there is one."""
        text = f"the {self.n:,} {self.rows}"
        return text + (f", weighted by {self.weight_column}" if self.weight_column else "")


def scored_rows(facts: ReportFacts) -> ScoredRows | None:
    """The test rows' stored scores (else the out-of-fold rows'), through the model's policy."""
    model = facts.model
    kind = task_kind(model.task)
    wanted = ["prediction"] if kind.gives_values else [f"proba_{c}" for c in model.classes]
    for frame, rows in ((facts.test_predictions, TEST_ROWS), (facts.oof, OOF_ROWS)):
        if frame is None or not len(frame) or any(c not in frame for c in (*wanted, "label")):
            continue
        raw = frame[wanted].to_numpy(dtype=np.float64)
        keep = np.isfinite(raw).all(axis=1)  # out-of-fold rows no fold validated have no score
        if not keep.any():
            continue
        y = frame["label"].to_numpy()[keep]
        if kind.label_sets:  # each row's stored 0/1 list
            y = stored_label_sets(y)
        weight = frame["weight"].to_numpy(np.float64)[keep] if "weight" in frame else None
        column = facts.spec.data.weight if weight is not None else None
        if kind.gives_values:
            return ScoredRows(rows, y.astype(np.float64), weight, raw[keep, 0], None, None, column)
        proba = model.policy.calibrate(raw[keep])
        decided = model.policy.decide(proba)
        return ScoredRows(rows, y.astype(np.int64), weight, None, proba, decided, column,
                          kind.label_sets, kind.paths)  # fmt: skip
    return None


def figure(src: str, alt: str, caption: str) -> dict[str, str]:
    return {"src": src, "alt": alt, "caption": caption}


def performance_view(facts: ReportFacts, rows: ScoredRows | None) -> dict[str, Any]:
    """The technical view's figures of the champion on the test rows, by the task's sections."""
    out: dict[str, Any] = {
        "figures": [], "rows": None, "note": "", "title": "Performance", "labels": [],
        "levels": {},
    }  # fmt: skip
    if rows is None:
        out["note"] = "The bundle stores no scored rows (test_predictions.parquet, oof.parquet)."
        return out
    out["rows"], out["title"] = rows.described, f"Performance on the {rows.rows}"
    sections = task_kind(facts.model.task).report_sections
    if ReportSection.RESIDUALS in sections and rows.values is not None:
        out["figures"] += value_figures(facts, rows)
    if ReportSection.CONFUSION in sections and rows.decided is not None:
        out["figures"].append(confusion_figure(facts, rows))
    if ReportSection.LABELS in sections and rows.label_sets:
        out["labels"], count_figure = label_view(facts, rows)
        out["figures"].append(count_figure)
    if ReportSection.LEVELS in sections and rows.paths:
        out["levels"], level_figure = level_view(facts, rows)
        out["figures"].append(level_figure)
    if rows.rows == OOF_ROWS:
        out["note"] = (
            "The bundle stores no test predictions: these figures show the out-of-fold rows "
            "(each scored by a model that did not train on it)."
        )
    return out


def value_figures(facts: ReportFacts, rows: ScoredRows) -> list[dict[str, str]]:
    assert rows.values is not None
    y, pred, w = rows.y, rows.values, rows.weights
    target = facts.spec.the_target.column
    residual = y - pred
    mean_residual = float(np.average(residual, weights=rows.w))
    rmse, mae, r2 = (score(m, y, pred, w) for m in (Metric.RMSE, Metric.MAE, Metric.R2))
    scatter = figure(
        plots.scatter_plot(y, pred, target, rows.rows),
        f"Predicted against actual {target} on the {rows.rows}",
        f"Predicted against actual {target} on {rows.described}; the dashed line is y = x. "
        f"On these rows: RMSE {rmse:.4g}, MAE {mae:.4g}, R² {r2:.4g}.",
    )
    residuals = figure(
        plots.residual_plot(pred, residual, target, rows.rows),
        f"Residuals against predicted {target} on the {rows.rows}",
        f"Residual (actual − predicted) against the prediction on {rows.described}; orange: "
        f"the "
        f"mean residual in each tenth of the predictions. Mean residual {mean_residual:.4g} "
        f"({'over' if mean_residual < 0 else 'under'}-prediction on average).",
    )
    return [scatter, residuals]


def label_view(facts: ReportFacts, rows: ScoredRows) -> tuple[list[dict[str, Any]], dict]:
    """Per-label precision, recall and F1 of the decided sets, and the figure of how many
    labels the rows hold against how many the policy decided."""
    assert rows.decided is not None
    found = label_set_metrics(rows.y, rows.decided, rows.w)
    thresholds = facts.model.policy.summary.get("thresholds") or {}  # label -> threshold
    table = [
        {"label": str(label), "threshold": thresholds.get(str(label)), **m}
        for label, m in zip(facts.model.classes, found["per_label"], strict=True)
    ]
    counts, mean = found["label_counts"], found["mean_labels"]
    caption = (
        f"Labels per row on {rows.described}: true sets hold {mean['true']:.3g} labels on "
        f"average, decided sets {mean['decided']:.3g}; {found['exact_sets']:.1%} of the rows "
        "get exactly their true set."
    )
    plot = plots.count_bars_plot(
        {"true": np.asarray(counts["true"]), "decided": np.asarray(counts["decided"])},
        f"Labels per row ({rows.rows})",
        "labels in the row's set",
        "rows",
    )
    return table, figure(plot, f"Labels per row, true and decided, on the {rows.rows}", caption)


def path_measures(facts: ReportFacts, rows: ScoredRows) -> dict[str, Any]:
    """`path_decision_metrics` of the policy's decisions on the rows, with `stopped_rows`: how
    many rows (unweighted) the walk stopped above their class."""
    assert rows.decided is not None
    assert rows.paths
    classes = tuple(str(c) for c in facts.model.classes)
    found = path_decision_metrics(rows.y, rows.decided, rows.w, classes)
    depth = taxonomy_of(classes).depth
    return found | {"stopped_rows": int((depth[rows.decided] < depth[rows.y]).sum())}


def level_view(facts: ReportFacts, rows: ScoredRows) -> tuple[dict[str, Any], dict]:
    """The levels part: accuracy and the share answered at each level of the tree, the
    hierarchical measures of the policy's decisions, the rows stopped above their class, and
    (when the rule stops early) the out-of-fold measures at the rule against down to a class."""
    found, policy = path_measures(facts, rows), facts.model.policy
    share = " of their weight" if rows.weights is not None else ""
    levels = found["levels"]
    view: dict[str, Any] = {
        "table": levels,
        "table_note": (
            f"Each level of the taxonomy on {rows.described}: rows, those whose true class "
            f"reaches the level; accuracy, the share{share} whose decision names their true "
            "node at that level (a row stopped above the level counts as wrong there); "
            f"answered, the share{share} whose decision reaches the level."
        ),
        "measures": [{"name": label, "value": found[key]} for key, label in PATH_MEASURES],
        "measures_note": _measures_note(rows, policy.stop_below),
        "stopped": _stopped_text(found, rows),
        "comparison": [],
        "comparison_note": "",
    }
    oof, leaf = policy.summary.get("oof"), policy.summary.get("oof_no_stop")
    if policy.stop_below > 0 and oof and leaf:
        view["comparison"], view["comparison_note"] = _to_leaf(oof, leaf, policy.stop_below)
    shown = [x for x in levels if x["rows"] > 0]
    reach = ", ".join(f"level {x['level']} {x['accuracy']:.1%}" for x in shown)
    caption = (
        f"Accuracy (blue) and the share answered (orange) at each level on {rows.described}: "
        f"accuracy {reach}. A row stopped above a level is unanswered, and wrong, there."
    )
    plot = plots.bars_plot(
        {k: np.array([x[k] for x in levels], dtype=float) for k in ("accuracy", "answered")},
        f"Accuracy by level ({rows.rows})", "level of the taxonomy (1: the top)",
        "share of the rows (0–1)", ticks=[str(x["level"]) for x in levels], shares=True,
    )  # fmt: skip
    return view, figure(plot, f"Accuracy and share answered by level on the {rows.rows}", caption)


def _measures_note(rows: ScoredRows, stop: float) -> str:
    text = (
        f"The policy's decisions on {rows.described}. Hierarchical precision: the share of the "
        "decided path's nodes that lie on the true path; recall: the share of the true path's "
        "nodes the decision names; F1 combines the two. Leaf macro F1: the mean over the "
        "classes of each class's F1, a row stopped above its class a miss of it."
    )
    if stop > 0:
        text += (
            f" The walk stops where the best child holds under {stop:.0%} of its parent; the "
            "test metrics above walk the tree by the same rule."
        )
    return text


def _stopped_text(found: dict[str, Any], rows: ScoredRows) -> str:
    n, share = found["stopped_rows"], found["stopped_early"]
    if n == 0:
        return f"No row of {rows.described} was decided above its class."
    weight = " of the weight" if rows.weights is not None else ""
    return (
        f"{n:,} of {rows.described} ({share:.1%}{weight}) were decided above their class: "
        "the walk ended at a coarser node of the tree."
    )


def _to_leaf(
    oof: dict[str, Any], leaf: dict[str, Any], stop: float
) -> tuple[list[dict[str, Any]], str]:
    """The out-of-fold measures at the rule and down to a class, side by side, and in words."""
    names = (*PATH_MEASURES, ("stopped_early", "share stopped above their class"))
    table = [{"name": label, "rule": oof.get(k), "leaf": leaf.get(k)} for k, label in names]
    for at, down in zip(oof.get("levels") or [], leaf.get("levels") or [], strict=False):
        table.append(
            {"name": f"accuracy at level {at['level']}", "rule": at["accuracy"],
             "leaf": down["accuracy"]}
        )  # fmt: skip
    pairs = ", ".join(
        f"{label} {_n(oof.get(k))} against {_n(leaf.get(k))}" for k, label in PATH_MEASURES[:3]
    )
    note = (
        f"On the out-of-fold rows, where the rule was chosen: stopping when the best child "
        f"holds under {stop:.0%} of its parent gives {pairs} deciding every row down to a "
        "class with no stopping share; "
        f"it decides a share of {_n(oof.get('stopped_early'))} of the rows above their class."
    )
    return table, note


def _n(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, int | float) else "–"


def confusion_figure(facts: ReportFacts, rows: ScoredRows) -> dict[str, str]:
    counts = rows.confusion()
    labels = [str(c) for c in facts.model.classes]
    unit = "weight" if rows.weights is not None else "rows"
    accuracy = float(np.trace(counts) / max(counts.sum(), 1e-300))
    recall = np.diag(counts) / np.maximum(counts.sum(axis=1), 1e-300)
    worst = int(np.argmin(np.where(counts.sum(axis=1) > 0, recall, np.inf)))
    return figure(
        plots.confusion_plot(counts, labels, rows.rows, unit),
        f"Confusion matrix of the decisions on the {rows.rows}",
        f"The policy's decisions on {rows.described}: "
        f"{'weighted counts' if rows.weights is not None else 'counts'} per true (row) and "
        f"decided (column) class, with the share of each true class; colour is that share. "
        f"Accuracy {accuracy:.4g}; the class found least often is {labels[worst]} "
        f"(recall {recall[worst]:.4g}).",
    )


def ranking_figures(facts: ReportFacts, rows: ScoredRows | None) -> list[dict[str, str]]:
    """ROC and precision-recall curves of the positive class on the scored rows, marked at the
    policy's threshold; for a task with a positive class."""
    if rows is None or rows.proba is None or not task_kind(facts.model.task).has_positive:
        return []
    y, p = rows.y == 1, rows.proba[:, 1]
    if y.all() or not y.any():
        return []
    c = curves.ranking_curves(y, p, rows.weights)
    cells = rows.confusion()
    tp, fp, fn, tn = cells[1, 1], cells[0, 1], cells[1, 0], cells[0, 0]
    recall = tp / max(tp + fn, 1e-300)
    fpr = fp / max(fp + tn, 1e-300)
    precision = tp / (tp + fp) if tp + fp > 0 else float("nan")
    threshold = facts.model.policy.threshold
    positive = facts.model.classes[-1]
    roc = figure(
        plots.curve_plot(
            c.roc.x, c.roc.y, f"ROC curve ({rows.rows})", "false positive rate (0–1)",
            "true positive rate: recall (0–1)", chance=((0, 1), (0, 1), "chance (AUC 0.5)"),
            point=(fpr, recall),
        ),
        f"ROC curve on the {rows.rows}",
        f"ROC curve of the calibrated P({positive}) on {rows.described}: ROC AUC {c.auc:.4g}. "
        f"The red dot is the chosen threshold {threshold:.3g} (recall {recall:.4g}, false "
        f"positive rate {fpr:.4g}).",
    )  # fmt: skip
    pr = figure(
        plots.curve_plot(
            c.pr.x, c.pr.y, f"Precision-recall curve ({rows.rows})", "recall (0–1)",
            "precision (0–1)",
            chance=((0, 1), (c.prevalence, c.prevalence), f"positive share {c.prevalence:.3g}"),
            point=(recall, precision), step=True,
        ),
        f"Precision-recall curve on the {rows.rows}",
        f"Precision against recall on the same rows: average precision {c.average_precision:.4g}"
        f" (a score that knows nothing gets the positive share, {c.prevalence:.4g}). At the "
        f"chosen threshold: precision {precision:.4g}, recall {recall:.4g}.",
    )  # fmt: skip
    return [roc, pr]


def default_decisions(facts: ReportFacts, rows: ScoredRows) -> np.ndarray:
    """What the default rule (0.5 or argmax) decides on the same calibrated probabilities."""
    assert rows.proba is not None
    return DecisionPolicy.default(facts.model.task, facts.model.classes).decide(rows.proba)
