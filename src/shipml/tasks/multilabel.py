"""Tasks: multilabel classification, a set of labels per row (a news item is tech and finance).

Each label is learned as a binary task (`label_task`): one model per label (binary relevance),
or a classifier chain where each label's model also reads the labels before it. Scores are one
probability per label, side by side, not a distribution over classes; the policy calibrates each
label and decides a set (per-label thresholds, the top k, or as many as the probabilities sum to).
"""

from __future__ import annotations

from shipml.core.enums import Metric
from shipml.tasks import kind as k
from shipml.tasks.binary import ALL_FAMILIES

MULTILABEL = k.TaskKind(
    name="multilabel",
    summary="a set of labels per row; each label is scored and the set decided per label",
    target=k.TargetKind.COLUMN,
    encoding=k.TargetEncoding.LABEL_SETS,
    classes=k.ClassCount.SEVERAL,
    scores=k.ScoresKind.LABEL_PROBABILITIES,
    raw_output=k.RawOutput.PER_LABEL,
    score_field=k.ScoreField.TOP_LABEL_PROBABILITY,
    metrics=frozenset(
        {
            Metric.F1_MICRO,
            Metric.F1_MACRO,
            Metric.SUBSET_ACCURACY,
            Metric.HAMMING_LOSS,
            Metric.LABEL_RANKING_AVERAGE_PRECISION,
        }
    ),
    default_metrics=k.MetricDefaults(
        Metric.F1_MICRO,
        (
            Metric.F1_MACRO,
            Metric.LABEL_RANKING_AVERAGE_PRECISION,
            Metric.HAMMING_LOSS,
            Metric.SUBSET_ACCURACY,
        ),
        "multilabel: micro F1 counts every (row, label) decision once, so frequent labels "
        "weigh as often as they occur; macro F1 and ranking precision are shown beside it",
    ),
    probe_metric=Metric.LABEL_RANKING_AVERAGE_PRECISION,
    stratify=True,  # iterative stratification over label sets
    families=ALL_FAMILIES,
    policy=k.PolicyKind.LABELS,
    requests=frozenset({k.RequestShape.RECORD, k.RequestShape.BATCH}),
    contribution_units="log-odds",
    report_sections=(k.ReportSection.PERFORMANCE, k.ReportSection.LABELS),
    label_task="binary",
)
