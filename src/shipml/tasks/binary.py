"""Tasks: binary classification, two classes with one of them the positive class."""

from __future__ import annotations

from shipml.core.enums import Metric
from shipml.spec.model import FAMILIES
from shipml.tasks import kind as k

ALL_FAMILIES = frozenset(FAMILIES)
CLASS_SECTIONS = (
    k.ReportSection.PERFORMANCE,
    k.ReportSection.CALIBRATION,
    k.ReportSection.CONFUSION,
    k.ReportSection.EXPLANATIONS,
    k.ReportSection.FAIRNESS,
)

BINARY = k.TaskKind(
    name="binary",
    summary="two classes; the positive one is scored and decided at a threshold",
    target=k.TargetKind.COLUMN,
    encoding=k.TargetEncoding.CLASS_CODES,
    classes=k.ClassCount.TWO,
    scores=k.ScoresKind.CLASS_PROBABILITIES,
    raw_output=k.RawOutput.SINGLE,
    score_field=k.ScoreField.POSITIVE_PROBABILITY,
    metrics=frozenset(
        {
            Metric.ROC_AUC,
            Metric.AVERAGE_PRECISION,
            Metric.LOG_LOSS,
            Metric.BRIER,
            Metric.ACCURACY,
            Metric.BALANCED_ACCURACY,
            Metric.F1,
            Metric.MACRO_F1,
        }
    ),
    default_metrics=k.MetricDefaults(
        Metric.ROC_AUC,
        (Metric.LOG_LOSS, Metric.AVERAGE_PRECISION, Metric.ACCURACY),
        "balanced enough ({share:.1%} positive): ROC AUC ranks, log loss checks probabilities",
    ),
    rare_metrics=k.MetricDefaults(
        Metric.AVERAGE_PRECISION,
        (Metric.ROC_AUC, Metric.LOG_LOSS, Metric.BRIER),
        "positives are rare ({share:.1%}): average precision (area under PR) "
        "reflects the ranking of the few positives",
    ),
    rare_share=0.15,
    probe_metric=Metric.ROC_AUC,
    stratify=True,
    families=ALL_FAMILIES,
    policy=k.PolicyKind.THRESHOLD,
    requests=frozenset({k.RequestShape.RECORD, k.RequestShape.BATCH}),
    contribution_units="log-odds",
    report_sections=(*CLASS_SECTIONS[:2], k.ReportSection.THRESHOLD, *CLASS_SECTIONS[2:]),
)
