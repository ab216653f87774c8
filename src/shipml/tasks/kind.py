"""Tasks: what differs between task kinds, declared as data (`TaskKind`).

A task kind says how its target is read and encoded, the scores it produces, the metrics it
allows and picks by default, what the splitters must respect, which model families can learn
it, which decision-policy kind turns its scores into decisions, the request shapes the server
accepts, and which report sections apply. Later layers resolve these names in registries of
their own (a metric's scorer, a family's objective, a policy's fitter); they ask the task and
never branch on which task it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from shipml.core.enums import Metric


class TargetKind(StrEnum):
    """How the target is read from the data."""

    COLUMN = "column"  # one column of the table
    NONE = "none"  # no target (anomaly detection, clustering): the spec gives none


class TargetEncoding(StrEnum):
    """What one row's target becomes before any model sees it."""

    CLASS_CODES = "class_codes"  # int64 codes into the ordered classes
    VALUES = "values"  # float64 values
    LABEL_SETS = "label_sets"  # (n, L) 0/1: which of the L labels each row carries
    PATHS = "paths"  # int64 codes into the ordered classes, each a path down a taxonomy


class ClassCount(StrEnum):
    NONE = "none"  # no classes: values
    TWO = "two"  # exactly two, one of them the positive class
    SEVERAL = "several"  # two or more, none singled out


class ScoresKind(StrEnum):
    """The typed output of a model for a batch of rows."""

    CLASS_PROBABILITIES = "class_probabilities"  # (n, k), rows sum to 1, in class order
    VALUES = "values"  # (n,) float64
    LABEL_PROBABILITIES = "label_probabilities"  # (n, L), each P(label), independent columns


class RawOutput(StrEnum):
    """What a model's raw evaluation gives per row, before the task's link."""

    SINGLE = "single"  # one margin or value (binary, regression)
    PER_CLASS = "per_class"  # one margin per class (softmax)
    PER_LABEL = "per_label"  # one binary model per label (`label_task`), outputs side by side


class ScoreField(StrEnum):
    """What the single `score` of an answer is."""

    POSITIVE_PROBABILITY = "positive_probability"
    DECIDED_PROBABILITY = "decided_probability"
    VALUE = "value"
    TOP_LABEL_PROBABILITY = "top_label_probability"  # the largest label probability


class PolicyKind(StrEnum):
    """The decision-policy kind that turns scores into decisions."""

    THRESHOLD = "threshold"  # calibrate the positive score, decide at a threshold or a cost
    ARGMAX = "argmax"  # calibrate per class, decide the (weighted or least-cost) class
    VALUE = "value"  # the value itself, with a residual interval
    LABELS = "labels"  # calibrate each label, decide a label set (per-label, top-k, cardinality)
    PATH = "path"  # calibrate per class, walk the taxonomy down, stop where a child is unsure


class RequestShape(StrEnum):
    """The request shapes the server accepts for a task."""

    RECORD = "record"  # one record, one answer
    BATCH = "batch"  # independent records, one answer each
    GROUP = "group"  # records scored together (candidates of one query), ranked within the group


class ReportSection(StrEnum):
    PERFORMANCE = "performance"
    CALIBRATION = "calibration"
    THRESHOLD = "threshold"
    CONFUSION = "confusion"
    RESIDUALS = "residuals"
    LABELS = "labels"  # per-label precision and recall, label counts predicted vs true
    LEVELS = "levels"  # hierarchical measures and the accuracy at each level of the tree
    EXPLANATIONS = "explanations"
    FAIRNESS = "fairness"


@dataclass(frozen=True, slots=True)
class MetricDefaults:
    """The primary metric a task picks when the spec names none, its secondaries, and why."""

    primary: Metric
    secondary: tuple[Metric, ...]
    why: str  # may hold {share}: the positive share, as a percentage


@dataclass(frozen=True, slots=True)
class TaskKind:
    """One task kind, as data. Registered in `tasks/registry.py`."""

    name: str
    summary: str
    target: TargetKind
    encoding: TargetEncoding
    classes: ClassCount
    scores: ScoresKind
    raw_output: RawOutput
    score_field: ScoreField
    metrics: frozenset[Metric]
    default_metrics: MetricDefaults
    probe_metric: Metric  # what the single-feature leakage probe scores with
    stratify: bool  # folds keep the class shares
    families: frozenset[str]
    policy: PolicyKind
    requests: frozenset[RequestShape]
    contribution_units: str  # what a feature contribution is measured in
    report_sections: tuple[ReportSection, ...]
    # when the positive class is rarer than `rare_share`, `rare_metrics` replace the defaults
    rare_metrics: MetricDefaults | None = None
    rare_share: float = 0.0
    # the task's own top-level spec section (named after the task), validated by this model;
    # None: the task takes none
    section: type[BaseModel] | None = None
    section_required: bool = False
    # a task learned one label at a time (multilabel): each label is a task of this kind
    label_task: str | None = None
    # a task over a taxonomy (hierarchical): also learned one parent node at a time, each node
    # a task of this kind over its children
    node_task: str | None = None

    @property
    def has_classes(self) -> bool:
        return self.classes is not ClassCount.NONE

    @property
    def label_sets(self) -> bool:
        """Each row carries a set of labels (a 0/1 matrix), not one class."""
        return self.encoding is TargetEncoding.LABEL_SETS

    @property
    def paths(self) -> bool:
        """Each row's class is a path down a taxonomy (level columns or a separated column)."""
        return self.encoding is TargetEncoding.PATHS

    @property
    def composite_target(self) -> bool:
        """The spec gives the target in parts: flag or level columns, or a separated column."""
        return self.label_sets or self.paths

    @property
    def has_positive(self) -> bool:
        """A positive class is named (`target.positive`) and thresholded."""
        return self.classes is ClassCount.TWO

    @property
    def gives_values(self) -> bool:
        """Scores are values (n,), not class probabilities."""
        return self.scores is ScoresKind.VALUES

    @property
    def one_probability(self) -> bool:
        """The model gives P(positive) alone; the scores are (1 - p, p)."""
        return self.scores is ScoresKind.CLASS_PROBABILITIES and self.raw_output is RawOutput.SINGLE

    @property
    def per_class(self) -> bool:
        """One raw output per class (a softmax), so every class needs its own column."""
        return self.raw_output is RawOutput.PER_CLASS

    def n_scores(self, n_classes: int) -> int:
        """Columns of the score matrix: one per class or label, or one value."""
        return 1 if self.scores is ScoresKind.VALUES else n_classes

    def metrics_for(self, positive_share: float | None) -> MetricDefaults:
        """The default metrics for this target (rare positives get their own)."""
        share = 0.5 if positive_share is None else positive_share
        chosen = self.default_metrics
        if self.rare_metrics is not None and share < self.rare_share:
            chosen = self.rare_metrics
        return MetricDefaults(chosen.primary, chosen.secondary, chosen.why.format(share=share))
