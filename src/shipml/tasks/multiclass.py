"""Tasks: multiclass classification, one of several classes per row."""

from __future__ import annotations

from shipml.core.enums import Metric
from shipml.tasks import kind as k
from shipml.tasks.binary import ALL_FAMILIES, CLASS_SECTIONS

MULTICLASS = k.TaskKind(
    name="multiclass",
    summary="one of several classes per row; the most probable (or least costly) is decided",
    target=k.TargetKind.COLUMN,
    encoding=k.TargetEncoding.CLASS_CODES,
    classes=k.ClassCount.SEVERAL,
    scores=k.ScoresKind.CLASS_PROBABILITIES,
    raw_output=k.RawOutput.PER_CLASS,
    score_field=k.ScoreField.DECIDED_PROBABILITY,
    metrics=frozenset(
        {
            Metric.LOG_LOSS,
            Metric.ACCURACY,
            Metric.BALANCED_ACCURACY,
            Metric.MACRO_F1,
            Metric.ROC_AUC_OVR,
        }
    ),
    default_metrics=k.MetricDefaults(
        Metric.LOG_LOSS,
        (Metric.MACRO_F1, Metric.ACCURACY, Metric.BALANCED_ACCURACY),
        "multiclass: log loss rewards calibrated probabilities over every class",
    ),
    probe_metric=Metric.ROC_AUC_OVR,
    stratify=True,
    families=ALL_FAMILIES,
    policy=k.PolicyKind.ARGMAX,
    requests=frozenset({k.RequestShape.RECORD, k.RequestShape.BATCH}),
    contribution_units="log-odds",  # of the decided class (a softmax margin)
    report_sections=CLASS_SECTIONS,
)
