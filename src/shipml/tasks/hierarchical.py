"""Tasks: hierarchical classification, one path down a taxonomy per row (Fashion > Shoes).

The classes are the taxonomy's paths; scores are one probability per class, as for
multiclass, so a flat classifier over the classes is a candidate as it stands. Each family is
also learned one parent node at a time (`node_task`): a classifier at every node over its
children, the class probabilities multiplied down the path, so every answer is consistent with
the tree. The policy walks the tree from the root and stops at a coarser level when the best
child holds less than `hierarchical.stop_below` of its parent's probability.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shipml.core.enums import Metric
from shipml.tasks import kind as k
from shipml.tasks.binary import ALL_FAMILIES


class HierarchicalSection(BaseModel):
    """`hierarchical:` in the spec."""

    model_config = ConfigDict(extra="forbid")

    stop_below: float = Field(
        default=0.0,
        ge=0.0,
        lt=1.0,
        description="Stop at the parent when the most probable child holds less than this "
        "share of the parent's probability (0: always decide down to a leaf).",
    )


HIERARCHICAL = k.TaskKind(
    name="hierarchical",
    summary="one path down a taxonomy per row; decided from the root, a level at a time",
    target=k.TargetKind.COLUMN,
    encoding=k.TargetEncoding.PATHS,
    classes=k.ClassCount.SEVERAL,
    scores=k.ScoresKind.CLASS_PROBABILITIES,
    raw_output=k.RawOutput.PER_CLASS,
    score_field=k.ScoreField.DECIDED_PROBABILITY,
    metrics=frozenset(
        {
            Metric.HIERARCHICAL_F1,
            Metric.HIERARCHICAL_PRECISION,
            Metric.HIERARCHICAL_RECALL,
            Metric.LEAF_F1_MACRO,
            Metric.LOG_LOSS,
            Metric.ACCURACY,
        }
    ),
    default_metrics=k.MetricDefaults(
        Metric.HIERARCHICAL_F1,
        (Metric.LEAF_F1_MACRO, Metric.ACCURACY, Metric.LOG_LOSS),
        "hierarchical: hierarchical F1 gives partial credit for the right branch (a sneaker "
        "called a boot is half right), where leaf accuracy counts it wrong",
    ),
    probe_metric=Metric.LOG_LOSS,
    stratify=True,
    families=ALL_FAMILIES,
    policy=k.PolicyKind.PATH,
    requests=frozenset({k.RequestShape.RECORD, k.RequestShape.BATCH}),
    contribution_units="log-odds",  # of the decided class, for a flat model
    report_sections=(k.ReportSection.PERFORMANCE, k.ReportSection.LEVELS),
    section=HierarchicalSection,
    node_task="multiclass",
)
