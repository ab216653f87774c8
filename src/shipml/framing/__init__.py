"""Framing: task, target, features, splits and metrics; the `ProblemFrame` training works on."""

from shipml.framing.frame import SuspectColumn, frame_problem
from shipml.framing.leakage import LeakFinding, probe_leakage, single_feature_scores
from shipml.framing.metrics import DEFINITIONS, MetricDef, default_metrics, score
from shipml.framing.problem import Choice, ProblemFrame
from shipml.framing.splits import Fold, SplitData, cv_folds, inner_split
from shipml.framing.task import TargetFrame, frame_target, infer_task

__all__ = [
    "DEFINITIONS",
    "Choice",
    "Fold",
    "LeakFinding",
    "MetricDef",
    "ProblemFrame",
    "SplitData",
    "SuspectColumn",
    "TargetFrame",
    "cv_folds",
    "default_metrics",
    "frame_problem",
    "frame_target",
    "infer_task",
    "inner_split",
    "probe_leakage",
    "score",
    "single_feature_scores",
]
