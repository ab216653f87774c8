"""Tasks: regression, one numeric value per row with a residual interval."""

from __future__ import annotations

from shipml.core.enums import Metric
from shipml.tasks import kind as k
from shipml.tasks.binary import ALL_FAMILIES

REGRESSION = k.TaskKind(
    name="regression",
    summary="one numeric value per row, with an interval from out-of-fold residuals",
    target=k.TargetKind.COLUMN,
    encoding=k.TargetEncoding.VALUES,
    classes=k.ClassCount.NONE,
    scores=k.ScoresKind.VALUES,
    raw_output=k.RawOutput.SINGLE,
    score_field=k.ScoreField.VALUE,
    metrics=frozenset({Metric.RMSE, Metric.MAE, Metric.R2}),
    default_metrics=k.MetricDefaults(
        Metric.RMSE,
        (Metric.MAE, Metric.R2),
        "regression: RMSE penalises large errors; MAE is shown beside it",
    ),
    probe_metric=Metric.R2,
    stratify=False,
    families=ALL_FAMILIES,
    policy=k.PolicyKind.VALUE,
    requests=frozenset({k.RequestShape.RECORD, k.RequestShape.BATCH}),
    contribution_units="target units",
    report_sections=(
        k.ReportSection.PERFORMANCE,
        k.ReportSection.RESIDUALS,
        k.ReportSection.EXPLANATIONS,
        k.ReportSection.FAIRNESS,
    ),
)
